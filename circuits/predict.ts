/**
 * predict: the reference evaluator on an artifact directory, no proof — what the
 * circuit will output for an input, bit for bit.
 */
import path from 'node:path';
import { readArtifact, readManifest } from './artifacts.ts';
import { evaluate } from './evaluate.ts';
import { quantizeInputs } from './input.ts';
import { IR_FILE, irFromJson } from './ir/serialize.ts';
import type { IrModel } from './ir/types.ts';
import type { Manifest } from './manifest.ts';
import { decodeTensor, type DecodedTensor } from './output.ts';

export interface Prediction {
  outputs: DecodedTensor[];
  /** Input values outside the calibrated range, clamped when quantized. */
  clamped: number;
}

/** The compiled model of an artifact directory: its manifest and integer IR. */
export async function loadCompiled(dir: string): Promise<{ manifest: Manifest; ir: IrModel }> {
  const manifest = await readManifest(dir);
  const irPath = path.join(dir, IR_FILE);
  return { manifest, ir: irFromJson((await readArtifact(irPath, 'compile')).toString('utf8'), irPath) };
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
