/**
 * Off-chain Groth16 verification of a zkinfer proof against its artifact directory.
 */
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import type { Groth16VerificationKey, Logger } from 'snarkjs';
import { access } from 'node:fs/promises';
import { ArtifactError } from '../core/errors.ts';
import { contentHashHex } from '../core/content-hash.ts';
import type { Manifest } from '../core/manifest.ts';
import { ARTIFACT_FILES, readJsonArtifact, readManifest, readUserJson } from '../core/artifacts.ts';
import { claimedOutputs, decodeOutputs, type DecodedTensor } from '../core/decode.ts';
import { parseProof } from '../core/proof-json.ts';
import { parsePublicSignals, publicSignalCount } from '../core/public-signals.ts';

export interface VerifyOptions {
  /** proof.json to check (default: `<dir>/proof.json`). */
  proof?: string;
  /** public.json to check (default: `<dir>/public.json`). */
  public?: string;
  /** For a model with hashed outputs: the claimed outputs (default: output.json next to public.json, when present). */
  outputs?: string;
  onProgress?: (message: string) => void;
}

export interface VerifyResult {
  valid: boolean;
  /** Why the proof did not verify (only when `valid` is false). */
  reason?: string;
  /** What the public signals claim, decoded; trust them only when `valid`. With hashed outputs: the claimed outputs, checked against the output hash (empty when none were given). */
  outputs: DecodedTensor[];
  /** --output hashed: the proof's output hash (bytes32 hex). */
  outputHash?: string;
  /** --weights hashed: the model commitment the proof carries (bytes32 hex), equal to the manifest's. */
  modelCommitment?: string;
  inputs: DecodedTensor[];
  /** The content hash the proof is bound to (bytes32 hex). */
  contentHash: string;
  publicSignals: string[];
  /** Things a verifier should know even for a valid proof (e.g. a development setup). */
  warnings: string[];
}

export const DEVELOPMENT_SETUP_WARNING =
  'development setup: the setup secrets were made locally (a local powers of tau, or setup --dev), so anyone who made it can forge proofs; use zkinfer setup --ptau with a public ceremony file for anything that matters';

/** Loads verification_key.json and checks it fits the manifest's circuit. */
export async function readVerificationKey(dir: string, manifest: Manifest): Promise<Groth16VerificationKey> {
  const file = path.join(dir, ARTIFACT_FILES.verificationKey);
  const vk = (await readJsonArtifact(file, 'setup')) as Partial<Groth16VerificationKey> | null;
  const bad = (what: string) =>
    new ArtifactError(`${file} is not a Groth16 BN254 verification key: ${what}`, { context: [file], hint: 'run zkinfer setup again' });
  if (vk === null || typeof vk !== 'object') throw bad('not a JSON object');
  if (vk.protocol !== 'groth16') throw bad(`protocol is ${JSON.stringify(vk.protocol)}`);
  if (vk.curve !== 'bn128') throw bad(`curve is ${JSON.stringify(vk.curve)}`);
  if (typeof vk.nPublic !== 'number' || !Array.isArray(vk.IC) || vk.IC.length !== vk.nPublic + 1) {
    throw bad('nPublic and IC do not match');
  }
  const expected = publicSignalCount(manifest);
  if (vk.nPublic !== expected) {
    throw new ArtifactError(`${file} is for a circuit with ${vk.nPublic} public signals, the manifest's has ${expected}`, {
      context: [file],
      hint: 'the key belongs to another circuit: run zkinfer setup again',
    });
  }
  return vk as Groth16VerificationKey;
}

/** Collects what snarkjs logs while verifying: its error lines are the reason a proof fails. */
function collectingLogger(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  const ignore = () => {};
  return { logger: { debug: ignore, info: ignore, warn: ignore, error: (m) => errors.push(String(m)) }, errors };
}

/** snarkjs's log line for a failed check → a sentence for the user. */
function explainFailure(errors: readonly string[]): string {
  const detail = errors.join('; ');
  if (errors.length === 0 || /^Invalid proof/i.test(detail)) {
    return 'the pairing check failed: the proof does not match these public signals and this verification key';
  }
  if (/commitments are not valid/i.test(detail)) {
    return 'the proof points are not valid BN254 group elements (pi_a, pi_b or pi_c was altered)';
  }
  return `the proof does not verify (snarkjs: ${detail})`;
}

/**
 * Verifies proof.json + public.json against the artifact directory's verification key.
 * Returns `valid: false` with a reason for a proof that does not verify; throws
 * VerificationError for malformed input and ArtifactError for missing artifacts.
 * Call `releaseCurves()` when done so node can exit.
 *
 * @example
 * const result = await verifyProof('build/mnist');
 * if (result.valid) console.log('digit', result.outputs[0].argmax);
 */
export async function verifyProof(dir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const manifest = await readManifest(dir);
  const vk = await readVerificationKey(dir, manifest);
  const publicFile = options.public ?? path.join(dir, ARTIFACT_FILES.public);
  const proofFile = options.proof ?? path.join(dir, ARTIFACT_FILES.proof);
  const signals = parsePublicSignals(await readUserJson(publicFile, 'prove'), manifest, publicFile);
  const proof = parseProof(await readUserJson(proofFile, 'prove'), proofFile);
  const publicSignals = signals.map(String);
  const { outputs: publicOutputs, inputs, contentHash, outputHash, modelCommitment } = decodeOutputs(manifest, signals);
  const warnings = manifest.setup?.development ? [DEVELOPMENT_SETUP_WARNING] : [];
  let outputs = publicOutputs;
  if (outputHash !== undefined) {
    const claimedFile = options.outputs ?? path.join(path.dirname(publicFile), ARTIFACT_FILES.output);
    const present = options.outputs !== undefined || (await access(claimedFile).then(() => true, () => false));
    if (!present) warnings.push(`the outputs are hashed (--output hashed) and no ${ARTIFACT_FILES.output} was found next to the public signals: only their hash ${outputHash} is checked`);
    else outputs = await claimedOutputs(manifest, outputHash, await readUserJson(claimedFile, 'prove'), claimedFile);
  }

  options.onProgress?.('checking the pairing equation');
  const { logger, errors } = collectingLogger();
  let valid: boolean;
  try {
    valid = await snarkjs.groth16.verify(vk, publicSignals, proof, logger);
  } catch (err) {
    // snarkjs throws on some malformed points (e.g. coordinates that are no curve point's).
    valid = false;
    errors.push(err instanceof Error ? err.message : String(err));
  }
  // A valid proof of the same circuit with other committed weights is not a proof of this model.
  const otherWeights =
    modelCommitment !== undefined && BigInt(modelCommitment) !== BigInt(manifest.modelCommitment?.value ?? -1)
      ? `the proof's model commitment ${modelCommitment} is not this model's (${contentHashHex(BigInt(manifest.modelCommitment?.value ?? 0))} in manifest.json): it was made with other weights`
      : undefined;
  if (otherWeights) valid = false;
  const result: VerifyResult = { valid, outputs, inputs, contentHash, publicSignals, warnings, ...(outputHash ? { outputHash } : {}), ...(modelCommitment ? { modelCommitment } : {}) };
  if (!valid) result.reason = otherWeights ?? explainFailure(errors);
  return result;
}
