/**
 * Taking a newly written model.r1cs into the artifact directory, from either back-end: its
 * public signals checked against the manifest, a stale setup dropped, the counts recorded.
 */
import { access, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ArtifactError, ToolError } from '../../core/errors.ts';
import { ptauPowerFor, type Manifest } from '../../core/manifest.ts';
import { ARTIFACT_FILES, writeManifest } from '../../core/artifacts.ts';
import { BN254_SCALAR_MODULUS } from '../../core/field.ts';
import { publicSignalCount } from '../../core/public-signals.ts';
import type { R1csHeader } from '../../core/formats/r1cs.ts';

export interface CompileCircuitResult {
  constraints: number;
  wires: number;
  publicOutputs: number;
  publicInputs: number;
  privateInputs: number;
  /** Smallest powers-of-tau power Groth16 setup needs: 2^p ≥ constraints + public signals + 1. */
  ptauPower: number;
  /** Whether a previous setup was dropped because the circuit changed. */
  setupInvalidated: boolean;
  manifest: Manifest;
  seconds: number;
}

export async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Checks the compiled circuit's public signals against what the manifest promises. */
function checkPublicSignals(header: R1csHeader, manifest: Manifest, circuitFile: string): void {
  if (header.prime !== BN254_SCALAR_MODULUS) {
    throw new ToolError(`circom compiled ${circuitFile} over prime ${header.prime}, expected BN254's scalar field`);
  }
  const expected = publicSignalCount(manifest);
  const actual = header.publicOutputs + header.publicInputs;
  // A hashed input's content hash is computed by the circuit: a public output there, a public input otherwise.
  const outputKinds = manifest.visibility?.input === 'hashed' ? ['output', 'output-hash', 'content'] : ['output', 'output-hash'];
  const expectedOutputs = manifest.publicSignals.filter((r) => outputKinds.includes(r.kind)).reduce((n, r) => n + r.length, 0);
  if (actual !== expected || header.publicOutputs !== expectedOutputs) {
    throw new ArtifactError(
      `${circuitFile} has ${actual} public signals (${header.publicOutputs} outputs + ${header.publicInputs} public inputs), ` +
        `manifest.json lists ${expected} (${expectedOutputs} outputs + ${expected - expectedOutputs} public inputs)`,
      { context: [circuitFile], hint: 'the circuit and manifest disagree: compile the model again' },
    );
  }
}

/**
 * Takes a newly written circuit into `dir` (either route): checks its public signals against
 * the manifest, drops an earlier setup (zkey, verification key) when `r1cs`, the new file's
 * bytes, differs from the one in place, lets `install` move the files into place, and records
 * the counts and the route in manifest.json.
 */
export async function recordCircuit(
  dir: string,
  manifest: Manifest,
  header: R1csHeader,
  r1cs: Buffer,
  via: NonNullable<Manifest['circuit']['via']>,
  started: number,
  install: () => Promise<void>,
): Promise<CompileCircuitResult> {
  checkPublicSignals(header, manifest, path.join(dir, ARTIFACT_FILES.circuit));
  // A different circuit makes an earlier zkey and verification key wrong: drop them.
  const target = (name: keyof typeof ARTIFACT_FILES) => path.join(dir, ARTIFACT_FILES[name]);
  let setupInvalidated = false;
  const oldR1cs = await readFile(target('r1cs')).catch(() => undefined);
  if (oldR1cs === undefined || !oldR1cs.equals(r1cs)) {
    setupInvalidated = manifest.setup !== undefined || (await exists(target('zkey')));
    await rm(target('verificationKey'), { force: true });
    await rm(target('zkey'), { force: true });
    delete manifest.setup;
  }
  await install();

  const ptauPower = ptauPowerFor(header.constraints, header.publicInputs + header.publicOutputs);
  manifest.circuit = { ...manifest.circuit, constraints: header.constraints, compiled: true, wires: header.wires, ptauPower, via };
  await writeManifest(dir, manifest);
  return {
    constraints: header.constraints,
    wires: header.wires,
    publicOutputs: header.publicOutputs,
    publicInputs: header.publicInputs,
    privateInputs: header.privateInputs,
    ptauPower,
    setupInvalidated,
    manifest,
    seconds: (performance.now() - started) / 1000,
  };
}

