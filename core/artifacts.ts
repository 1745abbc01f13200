/**
 * The artifact directory: one folder per compiled model, every stage reading and
 * writing plain files in it. This module names the files and reads the shared ones.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArtifactError, VerificationError, type ZkInferError } from './errors.ts';
import { writeJsonAtomic } from './files.ts';
import { CIRCUIT_NAME, MANIFEST_FILE, MANIFEST_VERSION, TEMPLATE_FILE, type Manifest } from './manifest.ts';

/** File names inside an artifact directory, and the step that makes each. */
export const ARTIFACT_FILES = {
  manifest: MANIFEST_FILE,
  circuit: `${CIRCUIT_NAME}.circom`,
  template: TEMPLATE_FILE,
  r1cs: `${CIRCUIT_NAME}.r1cs`,
  sym: `${CIRCUIT_NAME}.sym`,
  wasmDir: `${CIRCUIT_NAME}_js`,
  wasm: `${CIRCUIT_NAME}_js/${CIRCUIT_NAME}.wasm`,
  zkey: `${CIRCUIT_NAME}.zkey`,
  verificationKey: 'verification_key.json',
  proof: 'proof.json',
  public: 'public.json',
  output: 'output.json',
  witness: 'witness.wtns',
  deployment: 'deployment.json',
} as const;

/** The zkinfer command that produces an artifact. */
export type Step = 'compile' | 'setup' | 'prove' | 'deploy --rpc URL';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** An ArtifactError for a file a step should have made. */
export function missingArtifact(file: string, step: Step): ArtifactError {
  return new ArtifactError(`${path.basename(file)} not found in ${path.dirname(file)}: run zkinfer ${step} first`, {
    context: [file],
    hint: `"zkinfer ${step}" writes ${path.basename(file)}`,
  });
}

/** Reads a file that an earlier step makes; a missing file says which step to run. */
export async function readArtifact(file: string, step: Step): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    if (isMissing(err)) throw missingArtifact(file, step);
    throw new ArtifactError(`cannot read ${file}`, { cause: err });
  }
}

/**
 * Reads and parses a JSON file. A missing file is an ArtifactError naming `step`;
 * text that is not JSON fails with `errorClass` (VerificationError for user-supplied proofs).
 */
export async function readJsonArtifact(
  file: string,
  step: Step,
  errorClass: new (message: string, options?: { context?: string[]; cause?: unknown }) => ZkInferError = ArtifactError,
): Promise<unknown> {
  const text = (await readArtifact(file, step)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new errorClass(`${path.basename(file)} is not valid JSON (${detail})`, { context: [file], cause: err });
  }
}

/** Reads manifest.json, checking its format and version and the fields later steps rely on. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, ARTIFACT_FILES.manifest);
  const json = await readJsonArtifact(file, 'compile');
  const m = json as Partial<Manifest> | null;
  if (m === null || typeof m !== 'object' || m.format !== 'zkinfer-manifest') {
    throw new ArtifactError(`${file} is not a zkinfer manifest (no "format": "zkinfer-manifest")`, { context: [file] });
  }
  if (m.version !== MANIFEST_VERSION) {
    throw new ArtifactError(`${file} has manifest version ${String(m.version)}, this zkinfer reads version ${MANIFEST_VERSION}`, {
      context: [file],
      hint: 'compile the model again with this zkinfer',
    });
  }
  for (const key of ['inputs', 'outputs', 'publicSignals'] as const) {
    if (!Array.isArray(m[key])) throw new ArtifactError(`${file}: "${key}" is missing or not an array`, { context: [file] });
  }
  if (typeof m.circuit !== 'object' || m.circuit === null) {
    throw new ArtifactError(`${file}: "circuit" is missing`, { context: [file] });
  }
  return m as Manifest;
}

/** Parses a user-supplied JSON file for verification: malformed input is a VerificationError. */
export async function readUserJson(file: string, step: Step): Promise<unknown> {
  return readJsonArtifact(file, step, VerificationError);
}

/** manifest.json, replaced atomically. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeJsonAtomic(path.join(dir, ARTIFACT_FILES.manifest), manifest);
}
