/**
 * Public signals → the model's answer: integers, dequantized values and argmax per tensor.
 */
import { ArtifactError } from '../circuits/errors.ts';
import type { Manifest } from '../circuits/manifest.ts';
import { decodeTensor, type DecodedTensor } from '../circuits/output.ts';

export type { DecodedTensor };
import { contentHashHex } from './content-hash.ts';
import { toSigned } from './field.ts';
import { contentHashIndex, parseFieldElement } from './public-signals.ts';

export interface DecodedSignals {
  outputs: DecodedTensor[];
  /** Public inputs, when the model makes any input public. */
  inputs: DecodedTensor[];
  /** The content hash the proof is bound to, as bytes32 hex. */
  contentHash: string;
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
  const outputs = manifest.outputs.map((spec) => decodeTensor(spec, slice(spec.name, 'output').map(toSigned)));
  const inputs = manifest.publicSignals
    .filter((r) => r.kind === 'input')
    .map((r) => {
      const spec = manifest.inputs.find((t) => t.name === r.tensor);
      if (!spec) throw new ArtifactError(`manifest.json: public input run "${r.tensor}" names no input tensor`);
      return decodeTensor(spec, slice(spec.name, 'input').map(toSigned));
    });
  const contentIndex = contentHashIndex(manifest);
  if (contentIndex >= values.length) throw new ArtifactError(`the content hash is public signal ${contentIndex}, only ${values.length} given`);
  return { outputs, inputs, contentHash: contentHashHex(values[contentIndex]!) };
}
