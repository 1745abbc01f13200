/**
 * The R1CS twins of activation.circom's templates (circuits/system/): the same signals, in the
 * same order, the same subcomponents, constraints and hints. The comments of activation.circom
 * explain the algebra; this file only mirrors it.
 */
import { bitLength, lookupRef, softmaxRef, type LookupParams, type SoftmaxParams, type TableOfBitsParams } from '../gadgets.ts';
import { combine, constant, signalLc, type CircuitBuilder, type Component, type Lc } from '../system/builder.ts';

const pow2 = (i: number): bigint => 1n << BigInt(i);

/** activation.circom's tableHalvesAlike: whether table[start, start + 2·half) has two halves of one shape. */
function halvesAlike(table: readonly bigint[], start: number, half: number): boolean {
  for (let t = 1; t < half; t++) {
    if (table[start + half + t]! - table[start + half]! !== table[start + t]! - table[start]!) return false;
  }
  return true;
}

/** `c <== x * y` for a signal c: its value is the product's, as circom computes it. */
function product(b: CircuitBuilder, c: number, x: Lc, y: Lc): void {
  b.set(c, b.evaluate(x) * b.evaluate(y));
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
  const leaves = 2 ** L;
  const inputs = b.signals(comp, 'input', 'bits', [n], (i) => BigInt((x >> i) & 1));
  const output = b.signal(comp, 'output', 'out', table[x]!);
  const bit = (i: number): Lc => signalLc(inputs[i]!);

  const prod = b.declare(comp, 'intermediate', 'prod', [leaf - k - 1]);
  const mono: Lc[] = [constant(1n)];
  let np = 0;
  for (let S = 1; S < leaf; S++) {
    const h = bitLength(BigInt(S)) - 1;
    if (S === 2 ** h) mono[S] = bit(h);
    else {
      product(b, prod[np]!, mono[S - 2 ** h]!, bit(h));
      mono[S] = signalLc(prod[np++]!);
    }
  }

  const need = Array.from({ length: L + 1 }, () => new Array<boolean>(leaves).fill(false));
  need[L]![0] = true;
  for (let l = L; l >= 1; l--) {
    const half = 2 ** (k + l - 1);
    for (let i = 0; i < 2 ** (L - l); i++) {
      if (!need[l]![i]) continue;
      need[l - 1]![2 * i] = true;
      if (!halvesAlike(table, 2 * i * half, half)) need[l - 1]![2 * i + 1] = true;
    }
  }
  let nMux = 0;
  for (let l = 1; l < L; l++) {
    for (let i = 0; i < 2 ** (L - l); i++) if (need[l]![i] && !halvesAlike(table, i * 2 ** (k + l), 2 ** (k + l - 1))) nMux++;
  }
  const mux = b.declare(comp, 'intermediate', 'mux', [nMux]);

  const base: Lc[][] = Array.from({ length: L + 1 }, () => []);
  for (let h = 0; h < leaves; h++) {
    if (!need[0]![h]) continue;
    const c = Array.from({ length: leaf }, (_, j) => table[h * leaf + j]! - table[h * leaf]!);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < leaf; j++) if ((j >> i) & 1) c[j] = c[j]! - c[j - 2 ** i]!;
    }
    base[0]![h] = combine(...mono.slice(1).map((m, S): [Lc, bigint] => [m, c[S + 1]!]));
  }
  let used = 0;
  for (let l = 1; l < L; l++) {
    const half = 2 ** (k + l - 1);
    for (let i = 0; i < 2 ** (L - l); i++) {
      if (!need[l]![i]) continue;
      const delta = table[(2 * i + 1) * half]! - table[2 * i * half]!;
      const left = base[l - 1]![2 * i]!;
      if (halvesAlike(table, 2 * i * half, half)) base[l]![i] = combine([left, 1n], [bit(k + l - 1), delta]);
      else {
        product(b, mux[used]!, bit(k + l - 1), combine([constant(delta), 1n], [base[l - 1]![2 * i + 1]!, 1n], [left, -1n]));
        base[l]![i] = combine([left, 1n], [signalLc(mux[used++]!), 1n]);
      }
    }
  }

  if (L === 0) b.assign(output, combine([constant(table[0]!), 1n], [base[0]![0]!, 1n]));
  else {
    const delta = table[2 ** (n - 1)]! - table[0]!;
    const left = combine([constant(table[0]!), 1n], [base[L - 1]![0]!, 1n]);
    if (halvesAlike(table, 0, 2 ** (n - 1))) b.assign(output, combine([left, 1n], [bit(n - 1), delta]));
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
  const one = constant(1n);

  const best = values.reduce((a, v) => (v > a ? v : a));
  const m = b.signal(comp, 'intermediate', 'm', best);
  const gap = (i: number): Lc => combine([signalLc(m), 1n], [x(i), -1n]);
  const chain = b.declare(comp, 'intermediate', 'chain', [n - 1]);
  product(b, chain[0]!, gap(0), gap(1));
  for (let i = 2; i < n; i++) product(b, chain[i - 1]!, signalLc(chain[i - 2]!), gap(i));
  b.linear(signalLc(chain[n - 2]!));

  const d = b.declare(comp, 'intermediate', 'd', [n, nd]);
  const e: Lc[] = [];
  const S: Lc = new Map();
  for (let i = 0; i < n; i++) {
    const bits = d.slice(i * nd, (i + 1) * nd);
    b.linear(combine([b.bits(bits, best - values[i]!), 1n], [gap(i), -1n]));
    const ex = tableOfBitsTwin(b, b.component(comp, 'ex', [i]), { n: nd, k, table }, Number(best - values[i]!));
    ex.inputs.forEach((id, j) => b.assign(id, signalLc(bits[j]!)));
    e.push(signalLc(ex.output));
    S.set(ex.output, 1n);
  }

  const top = 2n * Q * pow2(G);
  const sValue = b.evaluate(S);
  const invValue = (top + sValue) / (2n * sValue);
  const remValue = top + sValue - invValue * 2n * sValue;
  const inv = b.bits(b.declare(comp, 'intermediate', 'ib', [Ib]), invValue);
  const rem = b.bits(b.declare(comp, 'intermediate', 'rb', [R]), remValue);
  b.constrain(inv, combine([S, 2n]), combine([constant(top), 1n], [S, 1n], [rem, -1n]));
  const slack = b.bits(b.declare(comp, 'intermediate', 'rc', [R]), 2n * sValue - 1n - remValue);
  b.linear(combine([slack, 1n], [S, -2n], [one, 1n], [rem, 1n]));

  const ob = b.declare(comp, 'intermediate', 'ob', [n, G + qb]);
  for (let i = 0; i < n; i++) {
    const bits = ob.slice(i * (G + qb), (i + 1) * (G + qb));
    const sum = b.bits(bits, b.evaluate(e[i]!) * invValue + pow2(G - 1));
    b.constrain(e[i]!, inv, combine([sum, 1n], [constant(pow2(G - 1)), -1n]));
    const u: Lc = new Map(bits.slice(G).map((id, j) => [id, pow2(j)]));
    b.assign(outputs[i]!, combine([u, 1n], [constant(zOut), 1n]));
  }
  return { inputs, outputs };
}
