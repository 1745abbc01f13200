/**
 * The R1CS twins of activation.circom's templates and of LeakyRelu (circuits/gadgets/
 * activation.ts, leakyrelu.ts) against the templates compiled by circom2, as in twins.test.ts:
 * configurations cover every branch of each template. Then the node lowerings against a model
 * template built from their emitters' Circom: the same component names and wiring.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakyReluBoundBits, leakyReluComponent, type LeakyReluParams, type LeakyReluShape, leakyReluTwin } from '../../circuits/gadgets/leakyrelu.ts';
import { bestTableSplit, lookupComponent, lookupParams, softmaxComponent, type LookupParams, type SoftmaxParams, type TableOfBitsParams, lookupTwin, softmaxTwin, tableOfBitsTwin } from '../../circuits/gadgets/activation.ts';
import { emitLeakyRelu, lowerLeakyRelu } from '../../circuits/ir/leakyrelu.ts';
import { emitLookup, lowerLookup } from '../../circuits/ir/lookup.ts';
import { emitSoftmax, lowerSoftmax } from '../../circuits/ir/softmax.ts';
import type { LeakyReluNode, LookupNode, QTensor, SoftmaxNode } from '../../circuits/ir/types.ts';
import { signalLc, type CircuitBuilder, type Component, type Lc } from '../../circuits/constraints/builder.ts';
import { Gadget, seededRandom } from './harness.ts';

const next = seededRandom(77);
const random = (n: number): bigint[] => Array.from({ length: 2 ** n }, () => BigInt(Math.floor(next() * 200) - 100));
const random3 = random(3);
/** Saturating at both ends: the outer quarters' muxes are free, the middle ones are products. */
const saturating = [-8n, -8n, -8n, -8n, -7n, -5n, -2n, 0n, 2n, 5n, 7n, 8n, 8n, 8n, 8n, 8n];

const tableCases: [string, TableOfBitsParams][] = [
  // Every split of a random table: k = 0 (free single-entry muxes), products from k = 2, k = n (no mux tree).
  ...[0, 1, 2, 3].map((k): [string, TableOfBitsParams] => [`random 3-bit, k = ${k}`, { n: 3, k, table: random3 }]),
  ['saturating 4-bit, k = 1', { n: 4, k: 1, table: saturating }],
  ['saturating 4-bit, k = 2', { n: 4, k: 2, table: saturating }],
  // Every node's halves alike: the root is linear in all the bits.
  ['linear 3·x − 7', { n: 3, k: 1, table: Array.from({ length: 8 }, (_, i) => BigInt(3 * i - 7)) }],
  // Tables that leave a bit out of every constraint (constant, out = bits[0]) are tested inside
  // Lookup: as main, circom drops such a private input, which simplify.ts does not emulate.
  ['two bits, k = 2', { n: 2, k: 2, table: [9n, 1n, 4n, 0n] }],
  // A one-bit table (Softmax's smallest exp table).
  ['one bit', { n: 1, k: 0, table: [16n, 3n] }],
];

const bitsOf = (x: number, n: number): bigint[] => Array.from({ length: n }, (_, i) => BigInt((x >> i) & 1));

describe.each(tableCases)('TableOfBits twin: %s', (_, p) => {
  let g: Gadget;
  beforeAll(async () => {
    g = await Gadget.compile('activation.circom', `TableOfBits(${p.n}, ${p.k}, [${p.table.join(', ')}])`);
  });
  afterAll(() => g?.dispose());

  it('equals the compiled template at every index', async () => {
    for (let x = 0; x < p.table.length; x++) {
      expect(await g.twinProblems((b) => tableOfBitsTwin(b, b.main, p, x), { bits: bitsOf(x, p.n) }), `x = ${x}`).toEqual([]);
    }
  });
});

const lookupCases: [string, LookupParams][] = [
  ['random 4-bit, best split', lookupParams(-3n, random(4))],
  ['saturating 4-bit', lookupParams(-8n, saturating)],
  // out = b[0]: TableOfBits' root is a single signal (an equality --O1 removes); from 5 it stays.
  ['out = low bit', { ...lookupParams(10n, [0n, 1n, 0n, 1n]), k: 0 }],
  ['out = 5 + low bit', { ...lookupParams(10n, [5n, 6n, 5n, 6n]), k: 0 }],
  // The root is a constant.
  ['constant', lookupParams(0n, new Array<bigint>(4).fill(-5n))],
  [
    'sigmoid, int8, scale 0.05',
    lookupParams(
      -128n,
      Array.from({ length: 256 }, (_, i) => BigInt(Math.min(127, Math.floor(255 / (1 + Math.exp(-0.05 * (i - 128))) + 0.5) - 128))),
    ),
  ],
];

describe.each(lookupCases)('Lookup twin: %s', (_, p) => {
  let g: Gadget;
  beforeAll(async () => {
    g = await Gadget.compile('activation.circom', lookupComponent(p));
  });
  afterAll(() => g?.dispose());

  it('equals the compiled template at both ends and inside', async () => {
    const top = BigInt(p.table.length - 1);
    for (const x of [p.lo, p.lo + 1n, p.lo + top / 2n + 1n, p.lo + top]) {
      expect(await g.twinProblems((b) => lookupTwin(b, b.main, p, x), { in: x }), `in = ${x}`).toEqual([]);
    }
  });
});

/** table[d] = round(2^F·exp(−scale·d)) for d < 2^nd, as softmax.test.ts builds it. */
function softmaxConfig(n: number, scale: number, nd: number, F: number, Q: bigint, zOut: bigint): SoftmaxParams {
  const table = Array.from({ length: 2 ** nd }, (_, d) => BigInt(Math.round(2 ** F * Math.exp(-scale * d))));
  return { n, k: bestTableSplit(table), F, G: F + 3, Q, zOut, table };
}

const softmaxCases: [string, SoftmaxParams, bigint][] = [
  ['n = 2, 3-bit spans', softmaxConfig(2, 0.4, 3, 5, 255n, -128n), -4n],
  ['n = 4, 4-bit output', softmaxConfig(4, 0.3, 4, 8, 15n, -8n), -8n],
  // exp underflows to 0 past d = 2: alike halves in the exp table.
  ['n = 3, saturating exp', softmaxConfig(3, 2, 3, 4, 255n, 0n), 0n],
  ['n = 3, one-bit spans, k = 1', { ...softmaxConfig(3, 0.5, 1, 6, 255n, -128n), k: 1 }, 5n],
];

describe.each(softmaxCases)('Softmax twin: %s', (_, p, lo) => {
  let g: Gadget;
  beforeAll(async () => {
    g = await Gadget.compile('activation.circom', softmaxComponent(p));
  });
  afterAll(() => g?.dispose());

  it('equals the compiled template on equal, extreme, tied and random groups', async () => {
    const hi = lo + BigInt(p.table.length - 1);
    const groups = [
      new Array<bigint>(p.n).fill(lo),
      Array.from({ length: p.n }, (_, i) => (i === p.n - 1 ? hi : lo)),
      Array.from({ length: p.n }, (_, i) => (i === 0 ? hi : hi - 1n)),
      ...Array.from({ length: 3 }, () => Array.from({ length: p.n }, () => lo + BigInt(Math.floor(next() * p.table.length)))),
    ];
    for (const values of groups) expect(await g.twinProblems((b) => softmaxTwin(b, b.main, p, values), { in: values }), `in = ${values}`).toEqual([]);
  });
});

const leakyReluCases: [string, LeakyReluShape, bigint, bigint][] = [
  ['alpha 0.01, scale kept', { Mp: 1n << 18n, Mn: 2621n, s: 18, zOut: 3n, lo: -128n, hi: 127n }, -255n, 255n],
  ['alpha 0 (Mn = 0)', { Mp: 2048n, Mn: 0n, s: 11, zOut: -128n, lo: -128n, hi: 127n }, -2000n, 900n],
  ['alpha -0.5 (Mn < 0)', { Mp: 2048n, Mn: -1024n, s: 11, zOut: 0n, lo: -128n, hi: 127n }, -300n, 300n],
  ['s = 0, narrow clamp', { Mp: 3n, Mn: 1n, s: 0, zOut: 0n, lo: -20n, hi: 20n }, -50n, 50n],
];

describe.each(leakyReluCases)('LeakyRelu twin: %s', (_, shape, accMin, accMax) => {
  const p: LeakyReluParams = { ...shape, ...leakyReluBoundBits(accMin, accMax, shape) };
  let g: Gadget;
  beforeAll(async () => {
    g = await Gadget.compile('requantize.circom', leakyReluComponent(p));
  });
  afterAll(() => g?.dispose());

  it('equals the compiled template on both branches and at the clamps', async () => {
    for (const acc of [accMin, -7n, -1n, 0n, 1n, 13n, accMax]) {
      expect(await g.twinProblems((b) => leakyReluTwin(b, b.main, p, acc), { in: acc }), `acc = ${acc}`).toEqual([]);
    }
  });
});

type Lowering<N> = (b: CircuitBuilder, parent: Component, node: N, input: QTensor, x: readonly Lc[], values: readonly bigint[], outputName: string) => Lc[];

/**
 * A model template `Model()` reading x[size] and writing y[size] through one node's emitted
 * Circom (node id `n0`), compiled, against the node's lowering with main's signals declared alike.
 */
async function loweringProblems<N>(emitted: { functions: string[]; body: string[] }, lower: Lowering<N>, node: N, input: QTensor, inputs: readonly bigint[][]): Promise<string[]> {
  const size = inputs[0]!.length;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zkinfer-lowering-'));
  const file = path.join(dir, 'model.circom');
  await fs.writeFile(
    file,
    [
      'pragma circom 2.1.0;',
      'include "requantize.circom";',
      'include "activation.circom";',
      ...emitted.functions,
      'template Model() {',
      `  signal input x[${size}];`,
      `  signal output y[${size}];`,
      ...emitted.body.map((l) => `  ${l}`),
      `  for (var i = 0; i < ${size}; i++) {`,
      '    y[i] <== n0[i];',
      '  }',
      '}',
    ].join('\n'),
  );
  const g = await Gadget.compile(file, 'Model()');
  try {
    const problems: string[] = [];
    for (const values of inputs) {
      const twin = (b: CircuitBuilder): void => {
        const x = b.signals(b.main, 'input', 'x', [size], (i) => values[i]!);
        const y = b.declare(b.main, 'output', 'y', [size]);
        lower(b, b.main, node, input, x.map(signalLc), values, 'n0').forEach((out, i) => {
          b.set(y[i]!, b.evaluate(out));
          b.assign(y[i]!, out);
        });
      };
      problems.push(...(await g.twinProblems(twin, { x: [...values] })).map((p) => `x = ${values}: ${p}`));
    }
    return problems;
  } finally {
    await g.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const tensor = (size: number, min: bigint, max: bigint): QTensor => ({ name: 'x', shape: [size], scale: 1, zeroPoint: 0, min, max });
const base = { node: 'n', output: 'y', input: 'x' };

describe('node lowerings against their emitters', () => {
  it('lookup', async () => {
    const node: LookupNode = { ...base, op: 'Sigmoid', kind: 'lookup', tableLo: -8n, table: saturating };
    const input = tensor(3, -8n, 7n);
    const inputs = [
      [-8n, 0n, 7n],
      [3n, 3n, -2n],
    ];
    expect(await loweringProblems(emitLookup(node, input, 'x', 'n0'), lowerLookup, node, input, inputs)).toEqual([]);
  });

  it('softmax (groups strided: outer 2, n 3, inner 2)', async () => {
    const p = softmaxConfig(3, 0.4, 3, 5, 255n, -128n);
    const node: SoftmaxNode = { ...base, op: 'Softmax', kind: 'softmax', outer: 2, n: 3, inner: 2, expTable: [...p.table], expBits: p.F, reciprocalBits: p.G, levels: p.Q, zeroOut: p.zOut };
    const input = tensor(12, -4n, 3n);
    const inputs = [Array.from({ length: 12 }, (_, i) => BigInt((i * 5) % 8) - 4n)];
    expect(await loweringProblems(emitSoftmax(node, 'x', 'n0'), lowerSoftmax, node, input, inputs)).toEqual([]);
  });

  it('leakyrelu (zero point subtracted)', async () => {
    const node: LeakyReluNode = { ...base, op: 'LeakyRelu', kind: 'leakyrelu', zeroIn: 5n, multiplierPos: 2048n, multiplierNeg: 205n, shift: 11, zeroOut: -3n, lo: -128n, hi: 127n };
    const input = tensor(3, -128n, 127n);
    const inputs = [
      [-128n, 5n, 127n],
      [4n, 6n, -1n],
    ];
    expect(await loweringProblems({ functions: [], body: emitLeakyRelu(node, input, 'x', 'n0') }, lowerLeakyRelu, node, input, inputs)).toEqual([]);
  });
});
