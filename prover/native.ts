/**
 * The native engine (prover/native, C++): where its binary is and how to run it. Built
 * by `npm ci` (scripts/build-native.ts); when it is missing, proving falls back to snarkjs.
 * The engine binaries (zkinfer-native here, zkinfer-cuda in cuda.ts) share one error
 * convention, turned into zkinfer's errors by `engineError`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactError, ToolError, type ZkInferError } from '../core/errors.ts';

export const NATIVE_BINARY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'native', 'build', 'zkinfer-native');

/** The native binary's path, or undefined when it has not been built. */
export function nativeBinary(): string | undefined {
  return existsSync(NATIVE_BINARY) ? NATIVE_BINARY : undefined;
}

/** The native binary's path; a ToolError saying how to build it when it is missing. */
export function requireNativeBinary(): string {
  const binary = nativeBinary();
  if (!binary) {
    throw new ToolError('the native prover is not built', { hint: 'run `npm run build:native` (needs make and a C++17 compiler), or use --prover snarkjs' });
  }
  return binary;
}

/**
 * What an engine's failure means for the user. Engines print one `error: …` line for a
 * bad or mismatched file (exit 1): that becomes an ArtifactError with the line as its
 * message. Anything else (`internal error: …`, a crash, a signal) is a ToolError with the
 * end of stderr. `label` names the run, e.g. "zkinfer-native prove".
 */
export function engineError(label: string, stderr: string, detail: string, cause?: unknown): ZkInferError {
  const lines = stderr.trim().split('\n');
  const line = lines.find((l) => l.startsWith('error: '));
  if (line) return new ArtifactError(line.slice('error: '.length), { context: [label], cause });
  const internal = lines.find((l) => l.startsWith('internal error: '));
  const tail = stderr.trim().slice(-2000);
  return new ToolError(`${label} failed (${internal ?? detail})`, { context: tail ? [tail] : [], cause });
}

/** Runs `binary args…` to completion and returns its stdout; failures become `engineError`s. */
export async function runEngine(binary: string, args: string[]): Promise<string> {
  const label = `${path.basename(binary)} ${args[0] ?? ''}`.trim();
  return new Promise((resolve, reject) => {
    execFile(binary, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      reject(engineError(label, stderr, err.message.split('\n')[0]!, err));
    });
  });
}

/** Runs `zkinfer-native args…`; its "error:" line (a bad or mismatched file) becomes an ArtifactError, a crash a ToolError. */
export async function runNative(args: string[]): Promise<string> {
  return runEngine(requireNativeBinary(), args);
}
