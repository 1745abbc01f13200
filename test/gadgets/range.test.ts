import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inRangeAccepts, inRangeComponent, inRangeCost, inRangeParams, type InRangeParams } from '../../circuits/gadgets/range.ts';
import { bitsOf, Gadget, randomBigInt, seededRandom, withFractionalBit } from './harness.ts';

// Each row: the parameters and the constraint count (--O1) worked by hand.
const CASES: { params: InRangeParams; cost: number }[] = [
  { params: { bits: 8, lo: -128n }, cost: 8 + 1 }, // 8 booleans + 1 linear sum
  { params: { bits: 5, lo: 3n }, cost: 5 + 1 },
  { params: { bits: 2, lo: 0n }, cost: 2 + 1 },
  { params: { bits: 1, lo: -1n }, cost: 1 }, // (in − lo)·(in − lo − 1) = 0, no bits
  { params: { bits: 1, lo: 0n }, cost: 1 },
];

describe.each(CASES)('InRange($params.bits, $params.lo)', ({ params, cost }) => {
  const { bits, lo } = params;
  const hi = lo + (1n << BigInt(bits)) - 1n;
  let g: Gadget;

  beforeAll(async () => {
    g = await Gadget.compile('range.circom', inRangeComponent(params));
  });
  afterAll(async () => {
    await g?.dispose();
  });

  it('has exactly the constraint count of the cost formula: bits booleans + 1 linear sum, or 1 for bits = 1', () => {
    expect(inRangeCost(params)).toBe(cost);
    expect(g.constraintCount).toBe(cost);
    expect(g.nonLinearCount).toBe(bits === 1 ? 1 : bits);
  });

  it('accepts lo, lo + 2^bits − 1 and values between', async () => {
    const next = seededRandom(bits);
    for (const x of [lo, lo + 1n, hi - 1n, hi, ...Array.from({ length: 20 }, () => randomBigInt(next, lo, hi))]) {
      expect(inRangeAccepts(x, params)).toBe(true);
      await g.expectAccepted(await g.witness({ in: x }));
    }
  });

  it('has no witness for lo − 1, lo + 2^bits and far values', async () => {
    for (const x of [lo - 1n, hi + 1n, lo - (1n << 40n), hi + (1n << 40n)]) {
      expect(inRangeAccepts(x, params)).toBe(false);
      await expect(g.witness({ in: x })).rejects.toThrow();
    }
  });

  it('rejects lo − 1 and lo + 2^bits with the bits of x − lo mod 2^bits', async () => {
    const w = await g.witness({ in: lo });
    for (const x of [lo - 1n, hi + 1n]) {
      const wires = new Map<string, bigint>([['main.in', x]]);
      if (bits > 1) bitsOf(x - lo, bits).forEach((b, i) => wires.set(`main.b[${i}]`, b));
      await g.expectRejected(g.withWires(w, wires, 'main'));
    }
  });

  it.skipIf(bits === 1)('rejects lo + 2^bits and lo − 1 written with one non-boolean bit (the sum holds)', async () => {
    const w = await g.witness({ in: lo });
    // x − lo = 2^bits as 2·2^(bits−1); x − lo = −1 as −1·2^0.
    for (const [x, at, value] of [
      [lo + (1n << BigInt(bits)), bits - 1, 2n],
      [lo - 1n, 0, -1n],
    ] as const) {
      const wires = new Map<string, bigint>([['main.in', x]]);
      for (let i = 0; i < bits; i++) wires.set(`main.b[${i}]`, i === at ? value : 0n);
      const sum = [...wires].filter(([n]) => n !== 'main.in').reduce((a, [n, b]) => a + (b << BigInt(Number(/\d+/.exec(n)![0]))), 0n);
      expect(sum).toBe(x - lo);
      await g.expectRejected(g.withWires(w, wires, 'main'));
    }
  });

  it.skipIf(bits === 1)('rejects each bit alone non-boolean (a field fraction) with the sum kept', async () => {
    for (const x of [lo, lo + 1n, hi]) {
      const w = await g.witness({ in: x });
      for (let i = 0; i < bits; i++) {
        const wires = new Map<string, bigint>([['main.in', x]]);
        withFractionalBit(bitsOf(x - lo, bits), i).forEach((b, j) => wires.set(`main.b[${j}]`, b));
        await g.expectRejected(g.withWires(w, wires, 'main'));
      }
    }
  });

  it('rejects every flipped bit, and pins every bit to the input', async () => {
    const w = await g.witness({ in: lo + 1n });
    const flippable = Array.from({ length: bits }, (_, i) => `main.b[${i}]`).filter((n) => g.isWire(n));
    expect(flippable.length).toBe(bits === 1 ? 0 : bits); // bits = 1 constrains in − lo itself
    for (const name of flippable) {
      await g.expectRejected(g.tamper(w, name, 1n - w[g.wire(name)]!));
    }
    await g.expectPinned(w, g.wires(/^main\.in$/));
  });
});

describe('InRange parameters', () => {
  it('inRangeParams covers [lo, hi] with the fewest bits', () => {
    expect(inRangeParams(-128n, 127n)).toEqual({ bits: 8, lo: -128n });
    expect(inRangeParams(0n, 255n)).toEqual({ bits: 8, lo: 0n });
    expect(inRangeParams(0n, 256n)).toEqual({ bits: 9, lo: 0n });
    expect(inRangeParams(5n, 5n)).toEqual({ bits: 1, lo: 5n });
  });

  it('prints the Circom instantiation and refuses bad parameters', () => {
    expect(inRangeComponent({ bits: 8, lo: -128n })).toBe('InRange(8, -128)');
    expect(() => inRangeComponent({ bits: 0, lo: 0n })).toThrow(/bits = 0/);
    expect(() => inRangeComponent({ bits: 253, lo: 0n })).toThrow(/bits = 253/);
  });
});
