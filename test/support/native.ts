/**
 * The native engine binary for tests: built with make on first use (a no-op when up to
 * date), run in a child process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './shared.ts';

export const NATIVE_DIR = path.join(REPO_ROOT, 'prover/native');
export const NATIVE_BINARY = path.join(NATIVE_DIR, 'build/zkinfer-native');

let built = false;

/** Builds prover/native (make) once per test process and returns the binary's path. */
export function nativeBinary(): string {
  if (!built) {
    execFileSync('make', ['-C', NATIVE_DIR, '-j2'], { stdio: 'pipe' });
    built = true;
  }
  return NATIVE_BINARY;
}

export interface NativeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `zkinfer-native args…` with optional stdin. */
export function runNative(args: string[], input?: string): NativeRun {
  const r = spawnSync(nativeBinary(), args, { input, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
