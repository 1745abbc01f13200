// Multi-scalar multiplication Σ k_i·P_i over affine bases, for G1 and G2: Pippenger's
// bucket method, windows spread over the threads.
#pragma once
#include <cstddef>

#include "curve.hpp"

namespace zkn {

// How msm cuts up its work for a number of points (non-zero scalars, finite bases): the
// window width in bits, and how many bucket additions share one field inversion (0: none,
// Jacobian buckets only). Exposed so tests can aim at the boundaries.
struct MsmPlan {
  unsigned windowBits;
  size_t batchSize;
};
MsmPlan msmPlan(size_t points);

// scalars are in standard form (not Montgomery), below 2^254 (any element of Fr is);
// zero scalars and bases at infinity contribute nothing and cost next to nothing.
template <class C>
Jacobian<C> msm(const Affine<C>* bases, const Limbs* scalars, size_t n);

extern template G1 msm<G1Curve>(const G1Affine*, const Limbs*, size_t);
extern template G2 msm<G2Curve>(const G2Affine*, const Limbs*, size_t);

}  // namespace zkn
