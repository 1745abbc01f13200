/**
 * A tiny hand-written circuit + manifest standing in for the compiler's output:
 * public input x[3] (scale 0.5, range [-100, 100]), output y[2] (scale 0.25) with
 *   y[0] = 2·x0 + 3·x1 − x2 + 5
 *   y[1] = x0·x1 + IsZero(x2)
 * and an `assert(x[0] != 99)` so a witness can fail.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import type { Manifest } from '../../core/manifest.ts';
import { compileCircuit } from '../../circuits/backends/circom.ts';
import { setup } from '../../prover/setup.ts';
import { buildNative } from '../support/native.ts';

export const FIXTURE_CIRCUIT = `pragma circom 2.1.0;
include "circomlib/circuits/comparators.circom";

template Model() {
    signal output y[2];
    signal input content_hash;
    signal input x[3];
    assert(x[0] != 99);
    component isZero = IsZero();
    isZero.in <== x[2];
    signal product <== x[0] * x[1];
    y[0] <== 2 * x[0] + 3 * x[1] - x[2] + 5;
    y[1] <== product + isZero.out;
}

component main {public [content_hash, x]} = Model();
`;

export function fixtureManifest(): Manifest {
  return {
    format: 'zkinfer-manifest',
    version: 2,
    createdBy: 'zkinfer test fixture',
    model: { file: 'fixture.onnx', sha256: 'ab'.repeat(32), opset: 17, producer: 'hand-written' },
    circuit: { file: 'model.circom', template: 'Model', constraints: 3, compiled: false, ptauPower: 4 },
    quantization: { bits: 8, multiplierBits: 16, calibration: { source: 'none', samples: 0 } },
    inputs: [
      { name: 'x', signal: 'x', shape: [1, 3], scale: 0.5, zeroPoint: 0, min: '-100', max: '100', rangeCheckedInCircuit: false },
    ],
    outputs: [{ name: 'y', signal: 'y', shape: [1, 2], scale: 0.25, zeroPoint: 0, min: '-100000', max: '100000' }],
    publicSignals: [
      { kind: 'output', tensor: 'y', offset: 0, length: 2 },
      { kind: 'content', tensor: 'content_hash', offset: 2, length: 1 },
      { kind: 'input', tensor: 'x', offset: 3, length: 3 },
    ],
    layers: [],
  };
}

/** What the fixture computes from quantized inputs. */
export function fixtureOutputs(x: readonly bigint[]): bigint[] {
  const [x0, x1, x2] = x as [bigint, bigint, bigint];
  return [2n * x0 + 3n * x1 - x2 + 5n, x0 * x1 + (x2 === 0n ? 1n : 0n)];
}

/** A fresh artifact directory holding model.circom and manifest.json. */
export async function makeFixtureDir(manifest: Manifest = fixtureManifest()): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-fixture-'));
  await writeFile(path.join(dir, 'model.circom'), FIXTURE_CIRCUIT);
  await writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** The dev-ptau cache the test files share (one power-8 file, made once). */
export const TEST_CACHE_DIR = path.join(os.tmpdir(), 'zkinfer-test-cache');

/** A fixture directory compiled (circom2) and set up by the native engine (`setup --dev`, built here if needed): ready to prove. */
export async function makeProvableFixtureDir(): Promise<string> {
  await buildNative();
  const dir = await makeFixtureDir();
  await compileCircuit(dir);
  await setup(dir, { dev: true });
  return dir;
}

const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(file, 'utf8'));

/** snarkjs's verdict on `proofDir`/proof.json and public.json with the model's verification key. */
export async function snarkjsVerifies(modelDir: string, proofDir: string): Promise<boolean> {
  const vk = (await readJson(path.join(modelDir, 'verification_key.json'))) as snarkjs.Groth16VerificationKey;
  const signals = (await readJson(path.join(proofDir, 'public.json'))) as string[];
  const proof = (await readJson(path.join(proofDir, 'proof.json'))) as snarkjs.Groth16Proof;
  return snarkjs.groth16.verify(vk, signals, proof);
}
