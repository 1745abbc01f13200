// BN254's groups: G1 (y² = x³ + 3 over Fq) and G2 (y² = x³ + 3/(9 + u) over Fq2, the
// twist snarkjs uses). Points are affine (what zkeys store and MSMs read) or Jacobian
// (X/Z², Y/Z³; what arithmetic produces, no inversions). Both curves have a = 0 and odd
// group order, so the a = 0 formulas apply and no point has y = 0.
#pragma once
#include <vector>

#include "fq2.hpp"
#include "jacobian.hpp"

namespace zkn {

struct G1Curve {
  using Field = Fq;
  static Fq b() { return Fq::fromUint(3); }
  static Fq generatorX() { return Fq::one(); }
  static Fq generatorY() { return Fq::fromUint(2); }
};

struct G2Curve {
  using Field = Fq2;
  // b' = 3/(9 + u) = 27/82 − (3/82)·u.
  static Fq2 b() {
    return {Fq::fromStandard({0x3267e6dc24a138e5ULL, 0xb5b4c5e559dbefa3ULL, 0x81be18991be06ac3ULL, 0x2b149d40ceb8aaaeULL}),
            Fq::fromStandard({0xe4a2bd0685c315d2ULL, 0xa74fa084e52d1852ULL, 0xcd2cafadeed8fdf4ULL, 0x009713b03af0fed4ULL})};
  }
  // The generator of EIP-197 and snarkjs (bn128 G2.g).
  static Fq2 generatorX() {
    return {Fq::fromStandard({0x46debd5cd992f6edULL, 0x674322d4f75edaddULL, 0x426a00665e5c4479ULL, 0x1800deef121f1e76ULL}),
            Fq::fromStandard({0x97e485b7aef312c2ULL, 0xf1aa493335a9e712ULL, 0x7260bfb731fb5d25ULL, 0x198e9393920d483aULL})};
  }
  static Fq2 generatorY() {
    return {Fq::fromStandard({0x4ce6cc0166fa7daaULL, 0xe3d1e7690c43d37bULL, 0x4aab71808dcb408fULL, 0x12c85ea5db8c6debULL}),
            Fq::fromStandard({0x55acdadcd122975bULL, 0xbc4b313370b38ef3ULL, 0xec9e99ad690c3395ULL, 0x090689d0585ff075ULL})};
  }
};

template <class C>
struct Affine {
  using F = typename C::Field;
  // (0, 0) is the point at infinity: it is not on the curve (b ≠ 0), and it is how zkeys
  // store infinity, so stored points need no translation.
  F x, y;

  static Affine infinity() { return {}; }
  static Affine generator() { return {C::generatorX(), C::generatorY()}; }
  bool isInfinity() const { return x.isZero() && y.isZero(); }
  bool isOnCurve() const { return isInfinity() || y.square() == x.square() * x + C::b(); }
  Affine operator-() const { return isInfinity() ? *this : Affine{x, -y}; }
};

template <class C>
struct Jacobian {
  using F = typename C::Field;
  using Field = F;
  F x = F::one(), y = F::one(), z = F::zero();  // default: infinity (Z = 0)

  static Jacobian infinity() { return {}; }
  static Jacobian fromAffine(const Affine<C>& p) { return p.isInfinity() ? infinity() : Jacobian{p.x, p.y, F::one()}; }
  bool isInfinity() const { return z.isZero(); }
  Jacobian operator-() const { return {x, -y, z}; }

  // The formulas (jacobian.hpp): doubling 2M + 5S, addition 11M + 5S (equal inputs double,
  // opposite ones cancel), mixed addition 7M + 4S (the MSM's inner loop).
  Jacobian dbl() const { return jacobian::dbl(*this); }
  Jacobian operator+(const Jacobian& o) const { return jacobian::add(*this, o); }
  Jacobian& operator+=(const Affine<C>& q) {
    jacobian::addAffine(*this, q);
    return *this;
  }
  Jacobian& operator+=(const Jacobian& o) { return *this = *this + o; }

  // k·P for a standard-form scalar k (any 256-bit value), double-and-add from the top bit.
  Jacobian mul(const Limbs& k) const {
    Jacobian r;
    for (int bit = static_cast<int>(bitLength(k)) - 1; bit >= 0; --bit) {
      r = r.dbl();
      if (bitsAt(k, static_cast<unsigned>(bit), 1)) r += *this;
    }
    return r;
  }

  Affine<C> toAffine() const {
    if (isInfinity()) return Affine<C>::infinity();
    const F zi = z.inverse(), zi2 = zi.square();
    return {x * zi2, y * zi2 * zi};
  }
};

// Affine forms of many points with a single field inversion (batchInverse on the Z's).
template <class C>
std::vector<Affine<C>> batchToAffine(const std::vector<Jacobian<C>>& points) {
  using F = typename C::Field;
  std::vector<F> zInv(points.size());
  for (size_t i = 0; i < points.size(); ++i) zInv[i] = points[i].z;
  batchInverse(zInv.data(), zInv.size());
  std::vector<Affine<C>> out(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].isInfinity()) continue;  // stays (0, 0)
    const F zi2 = zInv[i].square();
    out[i] = {points[i].x * zi2, points[i].y * zi2 * zInv[i]};
  }
  return out;
}

using G1Affine = Affine<G1Curve>;
using G2Affine = Affine<G2Curve>;
using G1 = Jacobian<G1Curve>;
using G2 = Jacobian<G2Curve>;

}  // namespace zkn
