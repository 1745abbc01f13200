/**
 * `npm run build:cuda`: builds the GPU prover, prover/native/build/zkinfer-cuda
 * (`make -C prover/native cuda`, nvcc for sm_90: H100/H200). Not part of `npm ci`:
 * it needs the CUDA toolkit, and the binary only runs where there is a GPU. Unlike
 * build-native.ts this fails (exit code 1) when it cannot build, saying why.
 * CUDA_ARCH=sm_80 (etc.) and NVCC=/path/to/nvcc pass through to make.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'prover', 'native');
const nvcc = process.env.NVCC ?? 'nvcc';

const probe = spawnSync(nvcc, ['--version'], { encoding: 'utf8' });
if (probe.status !== 0) {
  process.stderr.write(
    `zkinfer: cannot build the CUDA prover: ${nvcc} ${probe.error ? `is not available (${probe.error.message})` : `--version failed:\n${probe.stderr.trim()}`}\n` +
      'Install the CUDA toolkit (12 or newer, for sm_90) so that nvcc is on PATH, or set NVCC to its path; then run `npm run build:cuda` again.\n' +
      'Without it, zkinfer proves on the CPU (--prover native).\n',
  );
  process.exit(1);
}

const started = performance.now();
const result = spawnSync('make', ['-C', nativeDir, `-j${os.availableParallelism()}`, 'cuda'], { stdio: ['ignore', 'inherit', 'inherit'] });
if (result.status !== 0) {
  process.stderr.write(`zkinfer: building the CUDA prover failed (${result.error ? result.error.message : `make exited ${result.status}`}); see the compiler output above.\n`);
  process.exit(1);
}
const version = probe.stdout.trim().split('\n').pop();
process.stderr.write(
  `zkinfer: built the CUDA prover in ${((performance.now() - started) / 1000).toFixed(1)} s (prover/native/build/zkinfer-cuda; ${version}).\n` +
    'Check the GPU with `prover/native/build/zkinfer-cuda gpu-info`, then prove with `zkinfer prove DIR --input FILE --prover cuda`.\n',
);
