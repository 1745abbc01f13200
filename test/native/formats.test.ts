/**
 * The native engine's file formats (prover/native/src/formats.cpp) on the fixture circuit:
 * `info` agrees with our TypeScript readers and snarkjs, `zkey-copy` writes a key snarkjs
 * proves and verifies with, and damaged files fail with one-line errors that name the
 * file and the section.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeWitness, releaseCurves, setup } from '../../prover/index.ts';
import { compileCircuit } from '../../circuits/index.ts';
import { binFileBytes, readBigUIntLE, writeBigUIntLE } from '../../core/formats/binfile.ts';
import { readR1csHeader } from '../../core/formats/r1cs.ts';
import { readWitness } from '../../core/formats/wtns.ts';
import { BN254_BASE_MODULUS, BN254_SCALAR_MODULUS } from '../../core/field.ts';
import { makeFixtureDir, TEST_CACHE_DIR } from '../prover/fixture.ts';
import { buildNative, runNative } from '../support/native.ts';

process.env.ZKINFER_CACHE_DIR = TEST_CACHE_DIR;

/** snarkjs calls the shared snarkjs.d.ts does not declare (their results as snarkjs returns them). */
const snarkjsMore = snarkjs as unknown as {
  r1cs: {
    info(file: string): Promise<{ nVars: number; nOutputs: number; nPubInputs: number; nPrvInputs: number; nLabels: number; nConstraints: number }>;
    /** Each constraint is [A, B, C], each a map wire → decimal value. */
    exportJson(file: string): Promise<{ constraints: Record<string, string>[][] }>;
  };
  zKey: {
    /** Coefficient values come back plain (snarkjs strips the stored R² factor). */
    exportJson(file: string): Promise<{ nVars: number; nPublic: number; domainSize: number; ccoefs: { matrix: number; constraint: number; signal: number; value: string }[] }>;
  };
  wtns: { exportJson(file: string): Promise<bigint[]> };
};

/** A container file split into its parts, to rebuild damaged copies with binFileBytes. */
interface Container {
  magic: string;
  version: number;
  sections: [number, Buffer][];
  /** File offset of each section's payload, in file order. */
  offsets: number[];
}

function parseContainer(bytes: Buffer): Container {
  const sections: [number, Buffer][] = [];
  const offsets: number[] = [];
  let at = 12;
  for (let i = 0; i < bytes.readUInt32LE(8); i++) {
    const size = Number(bytes.readBigUInt64LE(at + 4));
    sections.push([bytes.readUInt32LE(at), bytes.subarray(at + 12, at + 12 + size)]);
    offsets.push(at + 12);
    at += 12 + size;
  }
  return { magic: bytes.toString('latin1', 0, 4), version: bytes.readUInt32LE(4), sections, offsets };
}

const section = (c: Container, type: number): Buffer => c.sections.find(([t]) => t === type)![1];
const offsetOf = (c: Container, type: number): number => c.offsets[c.sections.findIndex(([t]) => t === type)]!;
const hex = (v: bigint): string => `0x${v.toString(16).padStart(64, '0')}`;
const R = (1n << 256n) % BN254_SCALAR_MODULUS;

let dir: string;
let scratch: string;
let r1csFile: string;
let zkeyFile: string;
let wtnsFile: string;

beforeAll(async () => {
  dir = await makeFixtureDir();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-formats-'));
  await compileCircuit(dir);
  await setup(dir);
  r1csFile = path.join(dir, 'model.r1cs');
  zkeyFile = path.join(dir, 'model.zkey');
  wtnsFile = path.join(dir, 'witness.wtns');
  await computeWitness(dir, [1, 2, 3], 'formats test', { witnessFile: wtnsFile });
  await buildNative();
});

afterAll(async () => {
  await releaseCurves();
  await Promise.all([dir, scratch].map((d) => rm(d, { recursive: true, force: true })));
});

function info(file: string): Record<string, unknown> {
  const run = runNative(['info', file]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** The one-line error of a failing command, without its "error: " prefix. */
function nativeError(args: string[]): string {
  const run = runNative(args);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^error: [^\n]*\n$/);
  return run.stderr.slice('error: '.length, -1);
}

/** Writes `bytes` to a scratch file and returns the `info` error for it. */
function infoError(name: string, bytes: Buffer): { file: string; message: string } {
  const file = path.join(scratch, name);
  writeFileSync(file, bytes);
  return { file, message: nativeError(['info', file]) };
}

const rebuilt = (c: Container, sections: [number, Uint8Array][] = c.sections, version = c.version): Buffer => binFileBytes(c.magic, version, sections);
const replaced = (c: Container, type: number, data: Uint8Array): [number, Uint8Array][] => c.sections.map(([t, d]) => [t, t === type ? data : d]);

describe('info agrees with our readers and snarkjs', () => {
  it('r1cs: header counts and per-matrix term counts', async () => {
    const header = await readR1csHeader(r1csFile);
    const viaSnarkjs = await snarkjsMore.r1cs.info(r1csFile);
    const { constraints } = await snarkjsMore.r1cs.exportJson(r1csFile);
    const terms = (m: number): number => constraints.reduce((n, c) => n + Object.keys(c[m]!).length, 0);
    expect(info(r1csFile)).toEqual({
      type: 'r1cs',
      nWires: header.wires,
      nConstraints: header.constraints,
      nPubOut: header.publicOutputs,
      nPubIn: header.publicInputs,
      nPrvIn: header.privateInputs,
      nLabels: header.labels,
      terms: { a: terms(0), b: terms(1), c: terms(2) },
    });
    expect(viaSnarkjs).toMatchObject({
      nVars: header.wires,
      nConstraints: header.constraints,
      nOutputs: header.publicOutputs,
      nPubInputs: header.publicInputs,
      nPrvInputs: header.privateInputs,
      nLabels: header.labels,
    });
  });

  it('zkey: header counts and coefficient count', async () => {
    const key = await snarkjsMore.zKey.exportJson(zkeyFile);
    expect(info(zkeyFile)).toEqual({
      type: 'zkey',
      protocol: 'groth16',
      nVars: key.nVars,
      nPublic: key.nPublic,
      domainSize: key.domainSize,
      coefficients: key.ccoefs.length,
    });
    expect(key).toMatchObject({ nVars: 10, nPublic: 6, domainSize: 16 });
  });

  it('wtns: witness count (the reader insists value 0 is 1 in standard form)', async () => {
    const witness = await readWitness(wtnsFile);
    expect(witness.prime).toBe(BN254_SCALAR_MODULUS);
    expect(info(wtnsFile)).toEqual({ type: 'wtns', nWitness: witness.count });
    expect(await snarkjsMore.wtns.exportJson(wtnsFile)).toHaveLength(witness.count);
  });

  it('zkey coefficient values are stored as v·R² mod r, v the r1cs coefficient (R = 2^256 mod r)', async () => {
    const raw = section(parseContainer(await readFile(zkeyFile)), 4);
    const { ccoefs, nPublic } = await snarkjsMore.zKey.exportJson(zkeyFile);
    const { constraints } = await snarkjsMore.r1cs.exportJson(r1csFile);
    expect(raw.readUInt32LE(0)).toBe(ccoefs.length);
    ccoefs.forEach((c, i) => {
      const at = 4 + i * 44;
      expect([raw.readUInt32LE(at), raw.readUInt32LE(at + 4), raw.readUInt32LE(at + 8)]).toEqual([c.matrix, c.constraint, c.signal]);
      // Rows past the r1cs bind the public signals: A[nConstraints + s][s] = 1.
      const fromR1cs = c.constraint < constraints.length ? constraints[c.constraint]![c.matrix]![c.signal]! : '1';
      expect(c.value).toBe(fromR1cs);
      expect(readBigUIntLE(raw, at + 12, 32)).toBe((BigInt(c.value) * R * R) % BN254_SCALAR_MODULUS);
    });
    expect(ccoefs.filter((c) => c.constraint >= constraints.length)).toHaveLength(nPublic + 1);
  });
});

describe('zkey-copy writes a key snarkjs proves with', () => {
  let copy: string;
  beforeAll(() => {
    copy = path.join(scratch, 'copy.zkey');
    const run = runNative(['zkey-copy', zkeyFile, copy]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
  });

  // Not byte-identical: setup's phase-2 contribution is recorded in section 10 with the
  // csHash snarkjs computed from the ptau; writeZkey writes a zero csHash and no
  // contributions. Everything else matches, in the same (id) order.
  it('sections 1–9 match the original byte for byte; section 10 is an empty contributions list', async () => {
    const original = parseContainer(await readFile(zkeyFile));
    const copied = parseContainer(await readFile(copy));
    expect(copied.sections.map(([t]) => t)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(original.sections.map(([t]) => t)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(copied.magic).toBe('zkey');
    expect(copied.version).toBe(1);
    for (let t = 1; t <= 9; t++) expect(section(copied, t).equals(section(original, t)), `section ${t}`).toBe(true);
    expect(section(original, 10).readUInt32LE(64)).toBe(1);
    expect(section(copied, 10).equals(Buffer.alloc(68))).toBe(true);
  });

  it('copying the copy is byte-identical', () => {
    const again = path.join(scratch, 'copy-again.zkey');
    expect(runNative(['zkey-copy', copy, again]).code).toBe(0);
    expect(readFileSync(again).equals(readFileSync(copy))).toBe(true);
  });

  it('snarkjs exports the same verification key, proves with it, and the proof verifies', async () => {
    const vk = await snarkjs.zKey.exportVerificationKey(copy);
    expect(vk).toEqual(JSON.parse(await readFile(path.join(dir, 'verification_key.json'), 'utf8')));
    const { proof, publicSignals } = await snarkjs.groth16.prove(copy, wtnsFile);
    expect(publicSignals).toEqual((await readWitness(wtnsFile, 7)).values.slice(1).map(String));
    expect(await snarkjs.groth16.verify(vk, publicSignals, proof)).toBe(true);
  });

  it('a wrong input is a clear error and writes nothing', () => {
    const out = path.join(scratch, 'never.zkey');
    expect(nativeError(['zkey-copy', wtnsFile, out])).toBe(`${wtnsFile}: not a zkey file: it starts with "wtns"`);
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });
});

describe('damaged zkeys', () => {
  let bytes: Buffer;
  let zkey: Container;
  beforeAll(async () => {
    bytes = await readFile(zkeyFile);
    zkey = parseContainer(bytes);
  });

  it('a missing file and a wrong magic', () => {
    const missing = path.join(scratch, 'nope.zkey');
    expect(nativeError(['info', missing])).toBe(`cannot open ${missing}: No such file or directory`);
    const { file, message } = infoError('magic.zkey', Buffer.concat([Buffer.from('zkez'), bytes.subarray(4)]));
    expect(message).toBe(`${file}: not a zkey, wtns or r1cs file: it starts with "zkez"`);
  });

  it('an unsupported version', () => {
    const { file, message } = infoError('version.zkey', rebuilt(zkey, zkey.sections, 2));
    expect(message).toBe(`${file}: zkey version 2 is not supported (expected 1)`);
  });

  it('truncated inside the file header and inside a section header', () => {
    const head = infoError('cut-8.zkey', bytes.subarray(0, 8));
    expect(head.message).toBe(`${head.file}: truncated: 8 bytes, shorter than the 12-byte file header`);
    const table = infoError('cut-18.zkey', bytes.subarray(0, 18));
    expect(table.message).toBe(`${table.file}: truncated: the file ends at byte 18, inside the header of its section 1 of 10`);
  });

  it.each([
    [2, 'Groth16 header', 100],
    [5, 'A points', 64 * 4 + 10],
    [10, 'contributions', 30],
  ])('truncated inside section %i (%s)', (type, name, keep) => {
    const offset = offsetOf(zkey, type);
    const size = section(zkey, type).length;
    const { file, message } = infoError(`cut-${type}.zkey`, bytes.subarray(0, offset + keep));
    expect(message).toBe(`${file}: section ${type} (${name}) is truncated: it declares ${size} bytes at offset ${offset}, the file has ${keep} left`);
  });

  it('a last section whose size field grew or shrank', () => {
    const sizeField = offsetOf(zkey, 10) - 8;
    const grown = Buffer.from(bytes);
    grown.writeBigUInt64LE(BigInt(section(zkey, 10).length + 8), sizeField);
    const g = infoError('grown.zkey', grown);
    expect(g.message).toBe(`${g.file}: section 10 (contributions) is truncated: it declares ${section(zkey, 10).length + 8} bytes at offset ${offsetOf(zkey, 10)}, the file has ${section(zkey, 10).length} left`);
    const shrunk = Buffer.from(bytes);
    shrunk.writeBigUInt64LE(BigInt(section(zkey, 10).length - 4), sizeField);
    const s = infoError('shrunk.zkey', shrunk);
    expect(s.message).toBe(`${s.file}: 4 bytes follow the last of its 10 sections`);
  });

  it('point sections whose sizes disagree with the header counts', () => {
    const a = infoError('short-a.zkey', rebuilt(zkey, replaced(zkey, 5, section(zkey, 5).subarray(64))));
    expect(a.message).toBe(`${a.file}: section 5 (A points) has 576 bytes, expected 640 for 10 signals`);
    const c = infoError('short-c.zkey', rebuilt(zkey, replaced(zkey, 8, section(zkey, 8).subarray(64))));
    expect(c.message).toBe(`${c.file}: section 8 (C points) has 128 bytes, expected 192 for 3 private signals (nVars 10 - nPublic 6 - 1)`);
    const h = infoError('long-h.zkey', rebuilt(zkey, replaced(zkey, 9, Buffer.concat([section(zkey, 9), Buffer.alloc(64)]))));
    expect(h.message).toBe(`${h.file}: section 9 (H points) has 1088 bytes, expected 1024 for domainSize 16`);
    const ic = infoError('short-ic.zkey', rebuilt(zkey, replaced(zkey, 3, section(zkey, 3).subarray(64))));
    expect(ic.message).toBe(`${ic.file}: section 3 (IC points) has 384 bytes, expected 448 for 7 points (nPublic + 1)`);
  });

  it('a coefficient count that disagrees with the section size, and a coefficient out of range', () => {
    const coefficients = Buffer.from(section(zkey, 4));
    const count = coefficients.readUInt32LE(0);
    coefficients.writeUInt32LE(count + 1, 0);
    const n = infoError('count.zkey', rebuilt(zkey, replaced(zkey, 4, coefficients)));
    expect(n.message).toBe(`${n.file}: section 4 (coefficients) has ${4 + count * 44} bytes, expected ${4 + (count + 1) * 44} for ${count + 1} coefficients`);
    coefficients.writeUInt32LE(count, 0);
    coefficients.writeUInt32LE(10, 4 + 8);
    const s = infoError('signal.zkey', rebuilt(zkey, replaced(zkey, 4, coefficients)));
    expect(s.message).toBe(`${s.file}: section 4 (coefficients): coefficient 0 has signal 10, not below nVars 10`);
  });

  it('a zkey for another curve: other q, other element size', () => {
    const header = Buffer.from(section(zkey, 2));
    writeBigUIntLE(header, 4, 32, BN254_BASE_MODULUS + 2n);
    const q = infoError('other-q.zkey', rebuilt(zkey, replaced(zkey, 2, header)));
    expect(q.message).toBe(
      `${q.file}: section 2 (Groth16 header) has q = ${hex(BN254_BASE_MODULUS + 2n)}, not BN254's base field modulus ${hex(BN254_BASE_MODULUS)}: the file is for another curve`,
    );
    const wide = Buffer.from(section(zkey, 2));
    wide.writeUInt32LE(48, 0);
    const n8 = infoError('n8q.zkey', rebuilt(zkey, replaced(zkey, 2, wide)));
    expect(n8.message).toBe(`${n8.file}: section 2 (Groth16 header) has n8q = 48, expected 32 (BN254)`);
  });

  it('another protocol', () => {
    const plonk = Buffer.alloc(4);
    plonk.writeUInt32LE(2, 0);
    const { file, message } = infoError('plonk.zkey', rebuilt(zkey, replaced(zkey, 1, plonk)));
    expect(message).toBe(`${file}: section 1 (header) has protocol 2 (plonk), expected 1 (groth16)`);
  });

  it('a missing section and a duplicated one', () => {
    const missing = infoError('no-b1.zkey', rebuilt(zkey, zkey.sections.filter(([t]) => t !== 6)));
    expect(missing.message).toBe(`${missing.file}: section 6 (B1 points) is missing`);
    const twice = infoError('two-a.zkey', rebuilt(zkey, [...zkey.sections, [5, section(zkey, 5)]]));
    expect(twice.message).toBe(`${twice.file}: section 5 (A points) appears twice`);
  });

  it('a point coordinate that is not a reduced field element', () => {
    const a = Buffer.from(section(zkey, 5));
    a.fill(0xff, 2 * 64, 2 * 64 + 32);
    const { file, message } = infoError('bad-point.zkey', rebuilt(zkey, replaced(zkey, 5, a)));
    expect(message).toBe(`${file}: section 5 (A points): point 2 has a coordinate that is not below q`);
  });
});

describe('damaged witnesses and constraint systems', () => {
  it('a wtns whose prime differs', async () => {
    const wtns = parseContainer(await readFile(wtnsFile));
    const header = Buffer.from(section(wtns, 1));
    writeBigUIntLE(header, 4, 32, BN254_BASE_MODULUS);
    const { file, message } = infoError('prime.wtns', rebuilt(wtns, replaced(wtns, 1, header)));
    expect(message).toBe(
      `${file}: section 1 (header) has prime = ${hex(BN254_BASE_MODULUS)}, not BN254's scalar field modulus ${hex(BN254_SCALAR_MODULUS)}: the file is for another curve`,
    );
  });

  it('a wtns whose count, length or constant disagree', async () => {
    const bytes = await readFile(wtnsFile);
    const wtns = parseContainer(bytes);
    const header = Buffer.from(section(wtns, 1));
    header.writeUInt32LE(11, 36);
    const count = infoError('count.wtns', rebuilt(wtns, replaced(wtns, 1, header)));
    expect(count.message).toBe(`${count.file}: section 2 (witness values) has 320 bytes, expected 352 for 11 witness values`);
    const keep = 5 * 32 + 7;
    const cut = infoError('cut.wtns', bytes.subarray(0, offsetOf(wtns, 2) + keep));
    expect(cut.message).toBe(`${cut.file}: section 2 (witness values) is truncated: it declares 320 bytes at offset ${offsetOf(wtns, 2)}, the file has ${keep} left`);
    const values = Buffer.from(section(wtns, 2));
    values.writeUInt8(2, 0);
    const one = infoError('one.wtns', rebuilt(wtns, replaced(wtns, 2, values)));
    expect(one.message).toBe(`${one.file}: section 2 (witness values): value 0 is ${hex(2n)}, expected 1 (the constant signal)`);
  });

  it('an r1cs with another prime, too few constraints or custom gates', async () => {
    const r1cs = parseContainer(await readFile(r1csFile));
    const header = Buffer.from(section(r1cs, 1));
    writeBigUIntLE(header, 4, 32, BN254_SCALAR_MODULUS - 2n);
    const prime = infoError('prime.r1cs', rebuilt(r1cs, replaced(r1cs, 1, header)));
    expect(prime.message).toBe(
      `${prime.file}: section 1 (header) has prime = ${hex(BN254_SCALAR_MODULUS - 2n)}, not BN254's scalar field modulus ${hex(BN254_SCALAR_MODULUS)}: the file is for another curve`,
    );
    const more = Buffer.from(section(r1cs, 1));
    more.writeUInt32LE(6, 4 + 32 + 24);
    const ends = infoError('more.r1cs', rebuilt(r1cs, replaced(r1cs, 1, more)));
    expect(ends.message).toBe(`${ends.file}: section 2 (constraints) ends inside constraint 5 of 6 (its A terms)`);
    const gates = infoError('gates.r1cs', rebuilt(r1cs, [...r1cs.sections, [4, Buffer.alloc(4)]]));
    expect(gates.message).toBe(`${gates.file}: section 4 (custom gates list) is present: custom gates are PLONK-only, Groth16 cannot prove this circuit`);
  });
});
