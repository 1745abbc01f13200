// BN254's G1 and G2 for the GPU: curve.hpp's affine and Jacobian points and its a = 0
// formulas, over the 32-bit fields. Affine (0, 0) is infinity (a zkey's encoding, so key
// sections upload as they are); Jacobian infinity is Z = 0.
#pragma once
#include "field32.hpp"

namespace zkn::gpu {

template <class F>
struct Affine32 {
  F x, y;
  ZKN_INLINE bool isInfinity() const { return x.isZero() && y.isZero(); }
  ZKN_INLINE Affine32 operator-() const { return isInfinity() ? *this : Affine32{x, -y}; }
};

template <class F>
struct Jacobian32 {
  F x, y, z;

  static ZKN_INLINE Jacobian32 infinity() { return {F::one(), F::one(), F::zero()}; }
  static ZKN_INLINE Jacobian32 fromAffine(const Affine32<F>& p) { return p.isInfinity() ? infinity() : Jacobian32{p.x, p.y, F::one()}; }
  ZKN_INLINE bool isInfinity() const { return z.isZero(); }

  // dbl-2009-l: 2M + 5S.
  ZKN_INLINE Jacobian32 dbl() const {
    if (isInfinity()) return *this;
    const F a = x.square(), b = y.square(), c = b.square();
    const F d = ((x + b).square() - a - c).dbl();
    const F e = a.dbl() + a;
    Jacobian32 r;
    r.x = e.square() - d.dbl();
    r.y = e * (d - r.x) - c.dbl().dbl().dbl();
    r.z = (y * z).dbl();
    return r;
  }

  // add-2007-bl: 11M + 5S; equal inputs double, opposite ones cancel.
  ZKN_INLINE Jacobian32 operator+(const Jacobian32& o) const {
    if (isInfinity()) return o;
    if (o.isInfinity()) return *this;
    const F z1z1 = z.square(), z2z2 = o.z.square();
    const F u1 = x * z2z2, u2 = o.x * z1z1;
    const F s1 = y * o.z * z2z2, s2 = o.y * z * z1z1;
    const F h = u2 - u1, r = (s2 - s1).dbl();
    if (h.isZero()) return r.isZero() ? dbl() : infinity();
    const F i = h.dbl().square(), j = h * i, v = u1 * i;
    Jacobian32 out;
    out.x = r.square() - j - v.dbl();
    out.y = r * (v - out.x) - (s1 * j).dbl();
    out.z = ((z + o.z).square() - z1z1 - z2z2) * h;
    return out;
  }

  // madd-2007-bl (Z2 = 1): 7M + 4S, the bucket accumulation's step.
  ZKN_INLINE Jacobian32& operator+=(const Affine32<F>& q) {
    if (q.isInfinity()) return *this;
    if (isInfinity()) return *this = fromAffine(q);
    const F z1z1 = z.square();
    const F u2 = q.x * z1z1, s2 = q.y * z * z1z1;
    const F h = u2 - x, r = (s2 - y).dbl();
    if (h.isZero()) return *this = r.isZero() ? dbl() : infinity();
    const F hh = h.square(), i = hh.dbl().dbl(), j = h * i, v = x * i;
    const F x3 = r.square() - j - v.dbl();
    y = r * (v - x3) - (y * j).dbl();
    z = (z + h).square() - z1z1 - hh;
    x = x3;
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
