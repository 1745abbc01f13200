import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakyReluBoundBits, leakyReluComponent, leakyReluCost, leakyReluProductRange, leakyReluRef, leakyReluValue, type LeakyReluParams, type LeakyReluShape } from '../../circuits/gadgets/leakyrelu.ts';
import { requantizeComponent, requantizeCost, requantizeRef, requantizeUnclamped } from '../../circuits/gadgets/requantize.ts';
import { GadgetParamsError, GadgetRangeError } from '../../circuits/gadgets/common.ts';
import { bitsOf, fromField, Gadget, randomBigInt, seededRandom, withFractionalBit } from './harness.ts';

interface Config {
  name: string;
  params: LeakyReluParams;
  accMin: bigint;
  accMax: bigint;
  /** The constraint count worked by hand. */
  cost: number;
}

function config(name: string, shape: LeakyReluShape, accMin: bigint, accMax: bigint, cost: number): Config {
  return { name, params: { ...shape, ...leakyReluBoundBits(accMin, accMax, shape) }, accMin, accMax, cost };
}

// Each row's count: (A + 1) sign bits + 1 sum + 1 for y + Requantize(1, s, zOut, lo, hi, B)
// (s + B + 1 bits + 1 sum + comparator + in-range flag + 1 out: s + B + 5 for an int8 output with B >= 10).
const CONFIGS: Config[] = [
  // alpha = 0.01 on an activation (acc = in − zIn ∈ [−255, 255]) keeping its scale: Mp = 2^18, Mn = round(0.01·2^18).
  // A = 8; y ∈ [−668355, 66846720], t − lo ≤ 382: B = 9 (one mid bit: in-range product 1).
  config('alpha 0.01, scale kept', { Mp: 1n << 18n, Mn: 2621n, s: 18, zOut: 3n, lo: -128n, hi: 127n }, -255n, 255n, 9 + 1 + 1 + (28 + 1 + 1 + 1)),
  // alpha = 0.2 on a wide accumulator: Mp/2^20 ≈ 0.003, Mn = Mp/5. A = 21; t ∈ [−970, 4790], t − lo < 2^13: B = 13
  // (five mid bits: the inlined IsZero, 2).
  config('alpha 0.2, accumulator', { Mp: 3146n, Mn: 629n, s: 20, zOut: -10n, lo: -128n, hi: 127n }, -1_600_000n, 1_600_000n, 22 + 1 + 1 + (34 + 1 + 2 + 1)),
  // alpha = 0: ReLU with the sign proven (Mn = 0). A = 11, B = 10 (t − lo ≤ 2^10).
  config('alpha 0', { Mp: 2048n, Mn: 0n, s: 11, zOut: -128n, lo: -128n, hi: 127n }, -2000n, 900n, 12 + 1 + 1 + (22 + 1 + 2 + 1)),
  // alpha = −0.5: the negative branch rises (Mn < 0). A = 9, y ∈ [0, 614400], t ∈ [0, 300]: B = 9.
  config('alpha -0.5', { Mp: 2048n, Mn: -1024n, s: 11, zOut: 0n, lo: -128n, hi: 127n }, -300n, 300n, 10 + 1 + 1 + (21 + 1 + 1 + 1)),
  // s = 0, output [−20, 20] (D = 40 = 0b101000: k = 6, comparator 6 − 1 − 0 = 5), A = 6, y ∈ [−50, 150]: B = 8.
  config('s = 0, narrow clamp', { Mp: 3n, Mn: 1n, s: 0, zOut: 0n, lo: -20n, hi: 20n }, -50n, 50n, 7 + 1 + 1 + (9 + 1 + 5 + 2 + 1)),
];

/** The values of every surviving signal of a compiled gadget's witness, by name. */
function named(g: Gadget, w: readonly bigint[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [name, sym] of Object.entries(g.tester.symbols)) if (sym.varIdx > 0) out.set(name, fromField(w[sym.varIdx]!));
  return out;
}

describe.each(CONFIGS)('LeakyRelu: $name', ({ params: p, accMin, accMax, cost }) => {
  let g: Gadget;
  /** The plain Requantize(1, s, zOut, lo, hi, B) LeakyRelu wraps: a source of consistent internal wires. */
  let rq: Gadget;
  const inner = { M: 1n, s: p.s, zOut: p.zOut, lo: p.lo, hi: p.hi, B: p.B };

  beforeAll(async () => {
    [g, rq] = await Promise.all([Gadget.compile('requantize.circom', leakyReluComponent(p)), Gadget.compile('requantize.circom', requantizeComponent(inner))]);
  });
  afterAll(async () => {
    await Promise.all([g?.dispose(), rq?.dispose()]);
  });

  const next = seededRandom(Number(p.Mp % 100_003n) + p.s);
  const accs = [
    ...[accMin, accMin + 1n, -2n, -1n, 0n, 1n, 2n, accMax - 1n, accMax],
    ...Array.from({ length: 40 }, () => randomBigInt(next, accMin, accMax)),
  ];

  it('has exactly the constraint count of the cost formula and of the count worked by hand', () => {
    expect(leakyReluCost(p)).toBe(cost);
    expect(leakyReluCost(p)).toBe(p.A + 3 + requantizeCost(inner));
    expect(g.constraintCount).toBe(cost);
  });

  it('outputs leakyReluRef on branch ends, extremes and random accumulators, both branches and both clamps where reachable', async () => {
    for (const acc of accs) {
      const w = await g.witness({ in: acc });
      expect(g.read(w, 'main.out'), `acc = ${acc}`).toBe(leakyReluRef(acc, p));
      expect(leakyReluRef(acc, p)).toBe(leakyReluValue(acc, p));
      const multiplier = acc >= 0n ? p.Mp : p.Mn;
      expect(leakyReluRef(acc, p)).toBe(requantizeRef(acc * multiplier, inner));
    }
  });

  it('has no witness outside the sign window [−2^A, 2^A), like leakyReluRef', async () => {
    const window = 1n << BigInt(p.A);
    for (const acc of [window, -window - 1n]) {
      expect(() => leakyReluRef(acc, p)).toThrow(GadgetRangeError);
      await expect(g.witness({ in: acc })).rejects.toThrow();
    }
  });

  it('pins every wire: changing any one of them by ±1 breaks a constraint', async () => {
    for (const acc of [accMin, -1n, 0n, accMax]) {
      const w = await g.witness({ in: acc });
      // The inlined IsZero's inverse only ever multiplies e, which is 0 where t is in range: there it is free.
      const t = requantizeUnclamped(acc * (acc >= 0n ? p.Mp : p.Mn), inner);
      const free = t >= p.lo && t <= p.hi ? /^main\.in$|\.inv\[0\]$/ : /^main\.in$/;
      for (const idx of g.wires(free)) {
        for (const step of [1n, -1n]) {
          const copy = [...w];
          copy[idx] = copy[idx]! + step;
          await g.expectRejected(copy);
        }
      }
    }
  });

  it('rejects each sign bit alone non-boolean with the sum kept', async () => {
    for (const acc of [accMin, -1n, 0n, accMax]) {
      const w = await g.witness({ in: acc });
      // The top bit selects the multiplier: below it, y and the rest of the witness are unaffected.
      for (let i = 0; i < p.A; i++) {
        const bits = withFractionalBit(bitsOf(acc + (1n << BigInt(p.A)), p.A + 1), i);
        const copy = [...w];
        bits.forEach((b, j) => (copy[g.wire(`main.sb[${j}]`)] = b));
        await g.expectRejected(copy);
      }
    }
  });

  /**
   * Every wire for the claim that `acc` takes the other branch: sign bits of acc + 2^A with the top bit flipped
   * (and, with `absorb`, bit 0 moved by ∓2^A so that the sum holds), y = acc times the other multiplier, and
   * Requantize's wires for that y, all consistent.
   */
  async function wrongBranch(acc: bigint, absorb: boolean): Promise<Map<string, bigint>> {
    const bits = bitsOf(acc + (1n << BigInt(p.A)), p.A + 1);
    const top = bits[p.A]!;
    bits[p.A] = 1n - top;
    if (absorb) bits[0] = bits[0]! + (top === 1n ? 1n : -1n) * (1n << BigInt(p.A));
    const y = acc * (top === 1n ? p.Mn : p.Mp);
    const wires = new Map<string, bigint>([['main.in', acc], ['main.y', y]]);
    bits.forEach((b, i) => wires.set(`main.sb[${i}]`, b));
    for (const [name, v] of named(rq, await rq.witness({ in: y }))) {
      wires.set(name === 'main.out' ? 'main.out' : name.replace(/^main\./, 'main.rq.'), v);
    }
    return wires;
  }

  it('rejects the wrong branch with a consistent-looking witness (the sum, or a sign bit, gives it away)', async () => {
    const magnitudes = [1n, 2n, 10n, 100n, 1000n, 10_000n, 100_000n, 1_000_000n];
    const candidates = [...magnitudes.flatMap((m) => [m, -m]), accMin, accMax].filter((acc) => acc >= accMin && acc <= accMax);
    let cheats = 0;
    for (const acc of candidates) {
      const other = acc * (acc >= 0n ? p.Mn : p.Mp);
      let claimed: bigint;
      try {
        claimed = requantizeRef(other, inner);
      } catch (err) {
        // Beyond the inner Requantize's window the other branch has no witness at all.
        expect(err).toBeInstanceOf(GadgetRangeError);
        continue;
      }
      if (claimed === leakyReluRef(acc, p)) continue;
      const honest = await g.witness({ in: acc });
      for (const absorb of [false, true]) {
        const cheat = await wrongBranch(acc, absorb);
        expect(cheat.get('main.out')).not.toBe(leakyReluRef(acc, p));
        await g.expectRejected(g.withWires(honest, cheat, 'main'));
      }
      cheats++;
    }
    expect(cheats).toBeGreaterThanOrEqual(2);
  });

  it('its wrong-branch builder, with the branch not flipped, reproduces the circuit witness', async () => {
    // Flipping twice is the honest claim: the builder computes the wires the template does.
    for (const acc of [-1n, 0n, accMax]) {
      const w = await g.witness({ in: acc });
      const bits = bitsOf(acc + (1n << BigInt(p.A)), p.A + 1);
      const y = acc * (acc >= 0n ? p.Mp : p.Mn);
      const wires = new Map<string, bigint>([['main.in', acc], ['main.y', y]]);
      bits.forEach((b, i) => wires.set(`main.sb[${i}]`, b));
      for (const [name, v] of named(rq, await rq.witness({ in: y }))) wires.set(name === 'main.out' ? 'main.out' : name.replace(/^main\./, 'main.rq.'), v);
      expect(g.withWires(w, wires, 'main')).toEqual(w);
    }
  });
});

describe('LeakyRelu parameters', () => {
  const shape = { Mp: 256n, Mn: 26n, s: 8, zOut: 0n, lo: -128n, hi: 127n };

  it('leakyReluBoundBits finds the least A and Requantize’s B over both branches', () => {
    expect(leakyReluBoundBits(-1000n, 1000n, shape)).toEqual({ A: 10, B: 11 });
    expect(leakyReluBoundBits(-1024n, 1023n, shape).A).toBe(10);
    expect(leakyReluBoundBits(-1025n, 0n, shape).A).toBe(11);
    expect(leakyReluBoundBits(0n, 1024n, shape).A).toBe(11);
    expect(leakyReluBoundBits(0n, 0n, shape).A).toBe(1);
    expect(leakyReluProductRange(-100n, 50n, { Mp: 4n, Mn: 1n })).toEqual({ min: -100n, max: 200n });
    expect(leakyReluProductRange(-100n, 50n, { Mp: 4n, Mn: -3n })).toEqual({ min: 0n, max: 300n });
    expect(leakyReluProductRange(-100n, -5n, { Mp: 4n, Mn: 2n })).toEqual({ min: -200n, max: -10n });
  });

  it('rounds each branch half up', () => {
    const p = { ...shape, ...leakyReluBoundBits(-1000n, 1000n, shape) };
    // −100·26/256 = −10.16 → −10; −5·26/256 = −0.51 → −1; 5·256/256 = 5.
    expect([-100n, -5n, 0n, 5n].map((a) => leakyReluRef(a, p))).toEqual([-10n, -1n, 0n, 5n]);
  });

  it('prints the Circom instantiation and refuses equal multipliers and a zero sign window', () => {
    expect(leakyReluComponent({ ...shape, A: 10, B: 11 })).toBe('LeakyRelu(256, 26, 8, 0, -128, 127, 10, 11)');
    expect(() => leakyReluCost({ ...shape, Mn: 256n, A: 10, B: 11 })).toThrow(GadgetParamsError);
    expect(() => leakyReluCost({ ...shape, A: 0, B: 11 })).toThrow(/A = 0/);
    expect(() => leakyReluCost({ ...shape, A: 10, B: 7 })).toThrow(/B = 7/);
  });
});
