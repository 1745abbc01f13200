/**
 * Input JSON → witness → Groth16 proof: proof.json, public.json, output.json.
 */
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import type { Groth16Proof } from 'snarkjs';
import { ToolError } from '../circuits/errors.ts';
import { ARTIFACT_FILES, missingArtifact, readManifest } from '../circuits/artifacts.ts';
import { decodeOutputs, type DecodedTensor } from '../verifier/decode.ts';
import { tempPathFor, toJson } from '../circuits/files.ts';
import { parseProof } from '../verifier/proof-json.ts';
import { nativeBinary, runNative } from './native.ts';
import { computeWitness } from './witness.ts';

export interface ProveOptions {
  /** Where to write proof.json, public.json, output.json and witness.wtns (default: `dir`). */
  out?: string;
  /** Where the input came from, for error messages (a file name). */
  source: string;
  /** The content hash to bind (default: the hash of the input's compact JSON; see verifier/content-hash.ts). */
  contentHash?: bigint;
  /** Which Groth16 prover runs (default: native when its binary is built, else snarkjs). */
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
  /** Input values that fell outside the calibrated range and were clamped. */
  clampedInputs: number;
  /** True when the setup used a locally made ptau (proofs are forgeable by its maker). */
  developmentSetup: boolean;
  timings: { witnessSeconds: number; proveSeconds: number };
  prover: ProverName;
}

export type ProverName = 'native' | 'snarkjs';

/** The native engine when `npm ci` could build it (it is several times faster), else snarkjs. */
export function defaultProver(): ProverName {
  return nativeBinary() ? 'native' : 'snarkjs';
}

/** The snarkjs Groth16 prover, in-process. */
async function proveWithSnarkjs(zkey: string, witness: string): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  return snarkjs.groth16.prove(zkey, witness).catch((err: unknown) => {
    throw new ToolError(`snarkjs groth16 prove failed: ${err instanceof Error ? err.message : String(err)}`, {
      context: [zkey, witness],
      hint: 'if the witness length does not match, the zkey is from another circuit: run zkinfer setup again',
      cause: err,
    });
  });
}

/** The native prover (prover/native), in a child process writing proof and public JSON beside `witness`. */
async function proveWithNative(zkey: string, witness: string): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  const proofFile = tempPathFor(witness, 'proof.json');
  const publicFile = tempPathFor(witness, 'public.json');
  try {
    await runNative(['prove', zkey, witness, proofFile, publicFile]);
    return {
      proof: parseProof(JSON.parse(await readFile(proofFile, 'utf8')), 'the native prover\'s proof.json'),
      publicSignals: JSON.parse(await readFile(publicFile, 'utf8')) as string[],
    };
  } finally {
    await Promise.all([rm(proofFile, { force: true }), rm(publicFile, { force: true })]);
  }
}

export interface ProveResult {
  proof: Groth16Proof;
  publicSignals: string[];
  output: ProofOutput;
  files: { proof: string; public: string; output: string; witness: string };
}

/**
 * Proves that the compiled model in `dir` maps `inputJson` (parsed input JSON) to its
 * outputs. Writes proof.json, public.json and output.json (each via temp file + rename)
 * and witness.wtns into `out`. Call `releaseCurves()` when done so node can exit.
 *
 * @example
 * const { output } = await prove('build/mnist', JSON.parse(text), { source: 'digit.json' });
 * console.log(output.outputs[0].argmax);
 */
export async function prove(dir: string, inputJson: unknown, options: ProveOptions): Promise<ProveResult> {
  const say = (m: string) => options.onProgress?.(m);
  const manifest = await readManifest(dir);
  const zkey = path.join(dir, ARTIFACT_FILES.zkey);
  await access(zkey).catch(() => {
    throw missingArtifact(zkey, 'setup');
  });
  const out = options.out ?? dir;
  await mkdir(out, { recursive: true });
  const files = {
    proof: path.join(out, ARTIFACT_FILES.proof),
    public: path.join(out, ARTIFACT_FILES.public),
    output: path.join(out, ARTIFACT_FILES.output),
    witness: path.join(out, ARTIFACT_FILES.witness),
  };

  say('computing the witness');
  const witness = await computeWitness(dir, inputJson, options.source, { witnessFile: files.witness, manifest, contentHash: options.contentHash });

  const prover = options.prover ?? defaultProver();
  say(`proving (groth16, ${prover}${options.prover || prover === 'native' ? '' : ': the native prover is not built, see npm run build:native'})`);
  const proveStarted = performance.now();
  const { proof, publicSignals } = prover === 'native' ? await proveWithNative(zkey, files.witness) : await proveWithSnarkjs(zkey, files.witness);
  const proveSeconds = (performance.now() - proveStarted) / 1000;
  const expected = witness.publicSignals.map(String);
  if (publicSignals.join(',') !== expected.join(',')) {
    throw new ToolError(`the ${prover} prover returned public signals that differ from the witness`, { context: [files.witness] });
  }

  const { outputs, inputs, contentHash } = decodeOutputs(manifest, publicSignals);
  const output: ProofOutput = {
    model: { file: manifest.model.file, sha256: manifest.model.sha256 },
    outputs,
    inputs,
    contentHash,
    clampedInputs: witness.clamped,
    developmentSetup: manifest.setup?.development ?? false,
    timings: { witnessSeconds: witness.seconds, proveSeconds },
    prover,
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
  return { proof, publicSignals, output, files };
}
