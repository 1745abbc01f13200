/**
 * The nonlinear activations on self-made fixture models, each checked by op-fixtures.ts: (a) the
 * evaluator within the stated bound of onnxruntime, (b) the circuit equal to the evaluator,
 * (c) circom's constraint count equal to the prediction. Then Softmax → ArgMax: the Softmax is
 * elided (the same constraint count as the model without it) and a kept Softmax says what it costs.
 *
 * Bounds, in the output's real units, with ε the input's error (half an input LSB s_x/2 for a
 * public input; after a Gemm the product's error plus the intermediate activation's LSB s_mid,
 * rounding and its zero point's shift):
 * - LeakyRelu: max(1, |alpha|)·ε + 2 output LSBs (rounding, zero point, multipliers);
 * - Sigmoid: ε/4 + half an output LSB (1/510); Tanh: ε + half an output LSB (1/254);
 * - Softmax: ε/2 + softmaxRoundingBound(n, 8) (half a level and 1/16 of one, over 255, plus
 *   (n + 1)/2^(F+1) from the rounded exps).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NodeSpec, OnnxModelSpec } from '../../scripts/onnx-writer.ts';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { softmaxRoundingBound } from '../../circuits/ops/Softmax.ts';
import { build } from '../../circuits/build.ts';
import { computeWitness } from '../../prover/witness.ts';
import { mulberry32, nest, productErrorBound, TempDirs, uniform, writeModel, type RangedInput } from './harness.ts';
import { checkFixtures, maxAbs, ModelBuilder, type Fixture, type Scales } from './op-fixtures.ts';

/** The largest |logit| of x·W + b for |x| ≤ maxX, W [K, N] row-major: bounds the logits' calibrated range. */
function logitBound(w: readonly number[], b: readonly number[], K: number, N: number, maxX: number): number {
  return Math.max(...b.map((bn, n) => Math.abs(bn) + maxX * Array.from({ length: K }, (_, k) => Math.abs(w[k * N + n]!)).reduce((a, c) => a + c, 0)));
}

/** The LSB of the activation an accumulator within ±bound is requantized to (its calibrated range spans at most 2·bound). */
const intermediateLsb = (bound: number): number => (2 * bound) / 255;

/** Gemm X [1,K] · W [K,N] + b into `out`; returns the product's error bound and the logits' bound. */
function gemm(b: ModelBuilder, x: RangedInput, name: string, N: number): { out: string; error: (s: Scales) => number; bound: number } {
  const K = x.shape[1]!;
  const w = b.weight(`W_${name}`, [K, N]);
  const bias = b.weight(`B_${name}`, [N]);
  const out = b.node('Gemm', [x.name, `W_${name}`, `B_${name}`], `${name}_acc`);
  return { out, error: (s) => productErrorBound(w, K, s.input(x.name), maxAbs(x)), bound: logitBound(w, bias, K, N, maxAbs(x)) };
}

/** LeakyRelu: default alpha and 0.2 on a public input (tables, scale kept), −0.5 (table, new scale), and after a Gemm (the gadget). */
function leakyReluFixture(): Fixture {
  const b = new ModelBuilder(1100);
  const X: RangedInput = { name: 'X', shape: [1, 6], lo: -1, hi: 2 };
  const H: RangedInput = { name: 'H', shape: [1, 5], lo: -1, hi: 1 };
  for (const [out, alpha] of [['leaky_default', undefined], ['leaky_0_2', 0.2], ['leaky_neg', -0.5]] as const) {
    b.node('LeakyRelu', ['X'], out, alpha === undefined ? undefined : { alpha: { float: alpha } });
    const slope = Math.max(1, Math.abs(alpha ?? 0.01));
    b.output(out, [1, 6], 'LeakyRelu', (s) => (slope * s.input('X')) / 2 + 2 * s.output(out));
  }
  for (const [name, alpha] of [['gemm_leaky_default', undefined], ['gemm_leaky_0_2', 0.2]] as const) {
    const g = gemm(b, H, name, 4);
    b.node('LeakyRelu', [g.out], name, alpha === undefined ? undefined : { alpha: { float: alpha } });
    b.output(name, [1, 4], 'LeakyRelu', (s) => g.error(s) + 2 * s.output(name));
  }
  return b.fixture('LeakyRelu', [X, H]);
}

const SIGMOID_EDGE = Math.log(2 * 255 - 1) * (1 + 4 / 256);
const TANH_EDGE = Math.atanh(1 - 1 / 254) * (1 + 4 / 256);

/** Sigmoid and Tanh on a public input (a plain table, and a saturating one) and after a Gemm (requantized, clipped). */
function sigmoidTanhFixture(): Fixture {
  const b = new ModelBuilder(1200);
  const X: RangedInput = { name: 'X', shape: [1, 8], lo: -4, hi: 4 };
  const W: RangedInput = { name: 'Wide', shape: [2, 4], lo: -10, hi: 10 };
  const H: RangedInput = { name: 'H', shape: [1, 6], lo: -1, hi: 1 };
  for (const [op, slope, out] of [['Sigmoid', 1 / 4, 1 / 255], ['Tanh', 1, 1 / 127]] as const) {
    const lower = op.toLowerCase();
    b.node(op, ['X'], `${lower}_input`);
    b.output(`${lower}_input`, [1, 8], op, (s) => (slope * s.input('X')) / 2 + out / 2);
    b.node(op, ['Wide'], `${lower}_saturating`);
    b.output(`${lower}_saturating`, [2, 4], op, (s) => (slope * s.input('Wide')) / 2 + out / 2);
    const g = gemm(b, H, `${lower}_gemm`, 5);
    const edge = op === 'Sigmoid' ? SIGMOID_EDGE : TANH_EDGE;
    b.node(op, [g.out], `${lower}_gemm`);
    b.output(`${lower}_gemm`, [1, 5], op, (s) => slope * (g.error(s) + intermediateLsb(Math.min(g.bound, edge)) + 2 ** -11 * edge) + out / 2);
  }
  return b.fixture('Sigmoid and Tanh', [X, W, H]);
}

/** Softmax (opset 13) along every axis of a rank-3 input, the default axis, and after a Gemm. */
function softmaxFixture(): Fixture {
  const b = new ModelBuilder(1300);
  const X: RangedInput = { name: 'X', shape: [2, 3, 4], lo: -2, hi: 3 };
  const H: RangedInput = { name: 'H', shape: [1, 6], lo: -1, hi: 1 };
  const sizes = [2, 3, 4];
  for (const axis of [0, 1, 2]) {
    const out = `softmax_axis${axis}`;
    b.node('Softmax', ['X'], out, { axis: { int: axis } });
    b.output(out, [2, 3, 4], 'Softmax', (s) => s.input('X') / 4 + softmaxRoundingBound(sizes[axis]!, 8));
  }
  b.node('Softmax', ['X'], 'softmax_default');
  b.output('softmax_default', [2, 3, 4], 'Softmax', (s) => s.input('X') / 4 + softmaxRoundingBound(4, 8));
  const g = gemm(b, H, 'softmax_gemm', 10);
  b.node('Softmax', [g.out], 'softmax_gemm', { axis: { int: 1 } });
  b.output('softmax_gemm', [1, 10], 'Softmax', (s) => (g.error(s) + intermediateLsb(g.bound) + 2 ** -11 * g.bound) / 2 + softmaxRoundingBound(10, 8));
  // Groups of one: the constant 1, as an output and wired into a Relu's gadget (--O1 removes that wiring).
  const Y: RangedInput = { name: 'Y', shape: [3, 1], lo: -1, hi: 1 };
  b.node('Softmax', ['Y'], 'softmax_single', { axis: { int: 1 } });
  b.output('softmax_single', [3, 1], 'Softmax', () => 1e-9);
  b.node('Relu', ['softmax_single'], 'relu_of_single');
  b.output('relu_of_single', [3, 1], 'Softmax', () => 1e-9);
  return b.fixture('Softmax (opset 13)', [X, H, Y]);
}

/** Softmax at opset 11: the input coerced to 2-D at the axis (default 1), so a group spans every later dimension. */
function softmaxOpset11Fixture(): Fixture {
  const b = new ModelBuilder(1400);
  const X: RangedInput = { name: 'X', shape: [2, 3, 4], lo: -2, hi: 3 };
  for (const [out, axis, n] of [['coerced_default', undefined, 12], ['coerced_axis0', 0, 24], ['coerced_axis2', 2, 4], ['coerced_axis_m2', -2, 12]] as const) {
    b.node('Softmax', ['X'], out, axis === undefined ? undefined : { axis: { int: axis } });
    b.output(out, [2, 3, 4], 'Softmax', (s) => s.input('X') / 4 + softmaxRoundingBound(n, 8));
  }
  return { ...b.fixture('Softmax (opset 11, 2-D coercion)', [X]), opset: 11 };
}

checkFixtures([leakyReluFixture(), sigmoidTanhFixture(), softmaxFixture(), softmaxOpset11Fixture()]);

describe('Softmax → ArgMax', () => {
  const dirs = new TempDirs();
  afterAll(() => dirs.cleanup());

  /** x [rows,6] → Gemm → logits [rows,5] → `tail` nodes; outputs as given. */
  function classifier(tail: NodeSpec[], outputs: OnnxModelSpec['outputs'], rows = 1): OnnxModelSpec {
    const rng = mulberry32(77);
    return {
      inputs: [{ name: 'x', shape: [rows, 6] }],
      outputs,
      initializers: [
        { name: 'w', dims: [5, 6], data: uniform(rng, 30) },
        { name: 'b', dims: [5], data: uniform(rng, 5) },
      ],
      nodes: [{ opType: 'Gemm', name: 'fc', inputs: ['x', 'w', 'b'], outputs: ['logits'], attributes: { transB: { int: 1 } } }, ...tail],
    };
  }
  const argmax = (input: string, axis = 1): NodeSpec => ({ opType: 'ArgMax', name: 'pick', inputs: [input], outputs: ['label'], attributes: { axis: { int: axis }, keepdims: { int: 0 } } });
  const softmax: NodeSpec = { opType: 'Softmax', name: 'probs', inputs: ['logits'], outputs: ['p'], attributes: { axis: { int: 1 } } };
  const label = { name: 'label', shape: [1], elemType: 'INT64' as const };

  async function compile(name: string, spec: OnnxModelSpec): Promise<{ dir: string; built: Awaited<ReturnType<typeof build>> }> {
    const dir = await dirs.make(name);
    const model = await writeModel(dir, spec);
    const built = await build(model, path.join(dir, 'out'));
    expect(built.manifest.circuit.constraints).toBe(built.predictedConstraints);
    return { dir: path.join(dir, 'out'), built };
  }

  it('elides a Softmax that only an ArgMax reads: the constraint count and the labels of the model without it', async () => {
    const [elided, plain] = await Promise.all([compile('elided', classifier([softmax, argmax('p')], [label])), compile('plain', classifier([argmax('logits')], [label]))]);
    expect(elided.built.manifest.circuit.constraints).toBe(plain.built.manifest.circuit.constraints);
    const layer = elided.built.manifest.layers.find((l) => l.op === 'Softmax')!;
    expect(layer.constraints).toBe(0);
    expect(layer.note).toBe('view: Softmax elided: only ArgMax reads it, and argmax is the same on its input');

    const a = await loadCompiled(elided.dir);
    const b = await loadCompiled(plain.dir);
    const rng = mulberry32(5);
    for (let trial = 0; trial < 5; trial++) {
      const x = nest(uniform(rng, 6), [1, 6]);
      const want = predictWith(b.manifest, b.ir, x, `input ${trial}`).outputs[0]!.integers;
      expect(predictWith(a.manifest, a.ir, x, `input ${trial}`).outputs[0]!.integers).toEqual(want);
      expect((await computeWitness(elided.dir, x, `input ${trial}`, { manifest: a.manifest })).outputs[0]!.integers.map(String)).toEqual(want);
    }
  });

  it('keeps a Softmax that is a graph output, or whose ArgMax reduces another axis, and says what it costs', async () => {
    const [output, across] = await Promise.all([
      compile('kept-output', classifier([softmax, argmax('p')], [{ name: 'p', shape: [1, 5] }, label])),
      // Two rows: ArgMax along axis 0 compares values of different Softmax groups.
      compile('kept-axis', classifier([softmax, argmax('p', 0)], [{ name: 'label', shape: [5], elemType: 'INT64' }], 2)),
    ]);
    for (const [{ built }, why] of [
      [output, 'a graph output'],
      [across, 'read by ArgMax'],
    ] as const) {
      const layers = built.manifest.layers.filter((l) => l.node === 'probs');
      const softmaxLayer = layers.find((l) => l.note!.startsWith('softmax'))!;
      const cost = layers.reduce((a, l) => a + l.constraints, 0);
      const size = built.manifest.layers.find((l) => l.note!.startsWith('softmax'))!.shape.reduce((a, d) => a * d, 1);
      expect(softmaxLayer.note).toBe(`softmax: probabilities kept (${why}); ${cost} constraints for ${size} probabilities (${(cost / size).toFixed(1)} each), its input requantization included`);
      expect(cost).toBeGreaterThan(100);
    }
  });
});
