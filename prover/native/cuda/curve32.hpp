// BN254's G1 and G2 for the GPU: curve.hpp's affine and Jacobian points, with its a = 0
// formulas (jacobian.hpp), over the 32-bit fields. Affine (0, 0) is infinity (a zkey's
// encoding, so key sections upload as they are); Jacobian infinity is Z = 0.
#pragma once
#include "field32.hpp"  // first: its backend.hpp defines ZKN_HD for jacobian.hpp
#include "../src/jacobian.hpp"

namespace zkn::gpu {

template <class F>
struct Affine32 {
  F x, y;
  ZKN_INLINE bool isInfinity() const { return x.isZero() && y.isZero(); }
  ZKN_INLINE Affine32 operator-() const { return isInfinity() ? *this : Affine32{x, -y}; }
};

template <class F>
struct Jacobian32 {
  using Field = F;
  F x, y, z;

  static ZKN_INLINE Jacobian32 infinity() { return {F::one(), F::one(), F::zero()}; }
  static ZKN_INLINE Jacobian32 fromAffine(const Affine32<F>& p) { return p.isInfinity() ? infinity() : Jacobian32{p.x, p.y, F::one()}; }
  ZKN_INLINE bool isInfinity() const { return z.isZero(); }

  // The CPU engine's formulas (src/jacobian.hpp), compiled for the device.
  ZKN_INLINE Jacobian32 dbl() const { return jacobian::dbl(*this); }
  ZKN_INLINE Jacobian32 operator+(const Jacobian32& o) const { return jacobian::add(*this, o); }
  ZKN_INLINE Jacobian32& operator+=(const Affine32<F>& q) {
    jacobian::addAffine(*this, q);
    return *this;
  }
  ZKN_INLINE Jacobian32& operator+=(const Jacobian32& o) { return *this = *this + o; }

  // k·P for a small k (bucket offsets), double-and-add from the top bit.
  ZKN_INLINE Jacobian32 times(uint32_t k) const {
    Jacobian32 r = infinity();
    int bit = 31;
    while (bit >= 0 && !((k >> bit) & 1)) --bit;
    for (; bit >= 0; --bit) {
      r = r.dbl();
      if ((k >> bit) & 1) r += *this;
    }
    return r;
  }
};

using G1Affine32 = Affine32<Fq32>;
using G2Affine32 = Affine32<Fq2_32>;
using G1Jacobian32 = Jacobian32<Fq32>;
using G2Jacobian32 = Jacobian32<Fq2_32>;
static_assert(sizeof(G1Affine32) == 64 && sizeof(G2Affine32) == 128, "affine points are a zkey's G1Raw/G2Raw bytes");
static_assert(sizeof(G1Jacobian32) == 96 && sizeof(G2Jacobian32) == 192, "Jacobian points are the CPU engine's G1/G2 bytes");

}  // namespace zkn::gpu
