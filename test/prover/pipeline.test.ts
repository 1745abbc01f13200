/**
 * compile → setup → prove → verify on a tiny hand-written circuit, with real circom
 * (circom2 WebAssembly) and real snarkjs. The dev ptau (power 8) is shared through a
 * cache dir in os.tmpdir().
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError, InputError, ToolError, UnsupportedError } from '../../core/errors.ts';
import { build, CIRCOM2_MAX_CONSTRAINTS } from '../../circuits/build.ts';
import type { Manifest } from '../../core/manifest.ts';
import { computeWitness, createDevPtau, DEV_PTAU_WARNING, ensureDevPtau, prove, ptauCacheDir, readPtauHeader, releaseCurves, setup } from '../../prover/index.ts';
import { compileCircuit } from '../../circuits/index.ts';
import { verifyProof } from '../../verifier/index.ts';
import { contentHashHex, contentHashOf, contentHashOfJson } from '../../core/content-hash.ts';
import { BN254_SCALAR_MODULUS } from '../../core/field.ts';
import { fixtureManifest, fixtureOutputs, makeFixtureDir, TEST_CACHE_DIR } from './fixture.ts';

process.env.ZKINFER_CACHE_DIR = TEST_CACHE_DIR;

const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(file, 'utf8'));
const dirs: string[] = [];
async function freshDir(manifest?: Manifest): Promise<string> {
  const dir = await makeFixtureDir(manifest);
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await releaseCurves();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('the fixture pipeline', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await freshDir();
  });

  it('compiles: circom count, wires and ptau power land in manifest.json, no temp files stay', async () => {
    const result = await compileCircuit(dir);
    // 3 non-linear (IsZero: 2, x0·x1: 1) + 2 linear (y0, y1), which --O1 keeps: neither is signal = signal.
    expect(result.constraints).toBe(5);
    expect(result).toMatchObject({ wires: 10, publicOutputs: 2, publicInputs: 4, privateInputs: 0 });
    // 5 constraints + 6 public signals + 1 = 12 ≤ 2^4
    expect(result.ptauPower).toBe(4);
    const manifest = (await readJson(path.join(dir, 'manifest.json'))) as Manifest;
    expect(manifest.circuit).toMatchObject({ constraints: 5, compiled: true, wires: 10, ptauPower: 4 });
    for (const f of ['model.r1cs', 'model.sym', 'model_js/model.wasm']) expect(existsSync(path.join(dir, f))).toBe(true);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('sets up with a cached development ptau, a phase-2 contribution and a loud warning', async () => {
    const result = await setup(dir);
    expect(result.development).toBe(true);
    expect(result.ptau).toBe(path.join(TEST_CACHE_DIR, 'ptau', 'dev-bn128-8.ptau'));
    expect(result.ptauPower).toBe(8);
    expect(result.circuitPower).toBe(4);
    expect(result.warnings).toEqual([DEV_PTAU_WARNING]);
    expect(DEV_PTAU_WARNING).toMatch(/DEVELOPMENT ONLY.*--ptau FILE/);
    const manifest = (await readJson(path.join(dir, 'manifest.json'))) as Manifest;
    expect(manifest.setup).toMatchObject({ ptau: result.ptau, development: true, ptauPower: 8 });
    expect(Date.parse(manifest.setup!.createdAt)).not.toBeNaN();

    // The contribution makes δ ≠ γ; snarkjs agrees the zkey follows from the r1cs and ptau.
    const vk = (await readJson(path.join(dir, 'verification_key.json'))) as snarkjs.Groth16VerificationKey;
    expect(vk.vk_delta_2).not.toEqual(vk.vk_gamma_2);
    expect(vk.nPublic).toBe(6);
    expect(await snarkjs.zKey.verifyFromR1cs(path.join(dir, 'model.r1cs'), result.ptau, path.join(dir, 'model.zkey'))).toBe(true);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('proves: outputs decoded from the witness, files written, the proof verifies', async () => {
    const result = await prove(dir, { x: [[-1.5, 2, 0]] }, { source: 'inline input' });
    const q = [-3n, 4n, 0n];
    expect(fixtureOutputs(q)).toEqual([11n, -11n]);
    expect(result.output.outputs).toEqual([{ name: 'y', shape: [1, 2], integers: ['11', '-11'], values: [2.75, -2.75], argmax: 0 }]);
    expect(result.output.inputs[0]!.integers).toEqual(['-3', '4', '0']);
    expect(result.output.clampedInputs).toBe(0);
    expect(result.output.developmentSetup).toBe(true);
    expect(result.publicSignals).toHaveLength(6);
    // Without a named content, the content hash is that of the input's compact JSON.
    const contentHash = contentHashOfJson({ x: [[-1.5, 2, 0]] });
    expect(result.publicSignals[2]).toBe(String(contentHash));
    expect(result.output.contentHash).toBe(contentHashHex(contentHash));
    expect(await readJson(path.join(dir, 'public.json'))).toEqual(result.publicSignals);
    expect(await readJson(path.join(dir, 'proof.json'))).toEqual(result.proof);
    expect(await readJson(path.join(dir, 'output.json'))).toEqual(JSON.parse(JSON.stringify(result.output)));
    expect(existsSync(path.join(dir, 'witness.wtns'))).toBe(true);

    const verified = await verifyProof(dir);
    expect(verified.valid).toBe(true);
    expect(verified.reason).toBeUndefined();
    expect(verified.outputs[0]!.integers).toEqual(['11', '-11']);
    expect(verified.contentHash).toBe(contentHashHex(contentHash));
    expect(verified.warnings.join('\n')).toMatch(/development setup: .*anyone who made it can forge proofs/);
  });

  it('two proofs of the same input differ and both verify', async () => {
    const a = await prove(dir, [1, 2, 3], { source: 'a', out: path.join(dir, 'a') });
    const b = await prove(dir, [1, 2, 3], { source: 'b', out: path.join(dir, 'b') });
    expect(a.publicSignals).toEqual(b.publicSignals);
    expect(a.proof).not.toEqual(b.proof);
    for (const out of ['a', 'b']) {
      const files = { proof: path.join(dir, out, 'proof.json'), public: path.join(dir, out, 'public.json') };
      expect((await verifyProof(dir, files)).valid).toBe(true);
    }
  });

  it('binds the content hash: a named one lands in the proof, and changing it breaks verification', async () => {
    const content = contentHashOf(new TextEncoder().encode('The moon is made of rock.'));
    const out = path.join(dir, 'content');
    const result = await prove(dir, [1, 2, 3], { source: 'c', out, contentHash: content });
    expect(result.publicSignals[2]).toBe(String(content));
    const files = { proof: path.join(out, 'proof.json'), public: path.join(out, 'public.json') };
    expect((await verifyProof(dir, files)).valid).toBe(true);
    // No constraint mentions the content hash; Groth16 setup still binds it as a public input.
    const other = [...result.publicSignals];
    other[2] = String(content ^ 1n);
    await writeFile(files.public, JSON.stringify(other));
    expect((await verifyProof(dir, files)).valid).toBe(false);
    await expect(prove(dir, [1, 2, 3], { source: 'c', out, contentHash: BN254_SCALAR_MODULUS })).rejects.toThrow(/content hash .* is not below the BN254 scalar modulus/);
  });

  it('counts clamped inputs', async () => {
    // 60 / 0.5 = 120 > 100 and −51 / 0.5 = −102 < −100: both clamp.
    const w = await computeWitness(dir, [60, -51, 1], 'clamp test', { witnessFile: path.join(dir, 'clamp.wtns') });
    expect(w.clamped).toBe(2);
    expect(w.inputs.get('x')!.values).toEqual([100n, -100n, 2n]);
    expect(w.outputs[0]!.integers).toEqual(fixtureOutputs([100n, -100n, 2n]));
  });

  it('a failing circuit assert is a clear InputError', async () => {
    const attempt = computeWitness(dir, [49.5, 0, 0], 'bad.json', { witnessFile: path.join(dir, 'bad.wtns') });
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(/the circuit rejected the input: an assert failed in template Model_\d+ at line \d+/);
    expect(existsSync(path.join(dir, 'bad.wtns'))).toBe(false);
  });

  it('input errors from quantizeInputs pass through', async () => {
    await expect(prove(dir, [1, 2], { source: 'short.json' })).rejects.toThrow(/input "x" has shape \[2\], the model expects \[1,3\]/);
  });

  it('recompiling the same circuit keeps the setup', async () => {
    const result = await compileCircuit(dir);
    expect(result.setupInvalidated).toBe(false);
    expect(existsSync(path.join(dir, 'model.zkey'))).toBe(true);
    expect((await verifyProof(dir)).valid).toBe(true);
  });
});

describe('missing artifacts name the file and the step', () => {
  it('setup before compile', async () => {
    const dir = await freshDir();
    await expect(setup(dir)).rejects.toThrow(ArtifactError);
    await expect(setup(dir)).rejects.toThrow(/model\.r1cs not found in .*: run zkinfer compile first/);
  });

  it('prove before setup', async () => {
    const dir = await freshDir();
    await expect(prove(dir, [1, 2, 3], { source: 'x' })).rejects.toThrow(/model\.zkey not found in .*: run zkinfer setup first/);
  });

  it('witness before compile', async () => {
    const dir = await freshDir();
    await expect(computeWitness(dir, [1, 2, 3], 'x')).rejects.toThrow(/model\.wasm not found in .*: run zkinfer compile first/);
  });

  it('verify before setup', async () => {
    const dir = await freshDir();
    await expect(verifyProof(dir)).rejects.toThrow(ArtifactError);
    await expect(verifyProof(dir)).rejects.toThrow(/verification_key\.json not found in .*: run zkinfer setup first/);
  });

  it('no manifest at all', async () => {
    const dir = await freshDir();
    await rm(path.join(dir, 'manifest.json'));
    await expect(compileCircuit(dir)).rejects.toThrow(/manifest\.json not found in .*: run zkinfer compile first/);
  });
});

describe('compile errors', () => {
  it('on the circom route, a circuit too large for circom2 is refused before circom runs, naming the size and the limit', async () => {
    const dir = await freshDir();
    const attempt = build('bench/models/mlp-196-25-10.onnx', dir, { maxConstraints: 100, via: 'circom' });
    await expect(attempt).rejects.toThrow(UnsupportedError);
    await expect(attempt).rejects.toThrow(/^the circuit needs [\d,]+ constraints, more than circom2 \(circom in 32-bit WebAssembly, at most 4 GiB\) can compile: the limit is 100$/);
    expect(existsSync(path.join(dir, 'model.circom'))).toBe(true);
    expect(existsSync(path.join(dir, 'model.r1cs'))).toBe(false);
    expect(CIRCOM2_MAX_CONSTRAINTS).toBeGreaterThan(233_482);
  });

  it('a manifest whose public signals disagree with the circuit', async () => {
    const manifest = fixtureManifest();
    manifest.publicSignals = [{ kind: 'output', tensor: 'y', offset: 0, length: 2 }];
    const dir = await freshDir(manifest);
    await expect(compileCircuit(dir)).rejects.toThrow(
      /model\.circom has 6 public signals \(2 outputs \+ 4 public inputs\), manifest\.json lists 2 \(2 outputs \+ 0 public inputs\)/,
    );
    expect(existsSync(path.join(dir, 'model.r1cs'))).toBe(false);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a circom error is a ToolError with circom output, and leaves nothing behind', async () => {
    const dir = await freshDir();
    await writeFile(path.join(dir, 'model.circom'), 'pragma circom 2.1.0;\ntemplate Model() { signal output y; y <== undefinedThing; }\ncomponent main = Model();\n');
    const attempt = compileCircuit(dir);
    await expect(attempt).rejects.toThrow(ToolError);
    await expect(attempt).rejects.toMatchObject({ context: expect.arrayContaining([expect.stringMatching(/undefinedThing/)]) });
    expect(existsSync(path.join(dir, 'model.r1cs'))).toBe(false);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a changed circuit drops the earlier setup', async () => {
    const dir = await freshDir();
    await compileCircuit(dir);
    await setup(dir);
    const source = await readFile(path.join(dir, 'model.circom'), 'utf8');
    await writeFile(path.join(dir, 'model.circom'), source.replace('+ 5;', '+ 6;'));
    const result = await compileCircuit(dir);
    expect(result.setupInvalidated).toBe(true);
    expect(existsSync(path.join(dir, 'model.zkey'))).toBe(false);
    expect(existsSync(path.join(dir, 'verification_key.json'))).toBe(false);
    expect(((await readJson(path.join(dir, 'manifest.json'))) as Manifest).setup).toBeUndefined();
  });
});

describe('setup with a given ptau', () => {
  let dir: string;
  let scratch: string;
  beforeAll(async () => {
    dir = await freshDir();
    scratch = await freshDir();
    await compileCircuit(dir);
  });

  it('rejects one too small for the circuit', async () => {
    const small = path.join(scratch, 'small.ptau');
    await createDevPtau(3, small);
    expect(await readPtauHeader(small)).toMatchObject({ power: 3, bn128: true, prepared: true });
    const attempt = setup(dir, { ptau: small });
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(
      /small\.ptau holds powers of tau up to 2\^3, the circuit needs 2\^4 \(5 constraints \+ 6 public signals \+ 1 = 12\)/,
    );
    expect(existsSync(path.join(dir, 'model.zkey'))).toBe(false);
  });

  it('rejects one not prepared for phase 2', async () => {
    const raw = path.join(scratch, 'raw.ptau');
    await snarkjs.powersOfTau.newAccumulator(await snarkjs.curves.getCurveFromName('bn128'), 5, raw);
    await expect(setup(dir, { ptau: raw })).rejects.toThrow(/raw\.ptau is not prepared for phase 2/);
  });

  it('rejects a missing file and a file that is no ptau', async () => {
    await expect(setup(dir, { ptau: path.join(scratch, 'nope.ptau') })).rejects.toThrow(/ptau file .*nope\.ptau not found/);
    await expect(setup(dir, { ptau: path.join(dir, 'model.r1cs') })).rejects.toThrow(
      /model\.r1cs is not a usable powers-of-tau file: .* is not a ptau file/,
    );
  });

  it('accepts a big enough ptau; a file outside the dev cache counts as not development', async () => {
    const exact = path.join(scratch, 'ceremony-04.ptau');
    await createDevPtau(4, exact);
    const result = await setup(dir, { ptau: exact });
    expect(result).toMatchObject({ development: false, ptauPower: 4, warnings: [] });
    const proof = await prove(dir, [0.5, 1, 1.5], { source: 'x' });
    expect(proof.output.developmentSetup).toBe(false);
    const verified = await verifyProof(dir);
    expect(verified).toMatchObject({ valid: true, warnings: [] });
  });
});

describe('dev ptau cache', () => {
  const cacheDir = path.join(os.tmpdir(), `zkinfer-cache-${process.pid}`);
  beforeAll(() => {
    dirs.push(cacheDir);
  });

  it('defaults to $ZKINFER_CACHE_DIR/ptau', () => {
    expect(ptauCacheDir()).toBe(path.join(TEST_CACHE_DIR, 'ptau'));
  });

  it('concurrent callers make one file; later callers reuse it, also for smaller needs', async () => {
    const [a, b] = await Promise.all([ensureDevPtau(4, { cacheDir, minPower: 3 }), ensureDevPtau(4, { cacheDir, minPower: 3 })]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.path).toBe(path.join(cacheDir, 'dev-bn128-4.ptau'));
    expect(b.path).toBe(a.path);
    const smaller = await ensureDevPtau(2, { cacheDir, minPower: 2 });
    expect(smaller).toMatchObject({ power: 4, created: false, path: a.path, warning: DEV_PTAU_WARNING });
    expect(await readdir(cacheDir)).toEqual(['dev-bn128-4.ptau']);
  });

  it('a bigger need makes a bigger file; a broken cached file is ignored', async () => {
    await writeFile(path.join(cacheDir, 'dev-bn128-6.ptau'), 'not a ptau');
    const bigger = await ensureDevPtau(5, { cacheDir, minPower: 3 });
    expect(bigger).toMatchObject({ power: 5, created: true });
    expect(await readPtauHeader(bigger.path)).toMatchObject({ power: 5, prepared: true, bn128: true });
  });
});
