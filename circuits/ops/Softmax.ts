/**
 * Softmax: e^(x_i − max) / Σ_j e^(x_j − max) over groups. Opset ≥ 13: along `axis` (default −1);
 * opsets 1 and 11: the input coerced to 2-D [dims before axis, dims from axis] and each row
 * normalized (default axis 1).
 *
 * The output is an activation on the fixed grid 1/(2^bits − 1), zero point qmin (probability p
 * ↔ qmin + p·(2^bits − 1)). Lowering:
 * - read only by ArgMax nodes whose groups lie inside the Softmax's (the same axis; opset < 13:
 *   an axis at or after it) and not a graph output: elided, a view of its input (argmax is
 *   invariant under softmax), so the ArgMax costs what it costs on the logits;
 * - a group of one element: probability 1, a constant;
 * - otherwise the input as an activation (requantized over its calibrated range when it is an
 *   accumulator) and one Softmax gadget per group (circuits/gadgets/activation.ts softmaxCost: for 10
 *   classes of 8 bits 55 to 68 constraints per probability): the exp of d = max − x from a table
 *   with F = bits + ⌈log2 n⌉ + 2 fractional bits, one reciprocal of the sum with G = F + 3 bits,
 *   each probability rounded from its product. The layer report says what it costs.
 * Error bound in probability (softmaxRoundingBound) on top of the input's own error ε, which
 * moves each probability by at most ε/2: half a level and 2^(F−G−1) = 1/16 level of the
 * reciprocal's rounding, over 2^bits − 1, plus (n + 1)/2^(F+1) from the rounded exps.
 */
import { ShapeError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { sizeOf } from '../tensor.ts';
import { ArgMax } from './ArgMax.ts';
import { asActivation } from './table-lowering.ts';
import { intAttr, type LowerContext, type OpSpec } from './types.ts';

/** Exp precision F for groups of n: the rounded exps move a probability by at most (n + 1)/2^(F+1) ≤ 1/2^(bits+2). */
export const softmaxExpBits = (bits: number, n: number): number => bits + Math.ceil(Math.log2(n)) + 2;
/** Reciprocal precision G − F: its rounding moves an output by at most 2^(F−G−1) = 1/16 level. */
const RECIPROCAL_EXTRA_BITS = 3;

/**
 * The largest |Softmax output − exact softmax of the quantized input|, in probability, for
 * groups of n and `bits`-bit outputs.
 * @example softmaxRoundingBound(10, 8) // (0.5 + 1/16) / 255 + 11 / 2^15 ≈ 0.00254
 */
export function softmaxRoundingBound(n: number, bits: number): number {
  const F = softmaxExpBits(bits, n);
  return (0.5 + 2 ** -(RECIPROCAL_EXTRA_BITS + 1)) / (2 ** bits - 1) + (n + 1) / 2 ** (F + 1);
}

interface Groups {
  axis: number;
  outer: number;
  n: number;
  inner: number;
}

function groups(node: GraphNode, shape: readonly number[]): Groups {
  const value = node.attributes.axis ?? (node.opset >= 13 ? -1 : 1);
  const axis = typeof value === 'number' && value < 0 ? value + shape.length : value;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new ShapeError(`attribute "axis" = ${String(value)} is out of range for an input of rank ${shape.length}`, { context: [describeNode(node)] });
  }
  const outer = sizeOf(shape.slice(0, axis));
  return node.opset >= 13 ? { axis, outer, n: shape[axis]!, inner: sizeOf(shape.slice(axis + 1)) } : { axis, outer, n: sizeOf(shape.slice(axis)), inner: 1 };
}

/** Whether only ArgMax nodes read the output, each comparing values of one Softmax group. */
function onlyArgMaxReads(node: GraphNode, ctx: LowerContext, g: Groups): boolean {
  const output = node.outputs[0]!;
  const readers = ctx.consumers(output);
  if (ctx.isGraphOutput(output) || readers.length === 0) return false;
  const rank = ctx.shape(output).length;
  return readers.every((r) => {
    if (r.opType !== 'ArgMax') return false;
    const axis = intAttr(r, ArgMax, 'axis');
    const b = axis < 0 ? axis + rank : axis;
    return node.opset >= 13 ? b === g.axis : b >= g.axis;
  });
}

export const Softmax: OpSpec = {
  opType: 'Softmax',
  inputs: [1, 1],
  attributes: { axis: undefined },

  inferShapes(node, ctx) {
    const shape = ctx.shape(node.inputs[0]!);
    groups(node, shape);
    return [shape];
  },

  evaluateFloat(node, [x]) {
    const { outer, n, inner } = groups(node, x!.shape);
    const data = new Float64Array(x!.data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (j: number): number => (o * n + j) * inner + i;
        let max = -Infinity;
        for (let j = 0; j < n; j++) max = Math.max(max, x!.data[at(j)]!);
        let sum = 0;
        for (let j = 0; j < n; j++) sum += data[at(j)] = Math.exp(x!.data[at(j)]! - max);
        for (let j = 0; j < n; j++) data[at(j)] = data[at(j)]! / sum;
      }
    }
    return [{ shape: x!.shape, data }];
  },

  lower(node, ctx) {
    const input = node.inputs[0]!;
    const output = node.outputs[0]!;
    const shape = ctx.shape(input);
    const g = groups(node, shape);
    const base = { node: node.name, op: node.opType, output };
    if (onlyArgMaxReads(node, ctx, g)) {
      const x = ctx.tensor(input);
      const note = 'Softmax elided: only ArgMax reads it, and argmax is the same on its input';
      ctx.emit({ ...base, kind: 'view', input, note }, { shape, scale: x.scale, zeroPoint: x.zeroPoint });
      return;
    }
    const grid = { shape, scale: 1 / Number(ctx.qmax - ctx.qmin), zeroPoint: Number(ctx.qmin) };
    if (g.n === 1) {
      ctx.emit({ ...base, kind: 'affine', terms: [], constant: new Array<bigint>(sizeOf(shape)).fill(ctx.qmax), note: 'groups of one: probability 1' }, grid);
      return;
    }
    const activation = asActivation(node, ctx, input, ctx.observedRange(input));
    const x = ctx.tensor(activation);
    const F = softmaxExpBits(ctx.bits, g.n);
    const nd = Math.max(1, (x.max - x.min).toString(2).length);
    const expTable = Array.from({ length: 2 ** nd }, (_, d) => BigInt(Math.round(2 ** F * Math.exp(-x.scale * d))));
    const readers = ctx.consumers(output).map((r) => r.opType);
    const why = ctx.isGraphOutput(output) ? 'a graph output' : readers.length > 0 ? `read by ${[...new Set(readers)].join(', ')}` : 'read by no node';
    ctx.emit(
      {
        ...base,
        kind: 'softmax',
        input: activation,
        outer: g.outer,
        n: g.n,
        inner: g.inner,
        expTable,
        expBits: F,
        reciprocalBits: F + RECIPROCAL_EXTRA_BITS,
        levels: ctx.qmax - ctx.qmin,
        zeroOut: ctx.qmin,
        note: `probabilities kept (${why})`,
      },
      grid,
    );
  },
};
