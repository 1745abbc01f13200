/**
 * The native engine (prover/native, C++): where its binary is and how to run it. Built
 * by `npm ci` (scripts/build-native.ts); when it is missing, proving falls back to snarkjs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactError, ToolError } from '../circuits/errors.ts';

export const NATIVE_BINARY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'native', 'build', 'zkinfer-native');

/** The native binary's path, or undefined when it has not been built. */
export function nativeBinary(): string | undefined {
  return existsSync(NATIVE_BINARY) ? NATIVE_BINARY : undefined;
}

/** Runs `zkinfer-native args…`; its "error:" line (a bad or mismatched file) becomes an ArtifactError, a crash a ToolError. */
export async function runNative(args: string[]): Promise<string> {
  const binary = nativeBinary();
  if (!binary) {
    throw new ToolError('the native prover is not built', { hint: 'run `npm run build:native` (needs make and a C++17 compiler), or use --prover snarkjs' });
  }
  return new Promise((resolve, reject) => {
    execFile(binary, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const line = stderr.trim().split('\n').find((l) => l.startsWith('error: '));
      if (line) return reject(new ArtifactError(line.slice('error: '.length), { context: [`zkinfer-native ${args[0]}`] }));
      reject(new ToolError(`zkinfer-native ${args[0]} failed (${err.message.split('\n')[0]})`, { context: [stderr.trim().slice(-2000)], cause: err }));
    });
  });
}
