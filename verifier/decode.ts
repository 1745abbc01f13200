/**
 * Public signals → the model's answer: integers, dequantized values and argmax per tensor.
 */
import { ArtifactError } from '../circuits/errors.ts';
import { dequantize } from '../circuits/input.ts';
import type { BoundaryTensor, Manifest } from '../circuits/manifest.ts';
import { toSigned } from './field.ts';
import { parseFieldElement } from './public-signals.ts';

export interface DecodedTensor {
  name: string;
  shape: number[];
  /** Signed quantized integers, as decimal strings (they can exceed 2^53). */
  integers: string[];
  /** Dequantized: scale · (q − zeroPoint). */
  values: number[];
  /** Flat index of the largest integer, the first one on ties. */
  argmax: number;
}

export interface DecodedSignals {
  outputs: DecodedTensor[];
  /** Public inputs, when the model makes any input public. */
  inputs: DecodedTensor[];
}

function argmaxOf(values: readonly bigint[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function decodeTensor(spec: BoundaryTensor, elements: readonly bigint[]): DecodedTensor {
  const integers = elements.map(toSigned);
  return {
    name: spec.name,
    shape: spec.shape,
    integers: integers.map(String),
    values: integers.map((q) => dequantize(q, spec.scale, spec.zeroPoint)),
    argmax: argmaxOf(integers),
  };
}

/**
 * Decodes public signals (field elements as decimal strings or bigints, in public.json order).
 *
 * @example
 * const { outputs } = decodeOutputs(manifest, JSON.parse(readFileSync('public.json', 'utf8')));
 * console.log(outputs[0].argmax, outputs[0].values);
 */
export function decodeOutputs(manifest: Manifest, publicSignals: readonly (string | bigint)[]): DecodedSignals {
  const values = publicSignals.map((v, i) => parseFieldElement(v, i));
  const slice = (tensor: string, kind: 'output' | 'input'): bigint[] => {
    const run = manifest.publicSignals.find((r) => r.kind === kind && r.tensor === tensor);
    if (!run) throw new ArtifactError(`manifest.json: no public signal run for ${kind} "${tensor}"`);
    if (run.offset + run.length > values.length) {
      throw new ArtifactError(`${kind} "${tensor}" needs public signals ${run.offset}..${run.offset + run.length - 1}, only ${values.length} given`);
    }
    return values.slice(run.offset, run.offset + run.length);
  };
  const outputs = manifest.outputs.map((spec) => decodeTensor(spec, slice(spec.name, 'output')));
  const inputs = manifest.publicSignals
    .filter((r) => r.kind === 'input')
    .map((r) => {
      const spec = manifest.inputs.find((t) => t.name === r.tensor);
      if (!spec) throw new ArtifactError(`manifest.json: public input run "${r.tensor}" names no input tensor`);
      return decodeTensor(spec, slice(spec.name, 'input'));
    });
  return { outputs, inputs };
}
