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
export const TEMPLATE_FILES = ['requantize.circom', 'range.circom', 'argmax.circom'] as const;

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
 * Parameters of `Requantize(M, s, zOut, lo, hi, B)`:
 * out = clamp(floor((acc·M + 2^(s−1)) / 2^s) + zOut, lo, hi).
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
}

/** Requantize parameters before B is chosen. */
export type RequantizeShape = Omit<RequantizeParams, 'B'>;

/**
 * The unclamped requantized value t = floor((acc·M + 2^(s−1)) / 2^s) + zOut (round half up).
 * @example requantizeUnclamped(-3n, { M: 1n, s: 1, zOut: 0n }) // -1n (-1.5 rounds half up)
 */
export function requantizeUnclamped(acc: bigint, p: Pick<RequantizeParams, 'M' | 's' | 'zOut'>): bigint {
  const scaled = acc * p.M;
  if (p.s === 0) return scaled + p.zOut;
  return floorDiv(scaled + (1n << BigInt(p.s - 1)), 1n << BigInt(p.s)) + p.zOut;
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
  return bits + 1 + compare + inRange + 1;
}

/**
 * The Circom instantiation.
 * @example requantizeComponent({ M: 123n, s: 20, zOut: -128n, lo: -128n, hi: 127n, B: 14 }) // 'Requantize(123, 20, -128, -128, 127, 14)'
 */
export function requantizeComponent(p: RequantizeParams): string {
  return `Requantize(${p.M}, ${p.s}, ${p.zOut}, ${p.lo}, ${p.hi}, ${p.B})`;
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
function bitLength(x: bigint): number {
  return x <= 0n ? 0 : x.toString(2).length;
}

/** Position of the lowest 0 bit of x ≥ 0. */
function lowestZeroBit(x: bigint): number {
  let j = 0;
  while ((x >> BigInt(j)) & 1n) j++;
  return j;
}

/** floor(a / b) for b > 0 (BigInt division truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b > a ? q - 1n : q;
}
