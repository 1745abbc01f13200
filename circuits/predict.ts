/**
 * predict: the reference evaluator on an artifact directory, no proof — what the
 * circuit will output for an input, bit for bit.
 */
import { evaluate } from './evaluate.ts';
import { quantizeInputs } from '../core/input.ts';
import { loadCompiled } from './ir/serialize.ts';
import type { IrModel } from './ir/types.ts';
import type { Manifest } from '../core/manifest.ts';
import { decodeTensor, type DecodedTensor } from '../core/output.ts';

export interface Prediction {
  outputs: DecodedTensor[];
  /** Input values outside the calibrated range, clamped when quantized. */
  clamped: number;
}

/** Runs the model on an input JSON (floats) with the integer semantics the circuit has. */
export function predictWith(manifest: Manifest, ir: IrModel, inputJson: unknown, source: string): Prediction {
  const quantized = quantizeInputs(inputJson, manifest.inputs, source);
  const { outputs } = evaluate(ir, new Map([...quantized].map(([k, v]) => [k, v.values])));
  return {
    outputs: manifest.outputs.map((spec, i) => decodeTensor(spec, outputs[i]!)),
    clamped: [...quantized.values()].reduce((a, q) => a + q.clamped, 0),
  };
}

export async function predict(dir: string, inputJson: unknown, source: string): Promise<Prediction> {
  const { manifest, ir } = await loadCompiled(dir);
  return predictWith(manifest, ir, inputJson, source);
}
