/**
 * The Poseidon hashes a circuit can expose (circuits/visibility.ts): the content hash of a
 * hashed input, the model commitment of hashed weights, the output hash of a hashed output.
 * All three hash integer tensors the same way: each tensor's elements, row-major, offset by
 * −min so they are non-negative and below 2^bits (bits: that tensor's range), packed into
 * field elements of at most 252 bits (an element goes into the current word when it fits,
 * else it starts the next), then the PoseidonSponge of the words
 * (circuits/templates/content-hash.circom). Packing is injective on the tensors' ranges, so
 * each hashed value must lie in its range: the circuit range-checks inputs, takes committed
 * weights as bits, and outputs are in their proven interval. The emitter writes the packing as linear
 * expressions; poseidonSponge computes the same hash off-chain with circomlib's own Poseidon.
 */
import { buildPoseidon, type Poseidon } from 'circomlibjs';
import { bitLength, poseidonSpongeCost, SPONGE_RATE, spongeBlocks } from './gadgets.ts';
import { signalRoot } from './ir/index.ts';
import type { IrModel } from './ir/types.ts';
import { combine, constant, type CircuitBuilder, type Component, type Lc } from './system/builder.ts';
import { sizeOf } from './tensor.ts';
import { poseidonSpongeTwin } from './templates/content-hash.ts';

/** What packing needs of a tensor. */
export interface PackedTensor {
  min: bigint;
  max: bigint;
  size: number;
}

/** An IR tensor or a manifest tensor (decimal-string bounds) as the packing sees it. */
export function packedTensor(t: { min: bigint | string; max: bigint | string; shape: readonly number[] }): PackedTensor {
  return { min: BigInt(t.min), max: BigInt(t.max), size: sizeOf(t.shape) };
}

const WORD_BITS = 252;

/** Bits an element of the tensor takes in a word. */
export const packedBits = (t: PackedTensor): number => Math.max(1, bitLength(t.max - t.min));

/** One term of a word: element `index` of tensor `tensor`, shifted left by `shift` bits. */
export interface WordTerm {
  tensor: number;
  index: number;
  shift: number;
}

/** The words as terms, the tensors' elements in order. */
export function wordTerms(tensors: readonly PackedTensor[]): WordTerm[][] {
  const words: WordTerm[][] = [];
  let used = WORD_BITS;
  tensors.forEach((t, tensor) => {
    const bits = packedBits(t);
    for (let index = 0; index < t.size; index++) {
      if (used + bits > WORD_BITS) {
        words.push([]);
        used = 0;
      }
      words[words.length - 1]!.push({ tensor, index, shift: used });
      used += bits;
    }
  });
  return words;
}

/** The words' values for tensor values (values[t][i] in [min_t, max_t]). */
export function packWords(tensors: readonly PackedTensor[], values: readonly (readonly bigint[])[]): bigint[] {
  return wordTerms(tensors).map((terms) => terms.reduce((word, { tensor, index, shift }) => word + ((values[tensor]![index]! - tensors[tensor]!.min) << BigInt(shift)), 0n));
}

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
 * The fast path's emitPackedHash (circuits/system/): PoseidonSponge component `sponge` of
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

let poseidon: Promise<Poseidon> | undefined;

/** state_0 = 0, state_(k+1) = Poseidon(state_k, 15 words, zero-padded); the last state. */
export async function poseidonSponge(words: readonly bigint[]): Promise<bigint> {
  const hash = await (poseidon ??= buildPoseidon());
  let state = 0n;
  for (let k = 0; k < spongeBlocks(words.length); k++) {
    const block = Array.from({ length: SPONGE_RATE }, (_, j) => words[k * SPONGE_RATE + j] ?? 0n);
    state = hash.F.toObject(hash([state, ...block]));
  }
  return state;
}

/** The hash of tensor values, as the circuit computes it. */
export function packedHash(tensors: readonly PackedTensor[], values: readonly (readonly bigint[])[]): Promise<bigint> {
  return poseidonSponge(packWords(tensors, values));
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
    (n.kind === 'linear' || n.kind === 'conv') && n.committed
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

/** An element's bits as the circuit takes them: (value − min) little-endian, packedBits wide. */
export function committedBits(t: PackedTensor, value: bigint): bigint[] {
  return Array.from({ length: packedBits(t) }, (_, j) => ((value - t.min) >> BigInt(j)) & 1n);
}

/** The model commitment the circuit checks: the hash of the committed tensors. */
export function modelCommitment(ir: Pick<IrModel, 'nodes'>): Promise<bigint> {
  const tensors = committedTensors(ir);
  return packedHash(tensors, tensors.map((t) => t.values));
}
