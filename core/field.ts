/**
 * The BN254 (alt_bn128, snarkjs "bn128") fields, and the signed-integer encoding of
 * field elements zkinfer uses: values above p/2 stand for v − p.
 */

/** Order of the BN254 groups: circuit signals and public signals live in [0, r). */
export const BN254_SCALAR_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Modulus of the base field: curve point coordinates (proof.json) live in [0, q). */
export const BN254_BASE_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

const HALF = BN254_SCALAR_MODULUS / 2n;

/** Field element → signed integer: v > r/2 decodes to v − r. */
export function toSigned(v: bigint): bigint {
  return v > HALF ? v - BN254_SCALAR_MODULUS : v;
}

/** Signed integer → field element in [0, r). */
export function toField(v: bigint): bigint {
  // Most values are already in range (the fast path's builder reduces every coefficient here).
  if (v >= 0n && v < BN254_SCALAR_MODULUS) return v;
  const m = v % BN254_SCALAR_MODULUS;
  return m < 0n ? m + BN254_SCALAR_MODULUS : m;
}

/** Smallest k ≥ 0 with x < 2^k, for x ≥ 0. */
export function bitLength(x: bigint): number {
  return x <= 0n ? 0 : x.toString(2).length;
}
