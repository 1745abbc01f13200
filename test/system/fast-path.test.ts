/**
 * The fast path as `zkinfer compile` and `prove` use it: compile writes model.r1cs and
 * model.sym (no wasm) and records who wrote them; the witness it computes proves and
 * verifies; and prove refuses an ir.json from another compilation instead of writing a
 * witness for another circuit.
 */
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnnxModelSpec } from '../../scripts/onnx-writer.ts';
import { build } from '../../circuits/build.ts';
import { prove } from '../../prover/prove.ts';
import { setup } from '../../prover/setup.ts';
import { computeWitness } from '../../prover/witness.ts';
import { releaseCurves } from '../../core/curves.ts';
import { verifyProof } from '../../verifier/verify.ts';
import { mulberry32, TempDirs, uniform, writeModel } from '../circuits/harness.ts';

const dirs = new TempDirs();
const rng = mulberry32(4242);
const gemm = (relu: boolean): OnnxModelSpec => ({
  inputs: [{ name: 'x', shape: [1, 6] }],
  outputs: [{ name: 'y', shape: [1, 5] }],
  initializers: [{ name: 'w', dims: [5, 6], data: uniform(rng, 30) }],
  nodes: [
    { opType: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: [relu ? 'h' : 'y'], attributes: { transB: { int: 1 } } },
    ...(relu ? [{ opType: 'Relu', name: 'act', inputs: ['h'], outputs: ['y'] }] : []),
  ],
});
let plain: string;
let withRelu: string;

beforeAll(async () => {
  const work = await dirs.make('fast-path');
  plain = path.join(work, 'plain');
  withRelu = path.join(work, 'relu');
  await build(await writeModel(work, gemm(false), 'plain.onnx'), plain);
  await build(await writeModel(work, gemm(true), 'relu.onnx'), withRelu);
});

afterAll(async () => {
  await releaseCurves();
  await dirs.cleanup();
});

describe('the fast path through compile and prove', () => {
  it('compile writes model.r1cs and model.sym, no witness generator, and says who wrote them', async () => {
    const built = await build(await writeModel(path.dirname(plain), gemm(false), 'again.onnx'), `${plain}-again`);
    expect(built.via).toBe('zkinfer');
    expect(built.manifest.circuit).toMatchObject({ compiled: true, via: 'zkinfer', constraints: built.predictedConstraints });
    for (const f of ['model.r1cs', 'model.sym', 'model.circom', 'model-template.circom']) expect(existsSync(path.join(`${plain}-again`, f)), f).toBe(true);
    expect(existsSync(path.join(`${plain}-again`, 'model_js'))).toBe(false);
  });

  it('its witness proves and verifies', async () => {
    await setup(withRelu, { dev: true });
    const input = uniform(rng, 6);
    const proved = await prove(withRelu, input, { source: 'input' });
    expect((await verifyProof(withRelu)).valid).toBe(true);
    expect(proved.output.outputs[0]!.integers).toHaveLength(5);
  });

  it('prove refuses an ir.json from another compilation', async () => {
    await copyFile(path.join(plain, 'ir.json'), path.join(withRelu, 'ir.json'));
    await expect(computeWitness(withRelu, uniform(rng, 6), 'input')).rejects.toThrow(/^ir\.json gives a circuit of \d+ constraints and \d+ wires, manifest\.json records \d+ and \d+$/);
  });
});
