/**
 * The Poseidon hashes a proof can carry (content hash of a hashed input, model commitment of
 * hashed weights, output hash of a hashed output), computed off-chain. All three hash integer
 * tensors the same way: each tensor's elements, row-major, offset by −min so they are
 * non-negative and below 2^bits (bits: that tensor's range), packed into field elements of at
 * most 252 bits (an element goes into the current word when it fits, else it starts the
 * next), then the PoseidonSponge of the words (circuits/gadgets/poseidon-sponge.circom), with
 * circomlib's own Poseidon. Packing is injective on the tensors' ranges, so each hashed value
 * must lie in its range: the circuit range-checks inputs, takes committed weights as bits,
 * and outputs are in their proven interval. The compiler (circuits/hashes.ts) writes the
 * same packing as constraints.
 */
import { buildPoseidon, type Poseidon } from 'circomlibjs';
import { bitLength } from './field.ts';
import { sizeOf } from './input.ts';

/** Words one PoseidonSponge block absorbs (circomlib's Poseidon(16): the chaining state plus 15). */
export const SPONGE_RATE = 15;

/**
 * Blocks of `PoseidonSponge(nWords)`.
 * @example spongeBlocks(26) // 2
 */
export function spongeBlocks(nWords: number): number {
  return Math.ceil(nWords / SPONGE_RATE);
}

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

/** An element's bits as the circuit takes them: (value − min) little-endian, packedBits wide. */
export function committedBits(t: PackedTensor, value: bigint): bigint[] {
  return Array.from({ length: packedBits(t) }, (_, j) => ((value - t.min) >> BigInt(j)) & 1n);
}

