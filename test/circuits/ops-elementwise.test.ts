/**
 * The elementwise ops (Sub, Mul, Div, Clip, BatchNormalization) in their variants, each
 * fixture checked by op-fixtures.ts: (a) the evaluator within the stated bound of
 * onnxruntime, (b) the circuit equal to the evaluator, (c) circom's constraint count equal
 * to the prediction. Bounds: half an input LSB per quantized input, half an LSB per constant
 * rounded to a grid, a factor's relative error of 2^-13 (RESCALE = 2^-12 leaves room) times
 * the largest value it multiplies, productErrorBound for products with weights (BatchNorm
 * folded into them: the folded weights), and 2 output LSBs after a requantization.
 *
 * Then: BatchNormalization folded into a Conv and a Gemm leaves no BatchNormalization node
 * in ir.json and compiles to exactly the circuit of the same model written without it.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../circuits/compile.ts';
import type { IrNode } from '../../circuits/ir/types.ts';
import type { OnnxModelSpec, TensorSpec } from '../../scripts/onnx-writer.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { build } from '../../circuits/build.ts';
import { calibrationSamples, mulberry32, productErrorBound, TempDirs, writeCalibration, writeModel, type RangedInput } from './harness.ts';
import { checkFixtures, maxAbs, ModelBuilder, RESCALE, type Fixture, type Scales } from './op-fixtures.ts';

const maxOf = (xs: readonly number[]): number => Math.max(...xs.map(Math.abs));

/** Sub: computed − constant (broadcast both ways, scalar), constant − computed, computed − computed. */
function subFixture(): Fixture {
  const b = new ModelBuilder(1100);
  const X: RangedInput = { name: 'X', shape: [2, 3], lo: -1, hi: 1 };
  const Y: RangedInput = { name: 'Y', shape: [2, 3], lo: -1, hi: 1 };
  const Z: RangedInput = { name: 'Z', shape: [3], lo: -4, hi: 3 };
  const cases: [string, number[], boolean][] = [
    ['sub_row', [3], false],
    ['sub_const_first', [2, 1], true],
    ['sub_scalar', [], false],
  ];
  for (const [out, cShape, constFirst] of cases) {
    b.weight(`c_${out}`, cShape);
    b.node('Sub', constFirst ? [`c_${out}`, 'X'] : ['X', `c_${out}`], out);
    b.output(out, [2, 3], 'Sub', (s) => s.input('X'));
  }
  b.node('Sub', ['X', 'X'], 'sub_self');
  b.output('sub_self', [2, 3], 'Sub', (s) => s.input('X'));
  b.node('Sub', ['X', 'Y'], 'sub_equal_scales');
  b.output('sub_equal_scales', [2, 3], 'Sub', (s) => s.input('X') / 2 + s.input('Y') / 2);
  b.node('Sub', ['Z', 'X'], 'sub_diff_scales');
  b.output('sub_diff_scales', [2, 3], 'Sub', (s) => s.input('X') / 2 + s.input('Z') / 2 + RESCALE * 5);
  b.node('Sub', ['X', 'Z'], 'diff_xz');
  b.node('Relu', ['diff_xz'], 'sub_relu');
  b.output('sub_relu', [2, 3], 'Sub', (s) => s.input('X') / 2 + s.input('Z') / 2 + RESCALE * 5 + 2 * s.output('sub_relu'));
  const w1 = b.weight('W1', [3, 2]);
  const w2 = b.weight('W2', [3, 2]);
  b.node('MatMul', ['X', 'W1'], 'acc1');
  b.node('MatMul', ['Y', 'W2'], 'acc2');
  b.node('Sub', ['acc1', 'acc2'], 'sub_accumulators');
  b.output('sub_accumulators', [2, 2], 'Sub', (s) => productErrorBound(w1, 3, s.input('X'), 1) + productErrorBound(w2, 3, s.input('Y'), 1) + RESCALE * 6);
  return b.fixture('Sub', [X, Y, Z]);
}

/** Mul and Div by constants: scalars of both signs, either operand order, tensors (with a 0, broadcasting the input), after MatMul. */
function mulDivFixture(): Fixture {
  const b = new ModelBuilder(1200);
  const X: RangedInput = { name: 'X', shape: [2, 3], lo: -1, hi: 2 };
  /** An exact rescale of an input quantized to half an LSB: |factor| · s_x / 2. */
  const scalar = (out: string, op: string, value: number, first: boolean, factor: number): void => {
    b.initializers.push({ name: `c_${out}`, dims: first ? [1] : [], data: [value] });
    b.node(op, first ? [`c_${out}`, 'X'] : ['X', `c_${out}`], out);
    b.output(out, [2, 3], op, (s) => (Math.abs(factor) * s.input('X')) / 2);
  };
  scalar('mul_positive', 'Mul', 0.75, false, 0.75);
  scalar('mul_negative_first', 'Mul', -1.5, true, -1.5);
  scalar('div_scalar', 'Div', 4, false, 0.25);
  scalar('div_negative', 'Div', -0.5, false, -2);
  // A constant output, exactly 0 (the bound only keeps the report's ratio finite): public outputs bound to a constant.
  b.initializers.push({ name: 'c_zero_scalar', dims: [], data: [0] });
  b.node('Mul', ['X', 'c_zero_scalar'], 'mul_by_zero');
  b.output('mul_by_zero', [2, 3], 'Mul', (s) => s.input('X') * RESCALE);
  /** A product with factors `f` (each within 2^-13 relatively) of an input quantized to half an LSB. */
  const tensorBound = (f: readonly number[]) => (s: Scales) => maxOf(f) * (s.input('X') / 2 + maxAbs(X) * RESCALE);
  const row = b.weight('c_row', [3]);
  b.node('Mul', ['X', 'c_row'], 'mul_row');
  b.output('mul_row', [2, 3], 'Mul', tensorBound(row));
  b.initializers.push({ name: 'c_zero', dims: [3], data: [0.5, 0, -2] });
  b.node('Mul', ['c_zero', 'X'], 'mul_with_zero');
  b.output('mul_with_zero', [2, 3], 'Mul', tensorBound([0.5, 0, -2]));
  const outer = b.weight('c_outer', [2, 1, 1]);
  b.node('Mul', ['X', 'c_outer'], 'mul_broadcast_input');
  b.output('mul_broadcast_input', [2, 2, 3], 'Mul', tensorBound(outer));
  const divisor = b.random(6).map((v) => Math.fround(Math.sign(v || 1) * (0.5 + Math.abs(v))));
  b.initializers.push({ name: 'c_div', dims: [2, 3], data: divisor });
  b.node('Div', ['X', 'c_div'], 'div_tensor');
  b.output('div_tensor', [2, 3], 'Div', tensorBound(divisor.map((d) => 1 / d)));
  const w = b.weight('W', [3, 4]);
  const scale = b.weight('c_acc', [4]);
  b.node('MatMul', ['X', 'W'], 'acc');
  b.node('Mul', ['acc', 'c_acc'], 'scaled_acc');
  b.node('Relu', ['scaled_acc'], 'mul_accumulator_relu');
  b.output('mul_accumulator_relu', [2, 4], 'Mul', (s) => {
    const largest = 3 * maxOf(w) * maxAbs(X);
    return maxOf(scale) * (productErrorBound(w, 3, s.input('X'), maxAbs(X)) + largest * RESCALE) + 2 * s.output('mul_accumulator_relu');
  });
  return b.fixture('Mul and Div by constants', [X]);
}

/** Clip with min/max as inputs (opset 13): ReLU6, only min, only max, none, Constant nodes, bounds above the input's range, after Gemm and Conv. */
function clipInputsFixture(): Fixture {
  const b = new ModelBuilder(1300);
  const X: RangedInput = { name: 'X', shape: [1, 8], lo: -2, hi: 8 };
  const V: RangedInput = { name: 'V', shape: [1, 2, 5], lo: -1, hi: 1 };
  const scalar = (name: string, value: number) => b.initializers.push({ name, dims: [], data: [value] });
  scalar('zero', 0);
  scalar('six', 6);
  scalar('minus_half', -0.5);
  scalar('one_and_quarter', 1.25);
  scalar('ten', 10);
  scalar('twenty', 20);
  const lsb = (s: Scales) => s.input('X');
  b.node('Clip', ['X', 'zero', 'six'], 'relu6');
  b.output('relu6', [1, 8], 'Clip', lsb);
  b.node('Clip', ['X', 'minus_half'], 'clip_min_only');
  b.output('clip_min_only', [1, 8], 'Clip', lsb);
  b.node('Clip', ['X', '', 'one_and_quarter'], 'clip_max_only');
  b.output('clip_max_only', [1, 8], 'Clip', lsb);
  b.node('Clip', ['X'], 'clip_none');
  b.output('clip_none', [1, 8], 'Clip', (s) => s.input('X') / 2);
  b.node('Constant', [], 'k_lo', { value: { tensor: { dims: [], data: [0] } } });
  b.node('Constant', [], 'k_hi', { value: { tensor: { dims: [], data: [6] } } });
  b.node('Clip', ['X', 'k_lo', 'k_hi'], 'relu6_constant_nodes');
  b.output('relu6_constant_nodes', [1, 8], 'Clip', lsb);
  // Every value clamps to 10, beyond the input's grid: requantized to the output's range.
  b.node('Clip', ['X', 'ten', 'twenty'], 'clip_above_range');
  b.output('clip_above_range', [1, 8], 'Clip', (s) => s.output('clip_above_range'));
  const w = b.weight('W', [8, 3]);
  b.weight('bias', [3]);
  scalar('minus_one', -1);
  scalar('one', 1);
  b.node('Gemm', ['X', 'W', 'bias'], 'lin');
  b.node('Clip', ['lin', 'minus_one', 'one'], 'clip_gemm');
  b.output('clip_gemm', [1, 3], 'Clip', (s) => productErrorBound(w, 8, s.input('X'), maxAbs(X)) + 2 * s.output('clip_gemm'));
  const wc = b.weight('W_conv', [3, 2, 3]);
  b.node('Conv', ['V', 'W_conv'], 'conv');
  b.node('Clip', ['conv', 'zero', 'six'], 'conv_relu6');
  b.output('conv_relu6', [1, 3, 3], 'Clip', (s) => productErrorBound(wc, 6, s.input('V'), 1) + 2 * s.output('conv_relu6'));
  return b.fixture('Clip (min and max as inputs)', [X, V]);
}

/** Clip with min/max as attributes (opset 10): both (ReLU6), only min, only max, after Gemm. */
function clipAttributesFixture(): Fixture {
  const b = new ModelBuilder(1400);
  const X: RangedInput = { name: 'X', shape: [1, 6], lo: -1, hi: 7 };
  const lsb = (s: Scales) => s.input('X');
  b.node('Clip', ['X'], 'relu6_attributes', { min: { float: 0 }, max: { float: 6 } });
  b.output('relu6_attributes', [1, 6], 'Clip', lsb);
  b.node('Clip', ['X'], 'clip_attribute_min', { min: { float: 0.5 } });
  b.output('clip_attribute_min', [1, 6], 'Clip', lsb);
  b.node('Clip', ['X'], 'clip_attribute_max', { max: { float: 2.5 } });
  b.output('clip_attribute_max', [1, 6], 'Clip', lsb);
  const w = b.weight('W', [6, 2]);
  b.weight('C', [2]); // Gemm-9 requires C
  b.node('Gemm', ['X', 'W', 'C'], 'lin');
  b.node('Clip', ['lin'], 'clip_attribute_gemm', { min: { float: -1 }, max: { float: 1 } });
  b.output('clip_attribute_gemm', [1, 2], 'Clip', (s) => productErrorBound(w, 6, s.input('X'), maxAbs(X)) + 2 * s.output('clip_attribute_gemm'));
  return { ...b.fixture('Clip (min and max as attributes, opset 10)', [X]), opset: 10 };
}

interface BatchNormParams {
  factor: number[];
  offset: number[];
}

/** scale in [0.5, 1.5), B and mean in [−1, 1), var in [0.2, 1.2): the initializers `<name>.scale` … and the float64 f, g of Y = f·X + g. */
function batchNormParams(b: ModelBuilder, name: string, channels: number, epsilon = 1e-5): BatchNormParams {
  const scale = b.random(channels).map((v) => Math.fround(1 + v / 2));
  const bias = b.weight(`${name}.B`, [channels]);
  const mean = b.weight(`${name}.mean`, [channels]);
  const variance = b.random(channels).map((v) => Math.fround(0.7 + v / 2));
  b.initializers.push({ name: `${name}.scale`, dims: [channels], data: scale }, { name: `${name}.var`, dims: [channels], data: variance });
  const factor = scale.map((s, c) => s / Math.sqrt(variance[c]! + epsilon));
  return { factor, offset: bias.map((g, c) => g - mean[c]! * factor[c]!) };
}

const bnInputs = (x: string, name: string): string[] => [x, `${name}.scale`, `${name}.B`, `${name}.mean`, `${name}.var`];

/** Weights [outChannels, …] row-major scaled by their output channel's factor. */
const foldRows = (w: readonly number[], factor: readonly number[]): number[] => w.map((v, i) => v * factor[Math.floor(i / (w.length / factor.length))]!);

/**
 * BatchNormalization folded after Conv (with epsilon, and then Relu), Gemm (transB, beta) and
 * MatMul; standalone on an input (rank 4, rank 2, then Relu) and after a Conv whose output is
 * also read elsewhere (a graph output).
 */
function batchNormFixture(): Fixture {
  const b = new ModelBuilder(1500);
  const X4: RangedInput = { name: 'X4', shape: [1, 2, 5, 5], lo: -1, hi: 1 };
  const X2: RangedInput = { name: 'X2', shape: [2, 4], lo: -1, hi: 1 };
  const epsilon = Math.fround(1e-3);
  const wc = b.weight('Wc', [3, 2, 3, 3]);
  b.weight('Bc', [3]);
  const bnConv = batchNormParams(b, 'bn_conv', 3, epsilon);
  b.node('Conv', ['X4', 'Wc', 'Bc'], 'conv_acc');
  b.node('BatchNormalization', bnInputs('conv_acc', 'bn_conv'), 'conv_bn', { epsilon: { float: epsilon } });
  b.output('conv_bn', [1, 3, 3, 3], 'BatchNorm (folded)', (s) => productErrorBound(foldRows(wc, bnConv.factor), 18, s.input('X4'), 1));

  const wr = b.weight('Wr', [2, 2, 3, 3]);
  const bnRelu = batchNormParams(b, 'bn_relu', 2);
  b.node('Conv', ['X4', 'Wr'], 'conv_plain', { pads: { ints: [1, 1, 1, 1] } });
  b.node('BatchNormalization', bnInputs('conv_plain', 'bn_relu'), 'conv_bn_out');
  b.node('Relu', ['conv_bn_out'], 'conv_bn_relu');
  b.output('conv_bn_relu', [1, 2, 5, 5], 'BatchNorm (folded)', (s) => productErrorBound(foldRows(wr, bnRelu.factor), 18, s.input('X4'), 1) + 2 * s.output('conv_bn_relu'));

  // Gemm with transB: B is [N, K], so its rows are the output channels.
  const wg = b.weight('Wg', [3, 4]);
  b.weight('Cg', [3]);
  const bnGemm = batchNormParams(b, 'bn_gemm', 3);
  b.node('Gemm', ['X2', 'Wg', 'Cg'], 'gemm_acc', { transB: { int: 1 }, beta: { float: 0.5 } });
  b.node('BatchNormalization', bnInputs('gemm_acc', 'bn_gemm'), 'gemm_bn');
  b.output('gemm_bn', [2, 3], 'BatchNorm (folded)', (s) => productErrorBound(foldRows(wg, bnGemm.factor), 4, s.input('X2'), 1));

  const wm = b.weight('Wm', [4, 3]);
  const bnMatMul = batchNormParams(b, 'bn_matmul', 3);
  b.node('MatMul', ['X2', 'Wm'], 'matmul_acc');
  b.node('BatchNormalization', bnInputs('matmul_acc', 'bn_matmul'), 'matmul_bn');
  b.output('matmul_bn', [2, 3], 'BatchNorm (folded)', (s) => productErrorBound(wm.map((v, i) => v * bnMatMul.factor[i % 3]!), 4, s.input('X2'), 1));

  /** Standalone: f·x + g with x quantized (half an LSB), f within 2^-13 relatively, g on a grid finer than RESCALE · s · max f. */
  const standalone = (p: BatchNormParams, sx: number, maxX: number, xError: number) => maxOf(p.factor) * (xError + maxX * RESCALE + sx * RESCALE);
  const bn4 = batchNormParams(b, 'bn_input', 2);
  b.node('BatchNormalization', bnInputs('X4', 'bn_input'), 'bn_standalone');
  b.output('bn_standalone', [1, 2, 5, 5], 'BatchNorm (standalone)', (s) => standalone(bn4, s.input('X4'), 1, s.input('X4') / 2));
  const bn2 = batchNormParams(b, 'bn_rank2', 4);
  b.node('BatchNormalization', bnInputs('X2', 'bn_rank2'), 'bn_rank2_out');
  b.output('bn_rank2_out', [2, 4], 'BatchNorm (standalone)', (s) => standalone(bn2, s.input('X2'), 1, s.input('X2') / 2));
  b.node('Relu', ['bn_rank2_out'], 'bn_standalone_relu');
  b.output('bn_standalone_relu', [2, 4], 'BatchNorm (standalone)', (s) => standalone(bn2, s.input('X2'), 1, s.input('X2') / 2) + 2 * s.output('bn_standalone_relu'));

  // The Conv's output is a graph output too, so the BatchNorm cannot fold into it.
  const ws = b.weight('Ws', [2, 2, 2, 2]);
  const bs = b.weight('Bs', [2]);
  const bnShared = batchNormParams(b, 'bn_shared', 2);
  b.node('Conv', ['X4', 'Ws', 'Bs'], 'conv_shared', { strides: { ints: [2, 2] } });
  b.output('conv_shared', [1, 2, 2, 2], 'Conv', (s) => productErrorBound(ws, 8, s.input('X4'), 1));
  b.node('BatchNormalization', bnInputs('conv_shared', 'bn_shared'), 'bn_after_shared_conv');
  b.output('bn_after_shared_conv', [1, 2, 2, 2], 'BatchNorm (standalone)', (s) => {
    const convMax = 8 * maxOf(ws) + maxOf(bs);
    const accScale = s.input('X4') * (maxOf(ws) / 127);
    return standalone(bnShared, accScale, convMax, productErrorBound(ws, 8, s.input('X4'), 1));
  });
  return b.fixture('BatchNormalization', [X4, X2]);
}

checkFixtures([subFixture(), mulDivFixture(), clipInputsFixture(), clipAttributesFixture(), batchNormFixture()]);

describe('what each variant lowers to, and its cost', () => {
  const dirs = new TempDirs();
  afterAll(() => dirs.cleanup());

  it('scalars are views or ±1 affine nodes, tensors per-channel conv nodes, Clip one Requantize per element', async () => {
    const work = await dirs.make('elementwise-lowering');
    const scalar = (name: string, value: number): TensorSpec => ({ name, dims: [], data: [value] });
    const spec: OnnxModelSpec = {
      inputs: [
        { name: 'X', shape: [2, 3] },
        { name: 'Y', shape: [2, 3] },
      ],
      outputs: ['mul_pos', 'mul_neg', 'mul_row', 'div_scalar', 'clip_min', 'clip_none', 'sub'].map((name) => ({ name, shape: [2, 3] })),
      initializers: [scalar('half', 0.5), scalar('minus_two', -2), { name: 'row', dims: [3], data: [1, 0, -3] }, scalar('four', 4), scalar('zero', 0)],
      nodes: [
        { opType: 'Mul', name: 'mul_pos', inputs: ['X', 'half'], outputs: ['mul_pos'] },
        { opType: 'Mul', name: 'mul_neg', inputs: ['minus_two', 'X'], outputs: ['mul_neg'] },
        { opType: 'Mul', name: 'mul_row', inputs: ['X', 'row'], outputs: ['mul_row'] },
        { opType: 'Div', name: 'div_scalar', inputs: ['X', 'four'], outputs: ['div_scalar'] },
        { opType: 'Clip', name: 'clip_min', inputs: ['X', 'zero'], outputs: ['clip_min'] },
        { opType: 'Clip', name: 'clip_none', inputs: ['X'], outputs: ['clip_none'] },
        { opType: 'Sub', name: 'sub', inputs: ['X', 'Y'], outputs: ['sub'] },
      ],
    };
    const { ir, manifest } = await compileModel(await writeModel(work, spec), path.join(work, 'out'));
    const x = ir.tensors.get('X')!;
    const node = (name: string): IrNode => ir.nodes.find((n) => n.node === name)!;
    const cost = (name: string): number => manifest.layers.find((l) => l.node === name)!.constraints;

    expect(node('mul_pos').kind).toBe('view');
    expect(ir.tensors.get('mul_pos')!.scale).toBe(0.5 * x.scale);
    expect(node('div_scalar').kind).toBe('view');
    expect(ir.tensors.get('div_scalar')!.scale).toBe(0.25 * x.scale);
    const neg = node('mul_neg');
    expect(neg.kind === 'affine' && neg.terms.map((t) => t.coeff)).toEqual([-1n]);
    expect(ir.tensors.get('mul_neg')!.scale).toBe(2 * x.scale);
    const row = node('mul_row');
    // Factors 1, 0, −3 at unit 2^-12: exact; [2, 3] as 2 batches of 3 channels.
    expect(row.kind === 'conv' && [row.batch, row.channels, row.group, row.windows.positions, ...row.weights]).toEqual([2, 3, 3, 1, 4096n, 0n, -12288n]);
    expect(node('clip_none').kind).toBe('view');
    const clip = node('clip_min');
    expect(clip.kind === 'requantize' && [clip.multiplier, clip.shift, clip.zeroIn, clip.zeroOut, clip.lo, clip.hi]).toEqual([1n, 0, 0n, 0n, BigInt(x.zeroPoint), 127n]);
    const sub = node('sub');
    expect(sub.kind === 'affine' && sub.terms.map((t) => t.coeff < 0n)).toEqual([false, true]);
    for (const name of ['mul_pos', 'mul_neg', 'mul_row', 'div_scalar', 'clip_none', 'sub']) expect(cost(name), name).toBe(0);
    // x ≤ 127 = hi always, so the upper clamp is dropped (hi' = lo + 2^8 − 1, no comparator):
    // 9 bits of t − lo + 2^8, 1 sum, 1 in-range product (one mid bit), 1 out per element.
    expect(cost('clip_min')).toBe(6 * 12);
  });
});

describe('BatchNormalization folded into Conv and Gemm', () => {
  const dirs = new TempDirs();
  afterAll(() => dirs.cleanup());

  /** X [1,2,5,5] → Conv → (BN) → Relu → Flatten → Gemm → (BN) → y [1,4]; without BN the folded weights are DOUBLE initializers. */
  function models(): { withBn: OnnxModelSpec; folded: OnnxModelSpec } {
    const b = new ModelBuilder(1600);
    const w = b.weight('W', [3, 2, 3, 3]);
    const bias = b.weight('B', [3]);
    const bn1 = batchNormParams(b, 'bn1', 3);
    const w2 = b.weight('W2', [27, 4]);
    const c2 = b.weight('C2', [4]);
    const bn2 = batchNormParams(b, 'bn2', 4);
    const io = { inputs: [{ name: 'X', shape: [1, 2, 5, 5] }], outputs: [{ name: 'y', shape: [1, 4] }] };
    const withBn: OnnxModelSpec = {
      ...io,
      initializers: b.initializers,
      nodes: [
        { opType: 'Conv', name: 'conv', inputs: ['X', 'W', 'B'], outputs: ['c'] },
        { opType: 'BatchNormalization', name: 'bn1', inputs: bnInputs('c', 'bn1'), outputs: ['n'] },
        { opType: 'Relu', name: 'relu', inputs: ['n'], outputs: ['r'] },
        { opType: 'Flatten', name: 'flat', inputs: ['r'], outputs: ['f'] },
        { opType: 'Gemm', name: 'fc', inputs: ['f', 'W2', 'C2'], outputs: ['g'] },
        { opType: 'BatchNormalization', name: 'bn2', inputs: bnInputs('g', 'bn2'), outputs: ['y'] },
      ],
    };
    // The folding's own arithmetic, so the folded weights are the same doubles.
    const double = (name: string, dims: number[], data: number[]): TensorSpec => ({ name, dims, elemType: 'DOUBLE', data: Float64Array.from(data) });
    const folded: OnnxModelSpec = {
      ...io,
      initializers: [
        double('W', [3, 2, 3, 3], foldRows(w, bn1.factor)),
        double('B', [3], bn1.offset.map((g, m) => g + bias[m]! * bn1.factor[m]!)),
        double('W2', [27, 4], w2.map((v, i) => v * bn2.factor[i % 4]!)),
        double('C2', [4], bn2.offset.map((g, n) => g + 1 * c2[n]! * bn2.factor[n]!)),
      ],
      nodes: [
        { opType: 'Conv', name: 'conv', inputs: ['X', 'W', 'B'], outputs: ['n'] },
        { opType: 'Relu', name: 'relu', inputs: ['n'], outputs: ['r'] },
        { opType: 'Flatten', name: 'flat', inputs: ['r'], outputs: ['f'] },
        { opType: 'Gemm', name: 'fc', inputs: ['f', 'W2', 'C2'], outputs: ['y'] },
      ],
    };
    return { withBn, folded };
  }

  /** What a node computes, without the names it carries. */
  const computation = (n: IrNode): unknown => JSON.parse(JSON.stringify({ ...n, node: undefined, output: undefined, input: undefined }, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Int32Array ? Array.from(v) : v)));

  it('leaves no BatchNormalization in ir.json, and the same circuit as the model without it', async () => {
    const work = await dirs.make('bn-fold');
    const { withBn, folded } = models();
    const inputs: RangedInput[] = [{ name: 'X', shape: [1, 2, 5, 5], lo: -1, hi: 1 }];
    const calibration = await writeCalibration(work, calibrationSamples(mulberry32(7), inputs, 16), inputs);
    const builtWith = await build(await writeModel(work, withBn, 'with-bn.onnx'), path.join(work, 'with-bn'), { calibration });
    const builtFolded = await build(await writeModel(work, folded, 'folded.onnx'), path.join(work, 'folded'), { calibration });
    const { ir, manifest } = await loadCompiled(path.join(work, 'with-bn'));
    const reference = await loadCompiled(path.join(work, 'folded'));

    expect(ir.nodes.map((n) => n.op)).toEqual(['Conv', 'Relu', 'Flatten', 'Gemm']);
    expect(ir.nodes.map((n) => n.node)).toEqual(['conv+bn1', 'relu', 'flat', 'fc+bn2']);
    expect(manifest.layers.map((l) => l.op)).not.toContain('BatchNormalization');
    expect(ir.nodes.map(computation)).toEqual(reference.ir.nodes.map(computation));
    expect(builtWith.manifest.circuit.constraints).toBe(builtFolded.manifest.circuit.constraints);
    expect(builtWith.manifest.circuit.constraints).toBe(builtWith.predictedConstraints);
    expect(builtWith.manifest.circuit.constraints).toBeGreaterThan(0);
  });

  it('a BatchNormalization it cannot fold is a free per-channel conv node', async () => {
    const work = await dirs.make('bn-standalone');
    const b = new ModelBuilder(1700);
    batchNormParams(b, 'bn', 3);
    const spec: OnnxModelSpec = {
      inputs: [{ name: 'X', shape: [1, 3, 2, 2] }],
      outputs: [{ name: 'y', shape: [1, 3, 2, 2] }],
      initializers: b.initializers,
      nodes: [{ opType: 'BatchNormalization', name: 'bn', inputs: bnInputs('X', 'bn'), outputs: ['y'] }],
    };
    const { ir, manifest } = await compileModel(await writeModel(work, spec), path.join(work, 'out'));
    expect(ir.nodes.map((n) => [n.op, n.kind])).toEqual([['BatchNormalization', 'conv']]);
    const conv = ir.nodes[0]!;
    if (conv.kind !== 'conv') throw new Error('unreachable');
    expect([conv.batch, conv.channels, conv.group, conv.windows.positions, conv.windows.kernelSize]).toEqual([1, 3, 3, 4, 1]);
    expect(manifest.layers.find((l) => l.node === 'bn')!.constraints).toBe(0);
  });
});
