/**
 * Groth16 setup for a compiled circuit: zkey (with a random phase-2 contribution)
 * and verification_key.json.
 */
import { randomBytes } from 'node:crypto';
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import type { Logger } from 'snarkjs';
import { ArtifactError, InputError, ToolError, ZkInferError } from '../core/errors.ts';
import { ARTIFACT_FILES, missingArtifact, readManifest, writeManifest } from '../core/artifacts.ts';
import { ptauPowerFor } from '../core/manifest.ts';
import { tempPathFor, toJson, writeFileAtomic, replacePath } from '../core/files.ts';
import { readPtauHeader } from '../core/formats/ptau.ts';
import { readR1csHeader } from '../core/formats/r1cs.ts';
import { runNative } from './native.ts';
import { DEV_PTAU_WARNING, DEV_SETUP_WARNING, ensureDevPtau, isDevPtau, ptauCacheDir } from './ptau.ts';

export interface SetupOptions {
  /** A prepared powers-of-tau file (a public ceremony's, for production). Default: a cached development one. */
  ptau?: string;
  /** Where development ptau files are cached (default: `ptauCacheDir()`). */
  cacheDir?: string;
  /** Development setup by the native engine: no ptau, secrets sampled and discarded locally (fast, untrustworthy). */
  dev?: boolean;
  onProgress?: (message: string) => void;
}

export interface SetupResult {
  zkey: string;
  verificationKey: string;
  ptau: string;
  /** Power of the ptau file used (≥ the circuit's need). */
  ptauPower: number;
  /** Power the circuit needs. */
  circuitPower: number;
  development: boolean;
  /** Hex hash of the phase-2 contribution, as snarkjs prints it ("" for a dev setup). */
  contributionHash: string;
  method: 'ptau' | 'dev';
  warnings: string[];
  seconds: number;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Logger that keeps snarkjs's error lines: some of its functions report failure only there. */
function errorCollector(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  const ignore = () => {};
  return { logger: { debug: ignore, info: ignore, warn: ignore, error: (m) => errors.push(String(m)) }, errors };
}

/** Checks a user-given ptau: readable, BN254, prepared for phase 2, and big enough. */
async function checkPtau(file: string, needed: number, circuitSize: string): Promise<number> {
  if (!(await exists(file))) {
    throw new InputError(`ptau file ${file} not found`, { hint: 'give the path of a prepared .ptau file, e.g. powersOfTau28_hez_final_16.ptau' });
  }
  let header;
  try {
    header = await readPtauHeader(file);
  } catch (err) {
    const detail = err instanceof ZkInferError ? err.message : String(err);
    throw new InputError(`${file} is not a usable powers-of-tau file: ${detail}`, { context: [file], cause: err });
  }
  if (!header.bn128) throw new InputError(`${file} is not for the BN254 (bn128) curve`, { context: [file] });
  if (header.power < needed) {
    throw new InputError(`${file} holds powers of tau up to 2^${header.power}, the circuit needs 2^${needed} (${circuitSize})`, {
      context: [file],
      hint: `use a ptau file of power ${needed} or more, e.g. powersOfTau28_hez_final_${String(needed).padStart(2, '0')}.ptau`,
    });
  }
  if (!header.prepared) {
    throw new InputError(`${file} is not prepared for phase 2 (it has no Lagrange sections)`, {
      context: [file],
      hint: `run: snarkjs powersoftau prepare phase2 ${file} prepared.ptau, or use a "final" ceremony file`,
    });
  }
  return header.power;
}

/**
 * Runs Groth16 setup for the compiled circuit in `dir`: snarkjs setup from a ptau, then
 * always a phase-2 contribution with fresh random entropy (a zkey with none has δ = γ and
 * lets anyone forge proofs), then exports verification_key.json. Writes model.zkey and
 * verification_key.json via temp files + rename and records `setup` in manifest.json.
 *
 * Without `ptau` a cached development ptau is used (and made if needed) and the result
 * carries a warning: production setups pass a public ceremony file.
 *
 * @example
 * const { warnings } = await setup('build/mnist', { ptau: 'powersOfTau28_hez_final_16.ptau' });
 */
export async function setup(dir: string, options: SetupOptions = {}): Promise<SetupResult> {
  const started = performance.now();
  const say = (m: string) => options.onProgress?.(m);
  const manifest = await readManifest(dir);
  const r1csFile = path.join(dir, ARTIFACT_FILES.r1cs);
  if (!(await exists(r1csFile))) throw missingArtifact(r1csFile, 'compile');
  if (!manifest.circuit.compiled) {
    throw new ArtifactError(`manifest.json in ${dir} says the circuit is not compiled: run zkinfer compile first`, {
      context: [path.join(dir, ARTIFACT_FILES.manifest)],
    });
  }
  const r1cs = await readR1csHeader(r1csFile);
  const circuitPower = ptauPowerFor(r1cs.constraints, r1cs.publicInputs + r1cs.publicOutputs);
  const nPublic = r1cs.publicInputs + r1cs.publicOutputs;
  const circuitSize = `${r1cs.constraints} constraints + ${nPublic} public signals + 1 = ${r1cs.constraints + nPublic + 1}`;

  const zkeyFile = path.join(dir, ARTIFACT_FILES.zkey);
  const vkeyFile = path.join(dir, ARTIFACT_FILES.verificationKey);
  const made = tempPathFor(zkeyFile, 'made.zkey');
  try {
    const key = options.dev
      ? await devKey(r1csFile, made, circuitPower, circuitSize, say)
      : await ptauKey(r1csFile, made, circuitPower, circuitSize, options, say);
    const vk = await snarkjs.zKey.exportVerificationKey(made);
    if (JSON.stringify(vk.vk_delta_2) === JSON.stringify(vk.vk_gamma_2)) {
      throw new ToolError('the zkey has δ = γ: refusing an insecure setup');
    }
    // Drop the old key first: a crash between the renames leaves "no key", never a mismatched pair.
    await rm(vkeyFile, { force: true });
    await replacePath(made, zkeyFile);
    await writeFileAtomic(vkeyFile, toJson(vk));

    const createdAt = new Date().toISOString();
    manifest.setup = { method: key.method, ptau: key.ptau, development: key.development, ptauPower: key.ptauPower, createdAt };
    await writeManifest(dir, manifest);
    return {
      zkey: zkeyFile,
      verificationKey: vkeyFile,
      ...key,
      circuitPower,
      warnings: key.development ? [key.method === 'dev' ? DEV_SETUP_WARNING : DEV_PTAU_WARNING] : [],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await rm(made, { force: true });
  }
}

interface MadeKey {
  method: 'ptau' | 'dev';
  /** The ptau file used; for a dev setup, a note saying there was none. */
  ptau: string;
  ptauPower: number;
  development: boolean;
  /** Hex hash of the phase-2 contribution (ptau route), or "" for a dev setup. */
  contributionHash: string;
}

/** snarkjs setup from a ptau (a public ceremony's, or a cached development one), then a random phase-2 contribution. */
async function ptauKey(r1csFile: string, out: string, circuitPower: number, circuitSize: string, options: SetupOptions, say: (m: string) => void): Promise<MadeKey> {
  let ptau: string;
  let ptauPower: number;
  let development: boolean;
  if (options.ptau !== undefined) {
    ptau = path.resolve(options.ptau);
    ptauPower = await checkPtau(ptau, circuitPower, circuitSize);
    development = isDevPtau(ptau) || path.dirname(ptau) === path.resolve(options.cacheDir ?? ptauCacheDir());
  } else {
    const dev = await ensureDevPtau(circuitPower, { cacheDir: options.cacheDir, onProgress: say });
    ptau = dev.path;
    ptauPower = dev.power;
    development = true;
  }
  if (development) say(DEV_PTAU_WARNING);
  const initial = tempPathFor(out, 'initial.zkey');
  try {
    say(`groth16 setup: ${circuitSize} ≤ 2^${circuitPower}, ptau 2^${ptauPower}`);
    const { logger, errors } = errorCollector();
    const made = await snarkjs.zKey.newZKey(r1csFile, ptau, initial, logger).catch((err: unknown) => {
      throw new ToolError(`snarkjs groth16 setup failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    if (made === -1 || errors.length > 0) {
      throw new ToolError(`snarkjs groth16 setup failed: ${errors.join('; ') || 'no reason given'}`, { context: [r1csFile, ptau] });
    }
    say('phase-2 contribution with random entropy');
    const hash = await snarkjs.zKey.contribute(initial, out, 'zkinfer phase-2 contribution', randomBytes(64).toString('hex'));
    return { method: 'ptau', ptau, ptauPower, development, contributionHash: Buffer.from(hash).toString('hex') };
  } finally {
    await rm(initial, { force: true });
  }
}

/** The native engine samples τ, α, β, γ, δ itself, computes the keys from the r1cs and discards the secrets. */
async function devKey(r1csFile: string, out: string, circuitPower: number, circuitSize: string, say: (m: string) => void): Promise<MadeKey> {
  say(DEV_SETUP_WARNING);
  say(`development setup (native): ${circuitSize} ≤ 2^${circuitPower}`);
  await runNative(['setup-dev', r1csFile, out]);
  return { method: 'dev', ptau: 'none: zkinfer-native setup-dev sampled the secrets itself', ptauPower: circuitPower, development: true, contributionHash: '' };
}
