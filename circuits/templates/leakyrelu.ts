/**
 * The R1CS twin of requantize.circom's LeakyRelu (circuits/system/): the same signals,
 * subcomponent, constraints and hints. The template's comments explain the algebra.
 */
import type { LeakyReluParams } from '../gadgets.ts';
import { combine, constant, signalLc, type CircuitBuilder, type Component } from '../system/builder.ts';
import { requantizeTwin } from './requantize.ts';

/**
 * LeakyRelu(Mp, Mn, s, zOut, lo, hi, A, B) in `comp`, whose input `in` carries the integer
 * accumulator `acc`: declares in and out and returns them (the caller wires `in`).
 */
export function leakyReluTwin(b: CircuitBuilder, comp: Component, p: LeakyReluParams, acc: bigint): { input: number; output: number } {
  const input = b.signal(comp, 'input', 'in', acc);
  const output = b.declare(comp, 'output', 'out')[0]!;
  const inLc = signalLc(input);
  const window = 1n << BigInt(p.A);

  const sb = b.declare(comp, 'intermediate', 'sb', [p.A + 1]);
  b.linear(combine([b.bits(sb, acc + window), 1n], [inLc, -1n], [constant(window), -1n]));

  // The template's selector Mn + (Mp − Mn)·sb[A], on the integers (requantizeTwin needs y signed).
  const positive = ((acc + window) >> BigInt(p.A)) & 1n;
  const yValue = acc * (p.Mn + (p.Mp - p.Mn) * positive);
  const y = b.signal(comp, 'intermediate', 'y', yValue);
  b.constrain(inLc, combine([constant(p.Mn), 1n], [signalLc(sb[p.A]!), p.Mp - p.Mn]), signalLc(y));

  const rq = requantizeTwin(b, b.component(comp, 'rq'), { M: 1n, s: p.s, zOut: p.zOut, lo: p.lo, hi: p.hi, B: p.B }, yValue);
  b.assign(rq.input, signalLc(y));
  b.copy(output, rq.output);
  return { input, output };
}
