#!/usr/bin/env bash
# The GPU prover's checks and timings where a GPU is but Node may not be (the lent device
# machines have nvcc and a C++ compiler, no npm): everything through the engine binaries.
#
#   scripts/gpu-device.sh [powers…]        (default: 16 18 20 22)
#
# 1. builds zkinfer-native and zkinfer-cuda (make, make cuda; CUDA_ARCH as for make),
# 2. gpu-info, then gpu-check all 20: the GPU's MSMs (G1, G2) and NTTs against the CPU
#    engine's on seeded random inputs, up to 2^20 points,
# 3. for each power k: a synthetic chain of 2^k − 2 constraints (domain 2^k) and a
#    development key (setup-dev); `gpu-check prove` (the proof's five MSM sums on the GPU,
#    key resident and warmed up, against the CPU engine's, with both times), then whole
#    `prove` and `gpu-prove` runs; where node and node_modules/snarkjs are present (or
#    carried: .gpu-carry/node-snarkjs.tar.xz from scripts/gpu-carry.sh, unpacked when node
#    is missing or GPU_DEVICE_USE_CARRY is set), also snarkjs's prove and its verdict on
#    the GPU proof.
#
# ZKINFER_CUDA_BINARY runs another build of the engine instead of building zkinfer-cuda
# (zkinfer-gpu-emu tries the script on a machine without a GPU); GPU_CHECK_MAX_LOG sets
# gpu-check all's largest size (default 20). Stops at the first failure. Writes
# bench/results/prover-gpu-device.md and .log (GPU_DEVICE_RESULTS: another folder), and
# copies both to $OUT when it is set.
# scripts/gpu-bench.sh is the fuller run for a GPU machine with `npm ci` done.
set -euo pipefail
cd "$(dirname "$0")/.."

powers=("$@")
[[ ${#powers[@]} -gt 0 ]] || powers=(16 18 20 22)
results=${GPU_DEVICE_RESULTS:-bench/results}
log=$results/prover-gpu-device.log
table=$results/prover-gpu-device.md
native=prover/native/build/zkinfer-native
cuda=${ZKINFER_CUDA_BINARY:-prover/native/build/zkinfer-cuda}
work=$(mktemp -d)
mkdir -p "$results"
: >"$log"
copy_back() {
  rm -rf "$work"
  if [[ -n "${OUT:-}" && -d "${OUT:-}" ]]; then cp -f "$log" "$OUT"/ 2>/dev/null || true; cp -f "$table" "$OUT"/ 2>/dev/null || true; fi
}
trap copy_back EXIT
say() { echo "$*" | tee -a "$log"; }
run() { say "\$ $*"; "$@" 2>&1 | tee -a "$log"; }
# Seconds a command takes (its output goes to the log).
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" >>"$log" 2>&1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$2" | tr -d '"'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "n/a" }'; }

jobs=$(nproc 2>/dev/null || echo 4)
run make -C prover/native -j"$jobs"
[[ -n ${ZKINFER_CUDA_BINARY:-} ]] || run make -C prover/native -j"$jobs" cuda
run "$cuda" gpu-info
run "$cuda" gpu-check all "${GPU_CHECK_MAX_LOG:-20}"

snarkjs=""
if [[ -f .gpu-carry/node-snarkjs.tar.xz ]] && { ! command -v node >/dev/null || [[ -n ${GPU_DEVICE_USE_CARRY:-} ]]; }; then
  # Node and snarkjs carried from a machine that has them (scripts/gpu-carry.sh).
  mkdir -p "$work/node"
  tar -xJf .gpu-carry/node-snarkjs.tar.xz -C "$work/node"
  export PATH="$work/node:$PATH"
  snarkjs=$work/node/node_modules/snarkjs/build/cli.cjs
  say "using the carried $(node --version) and snarkjs"
elif command -v node >/dev/null && [[ -f node_modules/snarkjs/build/cli.cjs ]]; then
  snarkjs=node_modules/snarkjs/build/cli.cjs
fi
[[ -n $snarkjs ]] || say "no node or node_modules/snarkjs here (scripts/gpu-carry.sh packs them): the snarkjs columns stay empty"

{
  echo "# GPU prover on $("$cuda" gpu-info | sed -n 's/.*"device":"\([^"]*\)".*/\1/p')"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) · $(nproc) CPU threads · synthetic chains, development keys · scripts/gpu-device.sh"
  echo "resident = gpu-check prove: witness upload, evaluations, NTTs and the five MSMs with the key already on the GPU (one run after a warm-up run); CPU sums = the same work by the native engine"
  echo
  echo "| domain | setup-dev s | key upload s | resident GPU s | CPU sums s | resident speedup | native prove s | gpu-prove s | snarkjs s | snarkjs / resident | GPU proof verifies (snarkjs) | sums equal |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
} >"$table"

for k in "${powers[@]}"; do
  base=$work/chain-$k
  say "== 2^$k"
  run "$native" synthetic $(( (1 << k) - 2 )) "$base"
  setup=$(timed "$native" setup-dev "$base.r1cs" "$base.zkey")
  check=$("$cuda" gpu-check prove "$base.zkey" "$base.wtns" | tee -a "$log")
  nativeSeconds=$(timed "$native" prove "$base.zkey" "$base.wtns" "$base-native-proof.json" "$base-native-public.json")
  gpuSeconds=$(timed "$cuda" gpu-prove "$base.zkey" "$base.wtns" "$base-gpu-proof.json" "$base-gpu-public.json")
  snarkSeconds="" verdict="" snarkRatio=""
  if [[ -n $snarkjs ]]; then
    snarkSeconds=$(timed node --max-old-space-size=16384 "$snarkjs" groth16 prove "$base.zkey" "$base.wtns" "$base-snarkjs-proof.json" "$base-snarkjs-public.json")
    node "$snarkjs" zkey export verificationkey "$base.zkey" "$base-vk.json" >>"$log" 2>&1
    if node "$snarkjs" groth16 verify "$base-vk.json" "$base-gpu-public.json" "$base-gpu-proof.json" >>"$log" 2>&1; then verdict=yes; else verdict=NO; fi
    snarkRatio=$(ratio "$snarkSeconds" "$(field gpuSeconds "$check")")
  fi
  echo "| 2^$k | $setup | $(field uploadSeconds "$check") | $(field gpuSeconds "$check") | $(field cpuSeconds "$check") | $(ratio "$(field cpuSeconds "$check")" "$(field gpuSeconds "$check")") | $nativeSeconds | $gpuSeconds | $snarkSeconds | $snarkRatio | $verdict | $(field equal "$check") |" >>"$table"
  [[ $(field equal "$check") == true ]] || { say "gpu-check prove: the GPU's sums differ from the CPU engine's at 2^$k"; exit 3; }
  [[ $verdict != NO ]] || { say "snarkjs rejects the GPU proof at 2^$k"; exit 3; }
  rm -f "$base".*
done
cat "$table" | tee -a "$log"
