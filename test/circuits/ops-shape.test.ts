/**
 * The shape and index ops (Transpose, Squeeze, Unsqueeze, Gather, Concat, Pad) in their
 * variants, each fixture checked by op-fixtures.ts: (a) the evaluator within the stated
 * bound of onnxruntime, (b) the circuit equal to the evaluator, (c) circom's constraint count
 * equal to the prediction. Moving elements is exact, so the bound is half an input LSB (the
 * input's own quantization), plus half an LSB for a quantized constant, plus the rescale
 * error where Concat brings tensors to a common scale, plus 2 output LSBs after a
 * requantizing Relu.
 *
 * Public inputs whose calibrated range is symmetric have zero point 0, so a Relu of their
 * moved elements wires bare input signals into its gadgets (no constraint), and moved
 * elements of a Relu are bare private signals (free as outputs): the fixtures mix both with
 * expressions, which is what the cost model has to get right.
 */
import { productErrorBound, type RangedInput } from './harness.ts';
import { checkFixtures, maxAbs, ModelBuilder, RESCALE, type Fixture, type Scales } from './op-fixtures.ts';

const half = (name: string) => (s: Scales) => s.input(name) / 2;

/** Transpose: default (reversed), explicit, identity; feeding a Relu, of a Relu, feeding MatMul. */
function transposeFixture(): Fixture {
  const b = new ModelBuilder(1100);
  const X: RangedInput = { name: 'X', shape: [2, 3, 4], lo: -1, hi: 1 };
  const Y: RangedInput = { name: 'Y', shape: [1, 2, 3, 2], lo: -0.5, hi: 2 };
  b.node('Transpose', ['X'], 'transpose_default');
  b.output('transpose_default', [4, 3, 2], 'Transpose', half('X'));
  b.node('Transpose', ['Y'], 'transpose_perm', { perm: { ints: [0, 2, 3, 1] } });
  b.output('transpose_perm', [1, 3, 2, 2], 'Transpose', half('Y'));
  b.node('Transpose', ['Y'], 'transpose_identity', { perm: { ints: [0, 1, 2, 3] } });
  b.output('transpose_identity', [1, 2, 3, 2], 'Transpose', half('Y'));
  // Zero point 0: the gadgets read the transposed input signals as they are.
  b.node('Transpose', ['X'], 'x_t', { perm: { ints: [1, 0, 2] } });
  b.node('Relu', ['x_t'], 'transpose_relu');
  b.output('transpose_relu', [3, 2, 4], 'Transpose', half('X'));
  // Zero point ≠ 0: every gadget input subtracts it.
  b.node('Transpose', ['Y'], 'y_t', { perm: { ints: [3, 1, 0, 2] } });
  b.node('Relu', ['y_t'], 'transpose_relu_offset');
  b.output('transpose_relu_offset', [2, 2, 1, 3], 'Transpose', half('Y'));
  b.node('Relu', ['Y'], 'y_relu');
  b.node('Transpose', ['y_relu'], 'relu_transpose', { perm: { ints: [3, 2, 1, 0] } });
  b.output('relu_transpose', [2, 3, 2, 1], 'Transpose', half('Y'));
  const w = b.weight('W', [2, 3]);
  b.node('Transpose', ['X'], 'x_last_first', { perm: { ints: [2, 1, 0] } });
  b.node('MatMul', ['x_last_first', 'W'], 'transpose_matmul');
  b.output('transpose_matmul', [4, 3, 3], 'Transpose', (s) => productErrorBound(w, 2, s.input('X'), 1));
  return b.fixture('Transpose', [X, Y]);
}

/** Squeeze and Unsqueeze with axes as a constant input (opset 13): none, negative, several; feeding a Relu. */
function squeezeFixture(): Fixture {
  const b = new ModelBuilder(1200);
  const X: RangedInput = { name: 'X', shape: [1, 3, 1, 2], lo: -1, hi: 1.5 };
  const lsb = half('X');
  b.node('Squeeze', ['X'], 'squeeze_all');
  b.output('squeeze_all', [3, 2], 'Squeeze/Unsqueeze', lsb);
  b.ints('axes_0_m2', [0, -2]);
  b.node('Squeeze', ['X', 'axes_0_m2'], 'squeeze_axes');
  b.output('squeeze_axes', [3, 2], 'Squeeze/Unsqueeze', lsb);
  b.ints('axes_0_m1', [0, -1]);
  b.node('Unsqueeze', ['X', 'axes_0_m1'], 'unsqueeze_axes');
  b.output('unsqueeze_axes', [1, 1, 3, 1, 2, 1], 'Squeeze/Unsqueeze', lsb);
  b.ints('axes_2', [2]);
  b.node('Squeeze', ['X', 'axes_2'], 'x_squeezed');
  b.ints('axes_1', [1]);
  b.node('Unsqueeze', ['x_squeezed', 'axes_1'], 'x_moved');
  b.node('Relu', ['x_moved'], 'squeeze_unsqueeze_relu');
  b.output('squeeze_unsqueeze_relu', [1, 1, 3, 2], 'Squeeze/Unsqueeze', lsb);
  return b.fixture('Squeeze and Unsqueeze (opset 13)', [X]);
}

/** Squeeze and Unsqueeze with axes as an attribute (opset 11). */
function squeezeAttributeFixture(): Fixture {
  const b = new ModelBuilder(1250);
  const X: RangedInput = { name: 'X', shape: [1, 3, 1, 2], lo: -2, hi: 1 };
  const lsb = half('X');
  b.node('Squeeze', ['X'], 'squeeze_attr', { axes: { ints: [2] } });
  b.output('squeeze_attr', [1, 3, 2], 'Squeeze/Unsqueeze', lsb);
  b.node('Squeeze', ['X'], 'squeeze_attr_negative', { axes: { ints: [-4, -2] } });
  b.output('squeeze_attr_negative', [3, 2], 'Squeeze/Unsqueeze', lsb);
  b.node('Squeeze', ['X'], 'squeeze_attr_none');
  b.output('squeeze_attr_none', [3, 2], 'Squeeze/Unsqueeze', lsb);
  b.node('Unsqueeze', ['X'], 'unsqueeze_attr', { axes: { ints: [1, -1] } });
  b.output('unsqueeze_attr', [1, 1, 3, 1, 2, 1], 'Squeeze/Unsqueeze', lsb);
  return { ...b.fixture('Squeeze and Unsqueeze (opset 11, attributes)', [X]), opset: 11 };
}

/** Gather: axis 0, 1 and −1; indices of rank 0, 1, 2 with negative and repeated ones; of a Relu; of a constant (folded). */
function gatherFixture(): Fixture {
  const b = new ModelBuilder(1300);
  const X: RangedInput = { name: 'X', shape: [3, 4, 2], lo: -1, hi: 1.5 };
  const lsb = half('X');
  b.ints('rows', [2, -1, 0]);
  b.node('Gather', ['X', 'rows'], 'gather_axis0');
  b.output('gather_axis0', [3, 4, 2], 'Gather', lsb);
  b.initializers.push({ name: 'grid', dims: [2, 2], elemType: 'INT64', data: [0, -1, 3, 1] });
  b.node('Gather', ['X', 'grid'], 'gather_axis1_2d', { axis: { int: 1 } });
  b.output('gather_axis1_2d', [3, 2, 2, 2], 'Gather', lsb);
  b.initializers.push({ name: 'last', dims: [], elemType: 'INT64', data: [-2] });
  b.node('Gather', ['X', 'last'], 'gather_scalar', { axis: { int: -1 } });
  b.output('gather_scalar', [3, 4], 'Gather', lsb);
  // The same private signal twice among the outputs: the second is bound by a constraint.
  b.node('Relu', ['X'], 'x_relu');
  b.ints('repeat', [1, 1, -3]);
  b.node('Gather', ['x_relu', 'repeat'], 'gather_relu_repeat');
  b.output('gather_relu_repeat', [3, 4, 2], 'Gather', lsb);
  b.node('Gather', ['X', 'repeat'], 'x_repeat');
  b.node('Relu', ['x_repeat'], 'gather_then_relu');
  b.output('gather_then_relu', [3, 4, 2], 'Gather', lsb);
  // A Gather of a constant is folded before lowering: then an Add of a computed tensor and a constant.
  b.weight('table', [5, 2]);
  b.ints('picks', [4, 0, -1, 2]);
  b.node('Gather', ['table', 'picks'], 'picked');
  b.node('Gather', ['X', 'last'], 'x_row');
  b.node('Add', ['x_row', 'picked'], 'gather_constant_add');
  b.output('gather_constant_add', [4, 2], 'Gather', (s) => s.input('X'));
  return b.fixture('Gather', [X]);
}

/**
 * Concat: different scales (rescaled), equal scales with zero point 0 (multipliers 2), a
 * computed tensor with a constant, a tensor with itself, several tensors and a constant, of
 * Relus and of MaxPools (private signals), feeding a Relu.
 */
function concatFixture(): Fixture {
  const b = new ModelBuilder(1400);
  const X: RangedInput = { name: 'X', shape: [2, 3], lo: -1, hi: 1 };
  const Y: RangedInput = { name: 'Y', shape: [2, 2], lo: -0.5, hi: 2 };
  const Z: RangedInput = { name: 'Z', shape: [2, 3], lo: -1, hi: 1 };
  const P: RangedInput = { name: 'P', shape: [1, 1, 2, 4], lo: -2, hi: 2 };
  const Q: RangedInput = { name: 'Q', shape: [1, 1, 2, 4], lo: -2, hi: 2 };
  const rescaled = (s: Scales, ...inputs: RangedInput[]) => Math.max(...inputs.map((i) => s.input(i.name) / 2 + maxAbs(i) * RESCALE));
  b.node('Concat', ['X', 'Y'], 'concat_scales', { axis: { int: 1 } });
  b.output('concat_scales', [2, 5], 'Concat', (s) => rescaled(s, X, Y));
  b.node('Concat', ['X', 'Z'], 'concat_same_scale', { axis: { int: -1 } });
  b.output('concat_same_scale', [2, 6], 'Concat', (s) => rescaled(s, X, Z));
  b.weight('row', [1, 3]);
  b.node('Concat', ['X', 'row'], 'concat_constant', { axis: { int: 0 } });
  b.output('concat_constant', [3, 3], 'Concat', half('X'));
  b.node('Concat', ['X', 'X'], 'concat_self', { axis: { int: 0 } });
  b.output('concat_self', [4, 3], 'Concat', half('X'));
  b.weight('column', [2, 1]);
  b.node('Concat', ['Y', 'column', 'X', 'Y'], 'concat_mixed', { axis: { int: 1 } });
  b.output('concat_mixed', [2, 8], 'Concat', (s) => rescaled(s, X, Y) + s.output('concat_mixed') / 2);
  b.node('Relu', ['X'], 'x_relu');
  b.node('Relu', ['Z'], 'z_relu');
  b.node('Concat', ['x_relu', 'z_relu'], 'concat_relus', { axis: { int: 0 } });
  b.output('concat_relus', [4, 3], 'Concat', (s) => rescaled(s, X, Z));
  b.node('Concat', ['Y', 'X'], 'yx', { axis: { int: 1 } });
  b.node('Relu', ['yx'], 'concat_relu');
  b.output('concat_relu', [2, 5], 'Concat', (s) => rescaled(s, X, Y) + 2 * s.output('concat_relu'));
  // Equal scales, zero point 0: copied unchanged, these would be bare signals to circom (gadget inputs, outputs).
  b.node('Concat', ['X', 'Z'], 'xz', { axis: { int: 1 } });
  b.node('Relu', ['xz'], 'concat_same_scale_relu');
  b.output('concat_same_scale_relu', [2, 6], 'Concat', (s) => rescaled(s, X, Z) + 2 * s.output('concat_same_scale_relu'));
  const pool = { kernel_shape: { ints: [1, 2] }, strides: { ints: [1, 2] } };
  b.node('MaxPool', ['P'], 'p_max', pool);
  b.node('MaxPool', ['Q'], 'q_max', pool);
  b.node('Concat', ['p_max', 'q_max'], 'concat_gadget_outputs', { axis: { int: 2 } });
  b.output('concat_gadget_outputs', [1, 1, 4, 2], 'Concat', (s) => rescaled(s, P, Q));
  return b.fixture('Concat', [X, Y, Z, P, Q]);
}

/**
 * Pad (opset 13: pads and constant_value as inputs): constant with the default 0 and with a
 * value, reflect, edge, negative pads (cropping); reflect feeding a Relu, constant feeding a Conv.
 */
function padFixture(): Fixture {
  const b = new ModelBuilder(1500);
  const X: RangedInput = { name: 'X', shape: [1, 2, 3, 3], lo: -1, hi: 2 };
  const lsb = half('X');
  b.ints('pads_hw', [0, 0, 1, 1, 0, 0, 1, 2]);
  b.node('Pad', ['X', 'pads_hw'], 'pad_constant_zero');
  b.output('pad_constant_zero', [1, 2, 5, 6], 'Pad', lsb);
  b.ints('pads_uneven', [0, 0, 0, 1, 0, 0, 2, 0]);
  b.initializers.push({ name: 'three_quarters', dims: [], data: [0.75] });
  b.node('Pad', ['X', 'pads_uneven', 'three_quarters'], 'pad_constant_value', { mode: { string: 'constant' } });
  b.output('pad_constant_value', [1, 2, 5, 4], 'Pad', lsb);
  b.ints('pads_reflect', [0, 0, 2, 1, 0, 0, 1, 2]);
  b.node('Pad', ['X', 'pads_reflect'], 'pad_reflect', { mode: { string: 'reflect' } });
  b.output('pad_reflect', [1, 2, 6, 6], 'Pad', lsb);
  b.ints('pads_edge', [0, 1, 1, 0, 0, 0, 0, 2]);
  b.node('Pad', ['X', 'pads_edge'], 'pad_edge', { mode: { string: 'edge' } });
  b.output('pad_edge', [1, 3, 4, 5], 'Pad', lsb);
  b.ints('pads_crop', [0, 0, -1, 1, 0, 0, 1, -1]);
  b.node('Pad', ['X', 'pads_crop'], 'pad_crop');
  b.output('pad_crop', [1, 2, 3, 3], 'Pad', lsb);
  b.node('Pad', ['X', 'pads_reflect'], 'x_reflected', { mode: { string: 'reflect' } });
  b.node('Relu', ['x_reflected'], 'pad_reflect_relu');
  b.output('pad_reflect_relu', [1, 2, 6, 6], 'Pad', lsb);
  const w = b.weight('W', [2, 2, 3, 3]);
  b.node('Pad', ['X', 'pads_hw'], 'x_padded');
  b.node('Conv', ['x_padded', 'W'], 'pad_conv');
  b.output('pad_conv', [1, 2, 3, 4], 'Pad', (s) => productErrorBound(w, 18, s.input('X'), 2));
  return b.fixture('Pad (opset 13)', [X]);
}

/** Pad with axes (opset 18): edge on the last axis, constant on two axes with a negative one. */
function padAxesFixture(): Fixture {
  const b = new ModelBuilder(1550);
  const X: RangedInput = { name: 'X', shape: [2, 3, 4], lo: -1.5, hi: 1 };
  const lsb = half('X');
  b.ints('pads_last', [1, 2]);
  b.ints('axis_last', [-1]);
  b.node('Pad', ['X', 'pads_last', '', 'axis_last'], 'pad_axes_edge', { mode: { string: 'edge' } });
  b.output('pad_axes_edge', [2, 3, 7], 'Pad', lsb);
  b.ints('pads_two', [1, 0, 0, 2]);
  b.ints('axes_two', [0, -2]);
  b.initializers.push({ name: 'minus_half', dims: [], data: [-0.5] });
  b.node('Pad', ['X', 'pads_two', 'minus_half', 'axes_two'], 'pad_axes_constant');
  b.output('pad_axes_constant', [3, 5, 4], 'Pad', lsb);
  return { ...b.fixture('Pad (opset 18, axes)', [X]), opset: 18 };
}

/** Pad with pads, value and mode as attributes (opset 10). */
function padAttributeFixture(): Fixture {
  const b = new ModelBuilder(1600);
  const X: RangedInput = { name: 'X', shape: [1, 3, 4], lo: -1, hi: 1 };
  const lsb = half('X');
  b.node('Pad', ['X'], 'pad_attr_value', { pads: { ints: [0, 1, 2, 0, 0, 1] }, value: { float: 0.5 } });
  b.output('pad_attr_value', [1, 4, 7], 'Pad', lsb);
  b.node('Pad', ['X'], 'pad_attr_reflect', { mode: { string: 'reflect' }, pads: { ints: [0, 2, 1, 0, 1, 3] } });
  b.output('pad_attr_reflect', [1, 6, 8], 'Pad', lsb);
  return { ...b.fixture('Pad (opset 10, attributes)', [X]), opset: 10 };
}

const FIXTURES: Fixture[] = [
  transposeFixture(),
  squeezeFixture(),
  squeezeAttributeFixture(),
  gatherFixture(),
  concatFixture(),
  padFixture(),
  padAxesFixture(),
  padAttributeFixture(),
];

checkFixtures(FIXTURES);
