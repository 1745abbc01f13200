/**
 * scripts/gpu-device.sh, the Node-free GPU check and timing script for lent GPU machines,
 * run here against the host emulation (ZKINFER_CUDA_BINARY=zkinfer-gpu-emu) on two small
 * synthetic circuits: it must build, check, time, and write a table whose rows say the GPU
 * sums equal the CPU engine's and (Node being here) that snarkjs accepts the GPU proofs.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempDirs } from '../circuits/harness.ts';
import { buildGpuEmulation, buildNative } from '../support/native.ts';
import { REPO_ROOT } from '../support/shared.ts';

const dirs = new TempDirs();
let emulation: string;

beforeAll(async () => {
  await buildNative();
  emulation = await buildGpuEmulation();
});
afterAll(() => dirs.cleanup());

describe('scripts/gpu-device.sh', () => {
  it('checks the engine, proves 2^8 and 2^10 chains and writes the table', async () => {
    const results = await dirs.make('gpu-device');
    // Asynchronously: the run takes a while, and a blocked test worker loses vitest.
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const env = { ...process.env, ZKINFER_CUDA_BINARY: emulation, GPU_CHECK_MAX_LOG: '6', GPU_DEVICE_RESULTS: results, OUT: '' };
      execFile(path.join(REPO_ROOT, 'scripts/gpu-device.sh'), ['8', '10'], { env, maxBuffer: 64 << 20 }, (err, _stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stderr }),
      );
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const table = await readFile(path.join(results, 'prover-gpu-device.md'), 'utf8');
    const rows = table.split('\n').filter((l) => l.startsWith('| 2^'));
    expect(rows.map((r) => r.split('|')[1]!.trim())).toEqual(['2^8', '2^10']);
    for (const row of rows) expect(row).toMatch(/\| yes \| true \|$/);
    const log = await readFile(path.join(results, 'prover-gpu-device.log'), 'utf8');
    expect(log).toContain('"backend":"host-emulation"');
    expect(log).not.toContain('"equal":false');
  });
});
