/**
 * The TableOfBits, Lookup and Softmax gadgets (activation.circom): parameters, the BigInt reference that computes exactly what the circuit
 * computes (and throws where the circuit has no witness), the bit widths it needs, the exact
 * constraint count under circom --O1 (pinned by test/gadgets), the Circom instantiation, and
 * the R1CS twin for the fast path: the template's signals in the same order, its constraints
 * and hints, built into a CircuitBuilder. The algebra is in the template's header comment.
 */
import { bitLength } from '../../core/field.ts';
import { CircuitBuilder, combine, constant, signalLc, type Component, type Lc } from '../constraints/builder.ts';
import { GadgetParamsError, GadgetRangeError, MAX_DECOMPOSITION_BITS } from './common.ts';

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

// ------------------------------------------------------------------ R1CS twin

const pow2 = (i: number): bigint => 1n << BigInt(i);

/** What TableOfBits derives from its table alone, the same for every instance. */
interface TablePlan {
  /** need[l][i]: whether node i of level l is built. */
  need: boolean[][];
  /** alike[l][i] (l ≥ 1, needed nodes): whether its halves have one shape. */
  alike: boolean[][];
  /** Möbius coefficients of each needed leaf's run minus its first entry. */
  mobius: bigint[][];
  /** Product nodes strictly between the leaves and the root. */
  nMux: number;
}

/** Plans by table and split: a lowering instantiates one table for every element. */
const plans = new WeakMap<readonly bigint[], Map<number, TablePlan>>();

function tablePlan({ n, k, table }: TableOfBitsParams): TablePlan {
  const byK = plans.get(table) ?? new Map<number, TablePlan>();
  plans.set(table, byK);
  const cached = byK.get(k);
  if (cached) return cached;
  const L = n - k;
  const leaf = 2 ** k;
  const need = Array.from({ length: L + 1 }, () => new Array<boolean>(2 ** L).fill(false));
  const alike: boolean[][] = Array.from({ length: L + 1 }, () => []);
  need[L]![0] = true;
  let nMux = 0;
  for (let l = L; l >= 1; l--) {
    const half = 2 ** (k + l - 1);
    for (let i = 0; i < 2 ** (L - l); i++) {
      if (!need[l]![i]) continue;
      alike[l]![i] = halvesAlike(table, 2 * i * half, half);
      need[l - 1]![2 * i] = true;
      if (!alike[l]![i]) need[l - 1]![2 * i + 1] = true;
      if (!alike[l]![i] && l < L) nMux++;
    }
  }
  const plan = { need, alike, mobius: need[0]!.map((needed, h) => (needed ? mobius(table, h * leaf, k) : [])), nMux };
  byK.set(k, plan);
  return plan;
}

/** `c <== x * y` for a signal c whose value the caller computed. */
function product(b: CircuitBuilder, c: number, x: Lc, y: Lc, value: bigint): void {
  b.set(c, value);
  b.constrain(x, y, signalLc(c));
}

/**
 * TableOfBits(n, k, table) in `comp`, whose inputs `bits` carry the index `x` ∈ [0, 2^n):
 * declares bits and out and returns them (the caller wires the bits).
 */
export function tableOfBitsTwin(b: CircuitBuilder, comp: Component, p: TableOfBitsParams, x: number): { inputs: number[]; output: number } {
  const { n, k, table } = p;
  const L = n - k;
  const leaf = 2 ** k;
  const { need, alike, mobius, nMux } = tablePlan(p);
  // Values as integers (evaluating the combinations is the slow way): a node covering
  // table[start, start + span) has base value table[start + x mod span] − table[start].
  const bitValue = (i: number): bigint => BigInt((x >> i) & 1);
  const baseValue = (l: number, i: number): bigint => {
    const span = 2 ** (k + l);
    return table[i * span + (x % span)]! - table[i * span]!;
  };
  const inputs = b.signals(comp, 'input', 'bits', [n], bitValue);
  const output = b.signal(comp, 'output', 'out', table[x]!);
  const bit = (i: number): Lc => signalLc(inputs[i]!);

  const prod = b.declare(comp, 'intermediate', 'prod', [leaf - k - 1]);
  const mono: Lc[] = [constant(1n)];
  let np = 0;
  for (let S = 1; S < leaf; S++) {
    const h = bitLength(BigInt(S)) - 1;
    if (S === 2 ** h) mono[S] = bit(h);
    else {
      product(b, prod[np]!, mono[S - 2 ** h]!, bit(h), (x & S) === S ? 1n : 0n);
      mono[S] = signalLc(prod[np++]!);
    }
  }
  const mux = b.declare(comp, 'intermediate', 'mux', [nMux]);

  const base: Lc[][] = Array.from({ length: L + 1 }, () => []);
  need[0]!.forEach((needed, h) => {
    if (needed) base[0]![h] = combine(...mono.slice(1).map((m, S): [Lc, bigint] => [m, mobius[h]![S + 1]!]));
  });
  let used = 0;
  for (let l = 1; l < L; l++) {
    const half = 2 ** (k + l - 1);
    for (let i = 0; i < 2 ** (L - l); i++) {
      if (!need[l]![i]) continue;
      const delta = table[(2 * i + 1) * half]! - table[2 * i * half]!;
      const left = base[l - 1]![2 * i]!;
      if (alike[l]![i]) base[l]![i] = combine([left, 1n], [bit(k + l - 1), delta]);
      else {
        const value = bitValue(k + l - 1) * (delta + baseValue(l - 1, 2 * i + 1) - baseValue(l - 1, 2 * i));
        product(b, mux[used]!, bit(k + l - 1), combine([constant(delta), 1n], [base[l - 1]![2 * i + 1]!, 1n], [left, -1n]), value);
        base[l]![i] = combine([left, 1n], [signalLc(mux[used++]!), 1n]);
      }
    }
  }

  if (L === 0) b.assign(output, base[0]![0]!, table[0]!);
  else {
    const delta = table[2 ** (n - 1)]! - table[0]!;
    const left = combine([constant(table[0]!), 1n], [base[L - 1]![0]!, 1n]);
    if (alike[L]![0]) b.assign(output, combine([left, 1n], [bit(n - 1), delta]));
    else {
      const diff = combine([constant(delta), 1n], [base[L - 1]![1]!, 1n], [base[L - 1]![0]!, -1n]);
      b.constrain(bit(n - 1), diff, combine([signalLc(output), 1n], [left, -1n]));
    }
  }
  return { inputs, output };
}

/**
 * Lookup(n, k, lo, table) in `comp`, whose input `in` carries `x` (lo ≤ x < lo + 2^n; lookupRef
 * throws otherwise): declares in and out and returns them (the caller wires `in`).
 */
export function lookupTwin(b: CircuitBuilder, comp: Component, p: LookupParams, x: bigint): { input: number; output: number } {
  const input = b.signal(comp, 'input', 'in', x);
  const output = b.signal(comp, 'output', 'out', lookupRef(x, p));
  const bits = b.declare(comp, 'intermediate', 'b', [p.n]);
  const sum = b.bits(bits, x - p.lo);
  b.linear(combine([sum, 1n], [signalLc(input), -1n], [constant(p.lo), 1n]));

  const t = tableOfBitsTwin(b, b.component(comp, 't'), p, Number(x - p.lo));
  t.inputs.forEach((id, i) => b.assign(id, signalLc(bits[i]!)));
  b.assign(output, signalLc(t.output));
  return { input, output };
}

/**
 * Softmax(n, nd, k, F, G, Q, zOut, table) in `comp` on one group's integers `values` (softmaxRef
 * throws where there is no witness): declares in and out and returns them (the caller wires `in`).
 */
export function softmaxTwin(b: CircuitBuilder, comp: Component, p: SoftmaxParams, values: readonly bigint[]): { inputs: number[]; outputs: number[] } {
  const { n, k, F, G, Q, zOut, table } = p;
  const nd = Math.log2(table.length);
  const qb = bitLength(Q);
  const R = bitLength(2n * BigInt(n) * pow2(F) - 1n);
  const Ib = bitLength(Q * pow2(G - F));
  const outValues = softmaxRef(values, p);
  const inputs = b.signals(comp, 'input', 'in', [n], (i) => values[i]!);
  const outputs = b.signals(comp, 'output', 'out', [n], (i) => outValues[i]!);
  const x = (i: number): Lc => signalLc(inputs[i]!);

  const best = values.reduce((a, v) => (v > a ? v : a));
  const m = b.signal(comp, 'intermediate', 'm', best);
  const gap = (i: number): Lc => combine([signalLc(m), 1n], [x(i), -1n]);
  const chain = b.declare(comp, 'intermediate', 'chain', [n - 1]);
  let chainValue = (best - values[0]!) * (best - values[1]!);
  product(b, chain[0]!, gap(0), gap(1), chainValue);
  for (let i = 2; i < n; i++) product(b, chain[i - 1]!, signalLc(chain[i - 2]!), gap(i), (chainValue *= best - values[i]!));
  b.linear(signalLc(chain[n - 2]!));

  const d = b.declare(comp, 'intermediate', 'd', [n, nd]);
  const e: Lc[] = [];
  const eValues: bigint[] = [];
  const S: Lc = new Map();
  for (let i = 0; i < n; i++) {
    const bits = d.slice(i * nd, (i + 1) * nd);
    const index = best - values[i]!;
    b.linear(combine([b.bits(bits, index), 1n], [gap(i), -1n]));
    const ex = tableOfBitsTwin(b, b.component(comp, 'ex', [i]), { n: nd, k, table }, Number(index));
    ex.inputs.forEach((id, j) => b.assign(id, signalLc(bits[j]!)));
    e.push(signalLc(ex.output));
    eValues.push(table[Number(index)]!);
    S.set(ex.output, 1n);
  }

  const top = 2n * Q * pow2(G);
  const sValue = eValues.reduce((a, v) => a + v);
  const invValue = (top + sValue) / (2n * sValue);
  const remValue = top + sValue - invValue * 2n * sValue;
  const inv = b.bits(b.declare(comp, 'intermediate', 'ib', [Ib]), invValue);
  const rem = b.bits(b.declare(comp, 'intermediate', 'rb', [R]), remValue);
  b.constrain(inv, combine([S, 2n]), combine([constant(top), 1n], [S, 1n], [rem, -1n]));
  const slack = b.bits(b.declare(comp, 'intermediate', 'rc', [R]), 2n * sValue - 1n - remValue);
  b.linear(combine([slack, 1n], [S, -2n], [constant(1n), 1n], [rem, 1n]));

  const ob = b.declare(comp, 'intermediate', 'ob', [n, G + qb]);
  for (let i = 0; i < n; i++) {
    const bits = ob.slice(i * (G + qb), (i + 1) * (G + qb));
    const sum = b.bits(bits, eValues[i]! * invValue + pow2(G - 1));
    b.constrain(e[i]!, inv, combine([sum, 1n], [constant(pow2(G - 1)), -1n]));
    const u: Lc = new Map(bits.slice(G).map((id, j) => [id, pow2(j)]));
    b.assign(outputs[i]!, u, zOut);
  }
  return { inputs, outputs };
}
