#include "prove.hpp"

#include <stdexcept>
#include <vector>

#include "fft.hpp"
#include "msm.hpp"
#include "random.hpp"

namespace zkn {
namespace {

// Zkey coordinates are Montgomery form with R = 2^256 like ours, and infinity is (0, 0)
// in both: loading is a copy.
G1Affine load(const G1Raw& p) { return {Fq::fromMontgomery(p.x), Fq::fromMontgomery(p.y)}; }
G2Affine load(const G2Raw& p) {
  return {{Fq::fromMontgomery(p.x0), Fq::fromMontgomery(p.x1)}, {Fq::fromMontgomery(p.y0), Fq::fromMontgomery(p.y1)}};
}
template <class Raw>
auto loadAll(const std::vector<Raw>& raw) {
  std::vector<decltype(load(raw[0]))> out(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) out[i] = load(raw[i]);
  return out;
}

struct Evaluations {
  std::vector<Fr> a, b, c;
};

// buildABC1: the A and B matrices times the witness, row by row, and C = A∘B (on the
// domain, C's rows equal A's times B's for a satisfying witness; snarkjs skips the C matrix).
// The stored coefficient is v·R² and the witness value w is plain, so their Montgomery
// product v·R²·w·R⁻¹ = (v·w)·R is v·w in Montgomery form, exactly as snarkjs's Fr.mul does.
Evaluations evaluateABC(const Zkey& key, const Witness& witness) {
  Evaluations e{std::vector<Fr>(key.domainSize), std::vector<Fr>(key.domainSize), std::vector<Fr>(key.domainSize)};
  for (const Coefficient& k : key.coefficients) {
    std::vector<Fr>& row = k.matrix == 0 ? e.a : e.b;
    row[k.constraint] += Fr::fromMontgomery(k.value) * Fr::fromMontgomery(witness.values[k.signal]);
  }
  for (size_t i = 0; i < key.domainSize; ++i) e.c[i] = e.a[i] * e.b[i];
  return e;
}

// From evaluations on the domain to evaluations on its odd coset inc·⟨ω⟩: interpolate,
// multiply coefficient i by inc^i, evaluate.
void toCoset(std::vector<Fr>& values, const Fr& inc) {
  ifft(values);
  scaleByPowers(values, inc);
  fft(values);
}

// H's evaluations on the coset, standard form, as the scalars of the H points (joinABC).
// The zkey's H points are built for exactly this coset, so inc must be snarkjs's:
// Fr.w[power + 1] (the domain's "odd" half of the next larger one), or Fr.shift at 2^28.
std::vector<Limbs> quotientScalars(const Zkey& key, const Witness& witness) {
  Evaluations e = evaluateABC(key, witness);
  const unsigned power = static_cast<unsigned>(__builtin_ctz(key.domainSize));
  const Fr inc = power == kFrTwoAdicity ? cosetShift() : rootOfUnity(power + 1);
  for (std::vector<Fr>* v : {&e.a, &e.b, &e.c}) toCoset(*v, inc);
  std::vector<Limbs> h(key.domainSize);
  for (size_t i = 0; i < h.size(); ++i) h[i] = (e.a[i] * e.b[i] - e.c[i]).toStandard();
  return h;
}

template <class C, class Raw>
Jacobian<C> msmOver(const std::vector<Raw>& bases, const Limbs* scalars) {
  const auto affine = loadAll(bases);
  return msm(affine.data(), scalars, affine.size());
}

}  // namespace

Proof prove(const Zkey& key, const Witness& witness) { return assemble(key, proofSums(key, witness)); }

ProofSums proofSums(const Zkey& key, const Witness& witness) {
  if (witness.values.size() != key.nVars || witness.prime != key.r)
    throw std::invalid_argument("prove: the witness does not belong to the proving key");

  const std::vector<Limbs> h = quotientScalars(key, witness);
  const Limbs* w = witness.values.data();
  ProofSums sums;
  sums.a = msmOver<G1Curve>(key.A, w);
  sums.b1 = msmOver<G1Curve>(key.B1, w);
  sums.b2 = msmOver<G2Curve>(key.B2, w);
  sums.c = msmOver<G1Curve>(key.C, w + key.nPublic + 1);  // private signals only
  sums.h = msmOver<G1Curve>(key.H, h.data());
  return sums;
}

Proof assemble(const Zkey& key, const ProofSums& sums) {
  //   π_A = A + α + r·δ,  π_B = B₂ + β₂ + s·δ₂,  B₁ = B₁ + β₁ + s·δ₁,
  //   π_C = C + H + s·π_A + r·B₁ − r·s·δ₁.
  const Fr r = randomFr(), s = randomFr();
  const G1 delta1 = G1::fromAffine(load(key.delta1));
  G1 piA = sums.a;
  piA += load(key.alpha1);
  piA += delta1.mul(r.toStandard());
  G2 piB = sums.b2;
  piB += load(key.beta2);
  piB += G2::fromAffine(load(key.delta2)).mul(s.toStandard());
  G1 pib1 = sums.b1;
  pib1 += load(key.beta1);
  pib1 += delta1.mul(s.toStandard());
  G1 piC = sums.c + sums.h;
  piC += piA.mul(s.toStandard());
  piC += pib1.mul(r.toStandard());
  piC += delta1.mul((-(r * s)).toStandard());

  return {piA.toAffine(), piB.toAffine(), piC.toAffine()};
}

}  // namespace zkn
