/**
 * The TypeScript side of the hand-written Circom gadgets in circuits/templates/.
 *
 * For each gadget: its parameters, a BigInt reference that computes exactly what
 * the circuit computes (and throws where the circuit has no witness), the bit
 * width it needs from an interval, its exact constraint count (after
 * `circom --O1`: the non-linear constraints plus the linear ones --O1 keeps,
 * pinned by test/templates) and the Circom instantiation. The algebra is in
 * each template's header comment.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZkInferError } from './errors.ts';

/** The folder holding the gadget templates: an include path for circom. */
export const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

/** The gadget template files, relative to TEMPLATES_DIR. */
export const TEMPLATE_FILES = ['requantize.circom', 'range.circom', 'argmax.circom', 'activation.circom', 'content-hash.circom'] as const;

/**
 * Include paths a circuit using the gadgets needs: TEMPLATES_DIR and the folder that
 * holds `circomlib` (the templates include "circomlib/circuits/...").
 */
export function gadgetIncludePaths(): string[] {
  const require = createRequire(import.meta.url);
  const circomlibDir = path.dirname(require.resolve('circomlib/package.json'));
  return [TEMPLATES_DIR, path.dirname(circomlibDir)];
}

/** Gadget parameters that break a template's compile-time asserts. */
export class GadgetParamsError extends ZkInferError {}

/** A value outside the bit width a gadget was instantiated for: the circuit would have no witness. */
export class GadgetRangeError extends ZkInferError {}

/** Largest bit decomposition the gadgets use: 2^252 < p, so decompositions are unique. */
export const MAX_DECOMPOSITION_BITS = 252;

// ---------------------------------------------------------------- Requantize

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

function checkRequantize(p: RequantizeParams): void {
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

// ------------------------------------------------------------ RequantizeRelu

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

// ------------------------------------------------------------------ LeakyRelu

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

// --------------------------------------------------------- TableOfBits, Lookup

/** The largest table index width the table gadgets take (2^16 entries). */
export const MAX_TABLE_BITS = 16;

/** Parameters of `TableOfBits(n, k, table)`: out = table[Σ bits[i]·2^i], the k low bits as products, a mux tree over the rest. */
export interface TableOfBitsParams {
  n: number;
  k: number;
  /** 2^n entries. */
  table: readonly bigint[];
}

/** Parameters of `Lookup(n, k, lo, table)`: out = table[in − lo] for lo ≤ in < lo + 2^n. */
export interface LookupParams extends TableOfBitsParams {
  lo: bigint;
}

/** Whether both halves of table[start, start + 2·half) have one shape (differences from their first entry). */
export function halvesAlike(table: readonly bigint[], start: number, half: number): boolean {
  for (let t = 1; t < half; t++) {
    if (table[start + half + t]! - table[start + half]! !== table[start + t]! - table[start]!) return false;
  }
  return true;
}

/** Möbius coefficients of the run table[start, start + 2^k) minus its first entry (index 0, always 0, included). */
export function mobius(table: readonly bigint[], start: number, k: number): bigint[] {
  const c = Array.from({ length: 2 ** k }, (_, j) => table[start + j]! - table[start]!);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < c.length; j++) if ((j >> i) & 1) c[j] = c[j]! - c[j - 2 ** i]!;
  }
  return c;
}

/**
 * Exact constraint count of TableOfBits under circom --O1 (activation.circom's header): the
 * low-bit products, one per needed mux node whose halves differ, and the root.
 * @example tableOfBitsCost({ n: 2, k: 0, table: [0n, 1n, 4n, 9n] }) // 0 + (halves differ: 1) = 1
 */
export function tableOfBitsCost(p: TableOfBitsParams): number {
  checkTable(p);
  const { n, k, table } = p;
  const L = n - k;
  const need = Array.from({ length: L + 1 }, () => new Array<boolean>(2 ** L).fill(false));
  need[L]![0] = true;
  let cost = 2 ** k - k - 1;
  for (let l = L; l >= 1; l--) {
    const half = 2 ** (k + l - 1);
    for (let i = 0; i < 2 ** (L - l); i++) {
      if (!need[l]![i]) continue;
      const alike = halvesAlike(table, 2 * i * half, half);
      need[l - 1]![2 * i] = true;
      if (!alike) need[l - 1]![2 * i + 1] = true;
      if (!alike) cost++;
    }
  }
  if (L >= 1 && !halvesAlike(table, 0, 2 ** (n - 1))) return cost;
  // The root is linear: table[0] + leaf 0's terms + one term per level of the left spine.
  const coefficients = mobius(table, 0, k).slice(1).filter((c) => c !== 0n);
  for (let l = 1; l <= L; l++) {
    const half = 2 ** (k + l - 1);
    if (!halvesAlike(table, 0, half)) {
      coefficients.push(1n); // the spine node's mux signal, already counted
    } else if (table[half] !== table[0]) {
      coefficients.push(table[half]! - table[0]!);
    }
  }
  const removed = coefficients.length === 0 || (coefficients.length === 1 && coefficients[0] === 1n && table[0] === 0n);
  return removed ? cost : cost + 1;
}

/**
 * What the Lookup circuit outputs; throws GadgetRangeError where it has no witness.
 * @example lookupRef(-127n, { n: 2, k: 0, lo: -128n, table: [0n, 1n, 4n, 9n] }) // 1n
 */
export function lookupRef(x: bigint, p: LookupParams): bigint {
  checkLookup(p);
  const i = x - p.lo;
  if (i < 0n || i >= BigInt(p.table.length)) {
    throw new GadgetRangeError(`value ${x} is outside Lookup's table [${p.lo}, ${p.lo + BigInt(p.table.length) - 1n}]`, {
      context: [`Lookup(${p.n}, ${p.k}, ${p.lo}, <${p.table.length} entries>)`],
    });
  }
  return p.table[Number(i)]!;
}

/**
 * Exact constraint count of Lookup under circom --O1: n booleans, 1 sum and TableOfBits.
 * @example lookupCost({ n: 2, k: 0, lo: -128n, table: [0n, 1n, 4n, 9n] }) // 2 + 1 + 1 = 4
 */
export function lookupCost(p: LookupParams): number {
  checkLookup(p);
  return p.n + 1 + tableOfBitsCost(p);
}

/**
 * The split k with the fewest constraints for a table of 2^n entries (the first on ties).
 * @example bestTableSplit([0n, 1n, 4n, 9n]) // 0
 */
export function bestTableSplit(table: readonly bigint[]): number {
  const n = Math.log2(table.length);
  let best = 0;
  let bestCost = Infinity;
  for (let k = 0; k <= n; k++) {
    const cost = tableOfBitsCost({ n, k, table });
    if (cost < bestCost) [best, bestCost] = [k, cost];
  }
  return best;
}

/**
 * Lookup parameters for `table` (2^n entries, n ≥ 2, from index lo), with the cheapest split.
 * @example lookupParams(-128n, [0n, 1n, 4n, 9n]) // { n: 2, k: 0, lo: -128n, table: [0n, 1n, 4n, 9n] }
 */
export function lookupParams(lo: bigint, table: readonly bigint[]): LookupParams {
  const p = { n: Math.log2(table.length), k: 0, lo, table };
  checkLookup(p);
  return { ...p, k: bestTableSplit(table) };
}

/**
 * The Circom instantiation; `table` is the table argument as Circom reads it (the literal by
 * default, or the call of a function that returns it).
 * @example lookupComponent({ n: 2, k: 0, lo: -128n, table: [0n, 1n, 4n, 9n] }) // 'Lookup(2, 0, -128, [0, 1, 4, 9])'
 */
export function lookupComponent(p: LookupParams, table = `[${p.table.join(', ')}]`): string {
  checkLookup(p);
  return `Lookup(${p.n}, ${p.k}, ${p.lo}, ${table})`;
}

function checkTable(p: TableOfBitsParams): void {
  const problems: string[] = [];
  if (!Number.isInteger(p.n) || p.n < 1 || p.n > MAX_TABLE_BITS) problems.push(`n = ${p.n} must be an integer in [1, ${MAX_TABLE_BITS}]`);
  else if (p.table.length !== 2 ** p.n) problems.push(`the table has ${p.table.length} entries, 2^n = ${2 ** p.n} expected`);
  if (!Number.isInteger(p.k) || p.k < 0 || p.k > p.n) problems.push(`k = ${p.k} must be an integer in [0, n]`);
  if (problems.length > 0) throw new GadgetParamsError(`invalid table parameters: ${problems.join('; ')}`);
}

function checkLookup(p: LookupParams): void {
  if (!(p.n >= 2)) throw new GadgetParamsError(`invalid Lookup parameters: n = ${p.n} must be >= 2 (pad the table)`);
  checkTable(p);
}

// -------------------------------------------------------------------- Softmax

/**
 * Parameters of `Softmax(n, nd, k, F, G, Q, zOut, table)` (nd = log2 of the table's length):
 * one group of n values, e_i = table[max − in[i]], inv = round(Q·2^G / Σ e),
 * out[i] = round(e_i·inv / 2^G) + zOut.
 */
export interface SoftmaxParams {
  n: number;
  /** TableOfBits' split for the exp table. */
  k: number;
  /** Exp precision: table[0] = 2^F, entries in [0, 2^F]. */
  F: number;
  /** Reciprocal precision, > F. */
  G: number;
  /** Output levels − 1: out − zOut ∈ [0, Q] (Q = 2^bits − 1 for probabilities on the grid 1/Q). */
  Q: bigint;
  zOut: bigint;
  /** The exp table over d = max − in[i]: 2^nd entries. */
  table: readonly bigint[];
}

/** Bit widths Softmax derives: nd (table index), R (remainder), Ib (reciprocal), qb (output). */
function softmaxWidths(p: SoftmaxParams): { nd: number; R: number; Ib: number; qb: number } {
  return {
    nd: Math.log2(p.table.length),
    R: bitLength(2n * BigInt(p.n) * (1n << BigInt(p.F)) - 1n),
    Ib: bitLength(p.Q << BigInt(p.G - p.F)),
    qb: bitLength(p.Q),
  };
}

/**
 * What the Softmax circuit outputs for one group; throws GadgetRangeError where it has no
 * witness (max − min beyond the table, or a length other than n).
 * @example softmaxRef([0n, 0n], { n: 2, k: 0, F: 2, G: 5, Q: 255n, zOut: -128n, table: [4n, 1n] }) // [0n, 0n] (127.5 rounds half up to 128)
 */
export function softmaxRef(values: readonly bigint[], p: SoftmaxParams): bigint[] {
  checkSoftmax(p);
  if (values.length !== p.n) throw new GadgetRangeError(`Softmax got ${values.length} values, the circuit has n = ${p.n}`);
  const max = values.reduce((a, b) => (b > a ? b : a));
  const e = values.map((v) => {
    const d = max - v;
    if (d >= BigInt(p.table.length)) {
      throw new GadgetRangeError(`Softmax values span ${d}, beyond its ${p.table.length}-entry exp table`, { context: [softmaxComponent(p)] });
    }
    return p.table[Number(d)]!;
  });
  const S = e.reduce((a, b) => a + b, 0n);
  const inv = (2n * p.Q * (1n << BigInt(p.G)) + S) / (2n * S);
  return e.map((ei) => ((ei * inv + (1n << BigInt(p.G - 1))) >> BigInt(p.G)) + p.zOut);
}

/**
 * Exact constraint count of one Softmax group under circom --O1 (activation.circom's header):
 * (n − 1) + n·(nd + 1 + T + G + bits(Q) + 2) + Ib + 2R + 2, T the exp table's TableOfBits cost.
 * @example softmaxCost({ n: 2, k: 0, F: 2, G: 5, Q: 255n, zOut: -128n, table: [4n, 1n] }) // 1 + 2·(1 + 1 + 1 + 5 + 8 + 2) + 11 + 2·4 + 2 = 58
 */
export function softmaxCost(p: SoftmaxParams): number {
  checkSoftmax(p);
  const { nd, R, Ib, qb } = softmaxWidths(p);
  const table = tableOfBitsCost({ n: nd, k: p.k, table: p.table });
  return p.n - 1 + p.n * (nd + 1 + table + p.G + qb + 2) + Ib + 2 * R + 2;
}

/**
 * The Circom instantiation; `table` as in lookupComponent.
 * @example softmaxComponent({ n: 2, k: 0, F: 2, G: 5, Q: 255n, zOut: -128n, table: [4n, 1n] }) // 'Softmax(2, 1, 0, 2, 5, 255, -128, [4, 1])'
 */
export function softmaxComponent(p: SoftmaxParams, table = `[${p.table.join(', ')}]`): string {
  return `Softmax(${p.n}, ${Math.log2(p.table.length)}, ${p.k}, ${p.F}, ${p.G}, ${p.Q}, ${p.zOut}, ${table})`;
}

function checkSoftmax(p: SoftmaxParams): void {
  const problems: string[] = [];
  if (!Number.isInteger(p.n) || p.n < 2) problems.push(`n = ${p.n} must be an integer >= 2`);
  const nd = Math.log2(p.table.length);
  if (!Number.isInteger(nd) || nd < 1 || nd > MAX_TABLE_BITS) problems.push(`the exp table has ${p.table.length} entries, a power of two from 2 to 2^${MAX_TABLE_BITS} expected`);
  else if (!Number.isInteger(p.k) || p.k < 0 || p.k > nd) problems.push(`k = ${p.k} must be an integer in [0, ${nd}]`);
  const one = 1n << BigInt(p.F);
  if (p.table[0] !== one) problems.push(`table[0] = ${p.table[0]} must be 2^F = ${one}`);
  if (p.table.some((e) => e < 0n || e > one)) problems.push(`exp table entries must lie in [0, 2^F]`);
  if (!Number.isInteger(p.G) || p.G <= p.F) problems.push(`G = ${p.G} must be an integer > F = ${p.F}`);
  if (p.Q < 1n) problems.push(`Q = ${p.Q} must be >= 1`);
  if (problems.length === 0) {
    const { R, qb } = softmaxWidths(p);
    if (p.G + qb > MAX_DECOMPOSITION_BITS || R > MAX_DECOMPOSITION_BITS) problems.push(`G + bits(Q) = ${p.G + qb} and R = ${R} must be <= ${MAX_DECOMPOSITION_BITS}`);
  }
  if (problems.length > 0) throw new GadgetParamsError(`invalid Softmax parameters: ${problems.join('; ')}`);
}

// -------------------------------------------------------------------- InRange

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

// ------------------------------------------------------------- PoseidonSponge

/** Words one PoseidonSponge block absorbs (circomlib's Poseidon(16): the chaining state plus 15). */
export const SPONGE_RATE = 15;
/** S-box constraints of one permutation after its first round: 7 full rounds of 17 lanes and 68 partial rounds, 3 each (x², x⁴, x⁵). */
const POSEIDON_LATER_ROUNDS = 3 * (7 * 17 + 68);

function checkSpongeWords(nWords: number): void {
  if (!Number.isInteger(nWords) || nWords < 1) throw new GadgetParamsError(`PoseidonSponge needs at least one word, got ${nWords}`);
}

/**
 * Blocks of `PoseidonSponge(nWords)`, nWords ≥ 1.
 * @example spongeBlocks(26) // 2
 */
export function spongeBlocks(nWords: number): number {
  checkSpongeWords(nWords);
  return Math.ceil(nWords / SPONGE_RATE);
}

/**
 * Exact constraint count of PoseidonSponge under --O1 (its word inputs are substituted away):
 * per block the rounds after the first, 3 per first-round lane that is not a constant (its
 * words, and the chaining value after block 0), and one linear constraint for out.
 * @example poseidonSpongeCost(26) // (561 + 3·15) + (561 + 3·12) + 1 = 1204
 */
export function poseidonSpongeCost(nWords: number): number {
  let cost = 1;
  for (let k = 0; k < spongeBlocks(nWords); k++) cost += POSEIDON_LATER_ROUNDS + 3 * ((k === 0 ? 0 : 1) + Math.min(SPONGE_RATE, nWords - SPONGE_RATE * k));
  return cost;
}

// --------------------------------------------------------------------- ArgMax

/** Parameters of `ArgMax(n, B)`: n values, each with |value| < 2^B. */
export interface ArgMaxParams {
  n: number;
  B: number;
}

/** ArgMax's outputs. */
export interface ArgMaxResult {
  /** First index of the largest value (ONNX select_last_index = 0). */
  index: number;
  max: bigint;
}

/**
 * What the ArgMax circuit outputs; with `params`, throws GadgetRangeError where the circuit has
 * no witness (a value with |v| ≥ 2^B, or a length other than n).
 * @example argmaxRef([3n, 7n, -1n, 7n]) // { index: 1, max: 7n }
 */
export function argmaxRef(values: readonly bigint[], params?: ArgMaxParams): ArgMaxResult {
  if (values.length === 0) throw new GadgetParamsError('ArgMax of no values');
  if (params) {
    checkArgMax(params);
    if (values.length !== params.n) {
      throw new GadgetRangeError(`ArgMax got ${values.length} values, the circuit has n = ${params.n}`);
    }
    const limit = 1n << BigInt(params.B);
    const bad = values.findIndex((v) => v >= limit || v <= -limit);
    if (bad >= 0) {
      throw new GadgetRangeError(`value ${values[bad]} at index ${bad} is outside ArgMax's ${params.B}-bit range`, {
        context: [argmaxComponent(params), `allowed |v| < ${limit}`],
        hint: 'compute B with argmaxBoundBits from the value interval',
      });
    }
  }
  let index = 0;
  let max = values[0]!;
  values.forEach((v, i) => {
    if (v > max) {
      index = i;
      max = v;
    }
  });
  return { index, max };
}

/**
 * The smallest B with |v| < 2^B for every v in [min, max].
 * @example argmaxBoundBits(-128n, 127n) // 8
 */
export function argmaxBoundBits(min: bigint, max: bigint): number {
  if (min > max) throw new GadgetParamsError(`empty interval [${min}, ${max}]`);
  const magnitude = max > -min ? max : -min;
  return bitLength(magnitude);
}

/**
 * Exact constraint count of ArgMax under circom --O1: n·(B + 4) − 1 for n ≥ 3, 2·B + 6 for n = 2,
 * 0 for n = 1 (its index = 0 and max = in[0] are removed; as `main`, the public index = 0 stays).
 * @example argmaxCost({ n: 10, B: 8 }) // 10·12 − 1 = 119
 */
export function argmaxCost(p: ArgMaxParams): number {
  checkArgMax(p);
  if (p.n === 1) return 0;
  return p.n === 2 ? 2 * p.B + 6 : p.n * (p.B + 4) - 1;
}

/**
 * The Circom instantiation.
 * @example argmaxComponent({ n: 10, B: 8 }) // 'ArgMax(10, 8)'
 */
export function argmaxComponent(p: ArgMaxParams): string {
  checkArgMax(p);
  return `ArgMax(${p.n}, ${p.B})`;
}

function checkArgMax(p: ArgMaxParams): void {
  const problems: string[] = [];
  if (!Number.isInteger(p.n) || p.n < 1) problems.push(`n = ${p.n} must be an integer >= 1`);
  if (!Number.isInteger(p.B) || p.B < 0 || p.B + 1 > MAX_DECOMPOSITION_BITS) {
    problems.push(`B = ${p.B} must be an integer in [0, ${MAX_DECOMPOSITION_BITS - 1}]`);
  }
  if (problems.length > 0) throw new GadgetParamsError(`invalid ArgMax parameters: ${problems.join('; ')}`);
}

// -------------------------------------------------------------------- helpers

/** Smallest k ≥ 0 with x < 2^k, for x ≥ 0. */
export function bitLength(x: bigint): number {
  return x <= 0n ? 0 : x.toString(2).length;
}

/** Position of the lowest 0 bit of x ≥ 0. */
export function lowestZeroBit(x: bigint): number {
  let j = 0;
  while ((x >> BigInt(j)) & 1n) j++;
  return j;
}

/** floor(a / b) for b > 0 (BigInt division truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b > a ? q - 1n : q;
}
