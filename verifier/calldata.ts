/**
 * EVM encoding of Groth16 proofs and keys. The one place where snarkjs's G2 order
 * meets the EVM's: snarkjs writes an Fq2 coordinate as [c0, c1] (real part first), the
 * pairing precompile (EIP-197) reads (c1, c0) (imaginary part first). Everything that
 * puts a G2 point into calldata or into a contract goes through `g2Words`.
 *
 * A proof on-chain is 256 bytes: A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y,
 * each a 32-byte big-endian word.
 */
import type { Groth16Proof, Groth16VerificationKey } from 'snarkjs';
import { AbiCoder, keccak256 } from 'ethers';
import { VerificationError } from '../core/errors.ts';

/** Proof bytes the generated verifier reads: 8 words. */
export const PROOF_BYTES = 256;

/** A G1 point [x, y, z?] (affine, z = 1 or omitted) → its two words. */
export function g1Words(point: readonly string[], name = 'G1 point'): bigint[] {
  if (point.length === 3 && point[2] !== '1') throw new VerificationError(`${name} is not in affine form (z = ${point[2]})`);
  return [BigInt(point[0]!), BigInt(point[1]!)];
}

/** A G2 point [[x0, x1], [y0, y1], z?] in snarkjs order → the EVM's four words (x1, x0, y1, y0). */
export function g2Words(point: readonly (readonly string[])[], name = 'G2 point'): bigint[] {
  const z = point[2];
  if (z && (z[0] !== '1' || z[1] !== '0')) throw new VerificationError(`${name} is not in affine form`);
  const [x, y] = point as [readonly string[], readonly string[]];
  return [BigInt(x[1]!), BigInt(x[0]!), BigInt(y[1]!), BigInt(y[0]!)];
}

/** The eight proof words in the order the generated verifier reads them. */
export function proofWords(proof: Groth16Proof): bigint[] {
  return [...g1Words(proof.pi_a, 'pi_a'), ...g2Words(proof.pi_b, 'pi_b'), ...g1Words(proof.pi_c, 'pi_c')];
}

/** proof.json → the `bytes proof` argument of verifyProof / attest / verifyInference (0x-hex). */
export function encodeProof(proof: Groth16Proof): string {
  return AbiCoder.defaultAbiCoder().encode(['uint256[8]'], [proofWords(proof)]);
}

/** public.json → the `uint256[] publicSignals` argument. */
export function encodeSignals(publicSignals: readonly (string | bigint)[]): bigint[] {
  return publicSignals.map((s) => BigInt(s));
}

/** The verification key as contract words: α (2), β, γ, δ (4 each, EVM G2 order), then IC (2 each). */
export function verificationKeyWords(vk: Groth16VerificationKey): { alpha: bigint[]; beta: bigint[]; gamma: bigint[]; delta: bigint[]; ic: bigint[] } {
  return {
    alpha: g1Words(vk.vk_alpha_1, 'vk_alpha_1'),
    beta: g2Words(vk.vk_beta_2, 'vk_beta_2'),
    gamma: g2Words(vk.vk_gamma_2, 'vk_gamma_2'),
    delta: g2Words(vk.vk_delta_2, 'vk_delta_2'),
    ic: vk.IC.flatMap((p, i) => g1Words(p, `IC[${i}]`)),
  };
}

/**
 * keccak256 of the verification key's words (α, β, γ, δ, IC, each word 32 bytes big-endian):
 * the identity of circuit + setup that the generated verifier reports and the registry records.
 */
export function verificationKeyHash(vk: Groth16VerificationKey): string {
  const w = verificationKeyWords(vk);
  const words = [...w.alpha, ...w.beta, ...w.gamma, ...w.delta, ...w.ic];
  return keccak256(AbiCoder.defaultAbiCoder().encode([`uint256[${words.length}]`], [words]));
}
