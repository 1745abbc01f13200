/**
 * Builds the native engine (prover/native, make + the system C++ compiler) after
 * `npm ci`. A machine without a compiler still installs: zkinfer then proves with
 * snarkjs, and this script says so instead of failing the install.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'prover', 'native');
const started = performance.now();
const result = spawnSync('make', ['-C', nativeDir, '-j2'], { encoding: 'utf8' });
if (result.status === 0) {
  process.stderr.write(`zkinfer: built the native prover in ${((performance.now() - started) / 1000).toFixed(1)} s (prover/native/build/zkinfer-native)\n`);
} else {
  const why = result.error ? result.error.message : (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
  process.stderr.write(
    `zkinfer: could not build the native prover, so proofs will use snarkjs (slower).\n${why}\n` +
      'To build it later: install make and g++ (C++17), then run `npm run build:native`.\n',
  );
}
