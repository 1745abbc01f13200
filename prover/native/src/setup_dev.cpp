// The development setup's math, checked against snarkjs 0.7.6 (zkey_new.js, which reads
// Lagrange-basis points from a prepared ptau, and zkey_contribute.js / mpc_applykey.js,
// which scale delta, C and H by a contribution's δ):
//
// Domain: n = 2^k with k = max(1, ⌈log2 m⌉), m = nConstraints + nPublic + 1 (zkey_new.js:
// log2(m − 1) + 1), ω = rootOfUnity(k), ffjavascript's Fr.w[k]. With Z(X) = X^n − 1 the
// Lagrange basis at τ is L_j(τ) = Z(τ)/n · ω^j/(τ − ω^j).
//
// Per signal i: a_i = Σ_c A[c][i]·L_c(τ), b_i and c_i likewise, where A gets the extra rows
// A[nConstraints + s][s] = 1 for s = 0 … nPublic. Without those rows a public signal that
// only appears in C (or nowhere) would have a_i = 0 and its IC point would not bind it.
//
// Points (G = the generators; snarkjs writes all-zero infinity for a signal with no entries,
// which a zero scalar gives here too):
//   A[i] = a_i·G1, B1[i] = b_i·G1, B2[i] = b_i·G2 (all signals)
//   IC[i] = (β·a_i + α·b_i + c_i)/γ·G1 (i ≤ nPublic), C[i] = (β·a_i + α·b_i + c_i)/δ·G1 (i > nPublic)
//   H[j] = L'_{2j+1}(τ)/δ·G1, L' the Lagrange basis of the 2n-point domain (ω' = Fr.w[k + 1],
//     ω'^2 = ω): L'_m(τ) = (τ^(2n) − 1)/(2n) · ω'^m/(τ − ω'^m). zkey_new.js copies the ptau's
//     size-2n Lagrange points at odd indices, because the prover evaluates p = A·B − C on the
//     odd points ω'^(2j+1) (the coset ω'·⟨ω⟩) and p vanishes on the even ones (the domain),
//     so Σ_j p(ω'^(2j+1))·H[j] = p(τ)/δ·G1 = h(τ)·Z(τ)/δ·G1, as Groth16 needs.
//   alpha1 = α·G1, beta1 = β·G1, beta2 = β·G2, gamma2 = γ·G2, delta1 = δ·G1, delta2 = δ·G2.
// snarkjs keeps γ = 1 (contributions change only δ); a random γ is equally sound and makes
// γ and δ independent.
//
// Coefficients: the A and B entries in zkey_new.js's order (per constraint its A terms, then
// its B terms; then the extra rows), values stored as v·R² mod r (see formats.cpp).
//
// Secrets: the toxic waste and everything derived from it (Lagrange values, per-signal
// scalars) live in memory that is zeroed before it is freed; only the points leave.
#include "setup_dev.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "command.hpp"
#include "curve.hpp"
#include "fft.hpp"
#include "field.hpp"
#include "fixed_base.hpp"
#include "formats.hpp"
#include "threads.hpp"

namespace zkn {
namespace {

// H needs the 2n-point domain, and Fr's 2-adicity is 28. (snarkjs special-cases 2^28 with
// extra ptau points; a circuit that size would not fit this machine anyway.)
constexpr unsigned kMaxDomainPower = kFrTwoAdicity - 1;
// Below this many domain points per thread, one thread does the Lagrange evaluations.
constexpr size_t kMinSlice = size_t{1} << 12;

// Zeroes memory before handing it back, so secrets do not linger in freed heap blocks
// (explicit_bzero: unlike memset, the compiler may not drop it as a dead store). Vectors
// that hold secret-derived values use it, reallocations and exceptions included.
template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) {}
  T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, size_t n) {
    explicit_bzero(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const WipingAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const WipingAllocator<U>&) const { return false; }
};
template <class T>
using SecretVector = std::vector<T, WipingAllocator<T>>;

struct ToxicWaste {
  Fr tau, alpha, beta, gamma, delta;

  ToxicWaste() = default;
  ToxicWaste(const ToxicWaste&) = delete;
  ToxicWaste& operator=(const ToxicWaste&) = delete;
  ~ToxicWaste() { explicit_bzero(static_cast<void*>(this), sizeof *this); }
};

// Unbuffered reads, so no stdio buffer keeps a copy of the random bytes (which is why
// this does not use random.hpp's randomFr, whose FILE buffer is freed unwiped).
class Urandom {
 public:
  Urandom() : fd_(::open("/dev/urandom", O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error(std::string("cannot open /dev/urandom: ") + std::strerror(errno));
  }
  ~Urandom() { ::close(fd_); }
  Urandom(const Urandom&) = delete;
  Urandom& operator=(const Urandom&) = delete;

  // A uniform non-zero element of Fr: 254 random bits (r < 2^254), drawn again while ≥ r or
  // zero. Since r > 2^253 that takes under two draws on average; reducing mod r would bias.
  Fr nonZeroScalar() {
    Limbs v;
    do {
      read(v.data(), sizeof v);
      v[3] &= (uint64_t{1} << 62) - 1;
    } while (isZero(v) || !lessThan(v, FrParams::p));
    const Fr x = Fr::fromStandard(v);
    explicit_bzero(v.data(), sizeof v);
    return x;
  }

 private:
  void read(void* dst, size_t n) {
    auto* p = static_cast<uint8_t*>(dst);
    while (n > 0) {
      const ssize_t got = ::read(fd_, p, n);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) throw std::runtime_error(std::string("cannot read /dev/urandom: ") + (got < 0 ? std::strerror(errno) : "end of file"));
      p += got;
      n -= static_cast<size_t>(got);
    }
  }

  int fd_;
};

Limbs u64Limbs(uint64_t v) { return {v, 0, 0, 0}; }

void sample(ToxicWaste& s, size_t domainSize) {
  Urandom random;
  // τ must lie outside the 2n-point domain: its points would zero a denominator below.
  do s.tau = random.nonZeroScalar();
  while (s.tau.pow(u64Limbs(2 * domainSize)) == Fr::one());
  s.alpha = random.nonZeroScalar();
  s.beta = random.nonZeroScalar();
  s.gamma = random.nonZeroScalar();
  // δ = γ would let anyone forge proofs (setup.ts refuses such a key).
  do s.delta = random.nonZeroScalar();
  while (s.delta == s.gamma);
}

unsigned domainPower(const R1cs& r1cs, uint32_t nPublic, const std::string& r1csPath) {
  const uint64_t rows = uint64_t{r1cs.nConstraints} + nPublic + 1;
  unsigned k = 1;
  while ((uint64_t{1} << k) < rows) ++k;
  if (k > kMaxDomainPower)
    throw UserError(r1csPath + ": " + std::to_string(r1cs.nConstraints) + " constraints + " + std::to_string(nPublic) +
                    " public signals + 1 need a domain of 2^" + std::to_string(k) + "; setup-dev supports up to 2^" +
                    std::to_string(kMaxDomainPower));
  return k;
}

// Montgomery's trick over non-zero values, like field.hpp's batchInverse but with a
// scratch buffer that is wiped too (it holds products of the secret values).
void invertAll(SecretVector<Fr>& values) {
  SecretVector<Fr> prefix(values.size());
  Fr acc = Fr::one();
  for (size_t i = 0; i < values.size(); ++i) {
    prefix[i] = acc;
    acc *= values[i];
  }
  Fr inv = acc.inverse();
  for (size_t i = values.size(); i-- > 0;) {
    const Fr v = values[i];
    values[i] = inv * prefix[i];
    inv *= v;
  }
}

// lagrange[j] = L_j(τ) and h[j] = L'_{2j+1}(τ)/δ for j < n (see the top of the file).
void evaluateDomain(const ToxicWaste& s, unsigned k, SecretVector<Fr>& lagrange, SecretVector<Fr>& h) {
  const size_t n = size_t{1} << k;
  const Fr omega = rootOfUnity(k), omega2n = rootOfUnity(k + 1);
  const Fr tauN = s.tau.pow(u64Limbs(n));
  // Z(τ)/n, and ω'·(τ^(2n) − 1)/(2n·δ) with τ^(2n) − 1 = (τ^n − 1)(τ^n + 1); the ω'^(2j+1)
  // numerator of L' is ω'·ω^j.
  const Fr lagrangeFactor = (tauN - Fr::one()) * Fr::fromUint(n).inverse();
  const Fr hFactor = (tauN - Fr::one()) * (tauN + Fr::one()) * omega2n * (Fr::fromUint(2 * n) * s.delta).inverse();
  lagrange.resize(n);
  h.resize(n);
  parallelFor(n, kMinSlice, [&](size_t begin, size_t end) {
    const size_t m = end - begin;
    SecretVector<Fr> powers(m), denominators(2 * m);
    Fr w = omega.pow(u64Limbs(begin));
    for (size_t i = 0; i < m; ++i, w *= omega) {
      powers[i] = w;
      denominators[2 * i] = s.tau - w;
      denominators[2 * i + 1] = s.tau - omega2n * w;
    }
    invertAll(denominators);
    for (size_t i = 0; i < m; ++i) {
      lagrange[begin + i] = lagrangeFactor * powers[i] * denominators[2 * i];
      h[begin + i] = hFactor * powers[i] * denominators[2 * i + 1];
    }
  });
}

// Sums every r1cs term into its signal's a, b or c (plus the extra A rows), and lists the A
// and B entries as the zkey's coefficient section.
void accumulateSignals(const R1cs& r1cs, uint32_t nPublic, const SecretVector<Fr>& lagrange, SecretVector<Fr>& a,
                       SecretVector<Fr>& b, SecretVector<Fr>& c, std::vector<Coefficient>& coefficients) {
  a.assign(r1cs.nWires, Fr::zero());
  b.assign(r1cs.nWires, Fr::zero());
  c.assign(r1cs.nWires, Fr::zero());
  // The element whose value is R: v times it has Montgomery limbs v·R², the stored form.
  const Fr r = Fr::fromMontgomery(FrParams::r2);
  size_t entries = nPublic + 1;
  for (const R1csConstraint& k : r1cs.constraints) entries += k.a.size() + k.b.size();
  coefficients.clear();
  coefficients.reserve(entries);

  for (uint32_t row = 0; row < r1cs.nConstraints; ++row) {
    const R1csConstraint& k = r1cs.constraints[row];
    const Fr& l = lagrange[row];
    for (const R1csTerm& t : k.a) {
      const Fr v = Fr::fromStandard(t.value);
      a[t.signal] += v * l;
      coefficients.push_back({0, row, t.signal, (v * r).montgomery()});
    }
    for (const R1csTerm& t : k.b) {
      const Fr v = Fr::fromStandard(t.value);
      b[t.signal] += v * l;
      coefficients.push_back({1, row, t.signal, (v * r).montgomery()});
    }
    for (const R1csTerm& t : k.c) c[t.signal] += Fr::fromStandard(t.value) * l;
  }
  for (uint32_t s = 0; s <= nPublic; ++s) {
    a[s] += lagrange[r1cs.nConstraints + s];
    coefficients.push_back({0, r1cs.nConstraints + s, s, r.montgomery()});
  }
}

template <class Raw>
std::vector<Raw> slice(const std::vector<Raw>& points, size_t& at, size_t count) {
  std::vector<Raw> out(points.begin() + at, points.begin() + at + count);
  at += count;
  return out;
}

// writeZkey writes `path`.tmp and renames it; trying that file now fails fast on a bad
// output path instead of after the whole computation.
void checkWritable(const std::string& path) {
  const std::string probe = path + ".tmp";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw UserError("cannot write " + path + ": " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace

void setupDev(const std::string& r1csPath, const std::string& zkeyPath) {
  const R1cs r1cs = readR1cs(r1csPath);
  const uint32_t nPublic = r1cs.nPubOut + r1cs.nPubIn;
  const uint32_t nVars = r1cs.nWires;
  const uint32_t nPrivate = nVars - nPublic - 1;  // readR1cs checked nWires > nPublic
  const unsigned k = domainPower(r1cs, nPublic, r1csPath);
  const size_t n = size_t{1} << k;
  checkWritable(zkeyPath);

  ToxicWaste secrets;
  sample(secrets, n);

  Zkey key;
  key.q = FqParams::p;
  key.r = FrParams::p;
  key.nVars = nVars;
  key.nPublic = nPublic;
  key.domainSize = static_cast<uint32_t>(n);

  // Every G1 point in one run of fixed-base multiplications, every G2 point in another:
  // G1 scalars are A | B1 | C | IC | H | α, β, δ, G2 scalars B2 | β, γ, δ.
  SecretVector<Fr> g1Scalars(2 * size_t{nVars} + nPrivate + (nPublic + 1) + n + 3);
  SecretVector<Fr> g2Scalars(size_t{nVars} + 3);
  {
    SecretVector<Fr> lagrange, h, a, b, c;
    evaluateDomain(secrets, k, lagrange, h);
    accumulateSignals(r1cs, nPublic, lagrange, a, b, c, key.coefficients);
    const Fr gammaInv = secrets.gamma.inverse(), deltaInv = secrets.delta.inverse();
    Fr* out = g1Scalars.data();
    for (uint32_t i = 0; i < nVars; ++i) *out++ = a[i];
    for (uint32_t i = 0; i < nVars; ++i) *out++ = b[i];
    Fr* ic = out + nPrivate;
    for (uint32_t i = 0; i < nVars; ++i) {
      const Fr combined = secrets.beta * a[i] + secrets.alpha * b[i] + c[i];
      if (i <= nPublic) ic[i] = combined * gammaInv;
      else *out++ = combined * deltaInv;
    }
    out = ic + nPublic + 1;
    for (size_t j = 0; j < n; ++j) *out++ = h[j];
    *out++ = secrets.alpha;
    *out++ = secrets.beta;
    *out++ = secrets.delta;
    for (uint32_t i = 0; i < nVars; ++i) g2Scalars[i] = b[i];
    g2Scalars[nVars] = secrets.beta;
    g2Scalars[nVars + 1] = secrets.gamma;
    g2Scalars[nVars + 2] = secrets.delta;
  }

  std::vector<G1Raw> g1(g1Scalars.size());
  std::vector<G2Raw> g2(g2Scalars.size());
  fixedBaseMul(G1Affine::generator(), g1Scalars.data(), g1Scalars.size(), g1.data());
  fixedBaseMul(G2Affine::generator(), g2Scalars.data(), g2Scalars.size(), g2.data());
  // Done with the secrets: wipe them now rather than at return.
  SecretVector<Fr>().swap(g1Scalars);
  SecretVector<Fr>().swap(g2Scalars);

  size_t at = 0;
  key.A = slice(g1, at, nVars);
  key.B1 = slice(g1, at, nVars);
  key.C = slice(g1, at, nPrivate);
  const std::vector<G1Raw> ic = slice(g1, at, nPublic + 1);
  key.H = slice(g1, at, n);
  key.alpha1 = g1[at++];
  key.beta1 = g1[at++];
  key.delta1 = g1[at++];
  at = 0;
  key.B2 = slice(g2, at, nVars);
  key.beta2 = g2[at++];
  key.gamma2 = g2[at++];
  key.delta2 = g2[at++];
  writeZkey(zkeyPath, key, ic);
}

}  // namespace zkn
