/**
 * ONNX ArgMax on the ArgMax gadget: after a Gemm (logits → class index) and directly on
 * a public input, with keepdims both ways and a middle axis. The circuit equals the
 * evaluator exactly; the evaluator's index equals onnxruntime's wherever the float
 * maximum is not within quantization error of the runner-up; the predicted constraint
 * count equals circom's.
 */
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { NodeSpec, OnnxModelSpec } from '../../scripts/onnx-writer.ts';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { mulberry32 } from '../../circuits/random.ts';
import { build } from '../../circuits/build.ts';
import { computeWitness } from '../../prover/witness.ts';
import { runOnnxruntime } from '../support/onnxruntime.ts';
import { nest, TempDirs, uniform, writeModel } from './harness.ts';

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

interface Case {
  name: string;
  spec: (rng: () => number) => OnnxModelSpec;
  inputShape: number[];
  /** The tensor ArgMax reduces, in float (for the near-tie check), from the input. */
  reduced: (x: number[], model: OnnxModelSpec) => number[];
  axisLength: number;
  /** Values within this of the float maximum count as ties the quantization may break either way. */
  tieMargin: number;
}

const CASES: Case[] = [
  {
    name: 'Gemm → ArgMax(axis 1, keepdims 0): a classifier returning only its class',
    inputShape: [1, 6],
    axisLength: 5,
    tieMargin: 0.05,
    spec: (rng) => ({
      inputs: [{ name: 'x', shape: [1, 6] }],
      outputs: [{ name: 'label', shape: [1], elemType: 'INT64' }],
      initializers: [
        { name: 'w', dims: [5, 6], data: uniform(rng, 30) },
        { name: 'b', dims: [5], data: uniform(rng, 5) },
      ],
      nodes: <NodeSpec[]>[
        { opType: 'Gemm', name: 'fc', inputs: ['x', 'w', 'b'], outputs: ['logits'], attributes: { transB: { int: 1 } } },
        { opType: 'ArgMax', name: 'pick', inputs: ['logits'], outputs: ['label'], attributes: { axis: { int: 1 }, keepdims: { int: 0 } } },
      ],
    }),
    reduced: (x, model) => {
      const w = model.initializers![0]!.data as number[];
      const b = model.initializers![1]!.data as number[];
      return b.map((bn, n) => bn + x.reduce((acc, xk, k) => acc + w[n * 6 + k]! * xk, 0));
    },
  },
  {
    name: 'ArgMax(axis 1, keepdims 1) of a [2,3,4] public input',
    inputShape: [2, 3, 4],
    axisLength: 3,
    tieMargin: 0.02,
    spec: () => ({
      inputs: [{ name: 'x', shape: [2, 3, 4] }],
      outputs: [{ name: 'idx', shape: [2, 1, 4], elemType: 'INT64' }],
      nodes: [{ opType: 'ArgMax', name: 'pick', inputs: ['x'], outputs: ['idx'], attributes: { axis: { int: 1 }, keepdims: { int: 1 } } }],
    }),
    reduced: (x) => x,
  },
];

describe('ArgMax op', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const dir = await dirs.make('argmax-op');
      const rng = mulberry32(c.inputShape.length * 101);
      const spec = c.spec(rng);
      const model = await writeModel(dir, spec);
      const built = await build(model, path.join(dir, 'out'));
      expect(built.manifest.circuit.constraints).toBe(built.predictedConstraints);
      expect(built.manifest.layers.find((l) => l.op === 'ArgMax')!.constraints).toBeGreaterThan(0);
      const { manifest, ir } = await loadCompiled(path.join(dir, 'out'));
      const size = c.inputShape.reduce((a, b) => a * b, 1);

      let compared = 0;
      for (let trial = 0; trial < 20; trial++) {
        const x = uniform(rng, size);
        const reference = predictWith(manifest, ir, nest(x, c.inputShape), `input ${trial}`);
        const witness = await computeWitness(path.join(dir, 'out'), nest(x, c.inputShape), `input ${trial}`, { manifest });
        expect(witness.outputs[0]!.integers.map(String)).toEqual(reference.outputs[0]!.integers);

        const ort = (await runOnnxruntime(model, { x: { data: x, shape: c.inputShape } })).get(spec.outputs[0]!.name)!.map(Number);
        const values = c.reduced(x, spec);
        const groups = values.length / c.axisLength;
        const inner = c.inputShape.length === 3 ? c.inputShape[2]! : 1;
        for (let g = 0; g < groups; g++) {
          const o = Math.floor(g / inner);
          const i = g % inner;
          const column = Array.from({ length: c.axisLength }, (_, j) => values[(o * c.axisLength + j) * inner + i]!);
          const sorted = [...column].sort((a, b) => b - a);
          if (sorted[0]! - sorted[1]! < c.tieMargin) continue;
          expect(reference.outputs[0]!.values[g]).toBe(ort[g]);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(10);
    });
  }

  test('ArgMax over an axis of one element: every index is 0, a constant, and the public output binding it costs what circom counts', async () => {
    const dir = await dirs.make('argmax-one');
    const model = await writeModel(dir, {
      inputs: [{ name: 'x', shape: [1, 1, 4] }],
      outputs: [{ name: 'idx', shape: [1, 4], elemType: 'INT64' }],
      nodes: [
        { opType: 'Relu', name: 'relu', inputs: ['x'], outputs: ['a'] },
        { opType: 'ArgMax', name: 'pick', inputs: ['a'], outputs: ['idx'], attributes: { axis: { int: 1 }, keepdims: { int: 0 } } },
      ],
    });
    const built = await build(model, path.join(dir, 'out'));
    expect(built.manifest.circuit.constraints).toBe(built.predictedConstraints);
    expect(built.manifest.layers.find((l) => l.node === '(outputs)')!.constraints).toBe(4);
    const x = uniform(mulberry32(5), 4);
    const witness = await computeWitness(path.join(dir, 'out'), nest(x, [1, 1, 4]), 'input');
    expect(witness.outputs[0]!.integers).toEqual([0n, 0n, 0n, 0n]);
  });
});
