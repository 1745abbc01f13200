/**
 * Elementwise functions of an activation as tables (Sigmoid, Tanh, LeakyRelu on an activation):
 * an activation takes at most 2^bits values, so the function is rounded once per value at
 * compile time and the circuit looks the result up (the Lookup gadget: for 8 bits at most
 * 9 + 26 constraints, fewer where the function saturates or is linear). An input that is not
 * an activation (an accumulator) is first requantized to one.
 */
import type { GraphNode } from '../graph.ts';
import type { QTensor } from '../ir/types.ts';
import { sizeOf, type FloatTensor } from '../tensor.ts';
import { fixedPointMultiplier } from './requantize-lowering.ts';
import type { LowerContext, OpSpec } from './types.ts';

/** Whether x's interval lies in [qmin, qmax]: a table over it has at most 2^bits entries. */
export function isActivation(x: QTensor, ctx: LowerContext): boolean {
  return x.min >= ctx.qmin && x.max <= ctx.qmax;
}

/** A table of f from x.min over 2^n values (n ≥ 2, the Lookup gadget's least), covering x's interval. */
export interface Table {
  tableLo: bigint;
  table: bigint[];
}

export function tableOver(x: QTensor, f: (v: bigint) => bigint): Table {
  const n = Math.max(2, (x.max - x.min).toString(2).length);
  return { tableLo: x.min, table: Array.from({ length: 2 ** n }, (_, i) => f(x.min + BigInt(i))) };
}

/**
 * out = table[x − tableLo] elementwise: a lookup node, or a constant (an affine node without
 * terms, free) where the entries x's interval reaches are all equal.
 */
export function emitTable(node: GraphNode, ctx: LowerContext, input: string, t: Table, output: { scale: number; zeroPoint: number }): void {
  const x = ctx.tensor(input);
  const reached = t.table.slice(Number(x.min - t.tableLo), Number(x.max - t.tableLo) + 1);
  const base = { node: node.name, op: node.opType, output: node.outputs[0]! };
  const shape = { shape: x.shape, ...output };
  if (reached.every((v) => v === reached[0])) {
    const constant = new Array<bigint>(sizeOf(x.shape)).fill(reached[0]!);
    ctx.emit({ ...base, kind: 'affine', terms: [], constant, note: 'constant: one value on the whole input range' }, shape);
  } else {
    ctx.emit({ ...base, kind: 'lookup', input, ...t }, shape);
  }
}

/**
 * The name of an activation holding `input`: the input itself when it is one, else `input`
 * requantized (one Requantize gadget per element, into "<output>/requantized") to an activation
 * covering `range` (its calibrated range, or the part of it where the function still varies).
 */
export function asActivation(node: GraphNode, ctx: LowerContext, input: string, range: { min: number; max: number }): string {
  const x = ctx.tensor(input);
  if (isActivation(x, ctx)) return input;
  const target = ctx.activationParams(range);
  const { multiplier, shift } = fixedPointMultiplier(x.scale / target.scale, ctx.multiplierBits);
  const output = `${node.outputs[0]!}/requantized`;
  ctx.emit(
    {
      kind: 'requantize',
      node: node.name,
      op: node.opType,
      input,
      output,
      zeroIn: BigInt(x.zeroPoint),
      multiplier,
      shift,
      zeroOut: BigInt(target.zeroPoint),
      lo: ctx.qmin,
      hi: ctx.qmax,
      relu: false,
    },
    { shape: x.shape, ...target },
  );
  return output;
}

/** q = clamp(floor(y / scale + ½) + zeroPoint, qmin, qmax): a real output on its activation grid. */
export function quantizeOutput(y: number, output: { scale: number; zeroPoint: number }, ctx: Pick<LowerContext, 'qmin' | 'qmax'>): bigint {
  const q = BigInt(Math.floor(y / output.scale + 0.5) + output.zeroPoint);
  return q < ctx.qmin ? ctx.qmin : q > ctx.qmax ? ctx.qmax : q;
}

/** What makes a saturating function a table activation. */
export interface TableActivation {
  opType: string;
  f: (x: number) => number;
  /** The fixed output grid of a `bits`-bit activation. */
  output(qmin: bigint, qmax: bigint): { scale: number; zeroPoint: number };
  /** |x| from which f(x) rounds to its extreme output levels. */
  saturation(qmin: bigint, qmax: bigint): number;
}

/**
 * The op of a saturating function f without attributes (Sigmoid, Tanh): on an activation, a
 * table over its values; on an accumulator, first a requantization to an activation over the
 * calibrated range clipped to ±saturation·(1 + 4/2^bits) (beyond, f no longer changes its output;
 * the margin keeps the clipped ends above the saturation point despite the rounded zero point).
 */
export function tableActivation(spec: TableActivation): OpSpec {
  return {
    opType: spec.opType,
    inputs: [1, 1],
    attributes: {},
    inferShapes: (node, ctx) => [ctx.shape(node.inputs[0]!)],
    evaluateFloat: (_node, [x]): FloatTensor[] => [{ shape: x!.shape, data: x!.data.map(spec.f) }],
    lower(node, ctx) {
      const edge = spec.saturation(ctx.qmin, ctx.qmax) * (1 + 4 / 2 ** ctx.bits);
      const clip = (v: number): number => Math.min(edge, Math.max(-edge, v));
      const observed = ctx.observedRange(node.inputs[0]!);
      const input = asActivation(node, ctx, node.inputs[0]!, { min: clip(observed.min), max: clip(observed.max) });
      const x = ctx.tensor(input);
      const output = spec.output(ctx.qmin, ctx.qmax);
      const table = tableOver(x, (v) => quantizeOutput(spec.f(x.scale * Number(v - BigInt(x.zeroPoint))), output, ctx));
      emitTable(node, ctx, input, table, output);
    },
  };
}
