/**
 * The CUDA prover through zkinfer (prover/cuda.ts, `prove --prover cuda`, `--batch`) on the
 * fixture circuit (fixture.ts). ZKINFER_CUDA_BINARY is zkinfer-gpu-emu (`make gpu-emu`: the
 * GPU engine's kernels run on the CPU), unless it already names a binary: on a GPU machine
 * scripts/gpu-bench.sh points it at the real zkinfer-cuda, and these tests run on the GPU.
 *
 * Covered: gpu-info; a single proof (gpu-prove) snarkjs verifies; a batch through one
 * gpu-serve process (a wrapper script logs the binary's invocations: one gpu-serve, no
 * gpu-prove) whose proofs all verify, an input the circuit rejects failing alone; a corrupt
 * witness sent to a resident session fails that job only; gpu-serve's fatal errors; a
 * missing binary, and `npm run build:cuda` without nvcc. Then the real zkinfer-cuda (make cuda, where nvcc is): without a GPU,
 * gpu-info, prove and gpu-serve fail with "no CUDA device" and the hint to use
 * --prover native; with one, it proves end to end.
 */
import { spawnSync } from 'node:child_process';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError, ToolError } from '../../core/errors.ts';
import type { BatchResult } from '../../prover/batch.ts';
import { CUDA_BINARY, CudaServer, cudaDevice, requireCudaBinary } from '../../prover/cuda.ts';
import { computeWitness } from '../../prover/witness.ts';
import { openProver } from '../../prover/provers.ts';
import type { ProofOutput } from '../../prover/prove.ts';
import { releaseCurves } from '../../core/curves.ts';
import { TempDirs } from '../circuits/harness.ts';
import { zkinfer } from '../support/cli.ts';
import { buildGpuEmulation, buildRealCuda, hasNvcc } from '../support/native.ts';
import { REPO_ROOT } from '../support/shared.ts';
import { makeProvableFixtureDir, snarkjsVerifies, TEST_CACHE_DIR } from './fixture.ts';

process.env.ZKINFER_CACHE_DIR = TEST_CACHE_DIR;

const dirs = new TempDirs();
let model: string;
let inputs: string;
/** The binary under test: the emulation, or what ZKINFER_CUDA_BINARY named before the tests. */
let binary: string;
const emulated = !process.env.ZKINFER_CUDA_BINARY;

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

/** Runs `body` with ZKINFER_CUDA_BINARY set to `value` (removed when undefined), then restores it. */
async function withCudaBinary<T>(value: string | undefined, body: () => Promise<T>): Promise<T> {
  const before = process.env.ZKINFER_CUDA_BINARY;
  if (value === undefined) delete process.env.ZKINFER_CUDA_BINARY;
  else process.env.ZKINFER_CUDA_BINARY = value;
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env.ZKINFER_CUDA_BINARY;
    else process.env.ZKINFER_CUDA_BINARY = before;
  }
}

beforeAll(async () => {
  binary = process.env.ZKINFER_CUDA_BINARY ?? (await buildGpuEmulation());
  process.env.ZKINFER_CUDA_BINARY = binary;
  model = await makeProvableFixtureDir();
  inputs = await dirs.make('cuda-inputs');
  await writeFile(path.join(inputs, 'a.json'), '[[1, 2, 3]]'); // y = [15, 8]
  await writeFile(path.join(inputs, 'b.json'), '[3, 3, 0]'); // y = [35, 37]
  await writeFile(path.join(inputs, 'c.json'), '[0.5, 1, 1.5]'); // y = [10, 2]
});

afterAll(async () => {
  await releaseCurves();
  await dirs.cleanup();
  if (model) await rm(model, { recursive: true, force: true });
});

describe(`the CUDA prover (${emulated ? 'zkinfer-gpu-emu: host emulation' : `ZKINFER_CUDA_BINARY=${process.env.ZKINFER_CUDA_BINARY}`})`, () => {
  it('gpu-info describes the device', async () => {
    const info = await cudaDevice();
    expect(info.backend).toBe(emulated ? 'host-emulation' : 'cuda');
    expect(typeof info.device).toBe('string');
    expect(info.computeCapability).toMatch(/^\d+\.\d+$/);
    expect(info.memoryMiB).toBeGreaterThanOrEqual(0);
  });

  it('prove --prover cuda: one proof (gpu-prove) that snarkjs verifies', async () => {
    const out = path.join(await dirs.make('cuda-single'), 'proof');
    const run = await zkinfer(['prove', model, '--input', path.join(inputs, 'a.json'), '--prover', 'cuda', '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const output = JSON.parse(run.stdout) as ProofOutput;
    expect(output.prover).toBe('cuda');
    expect(output.outputs[0]!.integers).toEqual(['15', '8']);
    expect(await readJson<ProofOutput>(path.join(out, 'output.json'))).toMatchObject({ prover: 'cuda' });
    expect(await snarkjsVerifies(model, out)).toBe(true);
  });

  it('prove --batch --prover cuda: one gpu-serve for the whole batch, every proof verifies, a rejected input fails alone', async () => {
    const work = await dirs.make('cuda-batch');
    // A wrapper that logs each invocation of the binary: the key is uploaded once if gpu-serve runs once.
    const log = path.join(work, 'invocations.log');
    const wrapper = path.join(work, 'zkinfer-cuda-logged');
    await writeFile(wrapper, `#!/bin/sh\necho "$1" >> '${log}'\nexec '${binary}' "$@"\n`);
    await chmod(wrapper, 0o755);
    const batchInputs = await dirs.make('cuda-batch-inputs');
    for (const name of ['a.json', 'b.json', 'c.json']) await writeFile(path.join(batchInputs, name), await readFile(path.join(inputs, name)));
    await writeFile(path.join(batchInputs, 'd.json'), '[49.5, 0, 0]'); // x0 = 99: the fixture's assert fails

    const out = path.join(work, 'out');
    const run = await zkinfer(['prove', model, '--batch', batchInputs, '--prover', 'cuda', '--out', out, '--json'], { ZKINFER_CUDA_BINARY: wrapper });
    expect(run.code).toBe(1); // d.json failed
    const batch = JSON.parse(run.stdout) as BatchResult;
    expect(batch).toMatchObject({ prover: 'cuda', proved: 3, failed: 1 });
    expect(batch.keyUploadSeconds).toBeGreaterThanOrEqual(0);
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(['gpu-serve']);
    expect(batch.inputs.map((e) => [e.file, e.prediction])).toEqual([
      ['a.json', 0],
      ['b.json', 1],
      ['c.json', 0],
      ['d.json', undefined],
    ]);
    expect(batch.inputs[3]!.error!.message).toMatch(/the circuit rejected the input/);
    for (const entry of batch.inputs.slice(0, 3)) {
      expect(entry.engineSeconds).toBeGreaterThanOrEqual(0);
      expect(await snarkjsVerifies(model, entry.out)).toBe(true);
      expect(await readJson<ProofOutput>(path.join(entry.out, 'output.json'))).toMatchObject({ prover: 'cuda' });
    }
    expect(await readJson<BatchResult>(path.join(out, 'batch.json'))).toMatchObject({ prover: 'cuda', proved: 3, failed: 1, keyUploadSeconds: batch.keyUploadSeconds });
  });

  it('a corrupt witness fails its own job: the resident key proves the next witness', async () => {
    const work = await dirs.make('cuda-serve');
    const good = path.join(work, 'good.wtns');
    await computeWitness(model, [1, 2, 3], 'good', { witnessFile: good });
    const corrupt = path.join(work, 'corrupt.wtns');
    await writeFile(corrupt, (await readFile(good)).subarray(0, 100));

    const session = await openProver('cuda', path.join(model, 'model.zkey'), { resident: true });
    try {
      expect(session.uploadSeconds).toBeGreaterThanOrEqual(0);
      const first = await session.prove(good);
      const failed = session.prove(corrupt);
      await expect(failed).rejects.toThrow(ArtifactError);
      await expect(failed).rejects.toThrow(/corrupt\.wtns.*truncated/);
      const after = await session.prove(good);
      expect(session.failure).toBeUndefined();
      expect(after.publicSignals).toEqual(first.publicSignals);
      expect(after.proof).not.toEqual(first.proof); // fresh randomness per proof
      await session.close();
    } finally {
      session.abort();
    }
  });

  it('gpu-serve: a file that is no zkey fails before ready; jobs after close are refused', async () => {
    const start = CudaServer.start(path.join(model, 'model.r1cs'));
    await expect(start).rejects.toThrow(ArtifactError);
    await expect(start).rejects.toThrow(/model\.r1cs: not a zkey file/);

    const server = await CudaServer.start(path.join(model, 'model.zkey'));
    await server.close();
    await expect(server.prove(path.join(model, 'witness.wtns'), 'p.json', 'q.json')).rejects.toThrow(/gpu-serve is closed/);
  });
});

describe('a CUDA binary that is not there', () => {
  it('ZKINFER_CUDA_BINARY naming a missing file', async () => {
    const missing = path.join(model, 'no-such-zkinfer-cuda');
    const run = await zkinfer(['prove', model, '--input', path.join(inputs, 'a.json'), '--prover', 'cuda', '--json'], { ZKINFER_CUDA_BINARY: missing });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { type: 'ToolError', message: `ZKINFER_CUDA_BINARY is ${missing}, which does not exist` } });
  });

  it('npm run build:cuda without nvcc fails, saying what to install', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-cuda.ts'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NVCC: '/nonexistent/nvcc' } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^zkinfer: cannot build the CUDA prover: \/nonexistent\/nvcc is not available/);
    expect(run.stderr).toMatch(/Install the CUDA toolkit .* nvcc is on PATH, or set NVCC/);
  });

  it.skipIf(existsSync(CUDA_BINARY))('not built: the hint says npm run build:cuda', async () => {
    await withCudaBinary(undefined, async () => {
      expect(() => requireCudaBinary()).toThrow(ToolError);
      expect(() => requireCudaBinary()).toThrow(/^the CUDA prover is not built$/);
      await expect(cudaDevice()).rejects.toMatchObject({ hint: expect.stringMatching(/npm run build:cuda.*--prover native/) });
    });
  });
});

const nvcc = hasNvcc();
if (!nvcc) console.warn('skipping the real zkinfer-cuda tests: nvcc is not installed (the CUDA toolkit builds it: npm run build:cuda)');

describe.skipIf(!nvcc)('the real zkinfer-cuda (make cuda)', () => {
  let real: string;
  beforeAll(async () => {
    real = await buildRealCuda();
  });

  it('fails with "no CUDA device" and the --prover native hint without a GPU; proves end to end with one', async () => {
    const gpu = await withCudaBinary(real, () => cudaDevice()).catch((err: unknown) => err);
    if (gpu instanceof Error) {
      console.warn(`no GPU here (${gpu.message}): checking that zkinfer-cuda says so`);
      expect(gpu).toBeInstanceOf(ToolError);
      expect(gpu.message).toMatch(/^no CUDA device: /);
      expect((gpu as ToolError).hint).toMatch(/--prover native/);
      const run = await zkinfer(['prove', model, '--input', path.join(inputs, 'a.json'), '--prover', 'cuda', '--out', path.join(model, 'real')], { ZKINFER_CUDA_BINARY: real });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: no CUDA device: /m);
      expect(run.stderr).toMatch(/hint: .*--prover native/);
      expect(existsSync(path.join(model, 'real', 'proof.json'))).toBe(false);
      await expect(withCudaBinary(real, () => CudaServer.start(path.join(model, 'model.zkey')))).rejects.toThrow(/^no CUDA device: /);
      const batch = await zkinfer(['prove', model, '--batch', inputs, '--prover', 'cuda', '--json'], { ZKINFER_CUDA_BINARY: real });
      expect(batch.code).toBe(1);
      expect(JSON.parse(batch.stdout)).toMatchObject({ error: { type: 'ToolError', message: expect.stringMatching(/^no CUDA device: /) } });
      return;
    }
    console.warn(`a GPU is here (${JSON.stringify(gpu)}): proving end to end with zkinfer-cuda`);
    expect(gpu).toMatchObject({ backend: 'cuda' });
    const out = path.join(await dirs.make('real-cuda'), 'single');
    const single = await zkinfer(['prove', model, '--input', path.join(inputs, 'b.json'), '--prover', 'cuda', '--out', out, '--json'], { ZKINFER_CUDA_BINARY: real });
    expect(single.code, single.stderr).toBe(0);
    expect(await snarkjsVerifies(model, out)).toBe(true);
    const batchOut = path.join(path.dirname(out), 'batch');
    const batch = await zkinfer(['prove', model, '--batch', inputs, '--prover', 'cuda', '--out', batchOut, '--json'], { ZKINFER_CUDA_BINARY: real });
    expect(batch.code, batch.stderr).toBe(0);
    const summary = JSON.parse(batch.stdout) as BatchResult;
    expect(summary).toMatchObject({ prover: 'cuda', proved: 3, failed: 0 });
    for (const entry of summary.inputs) expect(await snarkjsVerifies(model, entry.out)).toBe(true);
  });
});
