/**
 * One scale for values held at different scales, with integer multipliers (the sums of
 * circuits/ops/elementwise.ts such as Add of two computed tensors, Concat of several): exact
 * when every scale is the same (each multiplier 1); otherwise the finest scale divided by
 * 2^multiplierBits, each multiplier round(scale_t / scale) ≥ 2^multiplierBits, within
 * 2^−(multiplierBits+1) of its real value relatively.
 */
export function commonScale(scales: readonly number[], multiplierBits: number): { scale: number; coeffs: bigint[] } {
  if (scales.every((s) => s === scales[0])) return { scale: scales[0]!, coeffs: scales.map(() => 1n) };
  const scale = Math.min(...scales) / 2 ** multiplierBits;
  return { scale, coeffs: scales.map((s) => BigInt(Math.round(s / scale))) };
}
