/**
 * The LeakyRelu gadget (requantize.circom): parameters, the BigInt reference that computes exactly what the circuit
 * computes (and throws where the circuit has no witness), the bit widths it needs, the exact
 * constraint count under circom --O1 (pinned by test/gadgets), the Circom instantiation, and
 * the R1CS twin for the fast path: the template's signals in the same order, its constraints
 * and hints, built into a CircuitBuilder. The algebra is in the template's header comment.
 */
import { bitLength } from '../../core/field.ts';
import { CircuitBuilder, combine, constant, signalLc, type Component } from '../constraints/builder.ts';
import { GadgetParamsError, GadgetRangeError, MAX_DECOMPOSITION_BITS } from './common.ts';
import { checkRequantize, requantizeBoundBits, requantizeCost, requantizeRef, requantizeTwin, requantizeUnclamped, type RequantizeParams } from './requantize.ts';

/**
 * Parameters of `LeakyRelu(Mp, Mn, s, zOut, lo, hi, A, B)`: y = acc·Mp for acc ≥ 0, acc·Mn for
 * acc < 0, then out = clamp(floor((y + 2^(s−1)) / 2^s) + zOut, lo, hi).
 */
export interface LeakyReluParams {
  /** Multiplier for acc ≥ 0. */
  Mp: bigint;
  /** Multiplier for acc < 0: ≠ Mp, may be 0 or negative. */
  Mn: bigint;
  s: number;
  zOut: bigint;
  lo: bigint;
  hi: bigint;
  /** Sign bits, ≥ 1: −2^A ≤ acc < 2^A for every reachable accumulator. */
  A: number;
  /** Requantize's window bits for y (see leakyReluBoundBits). */
  B: number;
}

/** LeakyRelu parameters before A and B are chosen. */
export type LeakyReluShape = Omit<LeakyReluParams, 'A' | 'B'>;

/** The Requantize that rounds and clamps y inside LeakyRelu. */
function leakyReluRequantize(p: LeakyReluShape, B: number): RequantizeParams {
  return { M: 1n, s: p.s, zOut: p.zOut, lo: p.lo, hi: p.hi, B };
}

/** y = acc·Mp for acc ≥ 0, acc·Mn for acc < 0. */
function leakyReluProduct(acc: bigint, p: Pick<LeakyReluParams, 'Mp' | 'Mn'>): bigint {
  return acc * (acc >= 0n ? p.Mp : p.Mn);
}

/**
 * The integer LeakyRelu with no window to respect: what the circuit outputs wherever it has a
 * witness, and what a table over an activation holds.
 * @example leakyReluValue(-100n, { Mp: 256n, Mn: 26n, s: 8, zOut: 0n, lo: -128n, hi: 127n }) // -10n
 */
export function leakyReluValue(acc: bigint, p: LeakyReluShape): bigint {
  const t = requantizeUnclamped(leakyReluProduct(acc, p), { M: 1n, s: p.s, zOut: p.zOut });
  return t < p.lo ? p.lo : t > p.hi ? p.hi : t;
}

/**
 * What the LeakyRelu circuit outputs; throws GadgetRangeError where it has no witness (acc
 * outside [−2^A, 2^A), or y outside Requantize's window).
 * @example leakyReluRef(-100n, { Mp: 256n, Mn: 26n, s: 8, zOut: 0n, lo: -128n, hi: 127n, A: 7, B: 8 }) // -10n
 */
export function leakyReluRef(acc: bigint, p: LeakyReluParams): bigint {
  checkLeakyRelu(p);
  const window = 1n << BigInt(p.A);
  if (acc < -window || acc >= window) {
    throw new GadgetRangeError(`accumulator ${acc} is outside LeakyRelu's ${p.A}-bit sign window`, {
      context: [leakyReluComponent(p), `allowed [${-window}, ${window - 1n}]`],
      hint: 'compute A with leakyReluBoundBits from the accumulator interval',
    });
  }
  return requantizeRef(leakyReluProduct(acc, p), leakyReluRequantize(p, p.B));
}

/**
 * The range of y over accumulators in [accMin, accMax]: y is monotone on each branch, so its
 * extremes are among the branch ends accMin, −1, 0 and accMax.
 * @example leakyReluProductRange(-100n, 50n, { Mp: 4n, Mn: 1n }) // { min: -100n, max: 200n }
 */
export function leakyReluProductRange(accMin: bigint, accMax: bigint, p: Pick<LeakyReluParams, 'Mp' | 'Mn'>): { min: bigint; max: bigint } {
  const ends = [accMin, accMax, ...[-1n, 0n].filter((a) => a >= accMin && a <= accMax)].map((a) => leakyReluProduct(a, p));
  return { min: ends.reduce((a, b) => (b < a ? b : a)), max: ends.reduce((a, b) => (b > a ? b : a)) };
}

/**
 * The smallest valid A (sign bits, ≥ 1) and B (Requantize's window for y) for accumulators in
 * [accMin, accMax].
 * @example leakyReluBoundBits(-1000n, 1000n, { Mp: 256n, Mn: 26n, s: 8, zOut: 0n, lo: -128n, hi: 127n }) // { A: 10, B: 11 }
 */
export function leakyReluBoundBits(accMin: bigint, accMax: bigint, p: LeakyReluShape): { A: number; B: number } {
  if (accMin > accMax) throw new GadgetParamsError(`empty accumulator interval [${accMin}, ${accMax}]`);
  const A = Math.max(1, bitLength(-accMin - 1n), bitLength(accMax));
  const y = leakyReluProductRange(accMin, accMax, p);
  const B = requantizeBoundBits(y.min, y.max, { M: 1n, s: p.s, zOut: p.zOut, lo: p.lo, hi: p.hi });
  checkLeakyRelu({ ...p, A, B });
  return { A, B };
}

/**
 * Exact constraint count of LeakyRelu under circom --O1: A + 1 sign bits, 1 sum, 1 for y, and
 * Requantize(1, s, zOut, lo, hi, B).
 * @example leakyReluCost({ Mp: 256n, Mn: 26n, s: 8, zOut: 0n, lo: -128n, hi: 127n, A: 10, B: 11 }) // 11 + 1 + 1 + (20 + 1 + 2 + 1) = 37
 */
export function leakyReluCost(p: LeakyReluParams): number {
  checkLeakyRelu(p);
  return p.A + 1 + 1 + 1 + requantizeCost(leakyReluRequantize(p, p.B));
}

/**
 * The Circom instantiation.
 * @example leakyReluComponent({ Mp: 256n, Mn: 26n, s: 8, zOut: 0n, lo: -128n, hi: 127n, A: 10, B: 11 }) // 'LeakyRelu(256, 26, 8, 0, -128, 127, 10, 11)'
 */
export function leakyReluComponent(p: LeakyReluParams): string {
  return `LeakyRelu(${p.Mp}, ${p.Mn}, ${p.s}, ${p.zOut}, ${p.lo}, ${p.hi}, ${p.A}, ${p.B})`;
}

function checkLeakyRelu(p: LeakyReluParams): void {
  const problems: string[] = [];
  if (p.Mp === p.Mn) problems.push(`Mp = Mn = ${p.Mp}: the branches must differ (use Requantize)`);
  if (!Number.isInteger(p.A) || p.A < 1 || p.A + 1 > MAX_DECOMPOSITION_BITS) {
    problems.push(`A = ${p.A} must be an integer in [1, ${MAX_DECOMPOSITION_BITS - 1}]`);
  }
  if (problems.length > 0) {
    throw new GadgetParamsError(`invalid LeakyRelu parameters: ${problems.join('; ')}`, { context: [leakyReluComponent(p)] });
  }
  checkRequantize(leakyReluRequantize(p, p.B));
}

// ------------------------------------------------------------------ R1CS twin

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
