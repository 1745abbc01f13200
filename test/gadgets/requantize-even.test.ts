/**
 * Requantize with ties to even (even = 1, the rounding of ONNX QuantizeLinear and the QLinear ops):
 * exact constraint count, outputs equal to requantizeRef on every tie of the range, and the parity
 * hint a0 pinned: a witness rebuilt consistently around the other a0 (which would round a tie the
 * other way) is rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requantizeBoundBits, requantizeComponent, requantizeCost, requantizeRef, requantizeTiePossible, requantizeUnclamped, type RequantizeParams, type RequantizeShape } from '../../circuits/gadgets/requantize.ts';
import { Gadget, randomBigInt, seededRandom } from './harness.ts';
import { honestA0, requantizeWires } from './requantize-wires.ts';

interface Config {
  name: string;
  params: RequantizeParams;
  accMin: bigint;
  accMax: bigint;
  /** Constraints worked by hand: the half-up count plus 4 (s = 1) or 7 (s ≥ 2). */
  cost: number;
}

function config(name: string, shape: RequantizeShape, accMin: bigint, accMax: bigint, cost: number): Config {
  const even = { ...shape, even: true };
  return { name, params: { ...even, B: requantizeBoundBits(accMin, accMax, even) }, accMin, accMax, cost };
}

const CONFIGS: Config[] = [
  // Ties: a0 boolean 1, c (s = 1: one product; s ≥ 2: IsZero 2 and two products), pc 1, parity check 1 (linear).
  // bits 1+9+1, sum 1, one mid bit: inRange product 1, out 1; ties 4
  config('s = 1: every odd accumulator is a tie', { M: 1n, s: 1, zOut: 0n, lo: -128n, hi: 127n }, -600n, 600n, 11 + 1 + 1 + 1 + 4),
  // average of 4 (M/2^s = 1/4), zOut = −5: bits 2+9+1, sum 1, one mid bit 1, out 1; ties 7
  config('s = 2: an average of four', { M: 1n, s: 2, zOut: -5n, lo: -128n, hi: 127n }, -1000n, 1000n, 12 + 1 + 1 + 1 + 7),
  // uint8 out, M = 3: bits 4+9+1, sum 1, one mid bit 1, out 1; ties 7
  config('s = 4, uint8', { M: 3n, s: 4, zOut: 10n, lo: 0n, hi: 255n }, -2000n, 2000n, 14 + 1 + 1 + 1 + 7),
  // M = 19·2^16, s = 22: ties at odd multiples of 32; bits 22+14+1, sum 1, IsZero 2, out 1; ties 7
  config('s = 22, int8', { M: 1_245_184n, s: 22, zOut: -7n, lo: -128n, hi: 127n }, -40_000n, 40_000n, 37 + 1 + 2 + 1 + 7),
];

/** Every tie in range when few, else a spread of them: odd multiples of 2^(s−1)/gcd. */
function tiesOf(p: RequantizeParams, min: bigint, max: bigint): bigint[] {
  const out: bigint[] = [];
  for (let acc = min; acc <= max && out.length < 40; acc++) {
    const x = acc * p.M;
    const unit = 1n << BigInt(p.s);
    if ((((x % unit) + unit) % unit) === unit / 2n) out.push(acc);
  }
  return out;
}

describe.each(CONFIGS.map((c) => ({ name: c.name, c })))('Requantize, ties to even: $name', ({ c }) => {
  const p = c.params;
  let g: Gadget;
  const ties = tiesOf(p, c.accMin, c.accMax);

  beforeAll(async () => {
    g = await Gadget.compile('requantize.circom', requantizeComponent(p));
  });
  afterAll(async () => {
    await g?.dispose();
  });

  it('costs the formula worked by hand, which circom confirms (two linear: the sum and the parity check)', () => {
    expect(requantizeCost(p)).toBe(c.cost);
    expect(g.constraintCount).toBe(c.cost);
    expect(g.nonLinearCount).toBe(c.cost - 2);
  });

  it('rounds every tie to even (both parities occur) and agrees with requantizeRef everywhere', async () => {
    expect(requantizeTiePossible(c.accMin, c.accMax, p)).toBe(true);
    expect(ties.length).toBeGreaterThan(4);
    const halfUp = { ...p, even: false };
    expect(ties.some((acc) => requantizeUnclamped(acc, p) !== requantizeUnclamped(acc, halfUp))).toBe(true);
    expect(ties.some((acc) => requantizeUnclamped(acc, p) === requantizeUnclamped(acc, halfUp))).toBe(true);
    const next = seededRandom(Number(p.M % 100_003n) + p.s);
    const random = Array.from({ length: 30 }, () => randomBigInt(next, c.accMin, c.accMax));
    for (const acc of [c.accMin, c.accMax, 0n, -1n, 1n, ...ties, ...ties.map((t) => t + 1n), ...random]) {
      const w = await g.witness({ in: acc });
      expect(g.read(w, 'main.out'), `acc = ${acc}`).toBe(requantizeRef(acc, p));
    }
  });

  it('its witness builder reproduces the circuit witness wire for wire', async () => {
    for (const acc of [ties[0]!, ties[1]!, c.accMin, c.accMax, 7n]) {
      const w = await g.witness({ in: acc });
      expect(g.withWires(w, requantizeWires(p, acc, 'main'), 'main')).toEqual(w);
    }
  });

  it('pins every wire at ties and elsewhere: changing any one breaks a constraint', async () => {
    for (const acc of [ties[0]!, ties[1]!, c.accMin, 3n]) {
      // An IsZero inverse only ever multiplies a value that is 0 where the hint set it to 0: free there.
      const w = await g.witness({ in: acc });
      const free = ['main.inv[0]', 'main.lowInv[0]'].filter((name) => g.isWire(name) && w[g.wire(name)] === 0n);
      const skip = new RegExp(['^main\\.in$', ...free.map((name) => `^${name.replace(/[.[\]]/g, '\\$&')}$`)].join('|'));
      await g.expectPinned(w, g.wires(skip));
    }
  });

  it('rejects the other parity hint a0 with every other wire rebuilt around it (a tie rounded the wrong way)', async () => {
    for (const acc of [...ties.slice(0, 6), c.accMin, 5n, c.accMax]) {
      const honest = honestA0(p, acc);
      const cheat = requantizeWires(p, acc, 'main', { a0: 1n - honest });
      const w = await g.witness({ in: acc });
      if (ties.includes(acc)) {
        // The cheat is meaningful: at a tie the other a0 moves the result by one (before the clamp).
        const other = requantizeUnclamped(acc, { ...p, even: false });
        expect([requantizeUnclamped(acc, p), other]).toContain(requantizeUnclamped(acc, p));
      }
      await g.expectRejected(g.withWires(w, cheat, 'main'));
    }
  });
});

describe('requantizeTiePossible', () => {
  it('finds ties exactly where an accumulator is an odd multiple of 2^(s−t−1)', () => {
    for (const [M, s] of [[1n, 1], [1n, 2], [3n, 4], [12n, 5], [1_245_184n, 22], [5n, 0]] as [bigint, number][]) {
      for (const [lo, hi] of [[-40n, 40n], [0n, 0n], [1n, 1n], [2n, 3n], [-3n, -1n], [100n, 130n]] as [bigint, bigint][]) {
        const p = { M, s, zOut: 0n };
        let brute = false;
        for (let acc = lo; acc <= hi; acc++) {
          if (s > 0 && requantizeUnclamped(acc, { ...p, even: true }) !== requantizeUnclamped(acc, p)) brute = true;
          const x = acc * M;
          const unit = 1n << BigInt(s);
          if (s > 0 && (((x % unit) + unit) % unit) === unit / 2n) brute = true;
        }
        expect(requantizeTiePossible(lo, hi, { M, s }), `M = ${M}, s = ${s}, [${lo}, ${hi}]`).toBe(brute);
      }
    }
  });
});
