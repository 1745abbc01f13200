import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GadgetParamsError, GadgetRangeError } from '../../circuits/gadgets/common.ts';
import { bestTableSplit, lookupComponent, lookupCost, lookupParams, lookupRef, tableOfBitsCost, type LookupParams } from '../../circuits/gadgets/activation.ts';
import { bitsOf, Gadget, seededRandom, withFractionalBit } from './harness.ts';

/** table[i] = round(f(scale·(lo + i − zero)) / step) + offset, clamped to [−128, 127] (an int8 activation table). */
function activationTable(n: number, lo: bigint, f: (x: number) => number, scale: number, zero: number, step: number, offset: number): bigint[] {
  return Array.from({ length: 2 ** n }, (_, i) => {
    const q = Math.floor(f(scale * (Number(lo) + i - zero)) / step + 0.5) + offset;
    return BigInt(Math.min(127, Math.max(-128, q)));
  });
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

interface Case {
  name: string;
  params: LookupParams;
  /** The constraint count worked by hand, where it is short to work. */
  cost?: number;
}

function tableCase(name: string, lo: bigint, table: bigint[], k?: number, cost?: number): Case {
  const params = lookupParams(lo, table);
  return { name, params: k === undefined ? params : { ...params, k }, ...(cost === undefined ? {} : { cost }) };
}

const next = seededRandom(2024);
const random4 = Array.from({ length: 16 }, () => BigInt(Math.floor(next() * 200) - 100));

const CASES: Case[] = [
  // Sigmoid of an int8 input at scale 0.05: barely saturated, the best split is k = 4 with every mux a product:
  // 8 booleans + 1 sum + 11 low-bit products + 14 muxes + 1 root.
  tableCase('sigmoid, int8, scale 0.05', -128n, activationTable(8, -128n, sigmoid, 0.05, 0, 1 / 255, -128), undefined, 9 + 11 + 15),
  // Sigmoid at scale 0.2: the saturated ends make muxes free.
  tableCase('sigmoid, int8, scale 0.2 (saturating)', -128n, activationTable(8, -128n, sigmoid, 0.2, 0, 1 / 255, -128)),
  tableCase('tanh, int8, scale 0.03', -128n, activationTable(8, -128n, Math.tanh, 0.03, 3, 1 / 127, 0)),
  // A leaky ReLU on an activation (zero point 5, alpha 0.1): linear above the zero point.
  tableCase('leaky relu, int8', -128n, activationTable(8, -128n, (x) => (x >= 0 ? x : 0.1 * x), 1, 5, 1, 5)),
  // Linear: every node's halves have one shape, the root is linear with 8 bit terms: 9 + 0 + 1.
  tableCase('linear 3·x − 7', 0n, Array.from({ length: 256 }, (_, i) => BigInt(3 * i - 7)), undefined, 9 + 1),
  // Constant: the root is the constant (removed by --O1): 9.
  tableCase('constant', -128n, new Array<bigint>(256).fill(42n), undefined, 9),
  // Random 4-bit tables at every split: 4 booleans + 1 sum, all 2^k − k − 1 products, every mux (at k = 0 the
  // 8 muxes over two single entries are free: one-entry halves always have one shape), the root.
  ...[0, 1, 2, 3, 4].map((k) => tableCase(`random 4-bit, k = ${k}`, -3n, random4, k, 5 + (2 ** k - k - 1) + (k === 0 ? 7 : 2 ** (4 - k) - 1) + (k === 4 ? 1 : 0))),
  // out = bits[0]: one signal, coefficient 1, table[0] = 0: --O1 removes the root: 2 booleans + 1 sum.
  tableCase('out = low bit', 10n, [0n, 1n, 0n, 1n], 0, 3),
  // The same shape from 5: out = 5 + bits[0] stays a linear constraint.
  tableCase('out = 5 + low bit', 10n, [5n, 6n, 5n, 6n], 0, 4),
  // [9, 1, 4, 0] at k = 2: the product b0·b1 and a linear root (3 terms).
  tableCase('two bits, k = 2', -1n, [9n, 1n, 4n, 0n], 2, 3 + 1 + 1),
];

describe.each(CASES)('Lookup: $name', ({ params, cost }) => {
  const { n, lo, table } = params;
  let g: Gadget;

  beforeAll(async () => {
    g = await Gadget.compile('activation.circom', lookupComponent(params));
  });
  afterAll(async () => {
    await g?.dispose();
  });

  it('has exactly the constraint count of the cost formula (and the count worked by hand)', () => {
    // A constant table's `out <== constant` is removed inside a circuit, but kept for main's public output.
    const constant = table.every((t) => t === table[0]);
    expect(g.constraintCount).toBe(lookupCost(params) + (constant ? 1 : 0));
    if (cost !== undefined) expect(lookupCost(params)).toBe(cost);
  });

  // Every index of small tables; of 8-bit ones, both ends and the middle of every 16-entry run.
  const indices = Array.from({ length: 2 ** n }, (_, i) => i).filter((i) => n <= 4 || [0, 1, 7, 14, 15].includes(i % 16));

  it('outputs table[in − lo] for every index (8 bits: the ends and middle of every 16-entry run)', async () => {
    for (const i of indices) {
      const x = lo + BigInt(i);
      const w = await g.witness({ in: x });
      expect(g.read(w, 'main.out'), `in = ${x}`).toBe(lookupRef(x, params));
      expect(lookupRef(x, params)).toBe(table[i]);
    }
  });

  it('has no witness below lo or at lo + 2^n, like lookupRef', async () => {
    for (const x of [lo - 1n, lo + BigInt(2 ** n), lo - (1n << 40n)]) {
      expect(() => lookupRef(x, params)).toThrow(GadgetRangeError);
      await expect(g.witness({ in: x })).rejects.toThrow();
    }
  });

  /** Inputs at both ends and two inside. */
  const probes = [lo, lo + 1n, lo + BigInt(2 ** (n - 1)) + 1n, lo + BigInt(2 ** n - 1)];

  it('pins every wire: changing any one of them by ±1 breaks a constraint', async () => {
    for (const x of probes) {
      const w = await g.witness({ in: x });
      const wires = g.wires(/^main\.in$/);
      expect(wires.length).toBeGreaterThanOrEqual(n);
      for (const idx of wires) {
        for (const step of [1n, -1n]) {
          const copy = [...w];
          copy[idx] = copy[idx]! + step;
          await g.expectRejected(copy);
        }
      }
    }
  });

  /** Bit i's wire: where the table is that bit (out = b[i]), --O1 made them one signal. */
  const bit = (i: number): string => (g.isWire(`main.b[${i}]`) ? `main.b[${i}]` : 'main.out');

  it('rejects every bit flipped, and each bit alone non-boolean with the sum kept', async () => {
    for (const x of probes) {
      const w = await g.witness({ in: x });
      for (let i = 0; i < n; i++) {
        await g.expectRejected(g.tamper(w, bit(i), 1n - g.read(w, bit(i))));
        const bits = withFractionalBit(bitsOf(x - lo, n), i);
        const copy = [...w];
        bits.forEach((b, j) => (copy[g.wire(bit(j))] = b));
        await g.expectRejected(copy);
      }
    }
  });

  it('rejects the entry of another row: that row’s whole witness with this input', async () => {
    for (const x of probes) {
      for (const other of probes.filter((o) => o !== x && table[Number(o - lo)] !== table[Number(x - lo)])) {
        const cheat = await g.witness({ in: other });
        cheat[g.wire('main.in')] = (await g.witness({ in: x }))[g.wire('main.in')]!;
        expect(g.read(cheat, 'main.out')).toBe(table[Number(other - lo)]);
        await g.expectRejected(cheat);
      }
    }
  });
});

describe('Lookup parameters', () => {
  it('bestTableSplit takes the cheapest k (the first on ties)', () => {
    for (const c of CASES.filter((c) => c.name.startsWith('random'))) {
      const costs = [0, 1, 2, 3, 4].map((k) => tableOfBitsCost({ ...c.params, k }));
      expect(tableOfBitsCost({ ...c.params, k: bestTableSplit(c.params.table) })).toBe(Math.min(...costs));
    }
    // 8 bits, every mux a product: 2^k − k − 1 + 2^(8−k) − 1 is least at k = 4 (11 + 15).
    expect(bestTableSplit(CASES[0]!.params.table)).toBe(4);
  });

  it('prints the Circom instantiation, the table as a literal or a function call', () => {
    const p = lookupParams(-128n, [0n, 1n, 4n, 9n]);
    expect(lookupComponent(p)).toBe('Lookup(2, 0, -128, [0, 1, 4, 9])');
    expect(lookupComponent(p, 'squares()')).toBe('Lookup(2, 0, -128, squares())');
  });

  it('refuses tables the template cannot take', () => {
    expect(() => lookupParams(0n, [1n, 2n])).toThrow(/n = 1 must be >= 2/);
    expect(() => lookupParams(0n, [1n, 2n, 3n])).toThrow(GadgetParamsError);
    expect(() => lookupCost({ n: 2, k: 3, lo: 0n, table: [0n, 1n, 2n, 3n] })).toThrow(/k = 3/);
  });
});
