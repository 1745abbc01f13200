/**
 * Whole-process measurements for the benchmarks: wall time and peak RSS of a command,
 * the latter from GNU time where installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** GNU time, if installed: its %M is the peak RSS of the whole process tree it waited for. */
export function findGnuTime(): string | undefined {
  const dirs = ['/usr/bin', ...(process.env.PATH ?? '').split(path.delimiter)].filter(Boolean);
  for (const dir of new Set(dirs)) {
    const candidate = path.join(dir, 'time');
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0 && /GNU/i.test(`${probe.stdout}${probe.stderr}`)) return candidate;
  }
  return undefined;
}

export const GNU_TIME = findGnuTime();

export interface Measured {
  seconds: number;
  /** Peak RSS in MB (GNU time); undefined without GNU time. */
  peakRssMB?: number;
  stdout: string;
  stderr: string;
}

/** Runs `command args…` to completion; throws with its stderr when it fails. */
export async function measure(command: string, args: string[], cwd?: string): Promise<Measured> {
  const dir = GNU_TIME ? await mkdtemp(path.join(os.tmpdir(), 'zkinfer-measure-')) : undefined;
  const timeFile = dir ? path.join(dir, 'time.txt') : undefined;
  const [cmd, ...cmdArgs] = GNU_TIME ? [GNU_TIME, '-f', '%M', '-o', timeFile!, command, ...args] : [command, ...args];
  try {
    const t0 = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(cmd!, cmdArgs, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed (exit ${code}):\n${stderr.trim().split('\n').slice(-10).join('\n')}`);
    let peakRssMB: number | undefined;
    if (timeFile) {
      const kb = Number((await readFile(timeFile, 'utf8')).trim().split('\n').pop());
      if (Number.isFinite(kb) && kb > 0) peakRssMB = kb / 1024;
    }
    return { seconds, peakRssMB, stdout, stderr };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
