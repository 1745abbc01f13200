/**
 * Input JSON → witness → Groth16 proof: proof.json, public.json, output.json. One proof
 * (`prove`) and a batch (batch.ts) run the same three steps: `openModel` once, then per
 * input `witnessStep` and `proofStep` with a prover session (provers.ts).
 */
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Groth16Proof } from 'snarkjs';
import { ToolError } from '../core/errors.ts';
import { ARTIFACT_FILES, missingArtifact, readManifest } from '../core/artifacts.ts';
import type { Manifest } from '../core/manifest.ts';
import { decodeOutputs, type DecodedTensor } from '../core/decode.ts';
import { decodeTensor } from '../core/output.ts';
import { tempPathFor, toJson } from '../core/files.ts';
import { defaultProver, openProver, type ProverName, type ProverSession } from './provers.ts';
import { computeWitness, type WitnessResult } from './witness.ts';

export { defaultProver, type ProverName };

export interface ProveOptions {
  /** Where to write proof.json, public.json, output.json and witness.wtns (default: `dir`). */
  out?: string;
  /** Where the input came from, for error messages (a file name). */
  source: string;
  /** The content hash to bind (default: the hash of the input's compact JSON; see core/content-hash.ts). */
  contentHash?: bigint;
  /** Which Groth16 prover runs (default: native when its binary is built, else snarkjs; cuda only when asked for). */
  prover?: ProverName;
  onProgress?: (message: string) => void;
}

/** output.json: what the proof says, decoded, and how it was made. */
export interface ProofOutput {
  model: { file: string; sha256: string };
  outputs: DecodedTensor[];
  /** Public inputs (when the model makes inputs public). */
  inputs: DecodedTensor[];
  /** The content hash bound to the proof (bytes32 hex). */
  contentHash: string;
  /** --output hashed: the public Poseidon hash of `outputs` (bytes32 hex). */
  outputHash?: string;
  /** --weights hashed: the model commitment the proof carries (bytes32 hex). */
  modelCommitment?: string;
  /** Input values that fell outside the calibrated range and were clamped. */
  clampedInputs: number;
  /** True when the setup used a locally made ptau (proofs are forgeable by its maker). */
  developmentSetup: boolean;
  timings: { witnessSeconds: number; proveSeconds: number };
  prover: ProverName;
}

export interface ProveResult {
  proof: Groth16Proof;
  publicSignals: string[];
  output: ProofOutput;
  files: ProofFiles;
  /** The engine's own proof seconds, where it reports them (cuda batches: the key already on the GPU). */
  engineSeconds?: number;
}

export interface ProofFiles {
  proof: string;
  public: string;
  output: string;
  witness: string;
}

/** What every proof with a model's key needs, read once: the manifest and the zkey's path. */
export interface ProvingModel {
  dir: string;
  manifest: Manifest;
  zkey: string;
}

/** Reads the manifest and checks that setup made the zkey. */
export async function openModel(dir: string): Promise<ProvingModel> {
  const manifest = await readManifest(dir);
  const zkey = path.join(dir, ARTIFACT_FILES.zkey);
  await access(zkey).catch(() => {
    throw missingArtifact(zkey, 'setup');
  });
  return { dir, manifest, zkey };
}

/** proof.json, public.json, output.json and witness.wtns in `out`. */
export function proofFiles(out: string): ProofFiles {
  return {
    proof: path.join(out, ARTIFACT_FILES.proof),
    public: path.join(out, ARTIFACT_FILES.public),
    output: path.join(out, ARTIFACT_FILES.output),
    witness: path.join(out, ARTIFACT_FILES.witness),
  };
}

/** Step 1: the input's witness, written to `files.witness` (its folder made if needed). */
export async function witnessStep(model: ProvingModel, inputJson: unknown, source: string, files: ProofFiles, contentHash?: bigint): Promise<WitnessResult> {
  await mkdir(path.dirname(files.witness), { recursive: true });
  return computeWitness(model.dir, inputJson, source, { witnessFile: files.witness, manifest: model.manifest, contentHash });
}

/**
 * Step 2: the proof of a computed witness, checked against it (the prover must return the
 * witness's public signals), decoded, and written: proof.json, public.json and output.json
 * each via a temp file, renamed in together.
 */
export async function proofStep(model: ProvingModel, session: ProverSession, witness: WitnessResult, files: ProofFiles): Promise<ProveResult> {
  const started = performance.now();
  const { proof, publicSignals, engineSeconds } = await session.prove(files.witness);
  const proveSeconds = (performance.now() - started) / 1000;
  const expected = witness.publicSignals.map(String);
  if (publicSignals.join(',') !== expected.join(',')) {
    throw new ToolError(`the ${session.name} prover returned public signals that differ from the witness`, { context: [files.witness] });
  }

  const { manifest } = model;
  const { outputs, inputs, contentHash, outputHash, modelCommitment } = decodeOutputs(manifest, publicSignals);
  const output: ProofOutput = {
    model: { file: manifest.model.file, sha256: manifest.model.sha256 },
    // Hashed outputs are not public signals: the witness has them (the reference evaluator's, checked against the hash).
    outputs: outputHash ? witness.outputs.map((t, i) => decodeTensor(manifest.outputs[i]!, t.integers)) : outputs,
    inputs,
    contentHash,
    ...(outputHash ? { outputHash } : {}),
    ...(modelCommitment ? { modelCommitment } : {}),
    clampedInputs: witness.clamped,
    developmentSetup: manifest.setup?.development ?? false,
    timings: { witnessSeconds: witness.seconds, proveSeconds },
    prover: session.name,
  };

  // Write all three, then rename them in: a reader never pairs a new proof with old signals for long.
  const staged: [string, string][] = [
    [files.public, toJson(publicSignals)],
    [files.proof, toJson(proof)],
    [files.output, toJson(output)],
  ];
  const temps = staged.map(([file]) => tempPathFor(file));
  try {
    await Promise.all(staged.map(([, text], i) => writeFile(temps[i]!, text)));
    for (const [i, [file]] of staged.entries()) await rename(temps[i]!, file);
  } finally {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
  }
  return { proof, publicSignals, output, files, ...(engineSeconds === undefined ? {} : { engineSeconds }) };
}

/** The progress line for a proof, saying why snarkjs runs when nobody asked for it. */
export function provingMessage(prover: ProverName, chosen: boolean): string {
  return `proving (groth16, ${prover}${chosen || prover !== 'snarkjs' ? '' : ': the native prover is not built, see npm run build:native'})`;
}

/**
 * Proves that the compiled model in `dir` maps `inputJson` (parsed input JSON) to its
 * outputs. Writes proof.json, public.json and output.json (each via temp file + rename)
 * and witness.wtns into `out`. Call `releaseCurves()` when done so node can exit.
 * (Many inputs with one key: `proveBatch` in batch.ts.)
 *
 * @example
 * const { output } = await prove('build/mnist', JSON.parse(text), { source: 'digit.json' });
 * console.log(output.outputs[0].argmax);
 */
export async function prove(dir: string, inputJson: unknown, options: ProveOptions): Promise<ProveResult> {
  const say = (m: string) => options.onProgress?.(m);
  const model = await openModel(dir);
  const prover = options.prover ?? defaultProver();
  // A missing engine binary fails here, before the witness is computed.
  const session = await openProver(prover, model.zkey);
  try {
    const files = proofFiles(options.out ?? dir);
    say('computing the witness');
    const witness = await witnessStep(model, inputJson, options.source, files, options.contentHash);
    say(provingMessage(prover, options.prover !== undefined));
    const result = await proofStep(model, session, witness, files);
    await session.close();
    return result;
  } finally {
    session.abort();
  }
}

