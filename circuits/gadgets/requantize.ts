/**
 * The Requantize and RequantizeRelu gadgets (requantize.circom): parameters, the BigInt reference that computes exactly what the circuit
 * computes (and throws where the circuit has no witness), the bit widths it needs, the exact
 * constraint count under circom --O1 (pinned by test/gadgets), the Circom instantiation, and
 * the R1CS twin for the fast path: the template's signals in the same order, its constraints
 * and hints, built into a CircuitBuilder. The algebra is in the template's header comment.
 */
import { bitLength } from '../../core/field.ts';
import { CircuitBuilder, addTo, combine, constant, inverse, signalLc, type Component, type Lc } from '../constraints/builder.ts';
import { floorDiv, GadgetParamsError, GadgetRangeError, lowestZeroBit, MAX_DECOMPOSITION_BITS } from './common.ts';

/**
 * Parameters of `Requantize(M, s, zOut, lo, hi, B, even)`:
 * out = clamp(round(acc·M / 2^s) + zOut, lo, hi), rounding halves up (even = 0, the
 * compiler's own requantization) or to even (even = 1, ONNX QuantizeLinear and the
 * QLinear ops).
 */
export interface RequantizeParams {
  /** Fixed-point multiplier, ≥ 1. */
  M: bigint;
  /** Right shift, ≥ 0 (s = 0: no rounding). */
  s: number;
  /** Output zero point. */
  zOut: bigint;
  lo: bigint;
  hi: bigint;
  /** Window bits, ≥ 1: −2^B ≤ t − lo < 2^B for every reachable accumulator (see requantizeBoundBits). */
  B: number;
  /** Round ties to even instead of up (absent: up). */
  even?: boolean;
}

/** Requantize parameters before B is chosen. */
export type RequantizeShape = Omit<RequantizeParams, 'B'>;

/**
 * The unclamped requantized value t = round(acc·M / 2^s) + zOut, halves up (or to even).
 * @example requantizeUnclamped(-3n, { M: 1n, s: 1, zOut: 0n }) // -1n (-1.5 rounds half up)
 * @example requantizeUnclamped(5n, { M: 1n, s: 1, zOut: 0n, even: true }) // 2n (2.5 rounds to even)
 */
export function requantizeUnclamped(acc: bigint, p: Pick<RequantizeParams, 'M' | 's' | 'zOut' | 'even'>): bigint {
  const scaled = acc * p.M;
  if (p.s === 0) return scaled + p.zOut;
  const unit = 1n << BigInt(p.s);
  const half = 1n << BigInt(p.s - 1);
  const up = floorDiv(scaled + half, unit);
  const tie = scaled - (up * unit - half) === 0n;
  return (p.even && tie && (up & 1n) === 1n ? up - 1n : up) + p.zOut;
}

/**
 * Whether some accumulator in [accMin, accMax] puts acc·M/2^s exactly halfway between two
 * integers: only then do half-up and half-to-even differ (with M = M'·2^t, M' odd, a tie is
 * an odd multiple of 2^(s−t−1)). Lets the compiler use the cheaper half-up gadget for
 * round-to-even semantics wherever no tie is reachable.
 * @example requantizeTiePossible(-100n, 100n, { M: 3n, s: 9 }) // false (ties are odd multiples of 256)
 */
export function requantizeTiePossible(accMin: bigint, accMax: bigint, p: Pick<RequantizeParams, 'M' | 's'>): boolean {
  let m = p.M;
  let s = p.s;
  while (s > 0 && (m & 1n) === 0n) {
    m >>= 1n;
    s--;
  }
  if (s === 0) return false;
  const step = 1n << BigInt(s - 1);
  // The smallest odd multiple of step that is ≥ accMin.
  let k = floorDiv(accMin + step - 1n, step);
  if ((k & 1n) === 0n) k++;
  return k * step <= accMax;
}

/**
 * What the Requantize circuit outputs for accumulator `acc`; throws GadgetRangeError where the
 * circuit has no witness (t − lo outside [−2^B, 2^B)).
 * @example requantizeRef(1000n, { M: 3n, s: 4, zOut: -3n, lo: -5n, hi: 100n, B: 9 }) // 100n (clamped from 185)
 */
export function requantizeRef(acc: bigint, p: RequantizeParams): bigint {
  checkRequantize(p);
  const t = requantizeUnclamped(acc, p);
  const window = 1n << BigInt(p.B);
  if (t - p.lo < -window || t - p.lo >= window) {
    throw new GadgetRangeError(`accumulator ${acc} is outside Requantize's ${p.B}-bit window`, {
      context: [requantizeComponent(p), `t - lo = ${t - p.lo}, allowed [${-window}, ${window - 1n}]`],
      hint: 'compute B with requantizeBoundBits from the accumulator interval',
    });
  }
  return t < p.lo ? p.lo : t > p.hi ? p.hi : t;
}

/**
 * The smallest valid B for accumulators in [accMin, accMax]: −2^B ≤ t − lo < 2^B at both ends
 * (t is monotone in acc) and B ≥ max(k, 1), k the bits of hi − lo.
 * @example requantizeBoundBits(-2000n, 2000n, { M: 3n, s: 4, zOut: -3n, lo: -5n, hi: 100n }) // 9
 */
export function requantizeBoundBits(accMin: bigint, accMax: bigint, p: RequantizeShape): number {
  if (accMin > accMax) {
    throw new GadgetParamsError(`empty accumulator interval [${accMin}, ${accMax}]`);
  }
  checkRequantize({ ...p, B: minWindowBits(p) });
  const below = p.lo - requantizeUnclamped(accMin, p); // need below <= 2^B
  const above = requantizeUnclamped(accMax, p) - p.lo; // need above < 2^B
  let B = minWindowBits(p);
  while ((1n << BigInt(B)) < below || (1n << BigInt(B)) <= above) B++;
  checkRequantize({ ...p, B });
  return B;
}

/**
 * Exact constraint count of Requantize under circom --O1 (the formula in requantize.circom's header):
 * s + B + 1 bits, 1 linear sum, the comparator, the in-range flag (0, 1 or 2) and 1 for out.
 * @example requantizeCost({ M: 3n, s: 4, zOut: -3n, lo: -5n, hi: 100n, B: 9 }) // 14 + 1 + 5 + 2 + 1 = 23
 */
export function requantizeCost(p: RequantizeParams): number {
  checkRequantize(p);
  const D = p.hi - p.lo;
  const k = bitLength(D);
  const full = D + 1n === 1n << BigInt(k);
  const bits = p.s + p.B + 1;
  const compare = full ? 0 : k - 1 - lowestZeroBit(D);
  const terms = 1 + (p.B - k) + (full ? 0 : 1);
  const inRange = terms === 1 ? 0 : terms === 2 ? 1 : 2;
  return bits + 1 + compare + inRange + 1 + halfEvenCost(p);
}

/** The tie-to-even logic's constraints (requantize.circom): a0, [r' < half − 1 + a0] and the (linear) parity check. */
function halfEvenCost(p: Pick<RequantizeParams, 's' | 'even'>): number {
  if (!p.even || p.s === 0) return 0;
  return p.s === 1 ? 4 : 7;
}

/**
 * The Circom instantiation.
 * @example requantizeComponent({ M: 123n, s: 20, zOut: -128n, lo: -128n, hi: 127n, B: 14 }) // 'Requantize(123, 20, -128, -128, 127, 14, 0)'
 */
export function requantizeComponent(p: RequantizeParams): string {
  return `Requantize(${p.M}, ${p.s}, ${p.zOut}, ${p.lo}, ${p.hi}, ${p.B}, ${p.even ? 1 : 0})`;
}

/** The least B Requantize accepts: the bits of hi − lo, at least 1 (B = 0 would make out a constant). */
function minWindowBits(p: Pick<RequantizeParams, 'lo' | 'hi'>): number {
  return Math.max(1, bitLength(p.hi - p.lo));
}

export function checkRequantize(p: RequantizeParams): void {
  const problems: string[] = [];
  if (p.M < 1n) problems.push(`M = ${p.M} must be >= 1`);
  if (!Number.isInteger(p.s) || p.s < 0) problems.push(`s = ${p.s} must be an integer >= 0`);
  if (p.lo > p.hi) problems.push(`lo = ${p.lo} must be <= hi = ${p.hi}`);
  else if (!Number.isInteger(p.B) || p.B < minWindowBits(p)) {
    problems.push(`B = ${p.B} must be an integer >= ${minWindowBits(p)}, the bits of hi - lo (at least 1)`);
  }
  if (p.even && p.s > 0 && (1n << BigInt(p.B)) - p.lo + p.zOut < 0n) {
    problems.push(`ties to even need 2^B - lo + zOut = ${(1n << BigInt(p.B)) - p.lo + p.zOut} >= 0`);
  }
  if (p.s + p.B + 1 > MAX_DECOMPOSITION_BITS) {
    problems.push(`s + B + 1 = ${p.s + p.B + 1} must be <= ${MAX_DECOMPOSITION_BITS}`);
  }
  if (problems.length > 0) {
    throw new GadgetParamsError(`invalid Requantize parameters: ${problems.join('; ')}`, {
      context: [requantizeComponent(p)],
    });
  }
}
/** Parameters of `RequantizeRelu(M, s, zOut, qmin, qmax, B)`: Requantize clamped to [max(zOut, qmin), qmax]. */
export interface RequantizeReluParams {
  M: bigint;
  s: number;
  zOut: bigint;
  qmin: bigint;
  qmax: bigint;
  /** Requantize's B for lo = max(zOut, qmin). */
  B: number;
}

/**
 * The Requantize that RequantizeRelu instantiates.
 * @example reluAsRequantize({ M: 5n, s: 3, zOut: -20n, qmin: -128n, qmax: 127n, B: 9 }).lo // -20n
 */
export function reluAsRequantize(p: RequantizeReluParams): RequantizeParams {
  return { M: p.M, s: p.s, zOut: p.zOut, lo: p.zOut > p.qmin ? p.zOut : p.qmin, hi: p.qmax, B: p.B };
}

/**
 * What the RequantizeRelu circuit outputs.
 * @example requantizeReluRef(-100n, { M: 5n, s: 3, zOut: -20n, qmin: -128n, qmax: 127n, B: 9 }) // -20n
 */
export function requantizeReluRef(acc: bigint, p: RequantizeReluParams): bigint {
  return requantizeRef(acc, reluAsRequantize(p));
}

/**
 * The smallest valid B for RequantizeRelu with accumulators in [accMin, accMax].
 * @example requantizeReluBoundBits(-500n, 500n, { M: 5n, s: 3, zOut: -20n, qmin: -128n, qmax: 127n }) // 9
 */
export function requantizeReluBoundBits(accMin: bigint, accMax: bigint, p: Omit<RequantizeReluParams, 'B'>): number {
  const { M, s, zOut, lo, hi } = reluAsRequantize({ ...p, B: 0 });
  return requantizeBoundBits(accMin, accMax, { M, s, zOut, lo, hi });
}

/**
 * Exact constraint count of RequantizeRelu: that of its Requantize (its own in/out equalities are removed by --O1).
 * @example requantizeReluCost({ M: 5n, s: 3, zOut: -20n, qmin: -128n, qmax: 127n, B: 9 }) // 13 + 1 + 5 + 2 + 1 = 22
 */
export function requantizeReluCost(p: RequantizeReluParams): number {
  return requantizeCost(reluAsRequantize(p));
}

/**
 * The Circom instantiation.
 * @example requantizeReluComponent({ M: 5n, s: 3, zOut: -20n, qmin: -128n, qmax: 127n, B: 9 }) // 'RequantizeRelu(5, 3, -20, -128, 127, 9)'
 */
export function requantizeReluComponent(p: RequantizeReluParams): string {
  checkRequantize(reluAsRequantize(p));
  return `RequantizeRelu(${p.M}, ${p.s}, ${p.zOut}, ${p.qmin}, ${p.qmax}, ${p.B})`;
}

// ------------------------------------------------------------------ R1CS twin

const bit = (x: bigint, i: number): bigint => (x >> BigInt(i)) & 1n;
const pow2 = (i: number): bigint => 1n << BigInt(i);

/**
 * Requantize(M, s, zOut, lo, hi, B, even) in `comp`, whose input `in` carries the integer
 * accumulator `acc`: declares in and out and returns them (the caller wires `in`).
 */
export function requantizeTwin(b: CircuitBuilder, comp: Component, p: RequantizeParams, acc: bigint): { input: number; output: number } {
  const input = b.signal(comp, 'input', 'in', acc);
  const output = b.declare(comp, 'output', 'out')[0]!;
  const inLc = signalLc(input);
  const { M, s, zOut, lo, hi, B } = p;
  const D = hi - lo;
  const k = bitLength(D);
  const n = s + B + 1;
  const half = s > 0 ? pow2(s - 1) : 0n;
  const K = pow2(B) - lo + zOut;
  const tie = p.even === true && s > 0;

  const a0 = b.declare(comp, 'intermediate', 'a0', [tie ? 1 : 0]);
  let adjust: Lc = constant(0n);
  let a0Value = 0n;
  if (tie) {
    a0Value = bit(acc * M, s); // parity of floor(acc·M / 2^s) (>> floors)
    b.set(a0[0]!, a0Value);
    b.boolean(a0[0]!);
    adjust = combine([signalLc(a0[0]!), 1n], [constant(1n), -1n]);
  }
  const offset = combine([constant(half + K * pow2(s)), 1n], [adjust, 1n]);
  const V = acc * M + half + (tie ? a0Value - 1n : 0n) + K * pow2(s);

  const bits = b.declare(comp, 'intermediate', 'bits', [n]);
  const sum = b.bits(bits, V);
  b.linear(combine([sum, 1n], [inLc, -M], [offset, -1n]));

  const withLow = tie && s >= 2 ? 1 : 0;
  const lowInv = b.declare(comp, 'intermediate', 'lowInv', [withLow]);
  const lowFull = b.declare(comp, 'intermediate', 'lowFull', [withLow]);
  const notFull = b.declare(comp, 'intermediate', 'notFull', [withLow]);
  const c = b.declare(comp, 'intermediate', 'c', [tie ? 1 : 0]);
  const pc = b.declare(comp, 'intermediate', 'pc', [tie ? 1 : 0]);
  const one = constant(1n);
  if (tie) {
    const top = signalLc(bits[s - 1]!);
    const notTop = combine([one, 1n], [top, -1n]);
    if (s === 1) {
      b.set(c[0]!, (1n - bit(V, s - 1)) * a0Value);
      b.constrain(notTop, signalLc(a0[0]!), signalLc(c[0]!));
    } else {
      const gap = combine([constant(pow2(s - 1) - 1n), 1n]);
      for (let i = 0; i < s - 1; i++) addBit(gap, bits[i]!, -pow2(i));
      const gapValue = b.evaluate(gap);
      b.set(lowInv[0]!, inverse(gapValue));
      b.set(lowFull[0]!, gapValue === 0n ? 1n : 0n);
      b.constrain(gap, signalLc(lowInv[0]!), combine([one, 1n], [signalLc(lowFull[0]!), -1n]));
      b.constrain(gap, signalLc(lowFull[0]!), constant(0n));
      b.set(notFull[0]!, (1n - a0Value) * b.values[lowFull[0]!]!);
      b.constrain(combine([one, 1n], [signalLc(a0[0]!), -1n]), signalLc(lowFull[0]!), signalLc(notFull[0]!));
      b.set(c[0]!, (1n - bit(V, s - 1)) * (1n - b.values[notFull[0]!]!));
      b.constrain(notTop, combine([one, 1n], [signalLc(notFull[0]!), -1n]), signalLc(c[0]!));
    }
    const parity = (K & 1n) === 1n ? combine([one, 1n], [signalLc(bits[s]!), -1n]) : signalLc(bits[s]!);
    b.set(pc[0]!, b.evaluate(parity) * b.values[c[0]!]!);
    b.constrain(parity, signalLc(c[0]!), signalLc(pc[0]!));
    b.linear(combine([signalLc(a0[0]!), 1n], [parity, -1n], [signalLc(c[0]!), -1n], [signalLc(pc[0]!), 2n]));
  }

  const bTop = signalLc(bits[n - 1]!);
  const u: Lc = new Map();
  for (let i = 0; i < B; i++) u.set(bits[s + i]!, pow2(i));

  const full = D + 1n === pow2(k);
  const z = full ? 0 : lowestZeroBit(D);
  const cmp = b.declare(comp, 'intermediate', 'cmp', [full ? 0 : k - 1 - z]);
  // Values tracked as integers alongside the combinations (evaluating them is the slow way).
  const gt: Lc = new Map();
  let gtValue = 0n;
  if (!full) {
    let eq: Lc = signalLc(bits[s + k - 1]!);
    let eqValue = bit(V, s + k - 1);
    for (let j = k - 2; j >= z; j--) {
      const id = cmp[k - 2 - j]!;
      const cmpValue = eqValue * bit(V, s + j);
      b.set(id, cmpValue);
      b.constrain(eq, signalLc(bits[s + j]!), signalLc(id));
      if (bit(D, j) === 1n) [eq, eqValue] = [signalLc(id), cmpValue];
      else {
        addBit(gt, id, 1n);
        gtValue += cmpValue;
        [eq, eqValue] = [combine([eq, 1n], [signalLc(id), -1n]), eqValue - cmpValue];
      }
    }
  }

  const terms = 1 + (B - k) + (full ? 0 : 1);
  const others = combine([gt, 1n]);
  let othersValue = gtValue;
  for (let i = k; i < B; i++) {
    addBit(others, bits[s + i]!, 1n);
    othersValue += bit(V, s + i);
  }
  const e = combine([one, 1n], [bTop, -1n], [others, 1n]);
  const inRange = b.declare(comp, 'intermediate', 'inRange')[0]!;
  const inv = b.declare(comp, 'intermediate', 'inv', [terms >= 3 ? 1 : 0]);
  const bTopValue = bit(V, n - 1);
  const eValue = 1n - bTopValue + othersValue;
  const inRangeValue = eValue === 0n ? 1n : 0n;
  b.set(inRange, inRangeValue);
  if (terms === 1) b.assign(inRange, bTop);
  else if (terms === 2) b.constrain(bTop, others, combine([bTop, 1n], [signalLc(inRange), -1n]));
  else {
    b.set(inv[0]!, inverse(eValue));
    b.constrain(e, signalLc(inv[0]!), combine([one, 1n], [signalLc(inRange), -1n]));
    b.constrain(e, signalLc(inRange), constant(0n));
  }

  const uValue = (V >> BigInt(s)) & (pow2(B) - 1n);
  b.set(output, inRangeValue * uValue + (bTopValue - inRangeValue) * D + lo);
  b.constrain(signalLc(inRange), u, combine([signalLc(output), 1n], [bTop, -D], [signalLc(inRange), D], [one, -lo]));
  return { input, output };
}

/** x += k · signal id, in place. */
function addBit(x: Lc, id: number, k: bigint): void {
  addTo(x, signalLc(id), k);
}

/** RequantizeRelu(M, s, zOut, qmin, qmax, B): a Requantize `rq` inside, wired by two equalities. */
export function requantizeReluTwin(b: CircuitBuilder, comp: Component, p: RequantizeReluParams, acc: bigint): { input: number; output: number } {
  const input = b.signal(comp, 'input', 'in', acc);
  const output = b.declare(comp, 'output', 'out')[0]!;
  const rq = requantizeTwin(b, b.component(comp, 'rq'), reluAsRequantize(p), acc);
  b.assign(rq.input, signalLc(input));
  b.copy(output, rq.output);
  return { input, output };
}
