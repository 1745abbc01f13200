/**
 * The native engine binaries for tests, built with make on first use (a no-op when up to
 * date) and run in a child process: zkinfer-native, and zkinfer-gpu-emu (the GPU engine's
 * kernels on the CPU, with every CPU command too).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './shared.ts';

export const NATIVE_DIR = path.join(REPO_ROOT, 'prover/native');
export const NATIVE_BINARY = path.join(NATIVE_DIR, 'build/zkinfer-native');
export const GPU_EMU_BINARY = path.join(NATIVE_DIR, 'build/zkinfer-gpu-emu');

const built = new Set<string>();

function make(target: string, binary: string): string {
  if (!built.has(target)) {
    execFileSync('make', ['-C', NATIVE_DIR, '-j2', target], { stdio: 'pipe' });
    built.add(target);
  }
  return binary;
}

/** Builds prover/native (make) once per test process and returns the binary's path. */
export function nativeBinary(): string {
  return make('build/zkinfer-native', NATIVE_BINARY);
}

/** Builds the GPU engine's host emulation (make gpu-emu) once per test process. */
export function gpuEmulationBinary(): string {
  return make('gpu-emu', GPU_EMU_BINARY);
}

export interface NativeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `zkinfer-native args…` (or another engine binary's) with optional stdin. */
export function runNative(args: string[], input?: string, binary = nativeBinary()): NativeRun {
  const r = spawnSync(binary, args, { input, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
