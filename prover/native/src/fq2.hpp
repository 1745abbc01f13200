// Fq2 = Fq[u]/(u² + 1), the field G2's coordinates live in: c0 + c1·u.
#pragma once
#include "field.hpp"

namespace zkn {

struct Fq2 {
  Fq c0, c1;

  static Fq2 zero() { return {}; }
  static Fq2 one() { return {Fq::one(), Fq::zero()}; }

  bool isZero() const { return c0.isZero() && c1.isZero(); }
  bool operator==(const Fq2& o) const { return c0 == o.c0 && c1 == o.c1; }
  bool operator!=(const Fq2& o) const { return !(*this == o); }

  friend Fq2 operator+(const Fq2& a, const Fq2& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
  friend Fq2 operator-(const Fq2& a, const Fq2& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
  Fq2 operator-() const { return {-c0, -c1}; }
  Fq2 dbl() const { return {c0.dbl(), c1.dbl()}; }

  // Karatsuba: three Fq multiplications. (a0 + a1u)(b0 + b1u) = a0b0 − a1b1 + (a0b1 + a1b0)u.
  friend Fq2 operator*(const Fq2& a, const Fq2& b) {
    const Fq v0 = a.c0 * b.c0, v1 = a.c1 * b.c1;
    return {v0 - v1, (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1};
  }
  Fq2& operator+=(const Fq2& o) { return *this = *this + o; }
  Fq2& operator-=(const Fq2& o) { return *this = *this - o; }
  Fq2& operator*=(const Fq2& o) { return *this = *this * o; }

  // (a0 + a1u)² = (a0 + a1)(a0 − a1) + 2a0a1·u: two multiplications.
  Fq2 square() const { return {(c0 + c1) * (c0 - c1), (c0 * c1).dbl()}; }

  // 1/(a0 + a1u) = (a0 − a1u)/(a0² + a1²); zero maps to zero like Fq::inverse.
  Fq2 inverse() const {
    const Fq norm = (c0.square() + c1.square()).inverse();
    return {c0 * norm, -(c1 * norm)};
  }
};

}  // namespace zkn
