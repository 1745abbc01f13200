/**
 * `zkinfer prove DIR --batch INPUTS` (prover/batch.ts) on the fixture circuit (fixture.ts,
 * 2^4), through the real CLI with the native prover: three inputs proved with one key, in
 * name order, each proof checked by snarkjs, batch.json as printed; the same with snarkjs
 * as the prover (library call). Errors: no inputs, an input that is not JSON or that the
 * circuit rejects (that input fails alone, its stale proof removed), --batch with --input,
 * --batch with --content.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proveBatch, type BatchResult, type BatchSummary } from '../../prover/batch.ts';
import type { ProofOutput } from '../../prover/prove.ts';
import { releaseCurves } from '../../core/curves.ts';
import { contentHashHex, contentHashOfJson } from '../../core/content-hash.ts';
import { TempDirs } from '../circuits/harness.ts';
import { zkinfer } from '../support/cli.ts';
import { makeProvableFixtureDir, snarkjsVerifies, TEST_CACHE_DIR } from './fixture.ts';

process.env.ZKINFER_CACHE_DIR = TEST_CACHE_DIR;

const dirs = new TempDirs();
let model: string;

/** Three inputs; the numeric names check the order (1, 2, 10) and the folder names. */
const INPUTS: Record<string, unknown> = {
  '10.json': [0.5, 1, 1.5], // q = [1, 2, 3]: y = [10, 2]
  '1.json': [[1, 2, 3]], // q = [2, 4, 6]: y = [15, 8]
  '2.json': { x: [[3, 3, 0]] }, // q = [6, 6, 0]: y = [35, 37]
};
const PREDICTIONS = { '1.json': 0, '2.json': 1, '10.json': 0 };

async function writeInputs(files: Record<string, string | unknown>): Promise<string> {
  const dir = await dirs.make('batch-inputs');
  for (const [name, value] of Object.entries(files)) await writeFile(path.join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
  return dir;
}

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

beforeAll(async () => {
  model = await makeProvableFixtureDir();
});

afterAll(async () => {
  await releaseCurves();
  await dirs.cleanup();
  await rm(model, { recursive: true, force: true });
});

describe('prove --batch with the native prover', () => {
  it('proves every input in name order with one key; each proof verifies; batch.json is the printed summary', async () => {
    const inputs = await writeInputs(INPUTS);
    const run = await zkinfer(['prove', model, '--batch', inputs, '--prover', 'native', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as BatchResult;
    const out = path.join(model, 'batch');
    expect(printed).toMatchObject({ prover: 'native', inputsDir: inputs, out, proved: 3, failed: 0, developmentSetup: true, summaryFile: path.join(out, 'batch.json') });
    expect(printed.keyUploadSeconds).toBeUndefined();
    expect(printed.inputs.map((e) => e.file)).toEqual(['1.json', '2.json', '10.json']);

    const { summaryFile, ...summary } = printed;
    expect(await readJson<BatchSummary>(summaryFile)).toEqual(summary);
    for (const entry of printed.inputs) {
      const stem = entry.file.replace(/\.json$/, '');
      expect(entry).toMatchObject({ out: path.join(out, stem), prediction: PREDICTIONS[entry.file as keyof typeof PREDICTIONS], clampedInputs: 0 });
      expect(entry.error).toBeUndefined();
      expect(entry.witnessSeconds).toBeGreaterThan(0);
      expect(entry.proveSeconds).toBeGreaterThan(0);
      // Each proof binds its own input JSON's content hash.
      expect(entry.contentHash).toBe(contentHashHex(contentHashOfJson(INPUTS[entry.file])));
      expect(await snarkjsVerifies(model, entry.out)).toBe(true);
      const output = await readJson<ProofOutput>(path.join(entry.out, 'output.json'));
      expect(output).toMatchObject({ prover: 'native', contentHash: entry.contentHash });
      expect(output.outputs[0]!.argmax).toBe(entry.prediction);
      expect(existsSync(path.join(entry.out, 'witness.wtns'))).toBe(true);
    }

    // The terminal rendering: a row per input and the totals.
    const text = await zkinfer(['prove', model, '--batch', inputs, '--out', path.join(model, 'batch-text')]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^input\s+prediction\s+witness s\s+prove s\s+result\n/);
    expect(text.stdout).toMatch(/^10\.json\s+0\s+[\d.]+\s+[\d.]+\s+proved$/m);
    expect(text.stdout).toMatch(/^3 of 3 proved in [\d.]+s \(native\) → .*batch-text\/<input>\/proof\.json, summary .*batch-text\/batch\.json$/m);
    expect(text.stderr).toMatch(/warning: .*development setup/);
  });

  it('with snarkjs as the prover too (library call, --out elsewhere)', async () => {
    const inputs = await writeInputs({ 'a.json': INPUTS['1.json'], 'b.json': INPUTS['2.json'] });
    const out = path.join(await dirs.make('batch-out'), 'proofs');
    const batch = await proveBatch(model, inputs, { out, prover: 'snarkjs' });
    expect(batch).toMatchObject({ prover: 'snarkjs', proved: 2, failed: 0, out });
    expect(batch.inputs.map((e) => [e.file, e.prediction])).toEqual([
      ['a.json', 0],
      ['b.json', 1],
    ]);
    for (const entry of batch.inputs) expect(await snarkjsVerifies(model, entry.out)).toBe(true);
    expect(existsSync(path.join(out, 'batch.json'))).toBe(true);
  });
});

describe('prove --batch errors', () => {
  it('a bad input fails alone, named, and keeps no proof from an earlier run; the others are proved; exit code 1', async () => {
    const inputs = await writeInputs({
      'a.json': INPUTS['1.json'],
      'bad.json': '{"x": [1, 2,',
      'rejected.json': [49.5, 0, 0], // 49.5 / 0.5 = 99: the fixture's assert fails
      'z.json': INPUTS['2.json'],
    });
    const out = path.join(await dirs.make('batch-errors'), 'out');
    // A proof left from an earlier run of "bad": it must not survive as if it were bad.json's.
    await mkdir(path.join(out, 'bad'), { recursive: true });
    await writeFile(path.join(out, 'bad', 'proof.json'), '{}');

    const run = await zkinfer(['prove', model, '--batch', inputs, '--out', out, '--json']);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout) as BatchResult;
    expect(summary).toMatchObject({ proved: 2, failed: 2 });
    const byFile = Object.fromEntries(summary.inputs.map((e) => [e.file, e]));
    expect(byFile['bad.json']!.error).toMatchObject({ type: 'InputError' });
    expect(byFile['bad.json']!.error!.message).toMatch(/^the input file .*bad\.json is not valid JSON/);
    expect(byFile['rejected.json']!.error).toMatchObject({ type: 'InputError' });
    expect(byFile['rejected.json']!.error!.message).toMatch(/the circuit rejected the input: an assert failed/);
    expect(byFile['rejected.json']!.error!.context[0]).toMatch(/rejected\.json$/);
    expect(existsSync(path.join(out, 'bad', 'proof.json'))).toBe(false);
    expect(existsSync(path.join(out, 'rejected', 'witness.wtns'))).toBe(false);
    for (const good of ['a', 'z']) expect(await snarkjsVerifies(model, path.join(out, good))).toBe(true);
    expect(await readJson<BatchSummary>(path.join(out, 'batch.json'))).toMatchObject({ proved: 2, failed: 2 });

    const text = await zkinfer(['prove', model, '--batch', inputs, '--out', out]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^bad\.json\s+FAILED$/m);
    expect(text.stdout).toMatch(/^bad\.json: the input file .*bad\.json is not valid JSON/m);
    expect(text.stderr).toMatch(/^error: 2 of 4 inputs failed \(see .*batch\.json\)$/m);
  });

  it('an empty or missing inputs folder', async () => {
    const empty = await writeInputs({ 'notes.txt': 'not an input' });
    const run = await zkinfer(['prove', model, '--batch', empty, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { type: 'InputError', message: `no *.json inputs in ${empty}` } });
    const missing = path.join(empty, 'nope');
    const gone = await zkinfer(['prove', model, '--batch', missing]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: cannot read the inputs folder .*nope: ENOENT/);
  });

  it('--batch with --input, --content or --content-hash; neither --batch nor --input', async () => {
    const inputs = await writeInputs({ 'a.json': INPUTS['1.json'] });
    const input = path.join(inputs, 'a.json');
    const both = await zkinfer(['prove', model, '--batch', inputs, '--input', input]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^error: --input and --batch are mutually exclusive/);
    const content = await zkinfer(['prove', model, '--batch', inputs, '--content-hash', '0x01', '--json']);
    expect(content.code).toBe(1);
    expect(JSON.parse(content.stdout).error.message).toMatch(/with --batch each proof binds the hash of its own input JSON/);
    const neither = await zkinfer(['prove', model]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(/^error: give --input FILE \(one proof\) or --batch DIR/);
    expect(existsSync(path.join(model, 'batch', 'a'))).toBe(false);
  });
});
