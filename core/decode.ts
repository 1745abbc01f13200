/**
 * Public signals → the model's answer: integers, dequantized values and argmax per tensor.
 */
import { packedHash, packedTensor } from './poseidon.ts';
import { ArtifactError, VerificationError } from './errors.ts';
import type { Manifest } from './manifest.ts';
import { sizeOf } from './input.ts';
import { decodeTensor, type DecodedTensor } from './output.ts';

export type { DecodedTensor };
import { contentHashHex } from './content-hash.ts';
import { toSigned } from './field.ts';
import { contentHashIndex, parseFieldElement } from './public-signals.ts';

export interface DecodedSignals {
  /** Empty for a model with hashed outputs (--output hashed): see outputHash. */
  outputs: DecodedTensor[];
  /** The Poseidon hash of the outputs (bytes32 hex), for a model compiled with --output hashed. */
  outputHash?: string;
  /** The model commitment (bytes32 hex), for a model compiled with --weights hashed. */
  modelCommitment?: string;
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
  const single = (kind: 'output-hash' | 'model'): string | undefined => {
    const run = manifest.publicSignals.find((r) => r.kind === kind);
    if (run && run.offset >= values.length) throw new ArtifactError(`the ${kind} is public signal ${run.offset}, only ${values.length} given`);
    return run && contentHashHex(values[run.offset]!);
  };
  const outputHash = single('output-hash');
  const modelCommitment = single('model');
  const outputs = outputHash ? [] : manifest.outputs.map((spec) => decodeTensor(spec, slice(spec.name, 'output').map(toSigned)));
  const inputs = manifest.publicSignals
    .filter((r) => r.kind === 'input')
    .map((r) => {
      const spec = manifest.inputs.find((t) => t.name === r.tensor);
      if (!spec) throw new ArtifactError(`manifest.json: public input run "${r.tensor}" names no input tensor`);
      return decodeTensor(spec, slice(spec.name, 'input').map(toSigned));
    });
  const contentIndex = contentHashIndex(manifest);
  if (contentIndex >= values.length) throw new ArtifactError(`the content hash is public signal ${contentIndex}, only ${values.length} given`);
  return { outputs, inputs, contentHash: contentHashHex(values[contentIndex]!), ...(outputHash ? { outputHash } : {}), ...(modelCommitment ? { modelCommitment } : {}) };
}

/**
 * The outputs a proof of a hashed-output model speaks about, from an output.json (or any
 * JSON with `outputs: [{ integers }]` in manifest order), checked against the proof's
 * output hash: a claim the hash does not match is a VerificationError.
 */
export async function claimedOutputs(manifest: Manifest, outputHash: string, claimed: unknown, source: string): Promise<DecodedTensor[]> {
  const tensors = (claimed as { outputs?: unknown } | null)?.outputs;
  const integers = Array.isArray(tensors) && tensors.length === manifest.outputs.length ? tensors.map((t: { integers?: unknown }) => t?.integers) : undefined;
  if (!integers || !integers.every((xs, i) => Array.isArray(xs) && xs.length === sizeOf(manifest.outputs[i]!.shape) && xs.every((x) => typeof x === 'string' && /^-?(0|[1-9][0-9]*)$/.test(x)))) {
    throw new VerificationError(`${source} does not hold the model's outputs as integers (outputs[i].integers, ${manifest.outputs.length} tensor${manifest.outputs.length === 1 ? '' : 's'})`, {
      hint: 'give the output.json zkinfer prove wrote next to public.json',
    });
  }
  const values = (integers as string[][]).map((xs) => xs.map(BigInt));
  const specs = manifest.outputs.map(packedTensor);
  const outside = values.findIndex((xs, t) => xs.some((x) => x < specs[t]!.min || x > specs[t]!.max));
  const hash = outside < 0 ? contentHashHex(await packedHash(specs, values)) : undefined;
  if (hash !== outputHash) {
    throw new VerificationError(
      outside >= 0 ? `${source}: output "${manifest.outputs[outside]!.name}" holds a value outside its range [${specs[outside]!.min}, ${specs[outside]!.max}]` : `${source}: the outputs hash to ${hash}, the proof's output hash is ${outputHash}`,
      { hint: 'these are not the outputs the proof speaks about' },
    );
  }
  return manifest.outputs.map((spec, i) => decodeTensor(spec, values[i]!));
}
