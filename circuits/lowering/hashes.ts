/**
 * The fast path's twins of the three hashes circuits/emit.ts writes into main
 * (emitInputHash, emitModelCommitment, emitOutputHash). The caller (circuits/lowering/lower.ts)
 * declares main's hash signals itself, in emitCircom's order, and passes their ids:
 *
 * - outputs: `output_hash` (with --output hashed, instead of the output arrays), then
 *   `content_hash` (an output with --input hashed, else a public input);
 * - inputs: `content_hash` when it is an input, `model_commitment` (public, when a node is
 *   committed), then the input arrays;
 * - then, in emitCircom's order: lowerInputHash (after the input range checks),
 *   lowerModelCommitment (it declares the `<name>_bits` private inputs, so it must come after
 *   the input arrays and before any node), the nodes (a committed one with
 *   lowerCommittedLinear / lowerCommittedConv on the combinations lowerModelCommitment
 *   returns), and lowerOutputHash last.
 *
 * Components are ordered by name, so only main's signals depend on this order.
 */
import { committedTensors, lowerPackedHash } from '../hashes.ts';
import { packedBits, packedTensor } from '../../core/poseidon.ts';
import { CONTENT_HASH_SIGNAL, MODEL_COMMITMENT_SIGNAL, OUTPUT_HASH_SIGNAL } from '../../core/manifest.ts';
import type { SignalNames } from '../emit.ts';
import type { CommittedLcs } from '../ir/kind.ts';
import type { IrModel } from '../ir/types.ts';
import { combine, constant, signalLc, type CircuitBuilder, type Lc } from '../constraints/builder.ts';

/**
 * emitInputHash: `content_hash <== sponge.out`, the sponge of the inputs packed; `lcs` holds
 * each input tensor's elements by name, `contentHash` is main's output content_hash.
 */
export function lowerInputHash(b: CircuitBuilder, ir: IrModel, lcs: ReadonlyMap<string, readonly Lc[]>, contentHash: number): void {
  const out = lowerPackedHash(b, b.main, `${CONTENT_HASH_SIGNAL}_sponge`, ir.inputs.map(packedTensor), (t, i) => lcs.get(ir.inputs[t]!.name)![i]!);
  b.copy(contentHash, out);
}

/**
 * emitModelCommitment: declares each committed tensor's private input `<name>_bits[size][bits]`
 * in main (committedBits of the node's values, each boolean), hashes the elements
 * min + Σ bit·2^j and constrains main's public input `modelCommitment` to the hash (its witness
 * value is the caller's: modelCommitment(ir) for a valid witness). Returns the elements' combinations by
 * committed node (its output tensor).
 */
export function lowerModelCommitment(b: CircuitBuilder, ir: IrModel, signals: SignalNames, modelCommitment: number): Map<string, CommittedLcs> {
  const tensors = committedTensors(ir);
  const elements = tensors.map((t) => {
    const width = packedBits(t);
    const bits = b.declare(b.main, 'input', `${signals.committed.get(t.node)![t.role]}_bits`, [t.size, width]);
    return t.values.map((v, i) => combine([constant(t.min), 1n], [b.bits(bits.slice(i * width, (i + 1) * width), v - t.min), 1n]));
  });
  const out = lowerPackedHash(b, b.main, `${MODEL_COMMITMENT_SIGNAL}_sponge`, tensors, (t, i) => elements[t]![i]!);
  b.linear(combine([signalLc(modelCommitment), 1n], [signalLc(out), -1n]));
  const committed = new Map<string, CommittedLcs>();
  tensors.forEach((t, k) => {
    const entry = committed.get(t.node) ?? { weights: [], bias: [] };
    entry[t.role] = elements[k]!;
    committed.set(t.node, entry);
  });
  return committed;
}

/**
 * emitOutputHash: `output_hash <== sponge.out`, the sponge of the outputs packed over their
 * proven intervals; `lcs` holds each output tensor's elements by name, `outputHash` is main's
 * output output_hash.
 */
export function lowerOutputHash(b: CircuitBuilder, ir: IrModel, lcs: ReadonlyMap<string, readonly Lc[]>, outputHash: number): void {
  const out = lowerPackedHash(b, b.main, `${OUTPUT_HASH_SIGNAL}_sponge`, ir.outputs.map(packedTensor), (t, i) => lcs.get(ir.outputs[t]!.name)![i]!);
  b.copy(outputHash, out);
}
