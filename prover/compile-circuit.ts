/**
 * model.circom → model.r1cs, model.sym, model_js/model.wasm, with circom's real
 * constraint count and the powers-of-tau size recorded in manifest.json.
 */
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ArtifactError, ToolError } from '../circuits/errors.ts';
import { ptauPowerFor as ptauPowerForCounts, type Manifest } from '../circuits/manifest.ts';
import { ARTIFACT_FILES, missingArtifact, readManifest } from '../circuits/artifacts.ts';
import { BN254_SCALAR_MODULUS } from '../circuits/field.ts';
import { publicSignalCount } from '../verifier/public-signals.ts';
import { replacePath, writeManifest } from './atomic.ts';
import { runCircom } from './circom.ts';
import { readR1csHeader, type R1csHeader } from './formats/r1cs.ts';
import { gadgetIncludePaths } from '../circuits/gadgets.ts';

export interface CompileCircuitOptions {
  /** Extra include folders, searched after the templates and node_modules. */
  includeDirs?: string[];
  /** circom's own output, line by line. */
  onProgress?: (message: string) => void;
}

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

/** Smallest power p with 2^p ≥ constraints + public signals + 1, as snarkjs's Groth16 setup requires. */
export function ptauPowerFor(header: Pick<R1csHeader, 'constraints' | 'publicInputs' | 'publicOutputs'>): number {
  return ptauPowerForCounts(header.constraints, header.publicInputs + header.publicOutputs);
}

async function exists(file: string): Promise<boolean> {
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

  const ptauPower = ptauPowerFor(header);
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

/**
 * Compiles `<dir>/model.circom` with circom (`--r1cs --wasm --sym --O1`) and records the
 * result in manifest.json. Outputs land in a temp folder inside `dir` and are renamed into
 * place only when circom succeeds. A changed circuit drops an earlier setup (zkey, key).
 *
 * @example
 * const { constraints, ptauPower } = await compileCircuit('build/mnist', { onProgress: console.error });
 */
export async function compileCircuit(dir: string, options: CompileCircuitOptions = {}): Promise<CompileCircuitResult> {
  const started = performance.now();
  const manifest = await readManifest(dir);
  const circuitFile = path.join(dir, ARTIFACT_FILES.circuit);
  if (!(await exists(circuitFile))) throw missingArtifact(circuitFile, 'compile');

  const tmp = await mkdtemp(path.join(dir, '.circom-'));
  try {
    const includes = [...gadgetIncludePaths(), ...(options.includeDirs ?? [])];
    options.onProgress?.(`circom ${ARTIFACT_FILES.circuit} --r1cs --wasm --sym --O1`);
    let pending = '';
    await runCircom(
      [circuitFile, '--r1cs', '--wasm', '--sym', '--O1', ...includes.flatMap((d) => ['-l', d]), '-o', tmp],
      options.onProgress &&
        ((chunk) => {
          const lines = (pending + chunk).replace(/\x1b\[[0-9;]*m/g, '').split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) if (line.trim() !== '') options.onProgress!(line.trim());
        }),
    );
    const built = {
      r1cs: path.join(tmp, ARTIFACT_FILES.r1cs),
      sym: path.join(tmp, ARTIFACT_FILES.sym),
      wasmDir: path.join(tmp, ARTIFACT_FILES.wasmDir),
      wasm: path.join(tmp, ARTIFACT_FILES.wasm),
    };
    for (const file of [built.r1cs, built.sym, built.wasm]) {
      if (!(await exists(file))) throw new ToolError(`circom reported success but did not write ${path.relative(tmp, file)}`);
    }
    const header = await readR1csHeader(built.r1cs);
    return await recordCircuit(dir, manifest, header, await readFile(built.r1cs), 'circom', started, async () => {
      await replacePath(built.r1cs, path.join(dir, ARTIFACT_FILES.r1cs));
      await replacePath(built.sym, path.join(dir, ARTIFACT_FILES.sym));
      await replacePath(built.wasmDir, path.join(dir, ARTIFACT_FILES.wasmDir));
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
