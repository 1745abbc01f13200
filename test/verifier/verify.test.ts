/**
 * Off-chain verification: public-signal validation (field, count, input ranges),
 * proof.json shape, tampering, and decoding. Uses a real proof of the fixture circuit.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError, VerificationError } from '../../core/errors.ts';
import { prove, releaseCurves, setup } from '../../prover/index.ts';
import { compileCircuit } from '../../circuits/index.ts';
import {
  BN254_SCALAR_MODULUS,
  decodeOutputs,
  parsePublicSignals,
  toField,
  verifyProof,
  type VerifyResult,
} from '../../verifier/index.ts';
import { fixtureManifest, makeFixtureDir, TEST_CACHE_DIR } from '../prover/fixture.ts';

process.env.ZKINFER_CACHE_DIR = TEST_CACHE_DIR;

const r = BN254_SCALAR_MODULUS;
let dir: string;
let scratch: string;
let publicSignals: string[];
let proof: Record<string, unknown>;
let counter = 0;

beforeAll(async () => {
  dir = await makeFixtureDir();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-verify-'));
  await compileCircuit(dir);
  await setup(dir);
  // x = [-3, 4, 0] quantized → y = [11, -11]
  const result = await prove(dir, [-1.5, 2, 0], { source: 'fixture input' });
  publicSignals = result.publicSignals;
  proof = JSON.parse(await readFile(path.join(dir, 'proof.json'), 'utf8'));
});

afterAll(async () => {
  await releaseCurves();
  await rm(dir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

/** Writes the given public.json / proof.json contents (objects are JSON-encoded) and verifies them. */
async function verifyWith(options: { public?: unknown; proof?: unknown }): Promise<VerifyResult> {
  const n = counter++;
  const write = async (name: string, content: unknown) => {
    const file = path.join(scratch, `${n}-${name}`);
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  return verifyProof(dir, {
    public: await write('public.json', options.public ?? publicSignals),
    proof: await write('proof.json', options.proof ?? proof),
  });
}

const withSignal = (index: number, value: unknown): unknown[] => publicSignals.map((s, i) => (i === index ? value : s));

describe('a genuine proof', () => {
  it('verifies, with decoded outputs and the development warning', async () => {
    const result = await verifyWith({});
    expect(result.valid).toBe(true);
    expect(result.outputs).toEqual([{ name: 'y', shape: [1, 2], integers: ['11', '-11'], values: [2.75, -2.75], argmax: 0 }]);
    expect(result.inputs).toEqual([{ name: 'x', shape: [1, 3], integers: ['-3', '4', '0'], values: [-1.5, 2, 0], argmax: 1 }]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^development setup: .*anyone who made it can forge proofs/);
  });

  it('verifies with small public signals given as JSON numbers', async () => {
    expect((await verifyWith({ public: withSignal(0, 11) })).valid).toBe(true);
  });
});

describe('a proof that does not verify returns valid: false with a reason', () => {
  it('an output changed by one', async () => {
    const result = await verifyWith({ public: withSignal(0, '12') });
    expect(result.valid).toBe(false);
    expect(result.reason).toBe('the pairing check failed: the proof does not match these public signals and this verification key');
    expect(result.outputs[0]!.integers).toEqual(['12', '-11']);
  });

  it('a negative output changed by one', async () => {
    const result = await verifyWith({ public: withSignal(1, String(toField(-10n))) });
    expect(result.valid).toBe(false);
  });

  it('a public input changed within its range', async () => {
    expect((await verifyWith({ public: withSignal(3, '5') })).valid).toBe(false);
  });

  it('a proof point moved off the curve', async () => {
    const pi_a = proof.pi_a as string[];
    const result = await verifyWith({ proof: { ...proof, pi_a: [String(BigInt(pi_a[0]!) + 1n), pi_a[1], pi_a[2]] } });
    expect(result.valid).toBe(false);
    expect(result.reason).toMatch(/the proof points are not valid BN254 group elements/);
  });

  it('pi_a and pi_c swapped', async () => {
    expect((await verifyWith({ proof: { ...proof, pi_a: proof.pi_c, pi_c: proof.pi_a } })).valid).toBe(false);
  });
});

describe('public signals outside the field are rejected before any curve math', () => {
  it.each([
    ['r', r],
    ['r + 1', r + 1n],
    ['2^256 − 1', 2n ** 256n - 1n],
  ])('output = %s', async (_, value) => {
    const attempt = verifyWith({ public: withSignal(0, String(value)) });
    await expect(attempt).rejects.toThrow(VerificationError);
    await expect(attempt).rejects.toThrow(`public signal 0 is ${value}: not below the BN254 scalar field modulus`);
  });

  it('a public input plus r (which snarkjs would reduce to the same value)', async () => {
    await expect(verifyWith({ public: withSignal(3, String(4n + r)) })).rejects.toThrow(
      `public signal 3 is ${4n + r}: not below the BN254 scalar field modulus`,
    );
  });

  it.each([['0x0b'], ['11.0'], [' 11'], ['011'], ['-11'], ['1e3'], [''], ['eleven']])('non-canonical string %j', async (value) => {
    await expect(verifyWith({ public: withSignal(0, value) })).rejects.toThrow(
      `public signal 0 is ${JSON.stringify(value)}: not a canonical decimal string`,
    );
  });

  it.each([[1.5], [-1], [2 ** 60], [null], [true], [[11]]])('non-string value %j', async (value) => {
    await expect(verifyWith({ public: withSignal(0, value) })).rejects.toThrow(/^public signal 0 is .*: (not a canonical|numbers must be)/);
  });

  it('the wrong number of signals', async () => {
    await expect(verifyWith({ public: publicSignals.slice(0, 5) })).rejects.toThrow(
      /public\.json has 5 public signals, the circuit has 6/,
    );
    await expect(verifyWith({ public: [...publicSignals, '0'] })).rejects.toThrow(/has 7 public signals, the circuit has 6/);
  });

  it('not an array, not JSON', async () => {
    await expect(verifyWith({ public: { signals: publicSignals } })).rejects.toThrow(/must be a JSON array of decimal strings, got object/);
    await expect(verifyWith({ public: '["11", "2188' })).rejects.toThrow(/public\.json is not valid JSON/);
  });
});

describe('public inputs outside the manifest range are rejected', () => {
  it('above the maximum', async () => {
    await expect(verifyWith({ public: withSignal(4, '101') })).rejects.toThrow(
      'public signal 4 (input "x"[1]) is 101: outside the input\'s range [-100, 100]',
    );
  });

  it('below the minimum (a field element just above r/2)', async () => {
    await expect(verifyWith({ public: withSignal(5, String(toField(-101n))) })).rejects.toThrow(
      'public signal 5 (input "x"[2]) is -101: outside the input\'s range [-100, 100]',
    );
  });

  it('at the bounds is fine (and simply does not verify)', async () => {
    expect((await verifyWith({ public: withSignal(3, String(toField(-100n))) })).valid).toBe(false);
  });
});

describe('malformed proof.json is a VerificationError naming the problem', () => {
  it('truncated', async () => {
    const text = JSON.stringify(proof);
    const attempt = verifyWith({ proof: text.slice(0, text.length / 2) });
    await expect(attempt).rejects.toThrow(VerificationError);
    await expect(attempt).rejects.toThrow(/proof\.json is not valid JSON/);
  });

  it.each([
    ['pi_b missing', () => ({ ...proof, pi_b: undefined }), /"pi_b" is missing|pi_b must be an array/],
    ['wrong protocol', () => ({ ...proof, protocol: 'plonk' }), /protocol is "plonk", expected "groth16"/],
    ['wrong curve', () => ({ ...proof, curve: 'bls12381' }), /curve is "bls12381", expected "bn128"/],
    ['pi_a too short', () => ({ ...proof, pi_a: ['1'] }), /pi_a must be an array of 2 or 3 coordinates/],
    ['hex coordinate', () => ({ ...proof, pi_c: ['0x1', '2', '1'] }), /pi_c\[0\] is "0x1": not a canonical decimal string/],
    ['pi_b not pairs', () => ({ ...proof, pi_b: ['1', '2', '3'] }), /pi_b\[0\] must be a pair of coordinates/],
    [
      'coordinate ≥ q',
      () => ({ ...proof, pi_a: ['21888242871839275222246405745257275088696311157297823662689037894645226208583', '2', '1'] }),
      /pi_a\[0\] is 2188\d+: not below the BN254 base field modulus/,
    ],
    ['an array', () => [proof], /must be a JSON object/],
  ])('%s', async (_, make, message) => {
    const attempt = verifyWith({ proof: make() });
    await expect(attempt).rejects.toThrow(VerificationError);
    await expect(attempt).rejects.toThrow(message);
  });
});

describe('missing or mismatched artifacts', () => {
  it('no proof.json', async () => {
    await expect(verifyProof(dir, { proof: path.join(scratch, 'absent.json') })).rejects.toThrow(
      /absent\.json not found in .*: run zkinfer prove first/,
    );
  });

  it('no verification key', async () => {
    const other = await makeFixtureDir();
    try {
      const attempt = verifyProof(other);
      await expect(attempt).rejects.toThrow(ArtifactError);
      await expect(attempt).rejects.toThrow(/verification_key\.json not found in .*: run zkinfer setup first/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('parsePublicSignals and decodeOutputs', () => {
  const manifest = fixtureManifest();

  it('returns field elements', () => {
    expect(parsePublicSignals(['1', 2, String(r - 1n), String(r - 1n), '4', '0'], manifest)).toEqual([1n, 2n, r - 1n, r - 1n, 4n, 0n]);
  });

  it('decodes signed integers, dequantizes with the zero point, argmax first on ties', () => {
    const m = fixtureManifest();
    m.outputs[0]!.zeroPoint = 3;
    const decoded = decodeOutputs(m, ['7', '7', '255', String(r - 2n), '4', '0']);
    expect(decoded.contentHash).toBe(`0x${'ff'.padStart(64, '0')}`);
    expect(decoded.outputs[0]).toEqual({ name: 'y', shape: [1, 2], integers: ['7', '7'], values: [1, 1], argmax: 0 });
    expect(decoded.inputs[0]!.integers).toEqual(['-2', '4', '0']);
    expect(decoded.inputs[0]!.values).toEqual([-1, 2, 0]);
  });

  it('decodes a manifest without public inputs', () => {
    const m = fixtureManifest();
    m.publicSignals = [
      { kind: 'output', tensor: 'y', offset: 0, length: 2 },
      { kind: 'content', tensor: 'content_hash', offset: 2, length: 1 },
    ];
    expect(decodeOutputs(m, [String(r - 1n), '0', '1'])).toEqual({
      outputs: [{ name: 'y', shape: [1, 2], integers: ['-1', '0'], values: [-0.25, 0], argmax: 1 }],
      inputs: [],
      contentHash: `0x${'1'.padStart(64, '0')}`,
    });
  });
});
