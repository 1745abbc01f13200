/**
 * Shared by the elementwise linear ops (Add, Sub, Mul, Div, BatchNormalization): numpy
 * broadcasting and the lowering of out = Σ_t factor_t · in_t + constant, which never costs
 * a constraint.
 *
 * - Scalar factors → one affine node. When every |factor_t| · s_t is the same (Add and Sub
 *   at equal scales, Mul or Div by one scalar) that is the output scale and the integer
 *   coefficients are ±1: exact. Otherwise the scale is the finest |factor_t| · s_t divided
 *   by 2^multiplierBits and coefficient t is round(factor_t · s_t / scale) ≥ 2^multiplierBits,
 *   within 2^−(multiplierBits+1) of its real value relatively.
 * - One input, factor 1, nothing added → a view under the new scale.
 * - Per-element factors (Mul/Div by a tensor, BatchNormalization) → a conv node with
 *   group = channels and a 1×1 kernel (a per-channel multiply-add). Weights are
 *   round(f / unit) with unit = max(min |f|, 2^−multiplierBits · max |f|) / 2^multiplierBits,
 *   so every factor of at least 2^−multiplierBits of the largest is within 2^−(multiplierBits+1)
 *   of its value relatively, and the rest within 2^−(2·multiplierBits+1) of the largest.
 * An added constant is rounded to the output's grid (half an output LSB).
 */
import { ShapeError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import type { AffineTerm, ConvNode } from '../ir/types.ts';
import { broadcastBinary, broadcastIndex, broadcastShapes, sizeOf, type FloatTensor } from '../tensor.ts';
import { commonScale } from './rescale.ts';
import type { LowerContext, OpSpec } from './types.ts';

export function broadcastOutputShape(node: GraphNode, a: readonly number[], b: readonly number[]): number[] {
  const shape = broadcastShapes(a, b);
  if (!shape) throw new ShapeError(`${node.opType} inputs of shapes [${a}] and [${b}] do not broadcast`, { context: [describeNode(node)] });
  return shape;
}

/** The float semantics of a broadcasting binary op. */
export function binaryFloat(node: GraphNode, a: FloatTensor, b: FloatTensor, f: (x: number, y: number) => number): FloatTensor {
  broadcastOutputShape(node, a.shape, b.shape);
  return broadcastBinary(a, b, f)!;
}

/** A computed input and the real factor it enters the sum with (non-zero). */
export interface ScaledTerm {
  input: string;
  factor: number;
}

/** out = Σ_t factor_t · in_t + constant (broadcast to `shape`) as one affine node, or a view. */
export function lowerAffineSum(node: GraphNode, ctx: LowerContext, shape: number[], terms: ScaledTerm[], constant?: FloatTensor): void {
  const inputs = terms.map((t) => ctx.tensor(t.input));
  const { scale, coeffs: magnitudes } = commonScale(terms.map((t, i) => Math.abs(t.factor) * inputs[i]!.scale), ctx.multiplierBits);
  const coeffs = magnitudes.map((c, i) => (terms[i]!.factor < 0 ? -c : c));
  // One input keeps its zero point, so an activation plus a constant still has a bare signal's zero point.
  const zeroPoint = terms.length === 1 ? inputs[0]!.zeroPoint : 0;
  const offset = coeffs.reduce((acc, c, i) => acc - c * BigInt(inputs[i]!.zeroPoint), BigInt(zeroPoint));
  const size = sizeOf(shape);
  const cIndex = constant && broadcastIndex(constant.shape, shape);
  const constants = Array.from({ length: size }, (_, i) => offset + (cIndex ? BigInt(Math.round(constant!.data[cIndex[i]!]! / scale)) : 0n));
  const output = { shape, scale, zeroPoint };
  if (terms.length === 1 && coeffs[0] === 1n && sizeOf(inputs[0]!.shape) === size && constants.every((c) => c === 0n)) {
    ctx.emit({ kind: 'view', node: node.name, op: node.opType, input: terms[0]!.input, output: node.outputs[0]! }, output);
    return;
  }
  const affine: AffineTerm[] = terms.map((t, i) => ({ input: t.input, coeff: coeffs[i]!, index: broadcastIndex(inputs[i]!.shape, shape) }));
  ctx.emit({ kind: 'affine', node: node.name, op: node.opType, output: node.outputs[0]!, terms: affine, constant: constants }, output);
}

/**
 * Splits `shape` as [batch, channels, positions] so that factor and offset depend only on the
 * channel: positions the longest trailing block where they are constant, batch the longest
 * leading repetition of the channel pattern (BatchNormalization of [N, C, H, W]: N, C, H·W).
 */
function channelLayout(shape: readonly number[], factors: Float64Array, offsets: Float64Array | undefined): { batch: number; channels: number; positions: number } {
  const n = factors.length;
  const same = (i: number, j: number): boolean => factors[i] === factors[j] && (!offsets || offsets[i] === offsets[j]);
  const everyElement = (f: (i: number) => boolean): boolean => {
    for (let i = 0; i < n; i++) if (!f(i)) return false;
    return true;
  };
  let positions = 1;
  let split = shape.length;
  while (split > 0) {
    const block = positions * shape[split - 1]!;
    if (!everyElement((i) => same(i, i - (i % block)))) break;
    positions = block;
    split--;
  }
  let batch = 1;
  for (let d = 0; d < split; d++) {
    const period = n / (batch * shape[d]!);
    if (!everyElement((i) => same(i, i % period))) break;
    batch *= shape[d]!;
  }
  return { batch, channels: n / (batch * positions), positions };
}

/**
 * out[i] = factors[i] · x + offsets[i], factors and offsets given per element of `shape` (x is
 * broadcast to it): an affine node when every factor is the same non-zero value, else a
 * per-channel conv node (see the module comment for the precision).
 */
export function lowerScaleShift(node: GraphNode, ctx: LowerContext, input: string, shape: number[], factors: Float64Array, offsets?: Float64Array): void {
  const first = factors[0]!;
  if (first !== 0 && factors.every((f) => f === first)) {
    lowerAffineSum(node, ctx, shape, [{ input, factor: first }], offsets && { shape, data: offsets });
    return;
  }
  const x = ctx.tensor(input);
  const size = sizeOf(shape);
  let source = input;
  if (sizeOf(x.shape) !== size) {
    // The conv node reads its input in place: a broadcast input is first spelled out (free).
    source = `${node.outputs[0]!}/broadcast`;
    const terms: AffineTerm[] = [{ input, coeff: 1n, index: broadcastIndex(x.shape, shape) }];
    ctx.emit({ kind: 'affine', node: node.name, op: node.opType, output: source, terms, constant: new Array<bigint>(size).fill(0n) }, { shape, scale: x.scale, zeroPoint: x.zeroPoint });
  }
  let largest = 0;
  let smallest = Infinity;
  for (const f of factors) {
    const a = Math.abs(f);
    if (a > largest) largest = a;
    if (a > 0 && a < smallest) smallest = a;
  }
  const fine = 2 ** -ctx.multiplierBits;
  const unit = largest === 0 ? 1 : Math.max(smallest, largest * fine) * fine;
  const accScale = x.scale * unit;
  const { batch, channels, positions } = channelLayout(shape, factors, offsets);
  const ir: ConvNode = {
    kind: 'conv',
    node: node.name,
    op: node.opType,
    input: source,
    output: node.outputs[0]!,
    batch,
    channels,
    outChannels: channels,
    group: channels,
    windows: { positions, kernelSize: 1, inputSize: positions, index: Int32Array.from({ length: positions }, (_, p) => p) },
    weights: Array.from({ length: channels }, (_, c) => BigInt(Math.round(factors[c * positions]! / unit))),
    bias: Array.from({ length: channels }, (_, c) => (offsets ? BigInt(Math.round(offsets[c * positions]! / accScale)) : 0n)),
    zeroIn: BigInt(x.zeroPoint),
  };
  ctx.emit(ir, { shape, scale: accScale, zeroPoint: 0 });
}

/** Add (sign 1) and Sub (sign −1): in_0 + sign · in_1, an affine node either way. */
export function sumOp(opType: string, sign: 1 | -1): OpSpec {
  return {
    opType,
    inputs: [2, 2],
    attributes: {},

    inferShapes: (node, ctx) => [broadcastOutputShape(node, ctx.shape(node.inputs[0]!), ctx.shape(node.inputs[1]!))],

    evaluateFloat: (node, [a, b]) => [binaryFloat(node, a!, b!, (x, y) => x + sign * y)],

    lower(node, ctx) {
      const [a, b] = node.inputs as [string, string];
      const shape = broadcastOutputShape(node, ctx.shape(a), ctx.shape(b));
      const ca = ctx.constant(a);
      const cb = ctx.constant(b);
      if (cb) lowerAffineSum(node, ctx, shape, [{ input: a, factor: 1 }], { shape: cb.shape, data: sign === 1 ? cb.data : cb.data.map((v) => -v) });
      else if (ca) lowerAffineSum(node, ctx, shape, [{ input: b, factor: sign }], ca);
      else lowerAffineSum(node, ctx, shape, [{ input: a, factor: 1 }, { input: b, factor: sign }]);
    },
  };
}

/** computed · factor (broadcasting), factor a constant: a view, an affine node or a per-channel conv node. */
export function lowerProduct(node: GraphNode, ctx: LowerContext, computed: string, factor: FloatTensor): void {
  const shape = broadcastOutputShape(node, ctx.shape(computed), factor.shape);
  const factors = Float64Array.from(broadcastIndex(factor.shape, shape), (i) => factor.data[i]!);
  lowerScaleShift(node, ctx, computed, shape, factors);
}
