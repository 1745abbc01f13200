import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmaxBoundBits, argmaxComponent, argmaxCost, argmaxRef, type ArgMaxParams } from '../../circuits/gadgets/argmax.ts';
import { GadgetRangeError } from '../../circuits/gadgets/common.ts';
import { bitsOf, Gadget, randomBigInt, seededRandom, withFractionalBit } from './harness.ts';

/**
 * Every ArgMax signal for selector vector `sel` (may be non-one-hot or non-boolean, but sums to 1: the
 * circuit defines sel_0 and sel_1 from index and the others so that it does), computed as the template
 * wires them: a witness builder for cheating provers. index = Σ i·sel_i, hot[i − 2] = sel_i,
 * picked[i − 2] = sel_i·(in[i] − in[0]), max = in[0] + Σ_{i≥1} sel_i·(in[i] − in[0]) unless given, and
 * d[i][·] are the bits of d_i = max − in[i] − Σ_{j>i} sel_j mod 2^(B+1). `pickedShift` is added to picked[0]
 * (sel_2's product), and so to max.
 */
function argmaxWires(
  values: readonly bigint[],
  B: number,
  sel: readonly bigint[],
  max?: bigint,
  o: { pickedShift?: bigint } = {},
): Map<string, bigint> {
  expect(sel.reduce((a, b) => a + b, 0n), 'selectors sum to 1').toBe(1n);
  const wires = new Map<string, bigint>();
  const picked = values.map((v, i) => sel[i]! * (v - values[0]!) + (i === 2 ? (o.pickedShift ?? 0n) : 0n));
  const chosen = max ?? values[0]! + picked.slice(1).reduce((a, b) => a + b, 0n);
  values.forEach((v, i) => {
    wires.set(`main.in[${i}]`, v);
    if (i >= 2) {
      wires.set(`main.hot[${i - 2}]`, sel[i]!);
      wires.set(`main.picked[${i - 2}]`, picked[i]!);
    }
  });
  wires.set('main.max', chosen);
  wires.set('main.index', sel.reduce((a, s, i) => a + BigInt(i) * s, 0n));
  values.forEach((v, i) => {
    const before = sel.slice(i + 1).reduce((a, b) => a + b, 0n);
    const d = chosen - v - before;
    bitsOf(d, B + 1).forEach((b, j) => wires.set(`main.d[${i}][${j}]`, b));
  });
  return wires;
}

const oneHot = (n: number, i: number): bigint[] => Array.from({ length: n }, (_, j) => (j === i ? 1n : 0n));

// Constraint counts (--O1) worked by hand: n booleans (1 for n = 2) + (n − 2) picked + 1 max
// + n·(B + 1) bits of the d_i + n linear sums.
const CASES: { params: ArgMaxParams; cost: number; linear: number }[] = [
  { params: { n: 5, B: 8 }, cost: 5 + 3 + 1 + 5 * 9 + 5, linear: 5 },
  { params: { n: 8, B: 4 }, cost: 8 + 6 + 1 + 8 * 5 + 8, linear: 8 },
  { params: { n: 3, B: 2 }, cost: 3 + 1 + 1 + 3 * 3 + 3, linear: 3 },
  { params: { n: 2, B: 1 }, cost: 1 + 0 + 1 + 2 * 2 + 2, linear: 2 },
  { params: { n: 10, B: 8 }, cost: 10 + 8 + 1 + 10 * 9 + 10, linear: 10 },
];

describe.each(CASES)('ArgMax($params.n, $params.B)', ({ params, cost, linear }) => {
  const { n, B } = params;
  const limit = (1n << BigInt(B)) - 1n;
  let g: Gadget;

  beforeAll(async () => {
    g = await Gadget.compile('argmax.circom', argmaxComponent(params));
  });
  afterAll(async () => {
    await g?.dispose();
  });

  it('has exactly the constraint count of the cost formula, n of them linear (the sums)', () => {
    expect(argmaxCost(params)).toBe(cost);
    expect(argmaxCost(params)).toBe(n === 2 ? 2 * B + 6 : n * (B + 4) - 1);
    expect(g.constraintCount).toBe(cost);
    expect(g.constraintCount - g.nonLinearCount).toBe(linear);
  });

  function vectors(): bigint[][] {
    const next = seededRandom(n * 1000 + B);
    const random = Array.from({ length: 50 }, () => Array.from({ length: n }, () => randomBigInt(next, -limit, limit)));
    // Few distinct values: many ties.
    const tied = Array.from({ length: 20 }, () => Array.from({ length: n }, () => randomBigInt(next, -1n, 1n)));
    return [
      Array.from({ length: n }, () => 0n),
      Array.from({ length: n }, () => -limit),
      Array.from({ length: n }, () => limit),
      Array.from({ length: n }, (_, i) => (i === n - 1 ? limit : -limit)),
      Array.from({ length: n }, (_, i) => (i === 0 ? -limit + 1n : -limit)),
      Array.from({ length: n }, (_, i) => (BigInt(i) >= limit ? -limit : -BigInt(i) - 1n)),
      ...random,
      ...tied,
    ];
  }

  it('outputs argmaxRef (first index on ties) on random, tied, equal and negative values', async () => {
    for (const values of vectors()) {
      const w = await g.witness({ in: values });
      const ref = argmaxRef(values, params);
      expect({ index: Number(g.read(w, 'main.index')), max: g.read(w, 'main.max') }, values.join(',')).toEqual(ref);
    }
  });

  it('has no witness for a value with |v| >= 2^B, like argmaxRef', async () => {
    for (const bad of [limit + 1n, -limit - 1n]) {
      const values = Array.from({ length: n }, (_, i) => (i === 1 ? bad : 0n));
      expect(() => argmaxRef(values, params)).toThrow(GadgetRangeError);
    }
    // The circuit needs max − in[i] < 2^(B+1): 2^B above −2^B is too far.
    const far = Array.from({ length: n }, (_, i) => (i === 0 ? limit + 1n : -limit - 1n));
    await expect(g.witness({ in: far })).rejects.toThrow();
  });

  it('its witness builder reproduces the circuit witness wire for wire', async () => {
    for (const values of vectors().slice(0, 10)) {
      const w = await g.witness({ in: values });
      const { index } = argmaxRef(values);
      expect(g.withWires(w, argmaxWires(values, B, oneHot(n, index)), 'main')).toEqual(w);
    }
  });

  it('pins every wire: changing any one of them breaks a constraint', async () => {
    const next = seededRandom(7 * n + B);
    for (let t = 0; t < 3; t++) {
      const values = Array.from({ length: n }, () => randomBigInt(next, -limit, limit));
      await g.expectPinned(await g.witness({ in: values }), g.wires(/^main\.in\[\d+\]$/));
    }
  });

  it('rejects tampered selector bits, picked products, max, index and every d bit', async () => {
    const next = seededRandom(31 * n + B);
    const vectors = [
      Array.from({ length: n }, (_, i) => BigInt(i % 3) - 1n),
      Array.from({ length: n }, (_, i) => (i === n - 1 ? limit : 0n)),
      Array.from({ length: n }, () => randomBigInt(next, -limit, limit)),
    ];
    for (const values of vectors) {
      const w = await g.witness({ in: values });
      const names = [
        ...Array.from({ length: n - 2 }, (_, i) => [`main.hot[${i}]`, `main.picked[${i}]`]).flat(),
        ...Array.from({ length: n }, (_, i) => Array.from({ length: B + 1 }, (_, j) => `main.d[${i}][${j}]`)).flat(),
        'main.max',
        'main.index',
      ];
      // Under --O1 every one of them is a wire of its own.
      expect(names.filter((name) => g.isWire(name))).toEqual(names);
      for (const name of names) {
        const old = w[g.wire(name)]!;
        for (const value of [old + 1n, old - 1n]) await g.expectRejected(g.tamper(w, name, value));
      }
    }
  });

  it('rejects a later index of a tied maximum', async () => {
    const values = Array.from({ length: n }, (_, i) => (i === 0 || i === n - 1 ? 1n : -1n));
    const w = await g.witness({ in: values });
    expect(g.read(w, 'main.index')).toBe(0n);
    const cheat = argmaxWires(values, B, oneHot(n, n - 1));
    expect(cheat.get('main.max')).toBe(1n);
    await g.expectRejected(g.withWires(w, cheat, 'main'));
    // The same claim keeping the honest d bits (what would pass a non-strict d_i = max − in[i]).
    const keepD = new Map(cheat);
    for (const [name, v] of argmaxWires(values, B, oneHot(n, 0))) if (name.startsWith('main.d[')) keepD.set(name, v);
    await g.expectRejected(g.withWires(w, keepD, 'main'));
  });

  it('rejects a non-maximal index with max set to its value', async () => {
    const values = Array.from({ length: n }, (_, i) => (i === 0 ? -limit : limit));
    const w = await g.witness({ in: values });
    const cheat = argmaxWires(values, B, oneHot(n, 0));
    expect(cheat.get('main.max')).toBe(-limit);
    await g.expectRejected(g.withWires(w, cheat, 'main'));
  });

  it('rejects the true index with an inflated max', async () => {
    const values = Array.from({ length: n }, (_, i) => BigInt(i) - 1n);
    const w = await g.witness({ in: values });
    await g.expectRejected(g.withWires(w, argmaxWires(values, B, oneHot(n, n - 1), BigInt(n - 1)), 'main'));
  });

  it.skipIf(n < 3)('rejects max inflated through a wrong picked product, all else consistent', async () => {
    const values = Array.from({ length: n }, (_, i) => BigInt(i % 3) - 1n);
    const { index, max } = argmaxRef(values);
    const cheat = argmaxWires(values, B, oneHot(n, index), undefined, { pickedShift: 1n });
    expect(cheat.get('main.max')).toBe(max + 1n);
    await g.expectRejected(g.withWires(await g.witness({ in: values }), cheat, 'main'));
  });

  it('rejects each d bit alone non-boolean (a field fraction) with its sum and every other constraint kept', async () => {
    const values = Array.from({ length: n }, (_, i) => BigInt(i % 3) - 1n);
    const w = await g.witness({ in: values });
    const honest = argmaxWires(values, B, oneHot(n, argmaxRef(values).index));
    for (let i = 0; i < n; i++) {
      const dBits = Array.from({ length: B + 1 }, (_, j) => honest.get(`main.d[${i}][${j}]`)!);
      for (let j = 0; j <= B; j++) {
        const cheat = new Map(honest);
        withFractionalBit(dBits, j).forEach((b, k) => cheat.set(`main.d[${i}][${k}]`, b));
        await g.expectRejected(g.withWires(w, cheat, 'main'));
      }
    }
  });

  it('rejects a non-boolean selector that satisfies every other constraint', async () => {
    // values 1, 0, …: sel = (2, −1, 0, …) sums to 1, claims index −1 and max 2, and every d_i ≥ 0.
    const values = Array.from({ length: n }, (_, i) => (i === 0 ? 1n : 0n));
    const sel = Array.from({ length: n }, (_, i) => (i === 0 ? 2n : i === 1 ? -1n : 0n));
    const cheat = argmaxWires(values, B, sel);
    expect(cheat.get('main.index')).toBe(-1n);
    let seen = 0n;
    values.forEach((v, i) => {
      seen += sel[i]!;
      expect(2n - v - (1n - seen)).toBeGreaterThanOrEqual(0n);
    });
    await g.expectRejected(g.withWires(await g.witness({ in: values }), cheat, 'main'));
  });

  // Each selector's booleanity alone: sel_0 and sel_1 are linear expressions in index and hot, hot[i − 2]
  // are hinted. Every d_i lies in [0, 2^(B+1)) and the claim is wrong, so only that booleanity rejects it.
  const lonely: { who: string; sel: bigint[]; values: bigint[]; minN: number }[] = [
    { who: 'sel_0', sel: [-1n, 1n, 1n], values: [0n, 1n, 1n], minN: 3 },
    { who: 'sel_1', sel: [1n, -1n, 1n], values: [1n, 0n, 0n], minN: 3 },
    { who: 'hot', sel: [0n, 0n, 2n, -1n], values: [0n, 0n, 1n, 0n], minN: 4 },
  ];
  for (const { who, sel, values, minN } of lonely) {
    it.skipIf(n < minN)(`rejects ${who} alone non-boolean, every d_i in range`, async () => {
      const pad = <T>(xs: T[], fill: T): T[] => [...xs, ...Array.from({ length: n - xs.length }, () => fill)];
      const [fullSel, fullValues] = [pad(sel, 0n), pad(values, 0n)];
      const cheat = argmaxWires(fullValues, B, fullSel);
      const max = cheat.get('main.max')!;
      fullValues.forEach((v, i) => {
        const d = max - v - fullSel.slice(i + 1).reduce((a, b) => a + b, 0n);
        expect(d >= 0n && d < 1n << BigInt(B + 1), `d_${i} = ${d}`).toBe(true);
      });
      expect(cheat.get('main.index')).not.toBe(BigInt(argmaxRef(fullValues).index));
      await g.expectRejected(g.withWires(await g.witness({ in: fullValues }), cheat, 'main'));
    });
  }
});

describe('ArgMax(1, B)', () => {
  let g: Gadget;
  beforeAll(async () => {
    g = await Gadget.compile('argmax.circom', argmaxComponent({ n: 1, B: 8 }));
  });
  afterAll(async () => {
    await g?.dispose();
  });

  // --O1 substitutes the private input in[0] by max, so max is the free input here. As main, the
  // public output index keeps its `index = 0` (a parent circuit's ArgMax(1, B) adds nothing).
  it('has no non-linear constraint and outputs index 0, max = in[0]', async () => {
    expect(argmaxCost({ n: 1, B: 8 })).toBe(0);
    expect(g.nonLinearCount).toBe(0);
    expect(g.constraintCount).toBe(1);
    const w = await g.witness({ in: [-37n] });
    expect(g.read(w, 'main.index')).toBe(0n);
    expect(g.read(w, 'main.max')).toBe(-37n);
    await g.expectRejected(g.tamper(w, 'main.index', 1n));
  });
});

describe('ArgMax parameters', () => {
  it('argmaxBoundBits is the smallest B with |v| < 2^B', () => {
    expect(argmaxBoundBits(-128n, 127n)).toBe(8);
    expect(argmaxBoundBits(-127n, 127n)).toBe(7);
    expect(argmaxBoundBits(0n, 0n)).toBe(0);
    expect(argmaxBoundBits(-1n, 0n)).toBe(1);
  });

  it('argmaxRef picks the first maximum', () => {
    expect(argmaxRef([3n, 7n, -1n, 7n])).toEqual({ index: 1, max: 7n });
    expect(argmaxRef([-5n, -5n])).toEqual({ index: 0, max: -5n });
  });

  it('prints the Circom instantiation and refuses bad parameters', () => {
    expect(argmaxComponent({ n: 10, B: 8 })).toBe('ArgMax(10, 8)');
    expect(() => argmaxComponent({ n: 0, B: 8 })).toThrow(/n = 0/);
    expect(() => argmaxComponent({ n: 2, B: 252 })).toThrow(/B = 252/);
  });
});
