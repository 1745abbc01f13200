/**
 * The native engine's arithmetic (prover/native/src: field.hpp, fq2.hpp, curve.hpp,
 * fft.cpp, msm.cpp) through its `arith` line protocol, against a BigInt reference written
 * here (textbook affine formulas, naive DFT, naive MSM) and against snarkjs's own engine
 * (ffjavascript): the generators, k·G, the roots of unity and coset shift, FFTs and MSMs.
 * Inputs are edge cases plus values from a seeded PRNG, so a failure reproduces.
 */
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseCurves } from '../../core/curves.ts';
import { BN254_BASE_MODULUS as q, BN254_SCALAR_MODULUS as r } from '../../core/field.ts';
import { buildNative, runNative } from '../support/native.ts';

// ---- the BigInt reference ----

const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

function modInv(a: bigint, m: bigint): bigint {
  let [oldR, rr] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (rr !== 0n) {
    const k = oldR / rr;
    [oldR, rr] = [rr, oldR - k * rr];
    [oldS, s] = [s, oldS - k * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return mod(oldS, m);
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let result = 1n;
  for (b = mod(b, m); e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) result = (result * b) % m;
  return result;
}

/** A field as the curve formulas need it. */
interface Field<T> {
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  inv(a: T): T;
  eq(a: T, b: T): boolean;
  small(n: bigint): T;
}

const Fq: Field<bigint> = {
  add: (a, b) => (a + b) % q,
  sub: (a, b) => mod(a - b, q),
  mul: (a, b) => (a * b) % q,
  inv: (a) => modInv(a, q),
  eq: (a, b) => a === b,
  small: (n) => n,
};

type Fq2El = readonly [bigint, bigint];
const Fq2: Field<Fq2El> = {
  add: (a, b) => [(a[0] + b[0]) % q, (a[1] + b[1]) % q],
  sub: (a, b) => [mod(a[0] - b[0], q), mod(a[1] - b[1], q)],
  // u² = −1
  mul: (a, b) => [mod(a[0] * b[0] - a[1] * b[1], q), (a[0] * b[1] + a[1] * b[0]) % q],
  inv: (a) => {
    const n = modInv(a[0] * a[0] + a[1] * a[1], q);
    return [(a[0] * n) % q, mod(-a[1] * n, q)];
  },
  eq: (a, b) => a[0] === b[0] && a[1] === b[1],
  small: (n) => [n, 0n],
};

/** An affine point; null is infinity. */
type Point<T> = { x: T; y: T } | null;

/** y² = x³ + b, chord-and-tangent in affine coordinates. */
class Curve<T> {
  constructor(
    readonly F: Field<T>,
    readonly b: T,
  ) {}

  onCurve(p: Point<T>): boolean {
    const F = this.F;
    return p === null || F.eq(F.mul(p.y, p.y), F.add(F.mul(F.mul(p.x, p.x), p.x), this.b));
  }
  neg(p: Point<T>): Point<T> {
    return p && { x: p.x, y: this.F.sub(this.F.small(0n), p.y) };
  }
  add(p: Point<T>, s: Point<T>): Point<T> {
    const F = this.F;
    if (p === null) return s;
    if (s === null) return p;
    let slope: T;
    if (F.eq(p.x, s.x)) {
      if (!F.eq(p.y, s.y)) return null; // P + (−P)
      slope = F.mul(F.mul(F.small(3n), F.mul(p.x, p.x)), F.inv(F.add(p.y, p.y)));
    } else {
      slope = F.mul(F.sub(s.y, p.y), F.inv(F.sub(s.x, p.x)));
    }
    const x = F.sub(F.sub(F.mul(slope, slope), p.x), s.x);
    return { x, y: F.sub(F.mul(slope, F.sub(p.x, x)), p.y) };
  }
  mul(p: Point<T>, k: bigint): Point<T> {
    let result: Point<T> = null;
    for (let bit = BigInt(k.toString(2).length) - 1n; bit >= 0n; bit--) {
      result = this.add(result, result);
      if ((k >> bit) & 1n) result = this.add(result, p);
    }
    return result;
  }
  msm(points: Point<T>[], scalars: bigint[]): Point<T> {
    return points.reduce<Point<T>>((acc, p, i) => this.add(acc, this.mul(p, scalars[i]!)), null);
  }
}

const G1 = new Curve(Fq, 3n);
// b' = 3/(9 + u)
const G2 = new Curve(Fq2, Fq2.mul([3n, 0n], Fq2.inv([9n, 1n])));
const g1: Point<bigint> = { x: 1n, y: 2n };
const g2: Point<Fq2El> = {
  x: [10857046999023057135944570762232829481370756359578518086990519993285655852781n, 11559732032986387107991004021392285783925812861821192530917403151452391805634n],
  y: [8495653923123431417604973247489272438418190587263600148770280649306958101930n, 4082367875863433681332203403145435568316851327593401208105741076214120093531n],
};

/** Naive DFT: out[i] = Σ_j a[j]·ω^(i·j). */
function dft(a: bigint[], w: bigint): bigint[] {
  return a.map((_, i) => a.reduce((acc, v, j) => (acc + v * modPow(w, BigInt(i * j), r)) % r, 0n));
}

// ---- a seeded PRNG (splitmix64) ----

const M64 = (1n << 64n) - 1n;
let state = 0x5eed2024n;
function next64(): bigint {
  state = (state + 0x9e3779b97f4a7c15n) & M64;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}
/** Uniform below m (rejection sampling on m's bit length). */
function below(m: bigint): bigint {
  const bits = BigInt(m.toString(2).length);
  for (;;) {
    const v = ((next64() << 192n) | (next64() << 128n) | (next64() << 64n) | next64()) & ((1n << bits) - 1n);
    if (v < m) return v;
  }
}

// ---- the native side ----

/** Runs the operations through one `arith` process; one result line per operation. */
function arith(ops: string[]): string[] {
  const run = runNative(['arith'], ops.map((o) => `${o}\n`).join(''));
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const lines = run.stdout.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(ops.length);
  return lines;
}

const g1Text = (p: Point<bigint>): string => (p === null ? 'inf' : `${p.x} ${p.y}`);
const g2Text = (p: Point<Fq2El>): string => (p === null ? 'inf' : `${p.x[0]} ${p.x[1]} ${p.y[0]} ${p.y[1]}`);

/** ffjavascript's curve engine (snarkjs's), the parts used here. */
interface WasmField {
  e(v: bigint | string): Uint8Array;
  toObject(a: Uint8Array): bigint;
  w: Uint8Array[];
  shift: Uint8Array;
  fft(a: Uint8Array[]): Promise<Uint8Array[]>;
  ifft(a: Uint8Array[]): Promise<Uint8Array[]>;
}
interface WasmGroup<O> {
  g: Uint8Array;
  timesFr(p: Uint8Array, k: Uint8Array): Uint8Array;
  toAffine(p: Uint8Array): Uint8Array;
  toObject(p: Uint8Array): O[];
}
interface Bn128 {
  Fr: WasmField;
  G1: WasmGroup<bigint>;
  G2: WasmGroup<[bigint, bigint]>;
}

let bn128: Bn128;
const wasmG1 = (p: Uint8Array): Point<bigint> => {
  const [x, y, z] = bn128.G1.toObject(bn128.G1.toAffine(p)) as [bigint, bigint, bigint];
  return z === 0n ? null : { x, y };
};
const wasmG2 = (p: Uint8Array): Point<Fq2El> => {
  const [x, y, z] = bn128.G2.toObject(bn128.G2.toAffine(p));
  return z![0] === 0n && z![1] === 0n ? null : { x: x!, y: y! };
};

beforeAll(async () => {
  await buildNative();
  bn128 = (await snarkjs.curves.getCurveFromName('bn128')) as unknown as Bn128;
});

afterAll(async () => {
  await releaseCurves();
});

// ---- the tests ----

describe('prime fields', () => {
  for (const [name, p] of [
    ['fr', r],
    ['fq', q],
  ] as const) {
    it(`${name}: add, sub, mul, square, neg, inv on edge cases and random values`, () => {
      const edges = [0n, 1n, 2n, p - 1n, p - 2n, (p - 1n) / 2n, (p + 1n) / 2n, (1n << 128n) - 1n, 1n << 253n];
      const pairs: [bigint, bigint][] = [];
      for (const a of edges) for (const b of edges) pairs.push([a, b]);
      for (let i = 0; i < 300; i++) pairs.push([below(p), below(p)]);
      const ops: string[] = [];
      const want: bigint[] = [];
      for (const [a, b] of pairs) {
        ops.push(`${name}_add ${a} ${b}`, `${name}_sub ${a} ${b}`, `${name}_mul ${a} ${b}`, `${name}_square ${a}`, `${name}_neg ${a}`, `${name}_inv ${a}`);
        want.push((a + b) % p, mod(a - b, p), (a * b) % p, (a * a) % p, mod(-a, p), a === 0n ? 0n : modInv(a, p));
      }
      expect(arith(ops).map(BigInt)).toEqual(want);
    });

    it(`${name}: 32-byte little-endian form both ways`, () => {
      const values = [0n, 1n, p - 1n, 0x0102030405060708090a0b0c0d0e0f10n, ...Array.from({ length: 20 }, () => below(p))];
      const hex = values.map((v) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex').reverse().toString('hex'));
      expect(arith(values.map((v) => `${name}_bytes ${v}`))).toEqual(hex);
      expect(arith(hex.map((h) => `${name}_from_bytes ${h}`)).map(BigInt)).toEqual(values);
    });
  }

  it('rejects values that are not reduced, naming the line', () => {
    const run = runNative(['arith'], `fr_add 1 2\nfr_add ${r} 1\n`);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: line 2 \(fr_add\): not below the field's modulus/);
  });

  it('batch inversion (Montgomery’s trick) keeps zeros at zero', () => {
    const values = [5n, 0n, r - 1n, 0n, ...Array.from({ length: 40 }, () => below(r)), 0n];
    const [line] = arith([`fr_batch_inv ${values.length} ${values.join(' ')}`]);
    expect(line!.split(' ').map(BigInt)).toEqual(values.map((v) => (v === 0n ? 0n : modInv(v, r))));
    expect(arith(['fr_batch_inv 1 0', 'fr_batch_inv 1 7'])).toEqual(['0', String(modInv(7n, r))]);
  });
});

describe('Fq2 = Fq[u]/(u² + 1)', () => {
  it('add, sub, mul, square, neg, inv', () => {
    const edges: Fq2El[] = [
      [0n, 0n],
      [1n, 0n],
      [0n, 1n],
      [q - 1n, q - 1n],
      [q - 1n, 0n],
      [9n, 1n],
    ];
    const pairs: [Fq2El, Fq2El][] = [];
    for (const a of edges) for (const b of edges) pairs.push([a, b]);
    for (let i = 0; i < 200; i++) pairs.push([[below(q), below(q)], [below(q), below(q)]]);
    const ops: string[] = [];
    const want: string[] = [];
    const t = (a: Fq2El) => `${a[0]} ${a[1]}`;
    for (const [a, b] of pairs) {
      ops.push(`fq2_add ${t(a)} ${t(b)}`, `fq2_sub ${t(a)} ${t(b)}`, `fq2_mul ${t(a)} ${t(b)}`, `fq2_square ${t(a)}`, `fq2_neg ${t(a)}`, `fq2_inv ${t(a)}`);
      const zero = a[0] === 0n && a[1] === 0n;
      want.push(t(Fq2.add(a, b)), t(Fq2.sub(a, b)), t(Fq2.mul(a, b)), t(Fq2.mul(a, a)), t(Fq2.sub([0n, 0n], a)), zero ? '0 0' : t(Fq2.inv(a)));
    }
    expect(arith(ops)).toEqual(want);
  });
});

/** The same checks for G1 and G2: group law edge cases and scalar multiplication. */
function groupSuite<T>(name: 'g1' | 'g2', curve: Curve<T>, gen: Point<T>, text: (p: Point<T>) => string): void {
  describe(`${name.toUpperCase()}`, () => {
    const points: Point<T>[] = [gen, ...Array.from({ length: 12 }, () => curve.mul(gen, below(r)))];

    it('generator and curve membership', () => {
      expect(arith([`${name}_gen`])).toEqual([text(gen)]);
      const bad = name === 'g1' ? '1 3' : '1 0 1 0';
      expect(arith([...points.map((p) => `${name}_on_curve ${text(p)}`), `${name}_on_curve inf`, `${name}_on_curve ${bad}`])).toEqual([
        ...points.map(() => 'true'),
        'true',
        'false',
      ]);
    });

    it('add and mixed add: distinct points, P + P, P + (−P), infinity on either side', () => {
      const cases: [Point<T>, Point<T>][] = [[null, null]];
      for (const p of points) cases.push([p, null], [null, p], [p, p], [p, curve.neg(p)]);
      for (let i = 0; i + 1 < points.length; i++) cases.push([points[i]!, points[i + 1]!]);
      const want = cases.map(([a, b]) => text(curve.add(a, b)));
      expect(arith(cases.map(([a, b]) => `${name}_add ${text(a)} ${text(b)}`))).toEqual(want);
      expect(arith(cases.map(([a, b]) => `${name}_madd ${text(a)} ${text(b)}`))).toEqual(want);
    });

    it('double and negate', () => {
      const all = [null, ...points];
      expect(arith(all.map((p) => `${name}_double ${text(p)}`))).toEqual(all.map((p) => text(curve.add(p, p))));
      expect(arith(all.map((p) => `${name}_neg ${text(p)}`))).toEqual(all.map((p) => text(curve.neg(p))));
    });

    it('scalar multiplication: 0, 1, 2, r − 1, r, 2^256 − 1 and random scalars', () => {
      const scalars = [0n, 1n, 2n, r - 1n, r, (1n << 256n) - 1n, ...Array.from({ length: 6 }, () => below(r))];
      const cases = points.slice(0, 4).flatMap((p) => scalars.map((k) => [p, k] as const));
      cases.push([null, 5n]);
      expect(arith(cases.map(([p, k]) => `${name}_mul ${text(p)} ${k}`))).toEqual(cases.map(([p, k]) => text(curve.mul(p, k))));
    });

    it('batch conversion to affine, infinity included', () => {
      const batch = [points[0]!, null, ...points.slice(1, 6), null];
      const [line] = arith([`${name}_batch_affine ${batch.length} ${batch.map(text).join(' ')}`]);
      expect(line).toBe(batch.map(text).join(' '));
    });

    it('MSM against the naive sum: zero scalars, infinity bases, repeated and opposite bases', () => {
      const p = points;
      const cases: [Point<T>[], bigint[]][] = [
        [[], []],
        [[p[0]!], [0n]],
        [[null], [5n]],
        [[p[0]!], [1n]],
        [[p[0]!], [r - 1n]],
        [[p[1]!, p[1]!], [below(r), below(r)]],
        [[p[1]!, curve.neg(p[1]!)], [7n, 7n]],
        [[p[2]!, null, p[3]!, p[4]!], [0n, below(r), below(r), 0n]],
        [p.slice(0, 8), p.slice(0, 8).map(() => below(r))],
        [p.slice(0, 6), [1n << 253n, (1n << 253n) - 1n, r - 1n, 1n, 2n, r >> 1n]],
      ];
      const ops = cases.map(([bases, ks]) => `${name}_msm ${bases.length} ${bases.map((b, i) => `${text(b)} ${ks[i]}`).join(' ')}`);
      expect(arith(ops)).toEqual(cases.map(([bases, ks]) => text(curve.msm(bases, ks))));
    });
  });
}

groupSuite('g1', G1, g1, g1Text);
groupSuite('g2', G2, g2, g2Text);

describe('agreement with snarkjs (ffjavascript)', () => {
  it('generators and k·G for random k', () => {
    expect(arith(['g1_gen', 'g2_gen'])).toEqual([g1Text(wasmG1(bn128.G1.g)), g2Text(wasmG2(bn128.G2.g))]);
    const ks = Array.from({ length: 8 }, () => below(r));
    expect(arith(ks.map((k) => `g1_mul ${g1Text(g1)} ${k}`))).toEqual(ks.map((k) => g1Text(wasmG1(bn128.G1.timesFr(bn128.G1.g, bn128.Fr.e(k))))));
    expect(arith(ks.map((k) => `g2_mul ${g2Text(g2)} ${k}`))).toEqual(ks.map((k) => g2Text(wasmG2(bn128.G2.timesFr(bn128.G2.g, bn128.Fr.e(k))))));
  });

  // MSMs over bases a_i·G must equal (Σ k_i·a_i)·G, so one reference multiplication checks
  // a whole MSM of any size. The bases are 400 multiples of G from ffjavascript, reused.
  interface Term {
    base: number;
    negate: boolean;
    k: bigint;
  }
  interface Group<T> {
    name: 'g1' | 'g2';
    curve: Curve<T>;
    gen: Point<T>;
    text: (p: Point<T>) => string;
    times: (a: bigint) => Point<T>;
  }
  const groups = {
    g1: { name: 'g1', curve: G1, gen: g1, text: g1Text, times: (a) => wasmG1(bn128.G1.timesFr(bn128.G1.g, bn128.Fr.e(a))) } as Group<bigint>,
    g2: { name: 'g2', curve: G2, gen: g2, text: g2Text, times: (a) => wasmG2(bn128.G2.timesFr(bn128.G2.g, bn128.Fr.e(a))) } as Group<Fq2El>,
  };
  const DISTINCT = 400;
  const dlogs = Array.from({ length: DISTINCT }, () => below(r - 1n) + 1n);

  /** The msm line for `terms` and the point it must print. */
  function msmCase<T>(g: Group<T>, bases: Point<T>[], terms: Term[]): [string, string] {
    const line = terms.map((t) => `${g.text(t.negate ? g.curve.neg(bases[t.base]!) : bases[t.base]!)} ${t.k}`).join(' ');
    const dlog = terms.reduce((sum, t) => (sum + (t.negate ? r - dlogs[t.base]! : dlogs[t.base]!) * t.k) % r, 0n);
    return [`${g.name}_msm ${terms.length} ${line}`, g.text(g.curve.mul(g.gen, dlog))];
  }

  /** msm.cpp's plan (window bits, batch size) for 1 … max points. */
  function plans(max: number): { bits: number; batch: number }[] {
    const lines = arith(Array.from({ length: max }, (_, i) => `msm_plan ${i + 1}`));
    return lines.map((l) => {
      const [bits, batch] = l.split(' ').map(Number);
      return { bits: bits!, batch: batch! };
    });
  }
  const firstBatched = (p: { batch: number }[]): number => p.findIndex((x) => x.batch > 0) + 1;

  // Sizes on both sides of every window-width change, up to the first batched plan.
  function windowBoundaries<T>(g: Group<T>, upTo: number) {
    const p = plans(upTo);
    const sizes = p.flatMap((x, i) => (i > 0 && x.bits !== p[i - 1]!.bits ? [i, i + 1] : []));
    expect(sizes.length).toBeGreaterThan(10);
    const bases = dlogs.map(g.times);
    const cases = sizes.map((n) => msmCase(g, bases, Array.from({ length: n }, (_, i) => ({ base: i % DISTINCT, negate: false, k: below(r - 1n) + 1n }))));
    expect(arith(cases.map(([op]) => op))).toEqual(cases.map(([, want]) => want));
  }

  // Batched affine buckets: an addition may collide with a pending one (deferred, past a
  // limit sent to the Jacobian overflow) or need doubling or cancellation (sent to the
  // overflow). Random scalars below 2^200 leave the windows from bit 200 up to hand-made
  // terms: P0·2^230 300 times (each a doubling of the bucket's P0), ±P3·2^240
  // (cancellations), and 400 distinct bases ·2^220 piling onto one bucket (collisions).
  function batchedBuckets<T>(g: Group<T>) {
    const random = firstBatched(plans(20000));
    const terms: Term[] = Array.from({ length: random }, (_, i) => ({ base: i % DISTINCT, negate: false, k: below(1n << 200n) + 1n }));
    for (let i = 0; i < 300; i++) terms.push({ base: 0, negate: false, k: 1n << 230n }, { base: 3, negate: i % 2 === 1, k: 1n << 240n });
    for (let i = 0; i < DISTINCT; i++) terms.push({ base: i, negate: false, k: 1n << 220n });
    const plan = plans(terms.length).at(-1)!;
    expect(plan.batch).toBeGreaterThan(0);
    expect(plan.bits).toBeLessThanOrEqual(12); // windows from bit 209 up hold no random digits
    // Shuffle (Fisher–Yates on the seeded PRNG) so the hand-made terms come in every order.
    for (let i = terms.length - 1; i > 0; i--) {
      const j = Number(next64() % BigInt(i + 1));
      [terms[i], terms[j]] = [terms[j]!, terms[i]!];
    }
    const [op, want] = msmCase(g, dlogs.map(g.times), terms);
    expect(arith([op])).toEqual([want]);
  }

  it('G1 MSMs on both sides of every window-width change', () => windowBoundaries(groups.g1, 8000));
  it('G2 MSMs on both sides of the window-width changes up to 1500 points', () => windowBoundaries(groups.g2, 1500));
  it('G1 MSM with batched affine buckets: collisions, doublings, cancellations', () => batchedBuckets(groups.g1));
  it('G2 MSM with batched affine buckets: collisions, doublings, cancellations', () => batchedBuckets(groups.g2));

  it('roots of unity w[k] and the coset shift are ffjavascript’s', () => {
    const ks = Array.from({ length: 29 }, (_, k) => k);
    const roots = arith([...ks.map((k) => `fr_root ${k}`), 'fr_shift']).map(BigInt);
    expect(roots).toEqual([...ks.map((k) => bn128.Fr.toObject(bn128.Fr.w[k]!)), bn128.Fr.toObject(bn128.Fr.shift)]);
    for (const k of ks.slice(1)) {
      expect(modPow(roots[k]!, 1n << BigInt(k), r)).toBe(1n);
      expect(modPow(roots[k]!, 1n << BigInt(k - 1), r)).toBe(r - 1n);
    }
  });
});

describe('FFT over Fr', () => {
  it('fft and ifft equal the naive DFT and its inverse for n = 1 … 64', () => {
    const ops: string[] = [];
    const want: string[] = [];
    for (const k of [0, 1, 2, 3, 4, 6]) {
      const n = 1 << k;
      const a = Array.from({ length: n }, () => below(r));
      const w = bn128.Fr.toObject(bn128.Fr.w[k]!);
      ops.push(`fft ${n} ${a.join(' ')}`, `ifft ${n} ${a.join(' ')}`);
      const nInv = modInv(BigInt(n), r);
      want.push(dft(a, w).join(' '), dft(a, modInv(w, r)).map((v) => (v * nInv) % r).join(' '));
    }
    expect(arith(ops)).toEqual(want);
  });

  it('at 2^15 (threaded, blocks and wide stages) matches ffjavascript’s Fr.fft / Fr.ifft', async () => {
    const n = 1 << 15;
    const a = Array.from({ length: n }, () => below(r));
    const [forward, inverse] = arith([`fft ${n} ${a.join(' ')}`, `ifft ${n} ${a.join(' ')}`]);
    const elements = a.map((v) => bn128.Fr.e(v));
    const ref = async (fn: (x: Uint8Array[]) => Promise<Uint8Array[]>) => (await fn(elements)).map((e) => bn128.Fr.toObject(e)).join(' ');
    expect(forward).toBe(await ref((x) => bn128.Fr.fft(x)));
    expect(inverse).toBe(await ref((x) => bn128.Fr.ifft(x)));
  });

  it('ifft undoes fft', () => {
    const n = 1 << 12;
    const a = Array.from({ length: n }, () => below(r));
    const [forward] = arith([`fft ${n} ${a.join(' ')}`]);
    expect(arith([`ifft ${n} ${forward}`])).toEqual([a.join(' ')]);
  });

  it('rejects a size that is not a power of two', () => {
    const run = runNative(['arith'], 'fft 3 1 2 3\n');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: line 1 \(fft\): fft size must be a power of two\n$/);
  });
});
