/**
 * `zkinfer compile`: the compiler (circuits/) writes model.circom, ir.json and
 * manifest.json; then the fast path (circuits/backends/r1cs.ts) writes model.r1cs and
 * model.sym straight from the IR, or, with `via: 'circom'`, circom2 compiles model.circom
 * into model.r1cs, model.sym and model_js/model.wasm. Either way the manifest gets the
 * circuit's real constraint count.
 */
import { compileModel, type CompileOptions } from './compile.ts';
import { UnsupportedError } from '../core/errors.ts';
import type { Manifest } from '../core/manifest.ts';
import { compileCircuit } from './backends/circom.ts';
import { buildFastCircuit } from './backends/r1cs.ts';

/** Who turns the circuit into model.r1cs and computes witnesses. */
export const CIRCUIT_ROUTES = ['zkinfer', 'circom'] as const;
export type CircuitRoute = (typeof CIRCUIT_ROUTES)[number];

export interface BuildResult {
  manifest: Manifest;
  /** Constraints the compiler counted on the system it lowered (the manifest has the back-end's: circom's on the circom route). */
  predictedConstraints: number;
  /** The route that wrote model.r1cs. */
  via: CircuitRoute;
  /** The compiler's, and the r1cs writer's (fast path or circom). */
  seconds: { compile: number; circuit: number };
}

/**
 * The largest circuit handed to circom2 (circom compiled to 32-bit WebAssembly, so at most
 * 4 GiB of memory): measured here, its memory grows by about 2.5 KB per constraint (627 MB at
 * 250,000), and it ran out of memory on an 8.5M-constraint 3-D MaxPool. Larger circuits are
 * refused before circom runs; model.circom is still written for the native circom binary.
 */
export const CIRCOM2_MAX_CONSTRAINTS = 1_500_000;

export interface BuildOptions extends CompileOptions {
  /** Refuse circuits the compiler counts above this on the circom route (default CIRCOM2_MAX_CONSTRAINTS). */
  maxConstraints?: number;
  /** `zkinfer` (default: the fast path) or `circom` (the reference route, through model.circom). */
  via?: CircuitRoute;
}

/**
 * @example
 * const { manifest } = await build('model.onnx', 'build/model', { calibration: 'samples.json' });
 * console.log(manifest.circuit.constraints);
 */
export async function build(modelPath: string, dir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const t0 = performance.now();
  const compiled = await compileModel(modelPath, dir, options);
  const t1 = performance.now();
  if (options.via !== 'circom') {
    options.onProgress?.('writing the constraint system');
    const circuit = await buildFastCircuit(dir, compiled);
    return { manifest: circuit.manifest, predictedConstraints: compiled.manifest.circuit.constraints, via: 'zkinfer', seconds: { compile: (t1 - t0) / 1000, circuit: circuit.seconds } };
  }
  const limit = options.maxConstraints ?? CIRCOM2_MAX_CONSTRAINTS;
  const counted = compiled.manifest.circuit.constraints;
  if (counted > limit) {
    throw new UnsupportedError(`the circuit needs ${counted.toLocaleString('en-US')} constraints, more than circom2 (circom in 32-bit WebAssembly, at most 4 GiB) can compile: the limit is ${limit.toLocaleString('en-US')}`, {
      context: [modelPath, `${dir}/model.circom (written)`],
      hint: 'compile model.circom with the native circom binary, or make the model smaller (fewer channels, smaller pooling windows)',
    });
  }
  options.onProgress?.('compiling the circuit with circom');
  const circuit = await compileCircuit(dir, { onProgress: options.onProgress });
  return {
    manifest: circuit.manifest,
    predictedConstraints: compiled.manifest.circuit.constraints,
    via: 'circom',
    seconds: { compile: (t1 - t0) / 1000, circuit: circuit.seconds },
  };
}
