/**
 * The content hash of a hashed input (`compile --input hashed`): the quantized input's
 * elements, every input tensor in manifest order, row-major, each offset by −min so it is
 * non-negative and below 2^bits (bits: the widest input's range), packed `perWord` to a
 * field element (element j of a word at bit j·bits, at most 252 bits a word), then the
 * PoseidonSponge of the words (circuits/templates/content-hash.circom). The circuit
 * range-checks every element, which makes the packing injective: one input, one hash.
 * The emitter writes the packing as linear expressions; verifier/input-hash.ts computes
 * the same hash off-chain.
 */
import { bitLength, poseidonSpongeCost } from './gadgets.ts';
import { sizeOf } from './tensor.ts';

/** What packing needs of an input tensor. */
export interface HashedTensor {
  min: bigint;
  max: bigint;
  size: number;
}

/** An IR input tensor or a manifest input (decimal-string bounds) as the packing sees it. */
export function hashedTensor(t: { min: bigint | string; max: bigint | string; shape: readonly number[] }): HashedTensor {
  return { min: BigInt(t.min), max: BigInt(t.max), size: sizeOf(t.shape) };
}

export interface InputHashLayout {
  bits: number;
  perWord: number;
  /** Total elements over all input tensors. */
  elements: number;
  words: number;
}

const WORD_BITS = 252;

export function inputHashLayout(inputs: readonly HashedTensor[]): InputHashLayout {
  const bits = Math.max(1, ...inputs.map((t) => bitLength(t.max - t.min)));
  const perWord = Math.floor(WORD_BITS / bits);
  const elements = inputs.reduce((a, t) => a + t.size, 0);
  return { bits, perWord, elements, words: Math.ceil(elements / perWord) };
}

/** One term of a word: input tensor `tensor`, element `index`, shifted left by `shift` bits. */
export interface WordTerm {
  tensor: number;
  index: number;
  shift: number;
}

/** The words as terms: word w holds elements w·perWord … (w + 1)·perWord − 1 of the concatenation. */
export function wordTerms(inputs: readonly HashedTensor[], layout = inputHashLayout(inputs)): WordTerm[][] {
  const words: WordTerm[][] = Array.from({ length: layout.words }, () => []);
  let k = 0;
  inputs.forEach((t, tensor) => {
    for (let index = 0; index < t.size; index++, k++) words[Math.floor(k / layout.perWord)]!.push({ tensor, index, shift: (k % layout.perWord) * layout.bits });
  });
  return words;
}

/** The words' values for quantized inputs (values[t][i] in [min_t, max_t]). */
export function packWords(inputs: readonly HashedTensor[], values: readonly (readonly bigint[])[]): bigint[] {
  return wordTerms(inputs).map((terms) => terms.reduce((word, { tensor, index, shift }) => word + ((values[tensor]![index]! - inputs[tensor]!.min) << BigInt(shift)), 0n));
}

/**
 * Constraints of the hash under --O1: the sponge, plus one linear constraint per word, except
 * a word that is a single element with min 0 (word = element, which --O1 substitutes away).
 */
export function inputHashCost(inputs: readonly HashedTensor[]): number {
  const words = wordTerms(inputs);
  const linear = words.filter((terms) => !(terms.length === 1 && inputs[terms[0]!.tensor]!.min === 0n)).length;
  return poseidonSpongeCost(words.length) + linear;
}
