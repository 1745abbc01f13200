import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reluAsRequantize, requantizeBoundBits, requantizeComponent, requantizeCost, requantizeRef, requantizeReluBoundBits, requantizeReluComponent, requantizeReluCost, requantizeReluRef, requantizeUnclamped, type RequantizeParams, type RequantizeReluParams, type RequantizeShape } from '../../circuits/gadgets/requantize.ts';
import { GadgetRangeError } from '../../circuits/gadgets/common.ts';
import { bitsOf, Gadget, P, randomBigInt, seededRandom, withFractionalBit } from './harness.ts';
import { requantizeV, requantizeWires } from './requantize-wires.ts';

interface Config {
  name: string;
  /** The Requantize the circuit computes (for RequantizeRelu: the one it instantiates). */
  params: RequantizeParams;
  component: string;
  cost: number;
  ref: (acc: bigint) => bigint;
  /** Where Requantize's signals live in the wrapper. */
  prefix: string;
  accMin: bigint;
  accMax: bigint;
}

function plain(name: string, shape: RequantizeShape, accMin: bigint, accMax: bigint): Config {
  const params = { ...shape, B: requantizeBoundBits(accMin, accMax, shape) };
  return {
    name,
    params,
    component: requantizeComponent(params),
    cost: requantizeCost(params),
    ref: (acc) => requantizeRef(acc, params),
    prefix: 'main',
    accMin,
    accMax,
  };
}

function relu(name: string, shape: Omit<RequantizeReluParams, 'B'>, accMin: bigint, accMax: bigint): Config {
  const p = { ...shape, B: requantizeReluBoundBits(accMin, accMax, shape) };
  return {
    name,
    params: reluAsRequantize(p),
    component: requantizeReluComponent(p),
    cost: requantizeReluCost(p),
    ref: (acc) => requantizeReluRef(acc, p),
    prefix: 'main.rq',
    accMin,
    accMax,
  };
}

// Each row: the config, the B requantizeBoundBits must find, and the constraint count (--O1) worked by hand:
// bits (booleanity) + 1 linear sum + comparator + inRange (0 alias, 1 product, 2 inlined IsZero) + 1 out.
const CONFIGS: [Config, number, number][] = [
  // bits 9+0+1, sum 1, one mid bit: inRange product 1, out 1
  [plain('s = 0, int8', { M: 2n, s: 0, zOut: 5n, lo: -128n, hi: 127n }, -100n, 100n), 9, 10 + 1 + 1 + 1],
  // bits 4+9+1, sum 1, D = 105 = 0b1101001: k = 7, z = 1, compare 5, IsZero 2, out 1
  [plain('s = 4, [-5, 100]', { M: 3n, s: 4, zOut: -3n, lo: -5n, hi: 100n }, -2000n, 2000n), 9, 14 + 1 + 5 + 2 + 1],
  // bits 20+13+1, sum 1, IsZero 2, out 1
  [plain('s = 20, int8', { M: 3146n, s: 20, zOut: 3n, lo: -128n, hi: 127n }, -1_600_000n, 1_600_000n), 13, 34 + 1 + 2 + 1],
  // s = 22, B = 14, int8 (a typical layer; M = 19·2^16 so that rounding ties occur): bits 22+14+1, sum 1, IsZero 2, out 1
  [plain('s = 22, int8', { M: 1_245_184n, s: 22, zOut: -7n, lo: -128n, hi: 127n }, -40_000n, 40_000n), 14, 37 + 1 + 2 + 1],
  // B = k = 7: bits 1+7+1, sum 1, D = 105: compare 5, inRange product 1, out 1
  [plain('B = k, [-5, 100]', { M: 1n, s: 1, zOut: 0n, lo: -5n, hi: 100n }, -266n, 244n), 7, 9 + 1 + 5 + 1 + 1],
  // B = k = 8, D + 1 = 256: bits 1+8+1, sum 1, inRange = bTop (alias), out 1
  [plain('B = k, int8', { M: 1n, s: 1, zOut: 0n, lo: -128n, hi: 127n }, -769n, 254n), 8, 10 + 1 + 1],
  // lo = hi: k = 0, five mid bits: bits 2+5+1, sum 1, IsZero 2, out 1
  [plain('lo = hi', { M: 1n, s: 2, zOut: 0n, lo: 7n, hi: 7n }, -40n, 40n), 5, 8 + 1 + 2 + 1],
  // lo = hi with a one-value window: B = max(k, 1) = 1, bits 1+1+1, sum 1, one mid bit: inRange product 1, out 1
  [plain('lo = hi, B = 1', { M: 1n, s: 1, zOut: 0n, lo: 0n, hi: 0n }, -2n, 2n), 1, 3 + 1 + 1 + 1],
  // lo = zOut = qmin = -128 (uint8-like): bits 8+11+1, sum 1, IsZero 2, out 1
  [relu('relu, zOut = -128', { M: 77n, s: 8, zOut: -128n, qmin: -128n, qmax: 127n }, -5000n, 5000n), 11, 20 + 1 + 2 + 1],
  // lo = zOut = 10, D = 117 = 0b1110101: k = 7, z = 1, compare 5; bits 3+9+1, sum 1, IsZero 2, out 1
  [relu('relu, zOut = 10', { M: 5n, s: 3, zOut: 10n, qmin: -128n, qmax: 127n }, -500n, 500n), 9, 13 + 1 + 5 + 2 + 1],
];

/** The smallest acc in [min, max] with t(acc) ≥ target (t is monotone), if any. */
function firstAccReaching(p: RequantizeParams, target: bigint, min: bigint, max: bigint): bigint | undefined {
  if (requantizeUnclamped(max, p) < target) return undefined;
  let [a, b] = [min, max];
  while (a < b) {
    const mid = a + (b - a) / 2n;
    if (requantizeUnclamped(mid, p) >= target) b = mid;
    else a = mid + 1n;
  }
  return a;
}

/** Accumulators in [min, max] where acc·M + 2^(s−1) is an exact multiple of 2^s: rounding ties. */
function ties(p: RequantizeParams, min: bigint, max: bigint, count: number): bigint[] {
  if (p.s === 0) return [];
  let g = 0;
  while (((p.M >> BigInt(g)) & 1n) === 0n) g++;
  if (g > p.s - 1) return [];
  const mod = 1n << BigInt(p.s - g);
  const odd = p.M >> BigInt(g);
  // odd^(-1) mod 2^(s-g) by Newton iteration.
  let inv = 1n;
  for (let i = 0; i < 8; i++) inv = (inv * (2n - odd * inv)) % mod;
  inv = ((inv % mod) + mod) % mod;
  const base = (((1n << BigInt(p.s - 1 - g)) * inv) % mod + mod) % mod;
  const first = min + ((((base - min) % mod) + mod) % mod);
  const out: bigint[] = [];
  for (let acc = first; acc <= max && out.length < count; acc += mod * (1n + (max - min) / mod / BigInt(count))) {
    out.push(acc);
  }
  return out;
}

/** The accumulators each config is checked on: extremes, clamp edges, ties, 50 random. */
function accumulators(c: Config): bigint[] {
  const { params: p, accMin, accMax } = c;
  const next = seededRandom(Number((p.M * 7919n + BigInt(p.s)) % 1_000_003n));
  const edges = [p.lo - 1n, p.lo, p.lo + 1n, p.hi - 1n, p.hi, p.hi + 1n]
    .flatMap((t) => [firstAccReaching(p, t, accMin, accMax)])
    .flatMap((acc) => (acc === undefined ? [] : [acc - 1n, acc, acc + 1n]))
    .filter((acc) => acc >= accMin && acc <= accMax);
  const random = Array.from({ length: 50 }, () => randomBigInt(next, accMin, accMax));
  return [accMin, accMin + 1n, 0n, accMax - 1n, accMax, ...edges, ...ties(p, accMin, accMax, 8), ...random];
}

describe.each(CONFIGS.map(([c, B, cost]) => ({ name: c.name, c, expectedB: B, expectedCost: cost })))(
  'Requantize: $name',
  ({ c, expectedB, expectedCost }) => {
    let g: Gadget;
    const p = c.params;
    const n = p.s + p.B + 1;
    const outName = 'main.out';
    const at = (name: string): string => `${c.prefix}.${name}`;
    const D = p.hi - p.lo;
    const k = D === 0n ? 0 : D.toString(2).length;
    const full = D + 1n === 1n << BigInt(k);
    const terms = 1 + (p.B - k) + (full ? 0 : 1);
    /** Comparator products: k − 1 − z, z the lowest 0 bit of D (none when D + 1 is a power of two). */
    const nCmp = full ? 0 : k - 1 - (D.toString(2).split('').reverse().join('') + '0').indexOf('0');
    /** Accumulators in range (mid-range), clamped below and (where reachable) clamped above. */
    const inside = firstAccReaching(p, p.lo + D / 2n, c.accMin, c.accMax)!;
    const below = c.accMin;
    const above = c.accMax;

    beforeAll(async () => {
      g = await Gadget.compile('requantize.circom', c.component);
    });
    afterAll(async () => {
      await g?.dispose();
    });

    it('finds the minimal B and the cost worked by hand', () => {
      expect(p.B).toBe(expectedB);
      expect(c.cost).toBe(expectedCost);
    });

    it('has exactly the constraint count of the cost formula, one of them linear (the sum)', () => {
      expect(g.constraintCount).toBe(c.cost);
      expect(g.nonLinearCount).toBe(c.cost - 1);
    });

    it('outputs requantizeRef on extremes, clamp edges, ties and random accumulators', async () => {
      const accs = accumulators(c);
      expect(accs.length).toBeGreaterThanOrEqual(60);
      expect(accs.some((a) => requantizeUnclamped(a, p) < p.lo), 'some accumulator clamps below').toBe(true);
      if (requantizeUnclamped(c.accMax, p) > p.hi) {
        expect(accs.some((a) => requantizeUnclamped(a, p) > p.hi), 'some accumulator clamps above').toBe(true);
      }
      if (p.s > 0) {
        const tied = ties(p, c.accMin, c.accMax, 8);
        expect(tied.length).toBeGreaterThan(0);
        for (const acc of tied) expect((acc * p.M + (1n << BigInt(p.s - 1))) % (1n << BigInt(p.s))).toBe(0n);
      }
      for (const acc of accs) {
        const w = await g.witness({ in: acc });
        expect(g.read(w, outName), `acc = ${acc}`).toBe(c.ref(acc));
      }
      const w = await g.witness({ in: accs[accs.length - 1]! });
      await g.expectAccepted(w);
    });

    it('rejects accumulators whose t − lo leaves [−2^B, 2^B), like requantizeRef', async () => {
      const window = 1n << BigInt(p.B);
      const tooHigh = firstAccReaching(p, p.lo + window, c.accMax, c.accMax + (window << BigInt(p.s + 1)))!;
      const tooLow = firstAccReaching(p, p.lo - window, c.accMin - (window << BigInt(p.s + 1)), c.accMin)! - 1n;
      for (const acc of [tooHigh, tooLow]) {
        expect(() => c.ref(acc)).toThrow(GadgetRangeError);
        await expect(g.witness({ in: acc })).rejects.toThrow();
      }
      for (const acc of [tooHigh - 1n, tooLow + 1n]) {
        const w = await g.witness({ in: acc });
        expect(g.read(w, outName)).toBe(c.ref(acc));
      }
    });

    it('its witness builder reproduces the circuit witness wire for wire', async () => {
      for (const acc of [inside, below, above]) {
        const w = await g.witness({ in: acc });
        expect(g.withWires(w, requantizeWires(p, acc, c.prefix), 'main')).toEqual(w);
      }
    });

    it('pins every wire: changing any one of them breaks a constraint', async () => {
      for (const acc of [below, above]) {
        await g.expectPinned(await g.witness({ in: acc }), g.wires(/^main\.in$/));
      }
      // In range the IsZero input e is 0 and its inverse is free (it only ever multiplies e).
      await g.expectPinned(await g.witness({ in: inside }), g.wires(/^main\.in$|\.inv\[0\]$/));
    });

    it('rejects tampered hints: every bit of V, comparator, flag, output', async () => {
      for (const acc of [inside, below, above]) {
        const w = await g.witness({ in: acc });
        const candidates = [
          ...Array.from({ length: n }, (_, i) => at(`bits[${i}]`)),
          ...Array.from({ length: nCmp }, (_, j) => at(`cmp[${j}]`)),
          ...(terms > 1 ? [at('inRange')] : []),
          outName,
        ];
        // Under --O1 every one is a wire; with terms = 1, inRange = bTop is a signal = signal equality, removed.
        expect(g.isWire(at('inRange'))).toBe(terms > 1);
        const tampered = candidates.filter((name) => g.isWire(name));
        expect(tampered).toEqual(candidates);
        for (const name of tampered) {
          const old = w[g.wire(name)]!;
          for (const value of [old + 1n, old - 1n]) await g.expectRejected(g.tamper(w, name, value));
        }
      }
      const wAbove = await g.witness({ in: above });
      if (terms >= 3) {
        const inv = wAbove[g.wire(at('inv[0]'))]!;
        await g.expectRejected(g.tamper(wAbove, at('inv[0]'), inv + 1n));
        await g.expectRejected(g.tamper(wAbove, at('inv[0]'), 0n));
      }
    });

    // With lo = hi every claim clamps to the same output: the output-changing cheats need D >= 2.
    it.skipIf(D < 2n)('rejects out ± 1 from w moved by ±2^s with all other wires consistent', async () => {
      const V = requantizeV(p, inside);
      const honest = c.ref(inside);
      const w = await g.witness({ in: inside });
      for (const step of [1n, -1n]) {
        const cheat = requantizeWires(p, inside, c.prefix, { bits: bitsOf(V + step * (1n << BigInt(p.s)), n) });
        expect(cheat.get(at('out'))).toBe(honest + step);
        await g.expectRejected(g.withWires(w, cheat, 'main'));
      }
    });

    it.skipIf(p.s === 0 || D < 2n)('rejects out + 1 with the sum kept by a remainder bit of −2^s', async () => {
      const V = requantizeV(p, inside);
      const bits = bitsOf(V + (1n << BigInt(p.s)), n);
      bits[0] = bits[0]! - (1n << BigInt(p.s));
      const cheat = requantizeWires(p, inside, c.prefix, { bits });
      expect(bits.reduce((sum, b, i) => sum + (b << BigInt(i)), 0n)).toBe(V);
      expect(cheat.get(at('out'))).toBe(c.ref(inside) + 1n);
      await g.expectRejected(g.withWires(await g.witness({ in: inside }), cheat, 'main'));
    });

    it('rejects each bit of V alone non-boolean (a field fraction) with the sum and every other constraint kept', async () => {
      for (const acc of [inside, below, above]) {
        const w = await g.witness({ in: acc });
        const honest = bitsOf(requantizeV(p, acc), n);
        for (let i = 0; i < n; i++) {
          const bits = withFractionalBit(honest, i);
          expect(bits.reduce((sum, b, j) => (sum + b * (1n << BigInt(j))) % P, 0n)).toBe(requantizeV(p, acc) % P);
          await g.expectRejected(g.withWires(w, requantizeWires(p, acc, c.prefix, { bits }), 'main'));
        }
      }
    });

    it.skipIf(D < 2n)('rejects a flipped clamp-below branch with the sum kept by a non-boolean low bit', async () => {
      for (const acc of [inside, below]) {
        const bits = bitsOf(requantizeV(p, acc), n);
        const top = bits[n - 1]!;
        bits[n - 1] = 1n - top;
        bits[0] = bits[0]! + (top === 1n ? 1n : -1n) * (1n << BigInt(n - 1));
        const cheat = requantizeWires(p, acc, c.prefix, { bits });
        // In range the cheat claims lo; far below, the flipped witness may claim lo too, but differs in its bits.
        if (acc === inside) expect(cheat.get(at('out'))).toBe(p.lo);
        await g.expectRejected(g.withWires(await g.witness({ in: acc }), cheat, 'main'));
      }
    });

    // The upper clamp for hi < t < lo + 2^k rests on the comparator alone (no mid bit is set there).
    it.skipIf(D + 1n === 1n << BigInt(k))('rejects hi < t < lo + 2^k claimed in range by zeroing the comparator', async () => {
      const acc = firstAccReaching(p, p.hi + 1n, c.accMin, c.accMax)!;
      const t = requantizeUnclamped(acc, p);
      expect(t - p.lo).toBeLessThan(1n << BigInt(k));
      const cheat = requantizeWires(p, acc, c.prefix, { zeroCompare: true });
      expect(cheat.get('main.out')).toBe(t);
      await g.expectRejected(g.withWires(await g.witness({ in: acc }), cheat, 'main'));
    });

    // With terms = 1, inRange is bTop itself: there is no separate flag to force. With the inlined
    // IsZero (terms >= 3) each claim is tried with two inverses, so that each of its two constraints
    // (inRange = 1 − e·inv, e·inRange = 0) is the one left to catch it.
    it.skipIf(terms === 1 || D < 2n)(
      'rejects an in-range value claimed clamped, and an above value claimed in range',
      async () => {
        const invs = terms >= 3 ? [undefined, 0n, 1n] : [undefined];
        for (const inv of invs) {
          const clamped = requantizeWires(p, inside, c.prefix, { inRange: 0n, inv });
          expect(clamped.get(at('out'))).toBe(p.hi);
          await g.expectRejected(g.withWires(await g.witness({ in: inside }), clamped, 'main'));
        }
        expect(requantizeUnclamped(above, p)).toBeGreaterThan(p.hi);
        for (const inv of invs) {
          const unclamped = requantizeWires(p, above, c.prefix, { inRange: 1n, inv });
          expect(unclamped.get(at('out'))).toBe(requantizeUnclamped(above, p));
          if (inv === 0n) {
            // inRange = 1 − e·0 holds: only e·inRange = 0 is left to reject it.
            expect(unclamped.get(at('inRange'))).toBe(1n);
          }
          await g.expectRejected(g.withWires(await g.witness({ in: above }), unclamped, 'main'));
        }
      },
    );
  },
);

describe('Requantize parameters', () => {
  it('requantizeRef rounds half up, also for negative accumulators', () => {
    const p = { M: 1n, s: 1, zOut: 0n, lo: -128n, hi: 127n, B: 8 };
    expect([-3n, -2n, -1n, 0n, 1n, 2n, 3n].map((a) => requantizeRef(a, p))).toEqual([-1n, -1n, 0n, 0n, 1n, 1n, 2n]);
  });

  it('requantizeBoundBits is minimal: B − 1 leaves the window or is below max(1, bits of hi − lo)', () => {
    for (const [c] of CONFIGS) {
      const p = c.params;
      const smaller = { ...p, B: p.B - 1 };
      const k = (p.hi - p.lo).toString(2).length - (p.hi === p.lo ? 1 : 0);
      if (p.B === Math.max(k, 1)) continue;
      const fails = [c.accMin, c.accMax].some((acc) => {
        try {
          requantizeRef(acc, smaller);
          return false;
        } catch (err) {
          return err instanceof GadgetRangeError;
        }
      });
      expect(fails, c.name).toBe(true);
    }
  });

  it('prints the Circom instantiation with negative arguments', () => {
    expect(requantizeComponent({ M: 123n, s: 20, zOut: -128n, lo: -128n, hi: 127n, B: 14 })).toBe(
      'Requantize(123, 20, -128, -128, 127, 14, 0)',
    );
    expect(requantizeReluComponent({ M: 5n, s: 3, zOut: -20n, qmin: -128n, qmax: 127n, B: 9 })).toBe(
      'RequantizeRelu(5, 3, -20, -128, 127, 9)',
    );
  });

  it('refuses parameters the template asserts against', () => {
    const ok = { M: 1n, s: 0, zOut: 0n, lo: -128n, hi: 127n, B: 8 };
    expect(() => requantizeCost({ ...ok, M: 0n })).toThrow(/M = 0/);
    expect(() => requantizeCost({ ...ok, lo: 1n, hi: 0n })).toThrow(/lo = 1/);
    expect(() => requantizeCost({ ...ok, B: 7 })).toThrow(/B = 7/);
    expect(() => requantizeCost({ ...ok, lo: 3n, hi: 3n, B: 0 })).toThrow(/B = 0 must be an integer >= 1/);
    expect(requantizeBoundBits(0n, 0n, { M: 1n, s: 0, zOut: 0n, lo: 0n, hi: 0n })).toBe(1);
    expect(() => requantizeCost({ ...ok, s: 200, B: 60 })).toThrow(/s \+ B \+ 1 = 261/);
  });
});
