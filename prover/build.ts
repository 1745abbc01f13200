/**
 * `zkinfer compile`: the compiler (circuits/) writes model.circom, ir.json and
 * manifest.json, then circom2 turns the circuit into model.r1cs, model.sym and
 * model_js/model.wasm and the manifest gets circom's constraint count.
 */
import { compileModel, type CompileOptions } from '../circuits/compile.ts';
import type { Manifest } from '../circuits/manifest.ts';
import { compileCircuit } from './compile-circuit.ts';

export interface BuildResult {
  manifest: Manifest;
  /** Constraints the compiler's cost model predicted (circom's count is in the manifest). */
  predictedConstraints: number;
  seconds: { compile: number; circom: number };
}

/**
 * @example
 * const { manifest } = await build('model.onnx', 'build/model', { calibration: 'samples.json' });
 * console.log(manifest.circuit.constraints);
 */
export async function build(modelPath: string, dir: string, options: CompileOptions = {}): Promise<BuildResult> {
  const t0 = performance.now();
  const compiled = await compileModel(modelPath, dir, options);
  const t1 = performance.now();
  options.onProgress?.('compiling the circuit with circom');
  const circuit = await compileCircuit(dir, { onProgress: options.onProgress });
  return {
    manifest: circuit.manifest,
    predictedConstraints: compiled.manifest.circuit.constraints,
    seconds: { compile: (t1 - t0) / 1000, circom: circuit.seconds },
  };
}
