/**
 * The R1CS twins of activation.circom's templates (circuits/system/): the same signals, in the
 * same order, the same subcomponents, constraints and hints. The comments of activation.circom
 * explain the algebra; this file only mirrors it.
 */
import { bitLength, halvesAlike, lookupRef, mobius, softmaxRef, type LookupParams, type SoftmaxParams, type TableOfBitsParams } from '../gadgets.ts';
import { combine, constant, signalLc, type CircuitBuilder, type Component, type Lc } from '../system/builder.ts';

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
