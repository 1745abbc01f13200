/** The R1CS twin of range.circom's InRange (circuits/system/): the same signals, constraints and hints. */
import type { InRangeParams } from '../gadgets.ts';
import { combine, constant, signalLc, type CircuitBuilder, type Component } from '../system/builder.ts';

/** InRange(bits, lo) in `comp` on the integer `x`; returns its input signal (the caller wires it). */
export function inRangeTwin(b: CircuitBuilder, comp: Component, p: InRangeParams, x: bigint): number {
  const input = b.signal(comp, 'input', 'in', x);
  const shifted = combine([signalLc(input), 1n], [constant(p.lo), -1n]);
  const bits = b.declare(comp, 'intermediate', 'b', [p.bits === 1 ? 0 : p.bits]);
  if (p.bits === 1) b.constrain(shifted, combine([shifted, 1n], [constant(1n), -1n]), new Map());
  else b.linear(combine([b.bits(bits, x - p.lo), 1n], [shifted, -1n]));
  return input;
}
