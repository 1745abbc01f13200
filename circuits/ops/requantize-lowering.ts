/** Fixed-point multipliers for requantization: real m ≈ M / 2^s. */

/**
 * The integer M with `bits` bits of precision (2^(bits−1) ≤ M < 2^bits) and shift s ≥ 0
 * such that M / 2^s ≈ m; for m ≥ 2^(bits−1), s = 0 and M = round(m).
 */
export function fixedPointMultiplier(m: number, bits: number): { multiplier: bigint; shift: number } {
  if (!(m > 0) || !Number.isFinite(m)) throw new RangeError(`requantization multiplier must be positive and finite, got ${m}`);
  let shift = bits - 1 - Math.floor(Math.log2(m));
  if (shift < 0) shift = 0;
  let multiplier = Math.round(m * 2 ** shift);
  // Rounding up to 2^bits keeps the same value with one bit more: take one shift less.
  if (multiplier >= 2 ** bits && shift > 0) {
    shift -= 1;
    multiplier = Math.round(m * 2 ** shift);
  }
  return { multiplier: BigInt(Math.max(1, multiplier)), shift };
}

/**
 * M / 2^s ≤ m with M of at most `bits` bits, as close to m as that allows (within a factor
 * 2^(1−bits) below it): a requantization whose output scale is free to be slightly coarser
 * than ideal takes the scale M / 2^s gives exactly, and a smaller M means fewer bits to
 * decompose (the Requantize gadget decomposes acc·M).
 */
export function coarserMultiplier(m: number, bits: number): { multiplier: bigint; shift: number } {
  if (!(m > 0) || !Number.isFinite(m)) throw new RangeError(`requantization multiplier must be positive and finite, got ${m}`);
  const shift = Math.max(0, bits - 1 - Math.floor(Math.log2(m)));
  const multiplier = Math.max(1, Math.floor(m * 2 ** shift));
  return { multiplier: BigInt(multiplier), shift };
}
