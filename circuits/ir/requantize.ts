/**
 * The requantize IR node, on the Requantize / RequantizeRelu gadgets: the
 * gadget's accumulator is (in − zeroIn), a linear expression, so the zero point costs nothing.
 */
import {
  requantizeBoundBits,
  requantizeComponent,
  requantizeCost,
  requantizeRef,
  requantizeReluComponent,
  requantizeTiePossible,
  type RequantizeParams,
} from '../gadgets.ts';
import { sizeOf } from '../tensor.ts';
import { emitPerElement } from './per-element.ts';
import type { QTensor, RequantizeNode } from './types.ts';

/** The gadget parameters for this node given its input's interval (B is derived, never stored). */
export function requantizeParams(node: RequantizeNode, input: QTensor): RequantizeParams {
  // Half up and to even agree wherever no tie is reachable: the cheaper gadget then.
  const even = node.even === true && requantizeTiePossible(input.min - node.zeroIn, input.max - node.zeroIn, { M: node.multiplier, s: node.shift });
  const shape = { M: node.multiplier, s: node.shift, zOut: node.zeroOut, lo: node.lo, hi: node.hi, ...(even ? { even } : {}) };
  return { ...shape, B: requantizeBoundBits(input.min - node.zeroIn, input.max - node.zeroIn, shape) };
}

export function requantizeInterval(node: RequantizeNode, input: QTensor): { min: bigint; max: bigint } {
  const p = requantizeParams(node, input);
  return { min: requantizeRef(input.min - node.zeroIn, p), max: requantizeRef(input.max - node.zeroIn, p) };
}

export function evaluateRequantize(node: RequantizeNode, x: readonly bigint[], input: QTensor): bigint[] {
  const p = requantizeParams(node, input);
  return x.map((v) => requantizeRef(v - node.zeroIn, p));
}

export function requantizeNodeCost(node: RequantizeNode, input: QTensor): number {
  return sizeOf(input.shape) * requantizeCost(requantizeParams(node, input));
}

/** Circom: one gadget per element; the output is a var array aliasing the gadgets' outputs. */
export function emitRequantize(node: RequantizeNode, input: QTensor, inputName: string, outputName: string): string[] {
  const p = requantizeParams(node, input);
  const n = sizeOf(input.shape);
  const component =
    node.relu && !p.even
      ? // The node's lo is already max(zOut, qmin), and RequantizeRelu clamps at max(zOut, lo) = lo.
        requantizeReluComponent({ M: p.M, s: p.s, zOut: p.zOut, qmin: p.lo, qmax: p.hi, B: p.B })
      : requantizeComponent(p);
  return emitPerElement(component, n, inputName, outputName, node.zeroIn);
}
