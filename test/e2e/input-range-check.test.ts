/**
 * `--input-range-check`: the circuit itself range-checks the inputs (InRange per element),
 * so a witness whose input lies outside the quantized range has no solution — for
 * deployments where verifiers do not check public inputs themselves.
 */
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, describe, expect, test } from 'vitest';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { mulberry32 } from '../../circuits/random.ts';
import { build } from '../../circuits/build.ts';
import { computeWitness } from '../../prover/witness.ts';
import { TempDirs, uniform, writeModel } from '../circuits/harness.ts';

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

describe('--input-range-check', () => {
  test('adds InRange per input element, agrees with the evaluator and rejects an out-of-range input', async () => {
    const dir = await dirs.make('range-check');
    const rng = mulberry32(11);
    const model = await writeModel(dir, {
      inputs: [{ name: 'x', shape: [1, 4] }],
      outputs: [{ name: 'y', shape: [1, 3] }],
      initializers: [{ name: 'w', dims: [3, 4], data: uniform(rng, 12) }],
      nodes: [
        { opType: 'Gemm', name: 'fc', inputs: ['x', 'w'], outputs: ['h'], attributes: { transB: { int: 1 } } },
        { opType: 'Relu', name: 'act', inputs: ['h'], outputs: ['y'] },
      ],
    });
    // The circom route: the cheating prover below runs circom's witness generator, asserts disabled by nothing.
    const checked = await build(model, path.join(dir, 'checked'), { inputRangeCheck: true, via: 'circom' });
    const plain = await build(model, path.join(dir, 'plain'), { via: 'circom' });
    const { manifest, ir } = await loadCompiled(path.join(dir, 'checked'));

    expect(manifest.inputs[0]!.rangeCheckedInCircuit).toBe(true);
    expect(checked.manifest.circuit.constraints).toBe(checked.predictedConstraints);
    const rangeLayer = manifest.layers.find((l) => l.op === 'InRange')!;
    expect(rangeLayer.constraints).toBeGreaterThan(0);
    expect(checked.manifest.circuit.constraints).toBe(plain.manifest.circuit.constraints + rangeLayer.constraints);

    const input = uniform(rng, 4);
    const witness = await computeWitness(path.join(dir, 'checked'), input, 'input', { manifest });
    expect(witness.outputs[0]!.integers.map(String)).toEqual(predictWith(manifest, ir, input, 'input').outputs[0]!.integers);

    // A cheating prover feeds the circuit an integer the quantizer would never produce.
    const wasm = path.join(dir, 'checked', 'model_js', 'model.wasm');
    const signal = manifest.inputs[0]!.signal;
    const wtns = path.join(dir, 'cheat.wtns');
    await snarkjs.wtns.calculate({ content_hash: '0', [signal]: ['0', '1', '-128', '127'] }, wasm, wtns);
    await expect(snarkjs.wtns.calculate({ content_hash: '0', [signal]: ['0', '1', '128', '0'] }, wasm, wtns)).rejects.toThrow(/Assert Failed/);
    await expect(snarkjs.wtns.calculate({ content_hash: '0', [signal]: ['-129', '0', '0', '0'] }, wasm, wtns)).rejects.toThrow(/Assert Failed/);
    // Without the check the same integer is accepted: the verifier's range check is what stops it there.
    await snarkjs.wtns.calculate({ content_hash: '0', [plain.manifest.inputs[0]!.signal]: ['0', '1', '128', '0'] }, path.join(dir, 'plain', 'model_js', 'model.wasm'), wtns);
  });
});
