import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GadgetParamsError, GadgetRangeError } from '../../circuits/gadgets/common.ts';
import { bestTableSplit, lookupComponent, lookupParams, softmaxComponent, softmaxCost, softmaxRef, tableOfBitsCost, type SoftmaxParams } from '../../circuits/gadgets/activation.ts';
import { bitsOf, fromField, Gadget, randomBigInt, seededRandom } from './harness.ts';

/** table[d] = round(2^F·exp(−scale·d)) for d < 2^nd: the exp table the Softmax op builds. */
function expTable(scale: number, nd: number, F: number): bigint[] {
  return Array.from({ length: 2 ** nd }, (_, d) => BigInt(Math.round(2 ** F * Math.exp(-scale * d))));
}

const bitLength = (x: bigint): number => (x <= 0n ? 0 : x.toString(2).length);

interface Config {
  name: string;
  params: SoftmaxParams;
  /** Inputs lie in [lo, lo + 2^nd − 1]. */
  lo: bigint;
}

function config(name: string, n: number, scale: number, nd: number, F: number, Q: bigint, zOut: bigint, lo: bigint): Config {
  const table = expTable(scale, nd, F);
  return { name, params: { n, k: bestTableSplit(table), F, G: F + 3, Q, zOut, table }, lo };
}

const CONFIGS: Config[] = [
  config('n = 2, 3-bit spans', 2, 0.4, 3, 5, 255n, -128n, -4n),
  config('n = 3, int8, scale 0.05', 3, 0.05, 8, 12, 255n, -128n, -128n),
  config('n = 10, int8, scale 0.1 (a classifier)', 10, 0.1, 8, 14, 255n, -128n, -128n),
  config('n = 4, 4-bit output', 4, 0.3, 4, 8, 15n, -8n, -8n),
];

/** The values of every surviving signal of a compiled gadget's witness, by name. */
function named(g: Gadget, w: readonly bigint[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [name, sym] of Object.entries(g.tester.symbols)) if (sym.varIdx > 0) out.set(name, fromField(w[sym.varIdx]!));
  return out;
}

describe.each(CONFIGS)('Softmax: $name', ({ params: p, lo }) => {
  const { n, F, G, Q, zOut, table } = p;
  const nd = Math.log2(table.length);
  const span = BigInt(table.length - 1);
  const R = bitLength(2n * BigInt(n) * (1n << BigInt(F)) - 1n);
  const Ib = bitLength(Q << BigInt(G - F));
  const qb = bitLength(Q);
  let g: Gadget;
  /** Lookup(nd, k, 0, table): a source of consistent exp-table wires for any index. */
  let exp: Gadget;

  beforeAll(async () => {
    [g, exp] = await Promise.all([
      Gadget.compile('activation.circom', softmaxComponent(p)),
      Gadget.compile('activation.circom', lookupComponent(lookupParams(0n, table))),
    ]);
  });
  afterAll(async () => {
    await Promise.all([g?.dispose(), exp?.dispose()]);
  });

  const next = seededRandom(n * 100 + nd);
  const hi = lo + span;
  const vectors: bigint[][] = [
    new Array<bigint>(n).fill(lo),
    new Array<bigint>(n).fill(hi),
    Array.from({ length: n }, (_, i) => (i === n - 1 ? hi : lo)),
    Array.from({ length: n }, (_, i) => (i === 0 ? lo + 1n : lo)),
    Array.from({ length: n }, (_, i) => (i % 2 === 0 ? hi : hi - 1n)),
    ...Array.from({ length: 25 }, () => Array.from({ length: n }, () => randomBigInt(next, lo, hi))),
    // Few distinct values: ties.
    ...Array.from({ length: 5 }, () => Array.from({ length: n }, () => randomBigInt(next, hi - 2n, hi))),
  ];

  it('has exactly the constraint count of the cost formula', () => {
    const T = tableOfBitsCost({ n: nd, k: p.k, table });
    expect(softmaxCost(p)).toBe(n - 1 + n * (nd + 1) + n * T + Ib + 2 * R + 2 + n * (G + qb + 2));
    expect(g.constraintCount).toBe(softmaxCost(p));
  });

  it('outputs softmaxRef on equal, extreme, tied and random groups; the probabilities sum to about 1', async () => {
    for (const values of vectors) {
      const w = await g.witness({ in: values });
      const ref = softmaxRef(values, p);
      expect(Array.from({ length: n }, (_, i) => g.read(w, `main.out[${i}]`)), values.join(',')).toEqual(ref);
      // Each output is within 0.5 + 2^(F−G−1) levels of Q·e_i/S, so the levels sum to Q within that times n.
      const levels = ref.reduce((a, o) => a + Number(o - zOut), 0);
      expect(Math.abs(levels - Number(Q))).toBeLessThanOrEqual(n * (0.5 + 2 ** (F - G - 1)));
    }
  });

  it('has no witness for a span of 2^nd (beyond the exp table), like softmaxRef', async () => {
    const values = Array.from({ length: n }, (_, i) => (i === 0 ? lo - 1n : hi));
    expect(() => softmaxRef(values, p)).toThrow(GadgetRangeError);
    await expect(g.witness({ in: values })).rejects.toThrow();
  });

  interface Claim {
    /** The claimed maximum (default: the true one). */
    m?: bigint;
    /** Added to the honest reciprocal. */
    invShift?: bigint;
    /** Added to output `at`'s level, its low bits moved to keep the other wires as they were. */
    outShift?: { at: number; by: bigint };
  }

  /** Every Softmax wire for a claim, computed as the template wires them: a witness builder for cheating provers. */
  async function softmaxWires(values: readonly bigint[], claim: Claim = {}): Promise<Map<string, bigint>> {
    const m = claim.m ?? values.reduce((a, b) => (b > a ? b : a));
    const wires = new Map<string, bigint>([['main.m', m]]);
    values.forEach((v, i) => wires.set(`main.in[${i}]`, v));
    let chain = (m - values[0]!) * (m - values[1]!);
    wires.set('main.chain[0]', chain);
    for (let i = 2; i < n; i++) wires.set(`main.chain[${i - 1}]`, (chain *= m - values[i]!));
    const e: bigint[] = [];
    for (const [i, v] of values.entries()) {
      const d = bitsOf(m - v, nd);
      d.forEach((b, j) => wires.set(`main.d[${i}][${j}]`, b));
      const index = d.reduce((a, b, j) => a + (b << BigInt(j)), 0n);
      const lookup = named(exp, await exp.witness({ in: index }));
      for (const [name, value] of lookup) if (name.startsWith('main.t.')) wires.set(name.replace('main.t.', `main.ex[${i}].`), value);
      e.push(table[Number(index)]!);
      wires.set(`main.ex[${i}].out`, e[i]!);
    }
    const S = e.reduce((a, b) => a + b, 0n);
    const top = 2n * Q * (1n << BigInt(G));
    const inv = (top + S) / (2n * S) + (claim.invShift ?? 0n);
    const rem = top + S - inv * 2n * S;
    bitsOf(inv, Ib).forEach((b, j) => wires.set(`main.ib[${j}]`, b));
    bitsOf(rem, R).forEach((b, j) => wires.set(`main.rb[${j}]`, b));
    bitsOf(2n * S - 1n - rem, R).forEach((b, j) => wires.set(`main.rc[${j}]`, b));
    e.forEach((ei, i) => {
      const V = ei * inv + (1n << BigInt(G - 1));
      const u = (V >> BigInt(G)) + (claim.outShift?.at === i ? claim.outShift.by : 0n);
      bitsOf(V - (u << BigInt(G)), G).forEach((b, j) => wires.set(`main.ob[${i}][${j}]`, b));
      bitsOf(u, qb).forEach((b, j) => wires.set(`main.ob[${i}][${G + j}]`, b));
      wires.set(`main.out[${i}]`, u + zOut);
    });
    return wires;
  }

  it('its witness builder reproduces the circuit witness wire for wire', async () => {
    for (const values of vectors.slice(0, 8)) {
      const w = await g.witness({ in: values });
      expect(g.withWires(w, await softmaxWires(values), 'main')).toEqual(w);
    }
  });

  it('pins every wire: changing any one of them by ±1 breaks a constraint', async () => {
    for (const values of [vectors[2]!, vectors[4]!, vectors[6]!]) {
      const w = await g.witness({ in: values });
      for (const idx of g.wires(/^main\.in\[\d+\]$/)) {
        for (const step of [1n, -1n]) {
          const copy = [...w];
          copy[idx] = copy[idx]! + step;
          await g.expectRejected(copy);
        }
      }
    }
  });

  it('rejects a maximum one above the true one, everything else consistent (the chain is not 0)', async () => {
    const values = Array.from({ length: n }, (_, i) => (i === 0 ? lo : hi - 1n - BigInt(i % 2)));
    const max = hi - 1n;
    // Every exp shrinks by e^(−s): the outputs may even round alike, but the witness is not the pinned one.
    const cheat = await softmaxWires(values, { m: max + 1n });
    expect(cheat.get(`main.chain[${n - 2}]`)).not.toBe(0n);
    await g.expectRejected(g.withWires(await g.witness({ in: values }), cheat, 'main'));
  });

  it('rejects a maximum that is an input but not the largest (its d bits cannot sum to a negative)', async () => {
    const values = Array.from({ length: n }, (_, i) => (i === 0 ? hi - 2n : i === 1 ? hi : lo));
    const cheat = await softmaxWires(values, { m: hi - 2n });
    expect(cheat.get(`main.chain[${n - 2}]`)).toBe(0n);
    await g.expectRejected(g.withWires(await g.witness({ in: values }), cheat, 'main'));
  });

  it('rejects the reciprocal ± 1 with its remainder moved to match', async () => {
    for (const values of [vectors[2]!, vectors[8]!]) {
      const w = await g.witness({ in: values });
      for (const invShift of [1n, -1n]) await g.expectRejected(g.withWires(w, await softmaxWires(values, { invShift }), 'main'));
    }
  });

  it('rejects an output level ± 1 with its rounding bits moved to match', async () => {
    const values = vectors[8]!;
    const w = await g.witness({ in: values });
    for (let at = 0; at < n; at++) {
      for (const by of [1n, -1n]) {
        const cheat = await softmaxWires(values, { outShift: { at, by } });
        expect(cheat.get(`main.out[${at}]`)).toBe(softmaxRef(values, p)[at]! + by);
        await g.expectRejected(g.withWires(w, cheat, 'main'));
      }
    }
  });
});

describe('Softmax parameters', () => {
  const table = expTable(0.4, 3, 5);
  const ok: SoftmaxParams = { n: 2, k: 0, F: 5, G: 8, Q: 255n, zOut: -128n, table };

  it('softmaxRef: equal inputs share the levels, a dominant one takes them', () => {
    expect(softmaxRef([0n, 0n], ok)).toEqual([0n, 0n]); // 127.5 levels each, rounded half up: 128 − 128
    const [big, small] = softmaxRef([7n, 0n], ok);
    // e = [32, round(32·e^(−2.8)) = 2]: 255·32/34 = 240.0, 255·2/34 = 15.0.
    expect([big, small]).toEqual([240n - 128n, 15n - 128n]);
  });

  it('prints the Circom instantiation and refuses parameters the template asserts against', () => {
    expect(softmaxComponent(ok)).toBe(`Softmax(2, 3, 0, 5, 8, 255, -128, [${table.join(', ')}])`);
    expect(softmaxComponent(ok, 'exp_table()')).toBe('Softmax(2, 3, 0, 5, 8, 255, -128, exp_table())');
    expect(() => softmaxCost({ ...ok, n: 1 })).toThrow(/n = 1/);
    expect(() => softmaxCost({ ...ok, G: 5 })).toThrow(/G = 5/);
    expect(() => softmaxCost({ ...ok, F: 4 })).toThrow(/table\[0\] = 32 must be 2\^F = 16/);
    expect(() => softmaxCost({ ...ok, table: [32n, 40n] })).toThrow(/entries must lie in \[0, 2\^F\]/);
    expect(() => softmaxCost({ ...ok, table: table.slice(0, 3) })).toThrow(GadgetParamsError);
  });
});
