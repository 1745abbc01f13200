/**
 * Conv: Y[n][m] = B[m] + Σ_{c of m's group} W[m][c] ⋆ X[n][c] over any number of spatial
 * dims, with strides, pads (auto_pad included), dilations and groups (depthwise included).
 * W and B must be constants: the weights are quantized symmetrically per tensor (or are the
 * model's own integers, for QDQ weights: circuits/ops/qdq-weights.ts) and the product is a
 * conv IR node, a multiply-accumulate against constants that costs no constraint. Output: an
 * accumulator at scale s_X · s_W, zero point 0.
 */
import { ShapeError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { convolutionSums } from '../ir/conv.ts';
import type { ConvNode } from '../ir/types.ts';
import type { FloatTensor } from '../tensor.ts';
import { quantizeWeights } from './matmul-lowering.ts';
import { accumulatorScale, biasAtScale, modelWeights } from './qdq-weights.ts';
import type { OpSpec, ShapeContext } from './types.ts';
import { splitShape, windowGeometry, windowTable, type WindowTable } from './window.ts';

export interface ConvShape {
  batch: number;
  channels: number;
  outChannels: number;
  group: number;
  outDims: number[];
  windows: WindowTable;
}

export function convShape(node: GraphNode, x: readonly number[], w: readonly number[]): ConvShape {
  const { batch, channels, spatial } = splitShape(node, x, 'input X');
  if (w.length !== x.length) {
    throw new ShapeError(`Conv weights W of shape [${w}] do not match input X of shape [${x}] (both need ${x.length} dimensions)`, { context: [describeNode(node)] });
  }
  const group = Number(node.attributes.group ?? Conv.attributes.group);
  if (!Number.isInteger(group) || group < 1 || channels % group !== 0 || w[0]! % group !== 0) {
    throw new UnsupportedError(`attribute "group" = ${group} must divide both the ${channels} input and the ${w[0]} output channels`, { context: [describeNode(node)] });
  }
  if (w[1]! * group !== channels) {
    throw new ShapeError(`Conv weights W of shape [${w}] expect ${w[1]! * group} input channels (group ${group}), X has ${channels}`, { context: [describeNode(node)] });
  }
  const kernel = w.slice(2);
  const declared = node.attributes.kernel_shape;
  if (declared !== undefined && JSON.stringify(declared) !== JSON.stringify(kernel)) {
    throw new ShapeError(`attribute "kernel_shape" = ${JSON.stringify(declared)} disagrees with the weights' spatial shape [${kernel}]`, { context: [describeNode(node)] });
  }
  const geometry = windowGeometry(node, Conv, spatial, kernel);
  return { batch, channels, outChannels: w[0]!, group, outDims: geometry.outDims, windows: windowTable(geometry) };
}

/** out[n][m][p] = bias[m] + Σ w·x over the real window elements, in floats (calibration, folding). */
export function convolveFloat(s: ConvShape, x: Float64Array, w: Float64Array, bias: Float64Array | undefined): Float64Array {
  return Float64Array.from(
    convolutionSums(s, (m, _p, taps) => {
      let acc = bias ? bias[m]! : 0;
      taps((k, at) => (acc += w[k]! * x[at]!));
      return acc;
    }),
  );
}

export function checkBiasShape(node: GraphNode, shape: readonly number[], outChannels: number): void {
  if (shape.length !== 1 || shape[0] !== outChannels) {
    throw new ShapeError(`Conv bias B of shape [${shape}] must be [${outChannels}]`, { context: [describeNode(node)] });
  }
}

function biasOf(node: GraphNode, b: FloatTensor | undefined, outChannels: number): Float64Array | undefined {
  if (b) checkBiasShape(node, b.shape, outChannels);
  return b?.data;
}

/** The conv IR node of a convolution with integer weights and bias (at the accumulator's scale). */
export function convNode(node: GraphNode, s: ConvShape, weights: bigint[], bias: bigint[], zeroIn: bigint): ConvNode {
  return {
    kind: 'conv',
    node: node.name,
    op: node.opType,
    input: node.inputs[0]!,
    output: node.outputs[0]!,
    batch: s.batch,
    channels: s.channels,
    outChannels: s.outChannels,
    group: s.group,
    windows: s.windows,
    weights,
    bias,
    zeroIn,
  };
}

export const Conv: OpSpec = {
  opType: 'Conv',
  inputs: [2, 3],
  constantInputs: [1, 2],
  attributes: { auto_pad: 'NOTSET', dilations: undefined, group: 1, kernel_shape: undefined, pads: undefined, strides: undefined },

  inferShapes(node: GraphNode, ctx: ShapeContext): number[][] {
    const s = convShape(node, ctx.shape(node.inputs[0]!), ctx.shape(node.inputs[1]!));
    if (node.inputs[2]) checkBiasShape(node, ctx.shape(node.inputs[2]), s.outChannels);
    return [[s.batch, s.outChannels, ...s.outDims]];
  },

  evaluateFloat(node, [x, w, b]) {
    const s = convShape(node, x!.shape, w!.shape);
    return [{ shape: [s.batch, s.outChannels, ...s.outDims], data: convolveFloat(s, x!.data, w!.data, biasOf(node, b, s.outChannels)) }];
  },

  lower(node, ctx) {
    const [xName, wName, bName] = node.inputs;
    const weights = ctx.constant(wName!);
    if (!weights) {
      throw new UnsupportedError(`Conv input W ("${wName}") must be a constant (the layer's weights)`, { context: [describeNode(node)] });
    }
    const bias = bName ? ctx.constant(bName) : undefined;
    if (bName && !bias) throw new UnsupportedError(`Conv input B ("${bName}") must be a constant (the bias)`, { context: [describeNode(node)] });
    const x = ctx.tensor(xName!);
    const s = convShape(node, x.shape, weights.shape);
    const own = modelWeights(node, ctx, wName!, 0, x);
    if (own) {
      const ir = convNode(node, s, own.values, biasAtScale(biasOf(node, bias, s.outChannels), s.outChannels, own, (m) => m) ?? new Array<bigint>(s.outChannels).fill(0n), BigInt(x.zeroPoint));
      ctx.emit(ir, { shape: [s.batch, s.outChannels, ...s.outDims], ...accumulatorScale(own, 1) });
      return;
    }
    const w = quantizeWeights(weights.data, ctx.bits);
    const accScale = x.scale * w.scale;
    const floatBias = biasOf(node, bias, s.outChannels);
    const ir = convNode(node, s, w.values, Array.from({ length: s.outChannels }, (_, m) => (floatBias ? BigInt(Math.round(floatBias[m]! / accScale)) : 0n)), BigInt(x.zeroPoint));
    ctx.emit(ir, { shape: [s.batch, s.outChannels, ...s.outDims], scale: accScale, zeroPoint: 0 });
  },
};
