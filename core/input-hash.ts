/**
 * Off-chain twin of the in-circuit content hash of `compile --input hashed`: the quantized
 * input packed and hashed as core/poseidon.ts describes, with circomlib's own
 * Poseidon (circomlibjs). What `zkinfer hash-input` prints and what a contract sees as the
 * content hash.
 */
import { readManifest } from './artifacts.ts';
import { packedHash, packedTensor } from './poseidon.ts';
import { InputError } from './errors.ts';
import { quantizeInputs, type QuantizedTensor } from './input.ts';
import type { Manifest } from './manifest.ts';
import { contentHashHex } from './content-hash.ts';

/** The content hash a model compiled with --input hashed computes for its quantized inputs (quantizeInputs's map). */
export function inputContentHash(manifest: Pick<Manifest, 'inputs'>, quantized: ReadonlyMap<string, QuantizedTensor>): Promise<bigint> {
  return packedHash(manifest.inputs.map(packedTensor), manifest.inputs.map((t) => quantized.get(t.name)!.values));
}

export interface InputHashResult {
  /** bytes32 hex, as public.json's content hash signal and a contract see it. */
  contentHash: string;
  /** Input values outside the quantized range, clamped as the prover clamps them. */
  clampedInputs: number;
}

/**
 * The content hash a proof of the model in `dir` (compiled with --input hashed) will carry
 * for `inputJson`: the input quantized as the prover quantizes it, then hashed.
 *
 * @example
 * const { contentHash } = await hashInput('build/mnist-hashed', JSON.parse(text), 'digit.json');
 */
export async function hashInput(dir: string, inputJson: unknown, source: string): Promise<InputHashResult> {
  const manifest = await readManifest(dir);
  if (manifest.visibility?.input !== 'hashed') {
    throw new InputError(`${dir} was compiled with --input ${manifest.visibility?.input ?? 'public'}: its content hash is not a hash of the input`, {
      hint: 'its proofs carry keccak256(content) >> 8: `zkinfer hash-content FILE`; or compile with --input hashed',
    });
  }
  const inputs = quantizeInputs(inputJson, manifest.inputs, source);
  const hash = await inputContentHash(manifest, inputs);
  return { contentHash: contentHashHex(hash), clampedInputs: [...inputs.values()].reduce((a, q) => a + q.clamped, 0) };
}
