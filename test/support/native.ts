/**
 * The engine binaries for tests, built with make on first use (a no-op when up to date)
 * and run in a child process: zkinfer-native, zkinfer-gpu-emu (the GPU engine's kernels
 * on the CPU, with every CPU command too) and, where nvcc is installed, the real
 * zkinfer-cuda. Builds are awaited in beforeAll: a full g++ rebuild or nvcc takes
 * minutes, and a test worker blocked that long loses its connection to vitest.
 */
import { execFile, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './shared.ts';

export const NATIVE_DIR = path.join(REPO_ROOT, 'prover/native');
export const NATIVE_BINARY = path.join(NATIVE_DIR, 'build/zkinfer-native');
export const GPU_EMU_BINARY = path.join(NATIVE_DIR, 'build/zkinfer-gpu-emu');
export const REAL_CUDA_BINARY = path.join(NATIVE_DIR, 'build/zkinfer-cuda');

const builds = new Map<string, Promise<unknown>>();
// Test files run in parallel processes; one make at a time keeps two of them from
// compiling the same object at once (flock, where util-linux has it).
const MAKE_LOCK = path.join(os.tmpdir(), 'zkinfer-native-make.lock');
const HAS_FLOCK = spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;

/** `make -C prover/native -j2 <target>`, once per test process, serialized with the other test processes' makes. */
async function make(target: string): Promise<void> {
  if (!builds.has(target)) {
    const command = ['make', '-C', NATIVE_DIR, '-j2', target];
    const [file, ...args] = HAS_FLOCK ? ['flock', MAKE_LOCK, ...command] : command;
    builds.set(target, promisify(execFile)(file!, args, { maxBuffer: 64 << 20 }));
  }
  await builds.get(target);
}

export async function buildNative(): Promise<string> {
  await make('build/zkinfer-native');
  return NATIVE_BINARY;
}

export async function buildGpuEmulation(): Promise<string> {
  await make('gpu-emu');
  return GPU_EMU_BINARY;
}

/** zkinfer-cuda (make cuda: nvcc, not a GPU). Check hasNvcc() first. */
export async function buildRealCuda(): Promise<string> {
  await make('cuda');
  return REAL_CUDA_BINARY;
}

/** Whether nvcc runs here. */
export function hasNvcc(): boolean {
  return spawnSync(process.env.NVCC ?? 'nvcc', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface NativeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `zkinfer-native args…` (or another engine binary, built beforehand) with optional stdin. */
export function runNative(args: string[], input?: string, binary = NATIVE_BINARY): NativeRun {
  const r = spawnSync(binary, args, { input, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
