/**
 * The Poseidon hashes a circuit can expose (circuits/visibility.ts): the content hash of a
 * hashed input, the model commitment of hashed weights, the output hash of a hashed output.
 * All three hash integer tensors the same way: each tensor's elements, row-major, offset by
 * −min so they are non-negative and below 2^bits (bits: that tensor's range), packed into
 * field elements of at most 252 bits (an element goes into the current word when it fits,
 * else it starts the next), then the PoseidonSponge of the words
 * (circuits/gadgets/poseidon-sponge.circom). Packing is injective on the tensors' ranges, so
 * each hashed value must lie in its range: the circuit range-checks inputs, takes committed
 * weights as bits, and outputs are in their proven interval. The emitter writes the packing as linear
 * expressions; poseidonSponge computes the same hash off-chain with circomlib's own Poseidon.
 */
import { packedHash, wordTerms, type PackedTensor, type WordTerm } from '../core/poseidon.ts';
import { poseidonSpongeTwin } from './gadgets/poseidon-sponge.ts';
import { isCommitted, type IrModel } from './ir/types.ts';
import { combine, constant, type CircuitBuilder, type Component, type Lc } from './constraints/builder.ts';

/**
 * Circom lines feeding the packed tensors into `PoseidonSponge` component `sponge`;
 * `element(t, i)` is the Circom expression of element i of tensor t.
 */
export function emitPackedHash(sponge: string, tensors: readonly PackedTensor[], element: (tensor: number, index: number) => string): string[] {
  const words = wordTerms(tensors);
  const term = ({ tensor, index, shift }: WordTerm): string => {
    const { min } = tensors[tensor]!;
    const e = element(tensor, index);
    const offset = min === 0n ? e : `(${e} ${min < 0n ? '+' : '-'} ${min < 0n ? -min : min})`;
    return shift === 0 ? offset : `${offset} * ${1n << BigInt(shift)}`;
  };
  return [`component ${sponge} = PoseidonSponge(${words.length});`, ...words.map((terms, w) => `${sponge}.words[${w}] <== ${terms.map(term).join(' + ')};`)];
}

/**
 * The fast path's emitPackedHash (circuits/lowering/): PoseidonSponge component `sponge` of
 * `parent`, each word wired to its terms; `element(t, i)` is element i of tensor t. Returns the
 * sponge's out. The words' values are the elements' witness values packed, as circom computes them.
 */
export function lowerPackedHash(b: CircuitBuilder, parent: Component, sponge: string, tensors: readonly PackedTensor[], element: (tensor: number, index: number) => Lc): number {
  const words = wordTerms(tensors).map((terms) =>
    combine(
      ...terms.flatMap(({ tensor, index, shift }) => {
        const scale = 1n << BigInt(shift);
        return [[element(tensor, index), scale] as const, [constant(-tensors[tensor]!.min), scale] as const];
      }),
    ),
  );
  const { inputs, output } = poseidonSpongeTwin(b, b.component(parent, sponge), words.map((w) => b.evaluate(w)));
  inputs.forEach((id, w) => b.assign(id, words[w]!));
  return output;
}

// ------------------------------------------------------------- the three hashes

/** A tensor under the model commitment: the weights or the bias of a committed node. */
export interface CommittedTensor extends PackedTensor {
  /** The IR node's output tensor (which names the node). */
  node: string;
  role: 'weights' | 'bias';
  values: readonly bigint[];
}

function extremes(values: readonly bigint[]): { min: bigint; max: bigint } {
  let min = values[0] ?? 0n;
  let max = min;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** The committed tensors of `--weights hashed`, in the order they are hashed: per committed node, weights then bias. */
export function committedTensors(ir: Pick<IrModel, 'nodes'>): CommittedTensor[] {
  return ir.nodes.flatMap((n) =>
    isCommitted(n)
      ? (['weights', 'bias'] as const).map((role) => ({ node: n.output, role, values: n[role], size: n[role].length, ...extremes(n[role]) }))
      : [],
  );
}

/** The model commitment the circuit checks: the hash of the committed tensors. */
export function modelCommitment(ir: Pick<IrModel, 'nodes'>): Promise<bigint> {
  const tensors = committedTensors(ir);
  return packedHash(tensors, tensors.map((t) => t.values));
}
