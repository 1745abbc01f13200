/**
 * Every supported op in its variants, on self-made fixture models (seeded float32
 * weights), each checked by op-fixtures.ts: (a) the evaluator within the stated bound of
 * onnxruntime, (b) the circuit equal to the evaluator, (c) circom's constraint count equal
 * to the prediction. The bounds are stated per output below, from the input scales s_x
 * (half an input LSB per quantized input), the weights' scale (productErrorBound in
 * harness.ts) and, after a requantization, 2 output LSBs (rounding + the range shift from
 * rounding the zero point + the fixed-point multiplier's relative error of 2^-12).
 *
 * Some fixtures put affine outputs next to requantized ones on purpose (a product of a Relu
 * that is itself an output; one hidden Relu read by two affine outputs; Gemm of a hidden
 * Relu): whether the linear constraints binding such outputs survive circom's optimizer is
 * exactly what the cost model has to get right.
 */
import type { AttributeValue } from '../../scripts/onnx-writer.ts';
import { productErrorBound, type RangedInput } from './harness.ts';
import { checkFixtures, maxAbs, ModelBuilder, RESCALE, type Fixture, type Scales } from './op-fixtures.ts';

/** Gemm: transA × transB, alpha/beta ≠ 1, C of shape [N], [1,N], [M,N], [M,1], [] and none. */
function gemmFixture(M: number): Fixture {
  const K = 4;
  const N = 3;
  const b = new ModelBuilder(100 + M);
  const X: RangedInput = { name: 'X', shape: [M, K], lo: -1, hi: 1 };
  const XT: RangedInput = { name: 'XT', shape: [K, M], lo: -1.5, hi: 0.5 };
  const variants = [
    // All attributes at their defaults (none written).
    { out: 'nn_cN', transA: 0, transB: 0, alpha: 1, beta: 1, c: [N], defaults: true },
    { out: 'nt_c1N', transA: 0, transB: 1, alpha: 0.5, beta: 2, c: [1, N] },
    { out: 'tn_cMN', transA: 1, transB: 0, alpha: 1.5, beta: -0.5, c: [M, N] },
    { out: 'tt_cScalar', transA: 1, transB: 1, alpha: -0.75, beta: 1.25, c: [] },
    { out: 'nt_noC', transA: 0, transB: 1, alpha: 2, beta: 3, c: undefined },
    { out: 'tn_cM1_relu', transA: 1, transB: 0, alpha: 0.8, beta: 1, c: [M, 1], relu: true },
  ];
  for (const v of variants) {
    const w = b.weight(`W_${v.out}`, v.transB ? [N, K] : [K, N]);
    const inputs = [v.transA ? 'XT' : 'X', `W_${v.out}`];
    if (v.c) {
      b.weight(`C_${v.out}`, v.c);
      inputs.push(`C_${v.out}`);
    }
    const attributes = v.defaults
      ? undefined
      : { transA: { int: v.transA }, transB: { int: v.transB }, alpha: { float: v.alpha }, beta: { float: v.beta } };
    const a = v.transA ? XT : X;
    const product = (s: Scales) => productErrorBound(w.map((x) => x * v.alpha), K, s.input(a.name), maxAbs(a));
    if (v.relu) {
      b.node('Gemm', inputs, `${v.out}_acc`, attributes);
      b.node('Relu', [`${v.out}_acc`], v.out);
      b.output(v.out, [M, N], 'Gemm', (s) => product(s) + 2 * s.output(v.out));
    } else {
      b.node('Gemm', inputs, v.out, attributes);
      b.output(v.out, [M, N], 'Gemm', product);
    }
  }
  return b.fixture(`Gemm, M = ${M}`, [X, XT]);
}

/** MatMul: [1,K]·[K,N], batched [2,3,K]·[K,N], B a vector [K], and MatMul + Add(bias) + Relu. */
function matmulFixture(): Fixture {
  const b = new ModelBuilder(200);
  const A2: RangedInput = { name: 'A2', shape: [1, 5], lo: -1, hi: 1 };
  const A3: RangedInput = { name: 'A3', shape: [2, 3, 4], lo: -2, hi: 2 };
  const w2d = b.weight('B2d', [5, 3]);
  b.node('MatMul', ['A2', 'B2d'], 'mm_2d');
  b.output('mm_2d', [1, 3], 'MatMul', (s) => productErrorBound(w2d, 5, s.input('A2'), 1));
  const wb = b.weight('Bbatched', [4, 3]);
  b.node('MatMul', ['A3', 'Bbatched'], 'mm_batched');
  b.output('mm_batched', [2, 3, 3], 'MatMul', (s) => productErrorBound(wb, 4, s.input('A3'), 2));
  const wv = b.weight('Bvec', [4]);
  b.node('MatMul', ['A3', 'Bvec'], 'mm_vec');
  b.output('mm_vec', [2, 3], 'MatMul', (s) => productErrorBound(wv, 4, s.input('A3'), 2));
  // PyTorch's Linear without Gemm: MatMul, then Add of the bias at the accumulator's scale, then Relu.
  const wl = b.weight('Blin', [5, 4]);
  b.weight('bias', [4]);
  b.node('MatMul', ['A2', 'Blin'], 'lin_acc');
  b.node('Add', ['lin_acc', 'bias'], 'lin_biased');
  b.node('Relu', ['lin_biased'], 'mm_bias_relu');
  b.output('mm_bias_relu', [1, 4], 'MatMul', (s) => {
    const product = productErrorBound(wl, 5, s.input('A2'), 1);
    const accScale = s.input('A2') * (Math.max(...wl.map(Math.abs)) / 127);
    return product + accScale / 2 + 2 * s.output('mm_bias_relu');
  });
  // A product of a Relu that is itself an output: affine in public signals only.
  const wo = b.weight('Bout', [4, 2]);
  b.node('MatMul', ['mm_bias_relu', 'Bout'], 'mm_of_output');
  b.output('mm_of_output', [1, 2], 'MatMul', (s) => {
    const reluError = productErrorBound(wl, 5, s.input('A2'), 1) + 2 * s.output('mm_bias_relu');
    const reluMax = 255 * s.output('mm_bias_relu');
    return productErrorBound(wo, 4, s.output('mm_bias_relu'), reluMax) + 4 * Math.max(...wo.map(Math.abs)) * reluError;
  });
  return b.fixture('MatMul', [A2, A3]);
}

/** Add of a computed tensor and a constant, broadcasting either way, constant first or second. */
function addConstantFixture(): Fixture {
  const b = new ModelBuilder(300);
  const X: RangedInput = { name: 'X', shape: [1, 4], lo: -1, hi: 1 };
  const Y: RangedInput = { name: 'Y', shape: [2, 3], lo: -2, hi: 2 };
  // Input quantization (half an LSB) plus the constant rounded to the input's scale (half an LSB).
  const cases: [string, string, number[], number[], boolean][] = [
    ['add_row', 'X', [4], [1, 4], false], // [1,4] + [4]
    ['add_col', 'Y', [2, 1], [2, 3], false], // [2,3] + [2,1]
    ['add_const_first', 'Y', [1, 3], [2, 3], true], // [1,3] + [2,3]
    ['add_scalar', 'Y', [], [2, 3], false], // [2,3] + []
    ['add_expand', 'X', [3, 1], [3, 4], false], // [1,4] + [3,1] → [3,4]
  ];
  for (const [out, input, cShape, outShape, constFirst] of cases) {
    b.weight(`c_${out}`, cShape);
    b.node('Add', constFirst ? [`c_${out}`, input] : [input, `c_${out}`], out);
    b.output(out, outShape, 'Add (constant)', (s) => s.input(input));
  }
  return b.fixture('Add with a constant', [X, Y]);
}

/** Add of two computed tensors: equal scales, different scales (with zero points), x + x, two accumulators. */
function addComputedFixture(): Fixture {
  const b = new ModelBuilder(400);
  const X: RangedInput = { name: 'X', shape: [2, 3], lo: -1, hi: 1 };
  const Y: RangedInput = { name: 'Y', shape: [2, 3], lo: -1, hi: 1 };
  const Z: RangedInput = { name: 'Z', shape: [3], lo: -4, hi: 3 };
  b.node('Add', ['X', 'Y'], 'add_equal_scales');
  b.output('add_equal_scales', [2, 3], 'Add (computed)', (s) => s.input('X') / 2 + s.input('Y') / 2);
  b.node('Add', ['X', 'Z'], 'add_diff_scales');
  b.output('add_diff_scales', [2, 3], 'Add (computed)', (s) => s.input('X') / 2 + s.input('Z') / 2 + RESCALE * 5);
  b.node('Add', ['X', 'X'], 'add_self');
  b.output('add_self', [2, 3], 'Add (computed)', (s) => s.input('X'));
  const w1 = b.weight('W1', [3, 2]);
  const w2 = b.weight('W2', [3, 2]);
  b.node('MatMul', ['X', 'W1'], 'acc1');
  b.node('MatMul', ['Y', 'W2'], 'acc2');
  b.node('Add', ['acc1', 'acc2'], 'add_accumulators');
  b.output(
    'add_accumulators',
    [2, 2],
    'Add (computed)',
    (s) => productErrorBound(w1, 3, s.input('X'), 1) + productErrorBound(w2, 3, s.input('Y'), 1) + RESCALE * 6,
  );
  b.node('Add', ['X', 'Z'], 'sum_xz');
  b.node('Relu', ['sum_xz'], 'add_relu');
  b.output('add_relu', [2, 3], 'Add (computed)', (s) => s.input('X') / 2 + s.input('Z') / 2 + RESCALE * 5 + 2 * s.output('add_relu'));
  // One hidden Relu read by two affine outputs: 4 + 6 linear output constraints over 6 private signals.
  b.node('Relu', ['X'], 'shared');
  const w3 = b.weight('W3', [3, 2]);
  b.node('MatMul', ['shared', 'W3'], 'shared_matmul');
  b.output('shared_matmul', [2, 2], 'Add (computed)', (s) => productErrorBound(w3, 3, s.input('X'), 1));
  b.node('Add', ['shared', 'Y'], 'shared_plus_y');
  b.output('shared_plus_y', [2, 3], 'Add (computed)', (s) => s.input('X') / 2 + s.input('Y') / 2 + RESCALE * 2);
  return b.fixture('Add of computed tensors', [X, Y, Z]);
}

/** Relu on an input (asymmetric range: non-zero zero point), twice, after Gemm, after Add. */
function reluFixture(): Fixture {
  const b = new ModelBuilder(500);
  const X: RangedInput = { name: 'X', shape: [1, 6], lo: -0.5, hi: 2 };
  b.node('Relu', ['X'], 'relu_input');
  b.output('relu_input', [1, 6], 'Relu', (s) => s.input('X') / 2);
  b.node('Relu', ['relu_input'], 'relu_twice');
  b.output('relu_twice', [1, 6], 'Relu', (s) => s.input('X') / 2);
  const w = b.weight('W', [6, 4]);
  b.weight('bias', [4]);
  b.node('Gemm', ['X', 'W', 'bias'], 'lin');
  b.node('Relu', ['lin'], 'relu_linear');
  b.output('relu_linear', [1, 4], 'Relu', (s) => productErrorBound(w, 6, s.input('X'), 2) + 2 * s.output('relu_linear'));
  b.weight('shift', [6]);
  b.node('Add', ['X', 'shift'], 'shifted');
  b.node('Relu', ['shifted'], 'relu_affine');
  b.output('relu_affine', [1, 6], 'Relu', (s) => s.input('X') + 2 * s.output('relu_affine'));
  // Affine functions of a requantized (private) value.
  b.node('Relu', ['X'], 'hidden1');
  const w2 = b.weight('W2', [6, 3]);
  b.node('Gemm', ['hidden1', 'W2'], 'relu_then_gemm');
  b.output('relu_then_gemm', [1, 3], 'Relu', (s) => productErrorBound(w2, 6, s.input('X'), 2));
  b.node('Relu', ['X'], 'hidden2');
  b.node('Add', ['hidden2', 'X'], 'relu_plus_input');
  b.output('relu_plus_input', [1, 6], 'Relu', (s) => s.input('X'));
  return b.fixture('Relu', [X]);
}

/**
 * Conv: plain with bias, pads + strides + dilations (asymmetric), depthwise with SAME_UPPER
 * and a Relu, SAME_LOWER, 1-D; and a max pool of a convolution (accumulator inputs wired
 * into the gadgets) and of a Relu of one (gadget outputs).
 */
function convFixture(): Fixture {
  const b = new ModelBuilder(900);
  const X: RangedInput = { name: 'X', shape: [1, 2, 6, 6], lo: -1, hi: 1 };
  const X1: RangedInput = { name: 'X1', shape: [1, 2, 7], lo: -0.5, hi: 1.5 };
  const conv = (s: Scales, w: number[], inner: number, x: RangedInput) => productErrorBound(w, inner, s.input(x.name), maxAbs(x));
  const wBasic = b.weight('W_basic', [3, 2, 3, 3]);
  b.weight('B_basic', [3]);
  b.node('Conv', ['X', 'W_basic', 'B_basic'], 'conv_basic', { kernel_shape: { ints: [3, 3] } });
  b.output('conv_basic', [1, 3, 4, 4], 'Conv', (s) => conv(s, wBasic, 18, X));
  const wPads = b.weight('W_pads', [2, 2, 2, 2]);
  b.node('Conv', ['X', 'W_pads'], 'conv_pads', { pads: { ints: [1, 0, 2, 1] }, strides: { ints: [2, 1] }, dilations: { ints: [1, 2] } });
  b.output('conv_pads', [1, 2, 4, 5], 'Conv', (s) => conv(s, wPads, 8, X));
  const wDepth = b.weight('W_depth', [2, 1, 3, 3]);
  b.weight('B_depth', [2]);
  b.node('Conv', ['X', 'W_depth', 'B_depth'], 'depth_acc', { group: { int: 2 }, auto_pad: { string: 'SAME_UPPER' }, strides: { ints: [2, 2] } });
  b.node('Relu', ['depth_acc'], 'conv_depthwise_relu');
  b.output('conv_depthwise_relu', [1, 2, 3, 3], 'Conv', (s) => conv(s, wDepth, 9, X) + 2 * s.output('conv_depthwise_relu'));
  const wLower = b.weight('W_lower', [1, 2, 2, 2]);
  b.node('Conv', ['X', 'W_lower'], 'conv_same_lower', { auto_pad: { string: 'SAME_LOWER' } });
  b.output('conv_same_lower', [1, 1, 6, 6], 'Conv', (s) => conv(s, wLower, 8, X));
  const w1d = b.weight('W_1d', [2, 2, 3]);
  b.node('Conv', ['X1', 'W_1d'], 'conv_1d', { pads: { ints: [1, 0] } });
  b.output('conv_1d', [1, 2, 6], 'Conv', (s) => conv(s, w1d, 6, X1));
  b.node('MaxPool', ['conv_basic'], 'maxpool_of_conv', { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } });
  b.output('maxpool_of_conv', [1, 3, 2, 2], 'MaxPool', (s) => conv(s, wBasic, 18, X));
  b.node('Relu', ['conv_basic'], 'hidden_relu');
  b.node('MaxPool', ['hidden_relu'], 'maxpool_of_relu', { kernel_shape: { ints: [3, 3] }, strides: { ints: [1, 1] }, pads: { ints: [1, 1, 1, 1] } });
  b.output('maxpool_of_relu', [1, 3, 4, 4], 'MaxPool', (s) => conv(s, wBasic, 18, X) + 2 * s.output('maxpool_of_relu'));
  return b.fixture('Conv', [X, X1]);
}

/** MaxPool, AveragePool (padding counted and not, ceil_mode, dilations), global pools, on a public input. */
function poolFixture(): Fixture {
  const b = new ModelBuilder(1000);
  const X: RangedInput = { name: 'X', shape: [1, 2, 6, 6], lo: -1, hi: 2 };
  const half = (s: Scales) => s.input('X') / 2;
  const pools: [string, string, number[], Record<string, AttributeValue>][] = [
    ['MaxPool', 'max_2x2', [1, 2, 3, 3], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } }],
    ['MaxPool', 'max_pads_ceil', [1, 2, 4, 4], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, ceil_mode: { int: 1 } }],
    ['MaxPool', 'max_dilated', [1, 2, 4, 4], { kernel_shape: { ints: [2, 2] }, dilations: { ints: [2, 2] } }],
    ['AveragePool', 'avg_2x2', [1, 2, 3, 3], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } }],
    ['AveragePool', 'avg_pads_excluded', [1, 2, 3, 3], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } }],
    ['AveragePool', 'avg_pads_included', [1, 2, 3, 3], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, count_include_pad: { int: 1 } }],
    ['AveragePool', 'avg_ceil', [1, 2, 3, 3], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { int: 1 } }],
    ['GlobalAveragePool', 'global_avg', [1, 2, 1, 1], {}],
    ['GlobalMaxPool', 'global_max', [1, 2, 1, 1], {}],
  ];
  for (const [op, out, shape, attributes] of pools) {
    b.node(op, ['X'], out, Object.keys(attributes).length ? attributes : undefined);
    b.output(out, shape, op.replace('Global', ''), half);
  }
  return b.fixture('Pools', [X]);
}

/** Flatten axis 0, 1 (default), 2, −1 on a rank-3 input; Identity; views feeding Gemm and Relu. */
function viewsFixture(): Fixture {
  const b = new ModelBuilder(600);
  const X: RangedInput = { name: 'X', shape: [2, 3, 4], lo: -1, hi: 1 };
  const half = (s: Scales) => s.input('X') / 2;
  b.node('Flatten', ['X'], 'flatten_axis0', { axis: { int: 0 } });
  b.output('flatten_axis0', [1, 24], 'Flatten/Identity', half);
  b.node('Flatten', ['X'], 'flatten_default');
  b.output('flatten_default', [2, 12], 'Flatten/Identity', half);
  b.node('Flatten', ['X'], 'flatten_axis2', { axis: { int: 2 } });
  b.output('flatten_axis2', [6, 4], 'Flatten/Identity', half);
  b.node('Flatten', ['X'], 'flatten_axis_m1', { axis: { int: -1 } });
  b.output('flatten_axis_m1', [6, 4], 'Flatten/Identity', half);
  const w = b.weight('W', [4, 3]);
  b.node('Gemm', ['flatten_axis2', 'W'], 'flatten_gemm');
  b.output('flatten_gemm', [6, 3], 'Flatten/Identity', (s) => productErrorBound(w, 4, s.input('X'), 1));
  b.node('Identity', ['X'], 'identity');
  b.output('identity', [2, 3, 4], 'Flatten/Identity', half);
  b.node('Relu', ['identity'], 'identity_relu');
  b.output('identity_relu', [2, 3, 4], 'Flatten/Identity', half);
  return b.fixture('Flatten and Identity', [X]);
}

/** Reshape with 0, −1 and explicit dims; target from a Constant node, an INT64 initializer, or folded constants. */
function reshapeFixture(): Fixture {
  const b = new ModelBuilder(700);
  const X: RangedInput = { name: 'X', shape: [2, 3, 4], lo: -1, hi: 1 };
  const half = (s: Scales) => s.input('X') / 2;
  b.node('Constant', [], 'shape_0_m1', { value: { tensor: { dims: [2], elemType: 'INT64', data: [0, -1] } } });
  b.node('Reshape', ['X', 'shape_0_m1'], 'reshape_constant');
  b.output('reshape_constant', [2, 12], 'Reshape/Constant', half);
  b.ints('shape_4_6', [4, 6]);
  b.node('Reshape', ['X', 'shape_4_6'], 'reshape_explicit');
  b.output('reshape_explicit', [4, 6], 'Reshape/Constant', half);
  b.ints('shape_m1', [-1]);
  b.node('Reshape', ['X', 'shape_m1'], 'reshape_flat');
  b.output('reshape_flat', [24], 'Reshape/Constant', half);
  b.ints('shape_0_0_m1', [0, 0, -1]);
  b.node('Reshape', ['X', 'shape_0_0_m1'], 'reshape_zeros');
  b.output('reshape_zeros', [2, 3, 4], 'Reshape/Constant', half);
  // Int constants folded at compile time: [1, 11] + 1 = [2, 12].
  b.node('Constant', [], 'dims_base', { value_ints: { ints: [1, 11] } });
  b.node('Constant', [], 'one', { value_int: { int: 1 } });
  b.node('Add', ['dims_base', 'one'], 'dims_folded');
  b.node('Reshape', ['X', 'dims_folded'], 'reshape_folded');
  b.output('reshape_folded', [2, 12], 'Reshape/Constant', half);
  const w = b.weight('W', [4, 2]);
  b.ints('shape_m1_4', [-1, 4]);
  b.node('Reshape', ['X', 'shape_m1_4'], 'rows');
  b.node('MatMul', ['rows', 'W'], 'reshape_matmul');
  b.output('reshape_matmul', [6, 2], 'Reshape/Constant', (s) => productErrorBound(w, 4, s.input('X'), 1));
  return b.fixture('Reshape', [X]);
}

/** Constant nodes (tensor value, value_float, value_floats, value_int(s)) folded into Add and Reshape. */
function constantFixture(): Fixture {
  const b = new ModelBuilder(800);
  const X: RangedInput = { name: 'X', shape: [1, 4], lo: -1, hi: 1 };
  const lsb = (s: Scales) => s.input('X');
  b.node('Constant', [], 'k_tensor', { value: { tensor: { dims: [4], data: b.random(4) } } });
  b.node('Add', ['X', 'k_tensor'], 'add_constant_tensor');
  b.output('add_constant_tensor', [1, 4], 'Reshape/Constant', lsb);
  b.node('Constant', [], 'k_floats', { value_floats: { floats: b.random(4) } });
  b.node('Add', ['k_floats', 'X'], 'add_constant_floats');
  b.output('add_constant_floats', [1, 4], 'Reshape/Constant', lsb);
  b.node('Constant', [], 'k_float', { value_float: { float: Math.fround(0.3125) } });
  b.node('Add', ['X', 'k_float'], 'add_constant_float');
  b.output('add_constant_float', [1, 4], 'Reshape/Constant', lsb);
  // A constant sub-graph folded before lowering: Constant + Constant, then added to X.
  b.node('Constant', [], 'k_a', { value_floats: { floats: b.random(4) } });
  b.node('Add', ['k_a', 'k_tensor'], 'k_sum');
  b.node('Add', ['X', 'k_sum'], 'add_constant_folded');
  b.output('add_constant_folded', [1, 4], 'Reshape/Constant', lsb);
  b.node('Constant', [], 'shape_2_m1', { value_ints: { ints: [2, -1] } });
  b.node('Reshape', ['X', 'shape_2_m1'], 'reshape_value_ints');
  b.output('reshape_value_ints', [2, 2], 'Reshape/Constant', (s) => s.input('X') / 2);
  return b.fixture('Constant', [X]);
}

const FIXTURES: Fixture[] = [
  gemmFixture(1),
  gemmFixture(2),
  matmulFixture(),
  addConstantFixture(),
  addComputedFixture(),
  reluFixture(),
  viewsFixture(),
  reshapeFixture(),
  constantFixture(),
  convFixture(),
  poolFixture(),
];

checkFixtures(FIXTURES);
