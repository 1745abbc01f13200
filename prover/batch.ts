/**
 * Many inputs, one key: `zkinfer prove DIR --batch INPUTS`. Every *.json in INPUTS is
 * proved with one prover session (for cuda one gpu-serve process: the key goes to the GPU
 * once), through the same steps as a single proof (prove.ts). Each input's files go to
 * OUT/<input name without .json>/, and OUT/batch.json sums the batch up.
 *
 * An input that fails (not JSON, rejected by the circuit, refused by the prover) fails
 * alone: batch.json records its error and the others are proved. A prover that dies
 * (gpu-serve exits) ends the batch. The witness of the next input is computed while the
 * prover works on the current one (the engines are child processes; the witness
 * calculator runs here).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { InputError, ZkInferError } from '../core/errors.ts';
import { readUserJsonFile, writeJsonAtomic } from '../core/files.ts';
import { defaultProver, openModel, proofFiles, proofStep, provingMessage, witnessStep, type ProofFiles, type ProverName } from './prove.ts';
import { openProver } from './provers.ts';
import type { WitnessResult } from './witness.ts';

export const BATCH_SUMMARY_FILE = 'batch.json';

export interface BatchOptions {
  /** Where the per-input folders and batch.json go (default: `<dir>/batch`). */
  out?: string;
  /** Which Groth16 prover runs (default: native when built, else snarkjs). */
  prover?: ProverName;
  onProgress?: (message: string) => void;
}

/** One input's line in batch.json. */
export interface BatchEntry {
  /** The input file's name in the inputs folder. */
  file: string;
  /** Its folder of proof files (OUT/<name without .json>). */
  out: string;
  /** argmax of the model's first output (absent when the input failed). */
  prediction?: number;
  contentHash?: string;
  clampedInputs?: number;
  witnessSeconds?: number;
  /** Wall seconds of the prover call, reading its files back included. */
  proveSeconds?: number;
  /** The engine's own proof seconds (cuda: with the key already on the GPU). */
  engineSeconds?: number;
  /** Why this input has no proof. */
  error?: { type: string; message: string; context: string[] };
}

/** batch.json. */
export interface BatchSummary {
  model: { file: string; sha256: string };
  prover: ProverName;
  inputsDir: string;
  out: string;
  /** cuda: seconds gpu-serve took to load the key onto the GPU, once for the batch. */
  keyUploadSeconds?: number;
  proved: number;
  failed: number;
  developmentSetup: boolean;
  totalSeconds: number;
  inputs: BatchEntry[];
}

export interface BatchResult extends BatchSummary {
  /** Where batch.json was written. */
  summaryFile: string;
}

/** The *.json files of `inputsDir` but `skip` (a resolved path), sorted by name (numbers in names compared as numbers: 2 before 10). */
async function listInputs(inputsDir: string, skip: string): Promise<string[]> {
  const entries = await readdir(inputsDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read the inputs folder ${inputsDir}: ${err.code ?? err.message}`, { cause: err });
  });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json') && e.name !== '.json' && path.resolve(inputsDir, e.name) !== skip)
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0));
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects: started early, awaited later, without an unhandled rejection in between. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** The error as batch.json records it; anything but a ZkInferError is a bug and ends the batch. */
function entryError(err: unknown): BatchEntry['error'] {
  if (!(err instanceof ZkInferError)) throw err;
  return { type: err.name, message: err.message, context: err.context };
}

/**
 * Proves every *.json input in `inputsDir` with the model in `dir`, loading its key once.
 * Each proof binds the content hash of its own input JSON. Resolves with the summary
 * (also written to OUT/batch.json), failed inputs included; rejects only for what stops
 * the whole batch (no inputs, no key, no prover).
 *
 * @example
 * const batch = await proveBatch('build/mnist', 'digits/', { prover: 'cuda' });
 * console.log(batch.proved, batch.keyUploadSeconds, batch.inputs.map((e) => e.prediction));
 */
export async function proveBatch(dir: string, inputsDir: string, options: BatchOptions = {}): Promise<BatchResult> {
  const started = performance.now();
  const say = (m: string) => options.onProgress?.(m);
  const out = options.out ?? path.join(dir, 'batch');
  const summaryFile = path.join(out, BATCH_SUMMARY_FILE);
  // With OUT = INPUTS, an earlier run's batch.json is no input.
  const names = await listInputs(inputsDir, path.resolve(summaryFile));
  if (names.length === 0) {
    throw new InputError(`no *.json inputs in ${inputsDir}`, { hint: 'put one input JSON file per proof in the folder (the same format as --input)' });
  }
  const model = await openModel(dir);
  const prover = options.prover ?? defaultProver();
  if (prover === 'cuda') say('loading the proving key onto the GPU (gpu-serve)');
  const session = await openProver(prover, model.zkey, { resident: true });
  try {
    const jobs = names.map((file) => ({ file, source: path.join(inputsDir, file), files: proofFiles(path.join(out, file.slice(0, -'.json'.length))) }));
    const witnessOf = (i: number): Promise<Settled<WitnessResult>> => {
      const job = jobs[i]!;
      say(`computing the witness of ${job.file} (${i + 1}/${jobs.length})`);
      return settle(readUserJsonFile(job.source, 'input file').then((input) => witnessStep(model, input, job.source, job.files)));
    };

    const entries: BatchEntry[] = [];
    let next = witnessOf(0);
    for (const [i, job] of jobs.entries()) {
      const witness = await next;
      if (i + 1 < jobs.length) next = witnessOf(i + 1); // runs while this input is proved
      const entry: BatchEntry = { file: job.file, out: path.dirname(job.files.witness) };
      entries.push(entry);
      if (!witness.ok) {
        entry.error = entryError(witness.error);
        await removeProofFiles(job.files);
        continue;
      }
      entry.witnessSeconds = witness.value.seconds;
      say(`${provingMessage(prover, options.prover !== undefined)}: ${job.file} (${i + 1}/${jobs.length})`);
      try {
        const proved = await proofStep(model, session, witness.value, job.files);
        entry.prediction = proved.output.outputs[0]?.argmax;
        entry.contentHash = proved.output.contentHash;
        entry.clampedInputs = proved.output.clampedInputs;
        entry.proveSeconds = proved.output.timings.proveSeconds;
        if (proved.engineSeconds !== undefined) entry.engineSeconds = proved.engineSeconds;
      } catch (err) {
        if (session.failure) throw session.failure;
        entry.error = entryError(err);
        await removeProofFiles(job.files);
      }
    }
    await session.close();

    await mkdir(out, { recursive: true });
    const failed = entries.filter((e) => e.error).length;
    const summary: BatchSummary = {
      model: { file: model.manifest.model.file, sha256: model.manifest.model.sha256 },
      prover,
      inputsDir,
      out,
      ...(session.uploadSeconds === undefined ? {} : { keyUploadSeconds: session.uploadSeconds }),
      proved: entries.length - failed,
      failed,
      developmentSetup: model.manifest.setup?.development ?? false,
      totalSeconds: (performance.now() - started) / 1000,
      inputs: entries,
    };
    await writeJsonAtomic(summaryFile, summary);
    return { ...summary, summaryFile };
  } finally {
    session.abort();
  }
}

/** A failed input keeps no proof files from an earlier run: its folder never shows a proof of other data. */
async function removeProofFiles(files: ProofFiles): Promise<void> {
  await Promise.all(Object.values(files).map((f) => rm(f, { force: true })));
}
