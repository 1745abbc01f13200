/**
 * The leakyrelu IR node, on the LeakyRelu gadget: the gadget's accumulator is (in − zeroIn),
 * a linear expression, as for the requantize node.
 */
import { leakyReluBoundBits, leakyReluComponent, leakyReluRef, type LeakyReluParams, leakyReluTwin } from '../gadgets/leakyrelu.ts';
import { sizeOf } from '../tensor.ts';
import type { CircuitBuilder, Component, Lc } from '../constraints/builder.ts';
import { emitPerElement, lowerPerElement } from './per-element.ts';
import type { NodeBase, QTensor } from './types.ts';
import { bigintCodec, bodyOnly, gadgetKind } from './kind.ts';

/**
 * ONNX LeakyRelu on an accumulator: y = (in − zeroIn)·multiplierPos where in − zeroIn ≥ 0, else
 * (in − zeroIn)·multiplierNeg, then out = clamp(floor((y + 2^(s−1)) / 2^s) + zeroOut, lo, hi): the
 * LeakyRelu gadget (sign bits, a selected product, a Requantize).
 */
export interface LeakyReluNode extends NodeBase {
  kind: 'leakyrelu';
  input: string;
  zeroIn: bigint;
  multiplierPos: bigint;
  /** ≠ multiplierPos; 0 or negative for alpha ≤ 0. */
  multiplierNeg: bigint;
  shift: number;
  zeroOut: bigint;
  lo: bigint;
  hi: bigint;
}

/** The gadget parameters for this node given its input's interval (A and B are derived, never stored). */
export function leakyReluParams(node: LeakyReluNode, input: QTensor): LeakyReluParams {
  const shape = { Mp: node.multiplierPos, Mn: node.multiplierNeg, s: node.shift, zOut: node.zeroOut, lo: node.lo, hi: node.hi };
  return { ...shape, ...leakyReluBoundBits(input.min - node.zeroIn, input.max - node.zeroIn, shape) };
}

/** Each branch is monotone, so the output's extremes are at the branch ends. */
export function leakyReluInterval(node: LeakyReluNode, input: QTensor): { min: bigint; max: bigint } {
  const p = leakyReluParams(node, input);
  const [accMin, accMax] = [input.min - node.zeroIn, input.max - node.zeroIn];
  const outs = [accMin, accMax, ...[-1n, 0n].filter((a) => a >= accMin && a <= accMax)].map((a) => leakyReluRef(a, p));
  return { min: outs.reduce((a, b) => (b < a ? b : a)), max: outs.reduce((a, b) => (b > a ? b : a)) };
}

export function evaluateLeakyRelu(node: LeakyReluNode, x: readonly bigint[], input: QTensor): bigint[] {
  const p = leakyReluParams(node, input);
  return x.map((v) => leakyReluRef(v - node.zeroIn, p));
}

export function emitLeakyRelu(node: LeakyReluNode, input: QTensor, inputName: string, outputName: string): string[] {
  return emitPerElement(leakyReluComponent(leakyReluParams(node, input)), sizeOf(input.shape), inputName, outputName, node.zeroIn);
}

/** The fast path (circuits/lowering/): emitLeakyRelu's gadgets as R1CS twins, fed in − zeroIn; returns their outputs. */
export function lowerLeakyRelu(b: CircuitBuilder, parent: Component, node: LeakyReluNode, input: QTensor, x: readonly Lc[], values: readonly bigint[], outputName: string): Lc[] {
  const params = leakyReluParams(node, input);
  return lowerPerElement(b, x, node.zeroIn, (i) => leakyReluTwin(b, b.component(parent, `${outputName}_gadget`, [i]), params, values[i]! - node.zeroIn));
}

export const leakyrelu = gadgetKind<LeakyReluNode>({
  includes: ['requantize.circom'],
  json: { zeroIn: bigintCodec, multiplierPos: bigintCodec, multiplierNeg: bigintCodec, zeroOut: bigintCodec, lo: bigintCodec, hi: bigintCodec },
  interval: leakyReluInterval,
  evaluate: evaluateLeakyRelu,
  emit: (node, input, inputName, id) => bodyOnly(emitLeakyRelu(node, input, inputName, id)),
  lower: lowerLeakyRelu,
});
