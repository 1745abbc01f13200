/**
 * The ArgMax gadget (argmax.circom): parameters, the BigInt reference that computes exactly what the circuit
 * computes (and throws where the circuit has no witness), the bit widths it needs, the exact
 * constraint count under circom --O1 (pinned by test/gadgets), the Circom instantiation, and
 * the R1CS twin for the fast path: the template's signals in the same order, its constraints
 * and hints, built into a CircuitBuilder. The algebra is in the template's header comment.
 */
import { bitLength } from '../../core/field.ts';
import { CircuitBuilder, combine, constant, signalLc, type Component, type Lc } from '../constraints/builder.ts';
import { GadgetParamsError, GadgetRangeError, MAX_DECOMPOSITION_BITS } from './common.ts';

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

// ------------------------------------------------------------------ R1CS twin

/**
 * ArgMax(n, B) in `comp` on the integers `values`; returns its input signals (the caller wires
 * them) and its outputs index and max.
 */
export function argmaxTwin(b: CircuitBuilder, comp: Component, p: ArgMaxParams, values: readonly bigint[]): { inputs: number[]; index: number; max: number } {
  const { n, B } = p;
  const { index: best, max: maxValue } = argmaxRef(values, p);
  const inputs = b.signals(comp, 'input', 'in', [n], (k) => values[k]!);
  const [index, max] = [b.signal(comp, 'output', 'index', BigInt(best)), b.signal(comp, 'output', 'max', maxValue)];
  const m = n >= 2 ? n - 2 : 0;
  const hot = b.declare(comp, 'intermediate', 'hot', [m]);
  const picked = b.declare(comp, 'intermediate', 'picked', [m]);
  const d = b.declare(comp, 'intermediate', 'd', [n >= 2 ? n : 0, B + 1]);
  const one = constant(1n);
  const x = (i: number) => signalLc(inputs[i]!);
  if (n === 1) {
    b.assign(index, constant(0n));
    b.assign(max, x(0));
    return { inputs, index, max };
  }
  const sel: Lc[] = new Array(n);
  const tail: Lc = new Map();
  const rest: Lc = new Map();
  for (let i = 2; i < n; i++) {
    b.set(hot[i - 2]!, best === i ? 1n : 0n);
    b.boolean(hot[i - 2]!);
    sel[i] = signalLc(hot[i - 2]!);
    tail.set(hot[i - 2]!, BigInt(i));
    rest.set(hot[i - 2]!, 1n);
  }
  sel[1] = combine([signalLc(index), 1n], [tail, -1n]);
  b.constrain(sel[1], combine([sel[1], 1n], [one, -1n]), new Map());
  sel[0] = combine([one, 1n], [sel[1], -1n], [rest, -1n]);
  if (n >= 3) b.constrain(sel[0], combine([sel[0], 1n], [one, -1n]), new Map());

  const gain: Lc = new Map();
  for (let i = 2; i < n; i++) {
    const diff = combine([x(i), 1n], [x(0), -1n]);
    b.set(picked[i - 2]!, best === i ? values[i]! - values[0]! : 0n);
    b.constrain(signalLc(hot[i - 2]!), diff, signalLc(picked[i - 2]!));
    gain.set(picked[i - 2]!, 1n);
  }
  b.constrain(sel[1], combine([x(1), 1n], [x(0), -1n]), combine([signalLc(max), 1n], [x(0), -1n], [gain, -1n]));

  let before: Lc = one;
  for (let i = 0; i < n; i++) {
    before = combine([before, 1n], [sel[i]!, -1n]);
    const beforeValue = i < best ? 1n : 0n;
    const gap = combine([signalLc(max), 1n], [x(i), -1n], [before, -1n]);
    const sum = b.bits(d.slice(i * (B + 1), (i + 1) * (B + 1)), maxValue - values[i]! - beforeValue);
    b.linear(combine([sum, 1n], [gap, -1n]));
  }
  return { inputs, index, max };
}
