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
import { packedBits, packedHash, packedTensor, wordTerms, type PackedTensor, type WordTerm } from '../core/poseidon.ts';
import { poseidonSpongeCost, poseidonSpongeTwin } from './gadgets/poseidon-sponge.ts';
import { signalRoot } from './ir/index.ts';
import { isCommitted, type IrModel } from './ir/types.ts';
import { combine, constant, type CircuitBuilder, type Component, type Lc } from './constraints/builder.ts';

/**
 * Constraints of the hash under --O1: the sponge, plus one linear constraint per word,
 * except a word that is one element with min 0 which `isSignal` says is a signal as it is
 * (word = signal: --O1 substitutes it away).
 */
export function packedHashCost(tensors: readonly PackedTensor[], isSignal: (tensor: number, index: number) => boolean): number {
  const words = wordTerms(tensors);
  const linear = words.filter((terms) => {
    const [only, ...rest] = terms;
    return !(rest.length === 0 && only !== undefined && tensors[only.tensor]!.min === 0n && isSignal(only.tensor, only.index));
  }).length;
  return poseidonSpongeCost(words.length) + linear;
}

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

/** The content hash of `--input hashed`: every input tensor, in manifest order; inputs are signals. */
export function inputHashCost(ir: Pick<IrModel, 'inputs'>): number {
  return packedHashCost(ir.inputs.map(packedTensor), () => true);
}

/** The output hash of `--output hashed`: every output tensor, over its proven interval. */
export function outputHashCost(ir: IrModel): number {
  return packedHashCost(ir.outputs.map(packedTensor), (t, i) => signalRoot(ir, ir.outputs[t]!.name, i) !== undefined);
}

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

/**
 * Constraints of the model commitment: each committed element given as packedBits booleans
 * (its range check, which makes packing injective; the element itself is their linear
 * combination), then hashed. A word of one element with min 0 and one bit is that bit.
 */
export function modelCommitmentCost(ir: Pick<IrModel, 'nodes'>): number {
  const tensors = committedTensors(ir);
  return tensors.reduce((a, t) => a + t.size * packedBits(t), 0) + packedHashCost(tensors, (t) => packedBits(tensors[t]!) === 1);
}

/** The model commitment the circuit checks: the hash of the committed tensors. */
export function modelCommitment(ir: Pick<IrModel, 'nodes'>): Promise<bigint> {
  const tensors = committedTensors(ir);
  return packedHash(tensors, tensors.map((t) => t.values));
}
