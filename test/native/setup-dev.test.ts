/**
 * `zkinfer-native setup-dev`: the development Groth16 setup that samples τ, α, β, γ, δ
 * itself (prover/native/src/setup_dev.cpp). Its keys must be ones snarkjs exports,
 * proves and verifies with; its coefficient section and point layout must match what
 * snarkjs's own setup writes for the same r1cs (the extra rows that bind the public
 * signals included); each run must draw fresh secrets; bad input fails with the readers'
 * one-line errors. Then the TypeScript route: setup(dir, { dev: true }) → prove → verify.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCircuit } from '../../bench/synthetic.ts';
import type { Manifest } from '../../core/manifest.ts';
import { computeWitness, ensureDevPtau, prove, releaseCurves, setup } from '../../prover/index.ts';
import { compileCircuit } from '../../circuits/index.ts';
import { DEV_SETUP_WARNING } from '../../prover/ptau.ts';
import { verifyProof } from '../../verifier/index.ts';
import { BN254_SCALAR_MODULUS } from '../../core/field.ts';
import { makeFixtureDir, TEST_CACHE_DIR } from '../prover/fixture.ts';
import { buildNative, runNative } from '../support/native.ts';

process.env.ZKINFER_CACHE_DIR = TEST_CACHE_DIR;

let fixtureDir: string;
let scratch: string;
let r1csFile: string;
let wtnsFile: string;

beforeAll(async () => {
  fixtureDir = await makeFixtureDir();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-setup-dev-'));
  await compileCircuit(fixtureDir);
  r1csFile = path.join(fixtureDir, 'model.r1cs');
  wtnsFile = path.join(scratch, 'fixture.wtns');
  await computeWitness(fixtureDir, [1, 2, 3], 'setup-dev test', { witnessFile: wtnsFile });
  await buildNative();
});

afterAll(async () => {
  await releaseCurves();
  await Promise.all([fixtureDir, scratch].map((d) => rm(d, { recursive: true, force: true })));
});

/** Runs setup-dev, expecting success, and returns the key's path. */
function setupDev(r1cs: string, zkey: string): string {
  const run = runNative(['setup-dev', r1cs, zkey]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return zkey;
}

/** The one-line error of a failing setup-dev, without its "error: " prefix. */
function setupDevError(args: string[]): string {
  const run = runNative(['setup-dev', ...args]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^error: [^\n]*\n$/);
  return run.stderr.slice('error: '.length, -1);
}

/** A zkey's sections by id. */
function zkeySections(bytes: Buffer): Map<number, Buffer> {
  const sections = new Map<number, Buffer>();
  let at = 12;
  for (let i = 0; i < bytes.readUInt32LE(8); i++) {
    const size = Number(bytes.readBigUInt64LE(at + 4));
    sections.set(bytes.readUInt32LE(at), bytes.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return sections;
}

/** Which points of a section are the point at infinity (stored as all zeros). */
function infinityPattern(section: Buffer, pointBytes: number): boolean[] {
  const out: boolean[] = [];
  for (let at = 0; at < section.length; at += pointBytes) out.push(section.subarray(at, at + pointBytes).every((b) => b === 0));
  return out;
}

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** The public signals with signal 0 changed (still below r). */
const changeFirst = (signals: string[]) => [String((BigInt(signals[0]!) + 1n) % BN254_SCALAR_MODULUS), ...signals.slice(1)];

/** snarkjs proves with the key and witness; returns whether the proof verifies, and whether it still does with public signal 0 changed. */
async function snarkjsRoundTrip(zkey: string, wtns: string): Promise<{ valid: boolean; tamperedValid: boolean; publicSignals: string[] }> {
  const vk = await snarkjs.zKey.exportVerificationKey(zkey);
  const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, wtns);
  return {
    valid: await snarkjs.groth16.verify(vk, publicSignals, proof, quiet),
    tamperedValid: await snarkjs.groth16.verify(vk, changeFirst(publicSignals), proof, quiet),
    publicSignals,
  };
}

/** The native prover's proof of `wtns` with `zkey`, checked by snarkjs as it is and with public signal 0 changed. */
async function nativeProof(zkey: string, wtns: string, tag: string): Promise<{ proof: snarkjs.Groth16Proof; valid: boolean; tamperedValid: boolean }> {
  const proofFile = path.join(scratch, `${tag}-proof.json`);
  const publicFile = path.join(scratch, `${tag}-public.json`);
  const run = runNative(['prove', zkey, wtns, proofFile, publicFile]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const vk = await snarkjs.zKey.exportVerificationKey(zkey);
  const proof = JSON.parse(await readFile(proofFile, 'utf8')) as snarkjs.Groth16Proof;
  const publicSignals = JSON.parse(await readFile(publicFile, 'utf8')) as string[];
  return {
    proof,
    valid: await snarkjs.groth16.verify(vk, publicSignals, proof, quiet),
    tamperedValid: await snarkjs.groth16.verify(vk, changeFirst(publicSignals), proof, quiet),
  };
}

describe('setup-dev on the fixture circuit', () => {
  let zkey: string;
  beforeAll(() => {
    zkey = setupDev(r1csFile, path.join(scratch, 'fixture.zkey'));
  });

  it('makes a key snarkjs exports, proves and verifies with; a changed public signal is rejected', async () => {
    const vk = await snarkjs.zKey.exportVerificationKey(zkey);
    expect(vk).toMatchObject({ protocol: 'groth16', curve: 'bn128', nPublic: 6 });
    expect(vk.IC).toHaveLength(7);
    expect(vk.vk_delta_2).not.toEqual(vk.vk_gamma_2);
    const { valid, tamperedValid, publicSignals } = await snarkjsRoundTrip(zkey, wtnsFile);
    expect(publicSignals).toHaveLength(6);
    expect(valid).toBe(true);
    // Only the extra rows A[nConstraints + s][s] = 1 make IC bind public signal s.
    expect(tamperedValid).toBe(false);
  });

  it('has the coefficients snarkjs writes for the same r1cs, byte for byte, and the same points at infinity', async () => {
    const ptau = await ensureDevPtau(4);
    const reference = path.join(scratch, 'reference.zkey');
    expect(await snarkjs.zKey.newZKey(r1csFile, ptau.path, reference)).not.toBe(-1);
    const ours = zkeySections(await readFile(zkey));
    const theirs = zkeySections(await readFile(reference));
    expect([...ours.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ours.get(1)!.equals(theirs.get(1)!)).toBe(true);
    // Header up to the points: n8q, q, n8r, r, nVars, nPublic, domainSize.
    expect(ours.get(2)!.subarray(0, 84).equals(theirs.get(2)!.subarray(0, 84))).toBe(true);
    expect(ours.get(4)!.equals(theirs.get(4)!)).toBe(true);
    for (const [id, bytes] of [[3, 64], [5, 64], [6, 64], [7, 128], [8, 64], [9, 64]] as const) {
      expect(ours.get(id)!.length, `section ${id}`).toBe(theirs.get(id)!.length);
      expect(infinityPattern(ours.get(id)!, bytes), `section ${id}`).toEqual(infinityPattern(theirs.get(id)!, bytes));
    }
  });

  it('draws fresh secrets on every run', async () => {
    const again = setupDev(r1csFile, path.join(scratch, 'fixture-again.zkey'));
    const [a, b] = await Promise.all([zkey, again].map((k) => snarkjs.zKey.exportVerificationKey(k)));
    for (const field of ['vk_alpha_1', 'vk_beta_2', 'vk_gamma_2', 'vk_delta_2', 'IC'] as const) expect(a![field]).not.toEqual(b![field]);
    expect((await snarkjsRoundTrip(again, wtnsFile)).valid).toBe(true);
  });

  it('makes keys the native prover proves with', async () => {
    expect((await nativeProof(zkey, wtnsFile, 'fixture')).valid).toBe(true);
  });
});

describe('setup-dev errors', () => {
  it('a missing r1cs', () => {
    const missing = path.join(scratch, 'missing.r1cs');
    expect(setupDevError([missing, path.join(scratch, 'x.zkey')])).toMatch(new RegExp(`^cannot open ${missing}: No such file`));
  });

  it('a truncated r1cs names the file and the section', async () => {
    const bytes = await readFile(r1csFile);
    const cut = path.join(scratch, 'cut.r1cs');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 40));
    expect(setupDevError([cut, path.join(scratch, 'x.zkey')])).toMatch(new RegExp(`^${cut}: section \\d+ \\(.*\\) is truncated`));
  });

  it('a file that is not an r1cs', () => {
    const wrong = path.join(scratch, 'wrong.r1cs');
    writeFileSync(wrong, 'zkey and then some bytes');
    expect(setupDevError([wrong, path.join(scratch, 'x.zkey')])).toBe(`${wrong}: not a r1cs file: it starts with "zkey"`);
  });

  it('an output that cannot be written, and a wrong argument count', () => {
    const out = path.join(scratch, 'no-such-dir', 'x.zkey');
    expect(setupDevError([r1csFile, out])).toMatch(new RegExp(`^cannot write ${out}`));
    expect(setupDevError([r1csFile])).toMatch(/^usage: setup-dev <circuit\.r1cs> <out\.zkey>/);
  });
});

describe('setup-dev on a synthetic 2^12 circuit', () => {
  it('round trips: snarkjs and the native prover prove, snarkjs verifies', async () => {
    // 4094 constraints + 1 public signal + 1 = 4096: the domain is exactly 2^12.
    const files = await writeSyntheticCircuit(path.join(scratch, 'chain'), 2 ** 12 - 2, 3n);
    const zkey = setupDev(files.r1cs, path.join(scratch, 'chain.zkey'));
    expect(JSON.parse(runNative(['info', zkey]).stdout)).toMatchObject({ nVars: files.wires, nPublic: 1, domainSize: 4096 });
    const { valid, tamperedValid } = await snarkjsRoundTrip(zkey, files.wtns);
    expect(valid).toBe(true);
    expect(tamperedValid).toBe(false);
    expect((await nativeProof(zkey, files.wtns, 'chain')).valid).toBe(true);
  });
});

describe('a synthetic 2^16 circuit', () => {
  it('setup-dev, then two native proofs: different, both verify with snarkjs, neither with a changed public signal', async () => {
    const files = await writeSyntheticCircuit(path.join(scratch, 'chain16'), 2 ** 16 - 2, 5n);
    const zkey = setupDev(files.r1cs, path.join(scratch, 'chain16.zkey'));
    expect(JSON.parse(runNative(['info', zkey]).stdout)).toMatchObject({ nVars: files.wires, domainSize: 2 ** 16 });
    const first = await nativeProof(zkey, files.wtns, 'chain16-a');
    const second = await nativeProof(zkey, files.wtns, 'chain16-b');
    expect([first.valid, second.valid]).toEqual([true, true]);
    expect([first.tamperedValid, second.tamperedValid]).toEqual([false, false]);
    expect(second.proof.pi_a).not.toEqual(first.proof.pi_a);
    expect(second.proof.pi_c).not.toEqual(first.proof.pi_c);
  });
});

describe('setup(dir, { dev: true })', () => {
  it('makes a key prove (snarkjs) and verifyProof accept, with the development warnings', async () => {
    const dir = await makeFixtureDir();
    try {
      await compileCircuit(dir);
      const result = await setup(dir, { dev: true });
      expect(result).toMatchObject({ method: 'dev', development: true, circuitPower: 4, ptauPower: 4, contributionHash: '' });
      expect(result.warnings).toEqual([DEV_SETUP_WARNING]);
      const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
      expect(manifest.setup).toMatchObject({ method: 'dev', development: true });

      const proved = await prove(dir, { x: [[-1.5, 2, 0]] }, { source: 'inline input', prover: 'snarkjs' });
      expect(proved.output.developmentSetup).toBe(true);
      const verified = await verifyProof(dir);
      expect(verified.valid).toBe(true);
      expect(verified.warnings.join('\n')).toMatch(/development setup: .*setup --dev.*anyone who made it can forge proofs/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
