// Fixed-base scalar multiplication: k_i·G for many scalars k_i and one base G, as a
// setup needs it (every proving-key point is a secret scalar times a generator). Unlike an
// MSM, each product is wanted on its own, so the base's multiples are precomputed once:
// for windows of c bits, table[w][d − 1] = d·2^(c·w)·G for d = 1 … 2^(c−1), and with
// signed digits in [−2^(c−1), 2^(c−1)] a product costs one addition per window and no
// doublings. Products are made a chunk at a time in affine coordinates, sharing one
// inversion per window across the chunk.
#pragma once
#include <cstddef>

#include "curve.hpp"
#include "formats.hpp"

namespace zkn {

// out[i] = scalars[i]·base, affine, as a zkey stores it (Montgomery coordinates, infinity
// all zeros). Scalars are Fr elements (Montgomery form, as the field keeps them); zero gives
// infinity. Runs on all threads; the scalars are only read (the caller owns and wipes them).
void fixedBaseMul(const G1Affine& base, const Fr* scalars, size_t n, G1Raw* out);
void fixedBaseMul(const G2Affine& base, const Fr* scalars, size_t n, G2Raw* out);

}  // namespace zkn
