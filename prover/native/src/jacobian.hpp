// Jacobian point formulas for a = 0 curves (X/Z², Y/Z³), over any field type with +, −,
// *, square(), dbl() and isZero(): the CPU engine's G1/G2 (curve.hpp) and the GPU engine's
// (cuda/curve32.hpp) run these same lines. P has x, y, z, isInfinity(), P::infinity() and
// P::Field; an affine A has x, y and isInfinity(). ZKN_HD makes them device functions too
// when nvcc compiles them (cuda/backend.hpp); elsewhere it is empty.
#pragma once

#ifndef ZKN_HD
#define ZKN_HD
#endif

namespace zkn::jacobian {

// dbl-2009-l: 2M + 5S.
template <class P>
ZKN_HD inline P dbl(const P& p) {
  using F = typename P::Field;
  if (p.isInfinity()) return p;
  const F a = p.x.square(), b = p.y.square(), c = b.square();
  const F d = ((p.x + b).square() - a - c).dbl();
  const F e = a.dbl() + a;
  P r;
  r.x = e.square() - d.dbl();
  r.y = e * (d - r.x) - c.dbl().dbl().dbl();
  r.z = (p.y * p.z).dbl();
  return r;
}

// add-2007-bl: 11M + 5S. Equal inputs fall back to doubling, opposite ones give infinity.
template <class P>
ZKN_HD inline P add(const P& p, const P& o) {
  using F = typename P::Field;
  if (p.isInfinity()) return o;
  if (o.isInfinity()) return p;
  const F z1z1 = p.z.square(), z2z2 = o.z.square();
  const F u1 = p.x * z2z2, u2 = o.x * z1z1;
  const F s1 = p.y * o.z * z2z2, s2 = o.y * p.z * z1z1;
  const F h = u2 - u1, r = (s2 - s1).dbl();
  if (h.isZero()) return r.isZero() ? dbl(p) : P::infinity();
  const F i = h.dbl().square(), j = h * i, v = u1 * i;
  P out;
  out.x = r.square() - j - v.dbl();
  out.y = r * (v - out.x) - (s1 * j).dbl();
  out.z = ((p.z + o.z).square() - z1z1 - z2z2) * h;
  return out;
}

// madd-2007-bl, p += affine q (Z2 = 1): 7M + 4S. The MSMs' inner loop.
template <class P, class A>
ZKN_HD inline void addAffine(P& p, const A& q) {
  using F = typename P::Field;
  if (q.isInfinity()) return;
  if (p.isInfinity()) {
    p.x = q.x;
    p.y = q.y;
    p.z = F::one();
    return;
  }
  const F z1z1 = p.z.square();
  const F u2 = q.x * z1z1, s2 = q.y * p.z * z1z1;
  const F h = u2 - p.x, r = (s2 - p.y).dbl();
  if (h.isZero()) {
    p = r.isZero() ? dbl(p) : P::infinity();
    return;
  }
  const F hh = h.square(), i = hh.dbl().dbl(), j = h * i, v = p.x * i;
  const F x3 = r.square() - j - v.dbl();
  p.y = r * (v - x3) - (p.y * j).dbl();
  p.z = (p.z + h).square() - z1z1 - hh;
  p.x = x3;
}

}  // namespace zkn::jacobian
