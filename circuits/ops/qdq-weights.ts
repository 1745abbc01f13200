/**
 * QDQ weights: a Conv, Gemm or MatMul whose weights are a DequantizeLinear of integer
 * constants multiplies by the model's own integers (minus their zero points) instead of
 * requantizing the dequantized floats. The accumulator's scale is fl(s_x · s_w[c]), per output
 * channel when the weights are per channel, as QLinearConv's is; the bias (a dequantized INT32,
 * or any float) is rounded to that scale (exact when the model quantized it at s_x · s_w[c]).
 *
 * Per-channel accumulators can only be read by a QuantizeLinear (which requantizes each channel
 * with its own multiplier), so per-channel weights take this route only where that is what
 * reads the output; otherwise the compiler quantizes the dequantized floats itself.
 */
import type { GraphNode } from '../graph.ts';
import type { PerAxis, QTensor } from '../ir/types.ts';
import { roundToType } from './qlinear.ts';
import type { LowerContext, QuantizedConstant } from './types.ts';

export interface ModelWeights {
  /** The integers minus their zero points, in the constant's own layout. */
  values: bigint[];
  /** Accumulator scale per output channel (one entry when per tensor). */
  accScales: number[];
}

/**
 * The model's integer weights for `node`, whose output channels run along the constant's
 * axis `outAxis`, or undefined where the route does not apply (not a dequantized constant, per
 * axis along another axis, or per channel with a reader other than QuantizeLinear).
 */
export function modelWeights(node: GraphNode, ctx: LowerContext, weights: string, outAxis: number, x: QTensor): ModelWeights | undefined {
  const q: QuantizedConstant | undefined = ctx.quantizedConstant(weights);
  if (!q || x.perAxis) return undefined;
  const perChannel = q.scales.length > 1;
  if (perChannel && q.axis !== outAxis) return undefined;
  const readers = ctx.consumers(node.outputs[0]!);
  if (perChannel && (ctx.isGraphOutput(node.outputs[0]!) || readers.length === 0 || readers.some((r) => r.opType !== 'QuantizeLinear'))) return undefined;
  const shape = q.values.shape;
  const inner = shape.slice(outAxis + 1).reduce((a, b) => a * b, 1);
  const channel = (i: number): number => (perChannel ? Math.floor(i / inner) % q.scales.length : 0);
  return {
    values: Array.from(q.values.data, (v, i) => BigInt(v - q.zeroPoints[channel(i)]!)),
    accScales: q.scales.map((s) => roundToType(x.scale * s, q.scaleType)),
  };
}

/** The accumulator's scale parameters along the output's channel axis. */
export function accumulatorScale(w: ModelWeights, axis: number): { scale: number; zeroPoint: number; perAxis?: PerAxis } {
  if (w.accScales.length === 1) return { scale: w.accScales[0]!, zeroPoint: 0 };
  return { scale: w.accScales[0]!, zeroPoint: 0, perAxis: { axis, scales: w.accScales, zeroPoints: w.accScales.map(() => 0) } };
}

/** A float bias per output channel rounded to the accumulator's scale of its channel. */
export function biasAtScale(bias: ArrayLike<number> | undefined, count: number, w: ModelWeights, channelOf: (i: number) => number): bigint[] | undefined {
  if (!bias) return undefined;
  return Array.from({ length: count }, (_, i) => BigInt(Math.round(bias[i]! / w.accScales[w.accScales.length > 1 ? channelOf(i) : 0]!)));
}
