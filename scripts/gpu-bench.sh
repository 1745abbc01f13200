#!/usr/bin/env bash
# The GPU prover's checks and benchmark on a machine with an NVIDIA GPU (H100/H200, sm_90),
# in one command from the repository root, after `npm ci`:
#
#   scripts/gpu-bench.sh
#
# 1. builds the native engine (make) and the CUDA one (make cuda: nvcc),
# 2. prints the device (zkinfer-cuda gpu-info),
# 3. compares the GPU's MSMs and NTTs with the CPU engine (zkinfer-cuda gpu-check all 20;
#    non-zero on any mismatch),
# 4. runs the CUDA tests against the real binary (test/prover/cuda.test.ts with
#    ZKINFER_CUDA_BINARY=prover/native/build/zkinfer-cuda: proofs snarkjs verifies, a batch
#    through one gpu-serve),
# 5. benchmarks snarkjs vs native vs CUDA from 2^16 to 2^22 constraints (bench/prover.ts;
#    snarkjs up to 2^20 only), writing bench/results/prover-gpu.md and prover-gpu.json.
#
# Stops at the first failing step. The whole log goes to bench/results/gpu-bench.log.
# Environment: GPU_BENCH_MIN / GPU_BENCH_MAX (powers, default 16 / 22),
# GPU_BENCH_SKIP_SNARKJS_ABOVE (default 20), GPU_BENCH_SKIP=bench to stop after the tests,
# GPU_BENCH_COPY_TO=DIR to copy the log and results there at the end (also after a failure),
# CUDA_ARCH (default sm_90) and NVCC as for make.
set -euo pipefail
cd "$(dirname "$0")/.."

min=${GPU_BENCH_MIN:-16}
max=${GPU_BENCH_MAX:-22}
skip_snarkjs_above=${GPU_BENCH_SKIP_SNARKJS_ABOVE:-20}
results=bench/results
log=$results/gpu-bench.log
cuda=prover/native/build/zkinfer-cuda
jobs=$(nproc 2>/dev/null || echo 4)
mkdir -p "$results"
: >"$log"

copy_back() {
  if [[ -n "${GPU_BENCH_COPY_TO:-}" ]]; then
    mkdir -p "$GPU_BENCH_COPY_TO"
    cp -f "$log" $results/prover-gpu.md $results/prover-gpu.json "$GPU_BENCH_COPY_TO"/ 2>/dev/null || true
  fi
}
trap copy_back EXIT

step() {
  local name=$1
  shift
  local started=$SECONDS
  echo "== $name: $*" | tee -a "$log"
  if ! "$@" 2>&1 | tee -a "$log"; then
    echo "== FAILED: $name (after $((SECONDS - started)) s); log: $log" | tee -a "$log"
    exit 1
  fi
  echo "== done: $name in $((SECONDS - started)) s" | tee -a "$log"
}

if [[ ! -d node_modules/snarkjs ]]; then
  echo "gpu-bench: node_modules is missing: run npm ci first (the tests and the benchmark need snarkjs and circom2)" >&2
  exit 1
fi
if ! command -v "${NVCC:-nvcc}" >/dev/null; then
  echo "gpu-bench: nvcc is not on PATH: install the CUDA toolkit (12 or newer) or set NVCC" >&2
  exit 1
fi

step "build the native engine" make -C prover/native -j"$jobs"
step "build the CUDA engine" make -C prover/native -j"$jobs" cuda
step "the device" "$cuda" gpu-info
step "GPU vs CPU engine (MSM, NTT up to 2^20 points)" "$cuda" gpu-check all 20
step "CUDA tests on the GPU" env ZKINFER_CUDA_BINARY="$PWD/$cuda" npx vitest run test/prover/cuda.test.ts
if [[ "${GPU_BENCH_SKIP:-}" == bench ]]; then
  echo "== benchmark skipped (GPU_BENCH_SKIP=bench)" | tee -a "$log"
  exit 0
fi
# 2^22 synthetic circuits are built in node: give it room.
step "benchmark 2^$min … 2^$max" env NODE_OPTIONS="--max-old-space-size=16384" \
  npx tsx bench/prover.ts --min "$min" --max "$max" --skip-snarkjs-above "$skip_snarkjs_above" --results prover-gpu
echo "gpu-bench: all steps passed; results in $results/prover-gpu.md and prover-gpu.json, log in $log" | tee -a "$log"
