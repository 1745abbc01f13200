/**
 * The InRange gadget (range.circom): parameters, the BigInt reference that computes exactly what the circuit
 * computes (and throws where the circuit has no witness), the bit widths it needs, the exact
 * constraint count under circom --O1 (pinned by test/gadgets), the Circom instantiation, and
 * the R1CS twin for the fast path: the template's signals in the same order, its constraints
 * and hints, built into a CircuitBuilder. The algebra is in the template's header comment.
 */
import { bitLength } from '../../core/field.ts';
import { CircuitBuilder, combine, constant, signalLc, type Component } from '../constraints/builder.ts';
import { GadgetParamsError, MAX_DECOMPOSITION_BITS } from './common.ts';

/** Parameters of `InRange(bits, lo)`: accepts lo ≤ in < lo + 2^bits. */
export interface InRangeParams {
  bits: number;
  lo: bigint;
}

/**
 * The smallest InRange covering [lo, hi].
 * @example inRangeParams(-128n, 127n) // { bits: 8, lo: -128n }
 */
export function inRangeParams(lo: bigint, hi: bigint): InRangeParams {
  if (lo > hi) throw new GadgetParamsError(`empty range [${lo}, ${hi}]`);
  const p = { bits: Math.max(1, bitLength(hi - lo)), lo };
  checkInRange(p);
  return p;
}

/**
 * Whether the InRange circuit accepts `x`.
 * @example inRangeAccepts(127n, { bits: 8, lo: -128n }) // true; 128n gives false
 */
export function inRangeAccepts(x: bigint, p: InRangeParams): boolean {
  checkInRange(p);
  return x >= p.lo && x - p.lo < 1n << BigInt(p.bits);
}

/**
 * Exact constraint count of InRange under circom --O1: bits booleans + 1 linear sum, or 1 for bits = 1.
 * @example inRangeCost({ bits: 8, lo: -128n }) // 8 + 1 = 9
 */
export function inRangeCost(p: InRangeParams): number {
  checkInRange(p);
  return p.bits === 1 ? 1 : p.bits + 1;
}

/**
 * The Circom instantiation.
 * @example inRangeComponent({ bits: 8, lo: -128n }) // 'InRange(8, -128)'
 */
export function inRangeComponent(p: InRangeParams): string {
  checkInRange(p);
  return `InRange(${p.bits}, ${p.lo})`;
}

function checkInRange(p: InRangeParams): void {
  if (!Number.isInteger(p.bits) || p.bits < 1 || p.bits > MAX_DECOMPOSITION_BITS) {
    throw new GadgetParamsError(
      `invalid InRange parameters: bits = ${p.bits} must be an integer in [1, ${MAX_DECOMPOSITION_BITS}]`,
    );
  }
}

// ------------------------------------------------------------------ R1CS twin

/** InRange(bits, lo) in `comp` on the integer `x`; returns its input signal (the caller wires it). */
export function inRangeTwin(b: CircuitBuilder, comp: Component, p: InRangeParams, x: bigint): number {
  const input = b.signal(comp, 'input', 'in', x);
  const shifted = combine([signalLc(input), 1n], [constant(p.lo), -1n]);
  const bits = b.declare(comp, 'intermediate', 'b', [p.bits === 1 ? 0 : p.bits]);
  if (p.bits === 1) b.constrain(shifted, combine([shifted, 1n], [constant(1n), -1n]), new Map());
  else b.linear(combine([b.bits(bits, x - p.lo), 1n], [shifted, -1n]));
  return input;
}
