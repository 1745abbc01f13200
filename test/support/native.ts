/**
 * The native engine binaries for tests, built with make on first use (a no-op when up to
 * date) and run in a child process: zkinfer-native, and zkinfer-gpu-emu (the GPU engine's
 * kernels on the CPU, with every CPU command too).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './shared.ts';

export const NATIVE_DIR = path.join(REPO_ROOT, 'prover/native');
export const NATIVE_BINARY = path.join(NATIVE_DIR, 'build/zkinfer-native');
export const GPU_EMU_BINARY = path.join(NATIVE_DIR, 'build/zkinfer-gpu-emu');

const built = new Set<string>();
// Test files run in parallel processes; one make at a time keeps two of them from
// compiling the same object at once (flock, where util-linux has it).
const MAKE_LOCK = path.join(os.tmpdir(), 'zkinfer-native-make.lock');
const HAS_FLOCK = spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;

/** `make -C prover/native target` once per test process (serialized across processes); returns `binary`. */
export function makeTarget(target: string, binary: string): string {
  if (!built.has(target)) {
    const make = ['make', '-C', NATIVE_DIR, '-j2', target];
    if (HAS_FLOCK) execFileSync('flock', [MAKE_LOCK, ...make], { stdio: 'pipe' });
    else execFileSync(make[0]!, make.slice(1), { stdio: 'pipe' });
    built.add(target);
  }
  return binary;
}

/** Builds prover/native (make) once per test process and returns the binary's path. */
export function nativeBinary(): string {
  return makeTarget('build/zkinfer-native', NATIVE_BINARY);
}

/** Builds the GPU engine's host emulation (make gpu-emu) once per test process. */
export function gpuEmulationBinary(): string {
  return makeTarget('gpu-emu', GPU_EMU_BINARY);
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
