/**
 * QLinearConv and ConvInteger: Conv (circuits/ops/Conv.ts, same attributes) of an integer
 * tensor against constant integer weights minus their zero points (one per output channel
 * allowed), the input's zero point handled by the conv node (padding holds real zero): no
 * constraint. ConvInteger's INT32 output is that accumulator; QLinearConv adds its INT32 bias
 * and requantizes with m_c = fl(fl(x_scale · w_scale[c]) / y_scale): one Requantize gadget per
 * output element, per-channel multipliers for per-channel weights (circuits/ops/qlinear.ts).
 */
import { ShapeError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import type { QTensor, TensorParams } from '../ir/types.ts';
import type { FloatTensor } from '../tensor.ts';
import { checkBiasShape, Conv, convNode, convolveFloat, convShape } from './Conv.ts';
import { emitQuantize, productScale, quantParams, requirePerTensor, roundHalfEven, roundToType, saturate, type QuantParams } from './qlinear.ts';
import { requireConstantInputs } from './qlinear.ts';
import { floatContext, type LowerContext, type OpSpec, type ShapeContext } from './types.ts';

/**
 * Conv of the integer tensor `x` (its zero point `zeroIn`, the op's own) with integer weights
 * (zero points already subtracted) and bias, into `output`.
 */
function emitIntegerConv(node: GraphNode, ctx: LowerContext, x: QTensor, zeroIn: number, w: { shape: readonly number[]; values: bigint[] }, bias: bigint[] | undefined, output: string, params: Omit<TensorParams, 'shape'>): QTensor {
  const s = convShape(node, x.shape, w.shape);
  const ir = { ...convNode(node, s, w.values, bias ?? new Array<bigint>(s.outChannels).fill(0n), BigInt(zeroIn)), input: x.name, output };
  return ctx.emit(ir, { shape: [s.batch, s.outChannels, ...s.outDims], ...params });
}

/** Weights minus their per-output-channel zero points. */
function centeredWeights(node: GraphNode, w: FloatTensor, zeroPoints: readonly number[]): Float64Array {
  const perOut = w.data.length / w.shape[0]!;
  if (zeroPoints.length !== 1 && zeroPoints.length !== w.shape[0]) {
    throw new ShapeError(`${node.opType} has ${zeroPoints.length} weight zero points for ${w.shape[0]} output channels`, { context: [describeNode(node)] });
  }
  return w.data.map((v, i) => v - zeroPoints[zeroPoints.length > 1 ? Math.floor(i / perOut) : 0]!);
}

/** The integer weights of a constant (integers by the file's type). */
function integerWeights(node: GraphNode, w: FloatTensor, zeroPoints: readonly number[]): bigint[] {
  return Array.from(centeredWeights(node, w, zeroPoints), (v) => BigInt(v));
}

function constantWeights(node: GraphNode, ctx: ShapeContext, at: number): FloatTensor & { elementType?: string } {
  const w = ctx.constant(node.inputs[at]!);
  if (!w) throw new UnsupportedError(`${node.opType} input W ("${node.inputs[at]}") must be a constant (the layer's weights)`, { context: [describeNode(node)] });
  return w;
}

/** Float semantics: the integer convolution, then `out` per output channel. */
function evaluate(node: GraphNode, x: FloatTensor, zx: number, w: FloatTensor, zw: readonly number[], bias: Float64Array | undefined, out?: (acc: number, m: number) => number): FloatTensor {
  const s = convShape(node, x.shape, w.shape);
  // Padding holds real zero: convolve x − z_x, whose padding 0 is right.
  const centered = x.data.map((v) => v - zx);
  const weights = centeredWeights(node, w, zw);
  const acc = convolveFloat(s, centered, weights, bias);
  const positions = acc.length / (s.batch * s.outChannels);
  const data = out ? acc.map((v, i) => out(v, Math.floor(i / positions) % s.outChannels)) : acc;
  return { shape: [s.batch, s.outChannels, ...s.outDims], data };
}

function outputMultiplier(px: QuantParams, pw: QuantParams, py: QuantParams, m: number): number {
  const t = px.scaleType;
  return roundToType(roundToType(px.scales[0]! * pw.scales[pw.scales.length > 1 ? m : 0]!, t) / py.scales[0]!, t);
}

export const QLinearConv: OpSpec = {
  opType: 'QLinearConv',
  inputs: [8, 9],
  constantInputs: [1, 2, 3, 4, 5, 6, 7, 8],
  attributes: Conv.attributes,
  integerInputs: 'consume',
  perAxisInputs: true,

  inferShapes(node, ctx) {
    requireConstantInputs(node, QLinearConv, ctx);
    const s = convShape(node, ctx.shape(node.inputs[0]!), ctx.shape(node.inputs[3]!));
    if (node.inputs[8]) checkBiasShape(node, ctx.shape(node.inputs[8]), s.outChannels);
    return [[s.batch, s.outChannels, ...s.outDims]];
  },

  evaluateFloat(node, inputs) {
    const ctx = floatContext(node, inputs);
    const [px, pw, py] = [quantParams(node, ctx, 1, 2, 'UINT8'), quantParams(node, ctx, 4, 5, 'UINT8'), quantParams(node, ctx, 6, 7, 'UINT8')];
    const t = evaluate(node, inputs[0]!, px.zeroPoints[0]!, inputs[3]!, pw.zeroPoints, inputs[8]?.data, (acc, m) =>
      saturate(roundHalfEven(acc * outputMultiplier(px, pw, py, m)) + py.zeroPoints[0]!, py.elementType),
    );
    return [{ ...t, elementType: py.elementType }];
  },

  lower(node, ctx) {
    const x = ctx.tensor(node.inputs[0]!);
    if (!x.elementType) throw new UnsupportedError(`QLinearConv input x ("${node.inputs[0]}") must be an integer tensor`, { context: [describeNode(node)] });
    const px = quantParams(node, ctx, 1, 2, x.elementType === 'INT8' ? 'INT8' : 'UINT8');
    requirePerTensor(node, px, 'x');
    const w = constantWeights(node, ctx, 3);
    const pw = quantParams(node, ctx, 4, 5, w.elementType === 'INT8' ? 'INT8' : 'UINT8');
    const py = quantParams(node, ctx, 6, 7, 'UINT8');
    requirePerTensor(node, py, 'y');
    const biasName = node.inputs[8];
    const bias = biasName ? ctx.constant(biasName) : undefined;
    if (biasName && !bias) throw new UnsupportedError(`QLinearConv input B ("${biasName}") must be a constant (the bias)`, { context: [describeNode(node)] });
    const acc = `${node.outputs[0]!}/accumulator`;
    const weights = { shape: w.shape, values: integerWeights(node, w, pw.zeroPoints) };
    emitIntegerConv(node, ctx, x, px.zeroPoints[0]!, weights, bias && Array.from(bias.data, (b) => BigInt(b)), acc, productScale(px, pw, 1));
    emitQuantize(node, ctx, acc, { ...py, axis: 0 });
  },
};

export const ConvInteger: OpSpec = {
  opType: 'ConvInteger',
  inputs: [2, 4],
  constantInputs: [1, 2, 3],
  attributes: Conv.attributes,
  integerInputs: 'consume',

  inferShapes(node, ctx) {
    requireConstantInputs(node, ConvInteger, ctx);
    const s = convShape(node, ctx.shape(node.inputs[0]!), ctx.shape(node.inputs[1]!));
    return [[s.batch, s.outChannels, ...s.outDims]];
  },

  evaluateFloat(node, [x, w, zx, zw]) {
    return [{ ...evaluate(node, x!, zx?.data[0] ?? 0, w!, zw ? Array.from(zw.data) : [0], undefined), elementType: 'INT32' }];
  },

  lower(node, ctx) {
    const x = ctx.tensor(node.inputs[0]!);
    if (!x.elementType) throw new UnsupportedError(`ConvInteger input x ("${node.inputs[0]}") must be an integer tensor`, { context: [describeNode(node)] });
    const w = constantWeights(node, ctx, 1);
    const zeroAt = (at: number): number[] => {
      const name = node.inputs[at];
      if (!name) return [0];
      const z = ctx.constant(name);
      if (!z) throw new UnsupportedError(`ConvInteger input ${at} ("${name}", a zero point) must be a constant`, { context: [describeNode(node)] });
      return Array.from(z.data);
    };
    const zx = zeroAt(2);
    if (zx.length !== 1) throw new UnsupportedError(`ConvInteger with a per-channel input zero point is not supported`, { context: [describeNode(node)] });
    const weights = { shape: w.shape, values: integerWeights(node, w, zeroAt(3)) };
    emitIntegerConv(node, ctx, x, zx[0]!, weights, undefined, node.outputs[0]!, { scale: 1, zeroPoint: 0, elementType: 'INT32' });
  },
};
