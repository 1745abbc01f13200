/**
 * Shared lowering of a product with constant weights (MatMul, Gemm): weights
 * quantized symmetrically per tensor, the bias at the accumulator's scale, the
 * input's zero point folded into the bias. The result is an accumulator tensor
 * (scale s_in·s_w, zero point 0) that costs no constraint.
 */
import type { GraphNode } from '../graph.ts';
import type { LinearNode, QTensor, TensorParams } from '../ir/types.ts';
import type { LowerContext } from './types.ts';

export interface ConstantProduct {
  input: string;
  output: string;
  outputShape: number[];
  rows: number;
  inner: number;
  cols: number;
  inputTransposed: boolean;
  /** Float weights, row-major [inner][cols]. */
  weights: Float64Array;
  /** Float bias, row-major [rows][cols] (already broadcast), or undefined. */
  bias: Float64Array | undefined;
}

/** Quantizes symmetric per tensor: q = round(w / scale), |q| ≤ 2^(bits−1) − 1. */
export function quantizeWeights(weights: Float64Array, bits: number): { scale: number; values: bigint[] } {
  const qmax = 2 ** (bits - 1) - 1;
  let maxAbs = 0;
  for (const w of weights) maxAbs = Math.max(maxAbs, Math.abs(w));
  const scale = maxAbs === 0 ? 1 : maxAbs / qmax;
  return { scale, values: Array.from(weights, (w) => BigInt(Math.round(w / scale))) };
}

export function lowerConstantProduct(node: GraphNode, ctx: LowerContext, p: ConstantProduct): void {
  const x = ctx.tensor(p.input);
  const w = quantizeWeights(p.weights, ctx.bits);
  const accScale = x.scale * w.scale;
  const bias = p.bias && Array.from(p.bias, (b) => BigInt(Math.round(b / accScale)));
  emitIntegerProduct(node, ctx, { ...p, weights: w.values, bias }, { scale: accScale, zeroPoint: 0 });
}

/**
 * A product with integer weights: `weights` row-major [batches][inner][cols], `bias`
 * [batches][rows][cols] at the accumulator's scale (`batches` absent: one).
 */
export interface IntegerProduct extends Omit<ConstantProduct, 'weights' | 'bias'> {
  batches?: number;
  weights: readonly bigint[];
  bias: readonly bigint[] | undefined;
  /** The input's zero point where the op gives one of its own (QLinearMatMul's a_zero_point); default the tensor's. */
  inputZeroPoint?: number;
}

/** Emits the linear node of a product with integer weights, the input's zero point folded into the bias (−z·Σ_k w). */
export function emitIntegerProduct(node: GraphNode, ctx: LowerContext, p: IntegerProduct, output: Omit<TensorParams, 'shape'>): QTensor {
  const zx = BigInt(p.inputZeroPoint ?? ctx.tensor(p.input).zeroPoint);
  const batches = p.batches ?? 1;
  // Stored [batches][cols][inner] so each output's weights are contiguous.
  const weights = new Array<bigint>(batches * p.cols * p.inner);
  const columnSums = new Array<bigint>(batches * p.cols).fill(0n);
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < p.inner; k++) {
      for (let n = 0; n < p.cols; n++) {
        const q = p.weights[(b * p.inner + k) * p.cols + n]!;
        weights[(b * p.cols + n) * p.inner + k] = q;
        columnSums[b * p.cols + n] = columnSums[b * p.cols + n]! + q;
      }
    }
  }
  const bias = Array.from({ length: batches * p.rows * p.cols }, (_, i) => {
    const b = Math.floor(i / (p.rows * p.cols));
    return (p.bias ? p.bias[i]! : 0n) - zx * columnSums[b * p.cols + (i % p.cols)]!;
  });
  const ir: LinearNode = {
    kind: 'linear',
    node: node.name,
    op: node.opType,
    input: p.input,
    output: p.output,
    rows: p.rows,
    inner: p.inner,
    cols: p.cols,
    ...(batches > 1 ? { batches } : {}),
    inputTransposed: p.inputTransposed,
    weights,
    bias,
  };
  return ctx.emit(ir, { shape: p.outputShape, ...output });
}
