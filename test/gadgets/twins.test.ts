/**
 * The R1CS twins of the templates (circuits/gadgets/*.ts, the fast path's gadgets) against
 * the templates compiled by circom2: for each configuration the same constraint count, the
 * same signals under the same names on the same wires, and each system satisfied by the other's
 * witness (Gadget.twinProblems). Configurations cover every branch of each template.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmaxBoundBits, argmaxTwin } from '../../circuits/gadgets/argmax.ts';
import { requantizeBoundBits, type RequantizeParams, requantizeReluTwin, requantizeTwin } from '../../circuits/gadgets/requantize.ts';
import { inRangeTwin } from '../../circuits/gadgets/range.ts';
import { Gadget } from './harness.ts';

const shape = (M: bigint, s: number, zOut: bigint, lo: bigint, hi: bigint, even = false): RequantizeParams => {
  const p = { M, s, zOut, lo, hi, ...(even ? { even } : {}) };
  return { ...p, B: requantizeBoundBits(-3000n, 3000n, p) };
};

const requantizeCases: [string, RequantizeParams][] = [
  ['int8, D + 1 a power of two', shape(77n, 9, -3n, -128n, 127n)],
  ['comparator (D = 100)', shape(5n, 4, 2n, -5n, 95n)],
  ['one term (B = k, D full)', { M: 1n, s: 0, zOut: 0n, lo: 0n, hi: 7n, B: 3 }],
  ['two terms', { M: 3n, s: 2, zOut: 0n, lo: 0n, hi: 7n, B: 4 }],
  ['ties to even, s = 1', shape(3n, 1, 0n, -128n, 127n, true)],
  ['ties to even, s >= 2', shape(3n, 5, 1n, -20n, 100n, true)],
];

describe.each(requantizeCases)('Requantize twin: %s', (_, p) => {
  let g: Gadget;
  beforeAll(async () => {
    g = await Gadget.compile('requantize.circom', `Requantize(${p.M}, ${p.s}, ${p.zOut}, ${p.lo}, ${p.hi}, ${p.B}, ${p.even ? 1 : 0})`);
  });
  afterAll(() => g?.dispose());

  it('equals the compiled template for accumulators below, inside and above the clamp', async () => {
    const accs = p.B <= 4 ? [0n, 1n, 5n] : [-3000n, -17n, 0n, 33n, 3000n];
    for (const acc of accs) {
      const problems = await g.twinProblems((b) => requantizeTwin(b, b.main, p, acc), { in: acc });
      expect(problems, `acc = ${acc}`).toEqual([]);
    }
  });
});

describe('RequantizeRelu twin', () => {
  const p = { M: 5n, s: 3, zOut: -20n, qmin: -128n, qmax: 127n, B: 9 };
  let g: Gadget;
  beforeAll(async () => {
    g = await Gadget.compile('requantize.circom', `RequantizeRelu(${p.M}, ${p.s}, ${p.zOut}, ${p.qmin}, ${p.qmax}, ${p.B})`);
  });
  afterAll(() => g?.dispose());

  it('equals the compiled template', async () => {
    for (const acc of [-500n, 0n, 300n]) expect(await g.twinProblems((b) => requantizeReluTwin(b, b.main, p, acc), { in: acc })).toEqual([]);
  });
});

describe.each([
  [1, -1n],
  [8, -128n],
])('InRange twin (%i bits)', (bits, lo) => {
  let g: Gadget;
  beforeAll(async () => {
    g = await Gadget.compile('range.circom', `InRange(${bits}, ${lo})`);
  });
  afterAll(() => g?.dispose());

  it('equals the compiled template', async () => {
    for (const x of [lo, lo + 1n]) expect(await g.twinProblems((b) => inRangeTwin(b, b.main, { bits, lo }, x), { in: x })).toEqual([]);
  });
});

describe.each([1, 2, 3, 7])('ArgMax twin (n = %i)', (n) => {
  const B = argmaxBoundBits(-128n, 127n);
  let g: Gadget;
  beforeAll(async () => {
    g = await Gadget.compile('argmax.circom', `ArgMax(${n}, ${B})`);
  });
  afterAll(() => g?.dispose());

  it('equals the compiled template, ties and negative values included', async () => {
    const inputs = [Array.from({ length: n }, (_, i) => BigInt((i * 37) % 11) - 5n), Array<bigint>(n).fill(-128n), Array.from({ length: n }, (_, i) => (i === n - 1 ? 127n : 3n))];
    for (const values of inputs) expect(await g.twinProblems((b) => argmaxTwin(b, b.main, { n, B }, values), { in: values }), `in = ${values}`).toEqual([]);
  });
});
