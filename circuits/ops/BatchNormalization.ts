/**
 * BatchNormalization, inference form: Y = scale · (X − mean) / √(var + epsilon) + B per
 * channel (axis 1), i.e. Y = f·X + g with f = scale / √(var + epsilon), g = B − mean·f.
 * scale, B, mean and var must be constants; training_mode must be 0 (momentum only matters
 * in training and is ignored); spatial (opset < 9) must be 1.
 *
 * Directly after a Conv, Gemm or MatMul that nothing else reads, normalize folds it into
 * that node's weights and bias (circuits/fold-batchnorm.ts): it then costs nothing at all.
 * Otherwise it is lowered on its own as a per-channel multiply-add (a conv node with
 * group = channels and a 1×1 kernel, integer weights at a finer scale: see
 * circuits/ops/elementwise.ts), or an affine node when f is the same for every channel:
 * no constraint either way.
 */
import { ShapeError, UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { sizeOf, type FloatTensor } from '../tensor.ts';
import { lowerScaleShift } from './elementwise.ts';
import { floatAttr, intAttr, type OpSpec, type ShapeContext } from './types.ts';

const PARAMETERS = ['scale', 'B', 'mean', 'var'] as const;

/** Only the inference form: one output, training_mode 0, per-channel statistics. */
function checkInference(node: GraphNode): void {
  const training = intAttr(node, BatchNormalization, 'training_mode');
  if (training !== 0) {
    throw new UnsupportedError(`attribute "training_mode" = ${training}: only inference (training_mode = 0) is supported`, { context: [describeNode(node)] });
  }
  const spatial = intAttr(node, BatchNormalization, 'spatial');
  if (spatial !== 1) {
    throw new UnsupportedError(`attribute "spatial" = ${spatial}: only per-channel statistics (spatial = 1) are supported`, { context: [describeNode(node)] });
  }
  const extra = node.outputs.slice(1).filter((v) => v !== '');
  if (extra.length > 0) {
    throw new UnsupportedError(`outputs beyond Y (${extra.map((v) => `"${v}"`).join(', ')}) are training outputs and not supported`, { context: [describeNode(node)] });
  }
}

/** The channel count of X, checked against the four parameters' shapes. */
function channelsOf(node: GraphNode, x: readonly number[], params: readonly (readonly number[])[]): number {
  if (x.length < 2) throw new ShapeError(`BatchNormalization input X of shape [${x}] needs at least 2 dimensions (N, C, …)`, { context: [describeNode(node)] });
  const c = x[1]!;
  params.forEach((shape, i) => {
    if (shape.length !== 1 || shape[0] !== c) {
      throw new ShapeError(`BatchNormalization input ${PARAMETERS[i]} of shape [${shape}] must be [${c}], the channels of X [${x}]`, { context: [describeNode(node)] });
    }
  });
  return c;
}

/** The constant parameters; a computed one is not supported. */
export function batchNormParameters(node: GraphNode, ctx: ShapeContext): FloatTensor[] {
  return PARAMETERS.map((name, i) => {
    const v = node.inputs[i + 1]!;
    const t = ctx.constant(v);
    if (!t) throw new UnsupportedError(`BatchNormalization input ${name} ("${v}") must be a constant (inference statistics)`, { context: [describeNode(node)] });
    return t;
  });
}

/** Per channel, f = scale / √(var + epsilon) and g = B − mean·f, so that Y = f·X + g. */
export function batchNormAffine(node: GraphNode, [scale, bias, mean, variance]: FloatTensor[]): { factor: Float64Array; offset: Float64Array } {
  const epsilon = floatAttr(node, BatchNormalization, 'epsilon');
  const factor = scale!.data.map((s, c) => s / Math.sqrt(variance!.data[c]! + epsilon));
  const offset = bias!.data.map((b, c) => b - mean!.data[c]! * factor[c]!);
  return { factor, offset };
}

/** Per element of X's shape: its channel's f and g. */
function perElement(shape: readonly number[], perChannel: Float64Array): Float64Array {
  const inner = sizeOf(shape.slice(2));
  const channels = shape[1]!;
  return Float64Array.from({ length: sizeOf(shape) }, (_, i) => perChannel[Math.floor(i / inner) % channels]!);
}

export const BatchNormalization: OpSpec = {
  opType: 'BatchNormalization',
  inputs: [5, 5],
  constantInputs: [1, 2, 3, 4],
  attributes: { epsilon: 1e-5, momentum: 0.9, spatial: 1, training_mode: 0 },

  inferShapes(node, ctx) {
    checkInference(node);
    const x = ctx.shape(node.inputs[0]!);
    channelsOf(node, x, batchNormParameters(node, ctx).map((t) => t.shape));
    return [x];
  },

  evaluateFloat(node, [x, ...inputs]) {
    checkInference(node);
    const params = inputs.map((t) => t!);
    channelsOf(node, x!.shape, params.map((t) => t.shape));
    const { factor, offset } = batchNormAffine(node, params);
    const f = perElement(x!.shape, factor);
    const g = perElement(x!.shape, offset);
    return [{ shape: x!.shape, data: x!.data.map((v, i) => f[i]! * v + g[i]!) }];
  },

  lower(node, ctx) {
    const shape = ctx.shape(node.inputs[0]!);
    const { factor, offset } = batchNormAffine(node, batchNormParameters(node, ctx));
    lowerScaleShift(node, ctx, node.inputs[0]!, shape, perElement(shape, factor), perElement(shape, offset));
  },
};
