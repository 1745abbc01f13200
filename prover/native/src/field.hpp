// BN254's prime fields in Montgomery form (x·R mod p, R = 2^256), 4×64-bit limbs:
// Fq, the base field of the curve, and Fr, the scalar field (the circuit's field).
// Montgomery form with R = 2^256 is also how snarkjs stores points in a zkey, so zkey
// coordinates load with fromMontgomery and no arithmetic.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "uint256.hpp"

namespace zkn {

// Moduli and Montgomery constants (computed with Python's big integers):
// r2 = R² mod p (for entering Montgomery form), one = R mod p, inv = −p⁻¹ mod 2^64.
struct FqParams {
  static constexpr Limbs p = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
  static constexpr Limbs r2 = {0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL, 0x47ab1eff0a417ff6ULL, 0x06d89f71cab8351fULL};
  static constexpr Limbs one = {0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL};
  static constexpr uint64_t inv = 0x87d20782e4866389ULL;
};
struct FrParams {
  static constexpr Limbs p = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
  static constexpr Limbs r2 = {0x1bb8e645ae216da7ULL, 0x53fe3ab1e35c59e3ULL, 0x8c49833d53bb8085ULL, 0x0216d0b17f4e44a5ULL};
  static constexpr Limbs one = {0xac96341c4ffffffbULL, 0x36fc76959f60cd29ULL, 0x666ea36f7879462eULL, 0x0e0a77c19a07df2fULL};
  static constexpr uint64_t inv = 0xc2e1f593efffffffULL;
};

template <class P>
class Fp {
 public:
  // The portable montMul drops the fifth carry word (gnark's "no-carry" CIOS), which is
  // sound only while p's top limb stays below 2^63 − 1; BN254's moduli are below 2^254.
  static_assert(P::p[3] < 0x7ffffffffffffffeULL, "modulus too large for the no-carry CIOS multiplication");

  static Fp zero() { return Fp(); }
  static Fp one() { return fromMontgomery(P::one); }
  static const Limbs& modulus() { return P::p; }

  // `m` must already be reduced (< p); the caller vouches for it.
  static Fp fromMontgomery(const Limbs& m) {
    Fp r;
    r.m_ = m;
    return r;
  }
  // `v` must be reduced (< p).
  static Fp fromStandard(const Limbs& v) { return fromMontgomery(v) * fromMontgomery(P::r2); }
  static Fp fromUint(uint64_t v) { return fromStandard({v, 0, 0, 0}); }
  // 32 little-endian bytes of a reduced standard-form value.
  static Fp fromBytesLE(const uint8_t* bytes) {
    Limbs v;
    std::memcpy(v.data(), bytes, 32);
    return fromStandard(v);
  }

  const Limbs& montgomery() const { return m_; }
  // One Montgomery reduction (multiplying by plain 1) leaves the standard form.
  Limbs toStandard() const { return (*this * fromMontgomery({1, 0, 0, 0})).m_; }
  void toBytesLE(uint8_t* bytes) const {
    Limbs v = toStandard();
    std::memcpy(bytes, v.data(), 32);
  }

  bool isZero() const { return zkn::isZero(m_); }
  bool operator==(const Fp& o) const { return m_ == o.m_; }
  bool operator!=(const Fp& o) const { return m_ != o.m_; }

  friend Fp operator+(const Fp& a, const Fp& b) {
    Fp r;
    addCarry(r.m_, a.m_, b.m_);  // no carry out: a + b < 2p < 2^256
    r.reduceOnce();
    return r;
  }
  friend Fp operator-(const Fp& a, const Fp& b) {
    Fp r;
    if (subBorrow(r.m_, a.m_, b.m_)) addCarry(r.m_, r.m_, P::p);
    return r;
  }
  Fp operator-() const { return isZero() ? *this : fromMontgomery(P::p) - *this; }
  Fp dbl() const { return *this + *this; }

  friend Fp operator*(const Fp& a, const Fp& b) {
    Fp r;
    montMul(r.m_, a.m_, b.m_);
    r.reduceOnce();
    return r;
  }
  Fp& operator+=(const Fp& o) { return *this = *this + o; }
  Fp& operator-=(const Fp& o) { return *this = *this - o; }
  Fp& operator*=(const Fp& o) { return *this = *this * o; }

  Fp square() const { return *this * *this; }

  // this^e for a standard-form exponent, square-and-multiply from the top bit.
  Fp pow(const Limbs& e) const {
    Fp r = one();
    for (int bit = static_cast<int>(bitLength(e)) - 1; bit >= 0; --bit) {
      r = r.square();
      if (bitsAt(e, static_cast<unsigned>(bit), 1)) r *= *this;
    }
    return r;
  }

  // Fermat: a^(p−2). Zero maps to zero, which batch callers rely on to skip it.
  Fp inverse() const {
    Limbs e;
    subBorrow(e, P::p, {2, 0, 0, 0});
    return pow(e);
  }

 private:
  // r = a·b·2^-256 mod p, left in [0, 2p) (reduceOnce finishes it): CIOS Montgomery
  // multiplication (Koç, Acar, Kaliski 1996), one word of b per round: add a·b[i], then
  // add the multiple m·p of p that clears the low word, and drop that word. Every
  // intermediate fits 5 words because p < 2^254 leaves headroom in the top limb.
#if defined(__x86_64__) && defined(__BMI2__) && defined(__ADX__)
  // mulx multiplies without touching the flags, so adcx (carry flag) and adox (overflow
  // flag) run two independent carry chains: one for the low halves of the products, one
  // for the high halves. Five registers hold the running total and rotate roles each
  // round, the cleared low word becoming the next round's top word. (Generated by
  // unrolling the four rounds; t4 t0 t1 t2 hold the result.) About a third of the
  // instructions GCC emits for the portable version below.
  static void montMul(Limbs& r, const Limbs& a, const Limbs& b) {
    uint64_t t0, t1, t2, t3, t4, lo, hi;
    asm("" // round i: rdx = b[i]; t += a·rdx; rdx = m = t0·inv; t = (t + m·p) / 2^64
      "movq 0(%[b]), %%rdx\n\t"
      "xorl %%eax, %%eax\n\t"
      "mulxq 0(%[a]), %[t0], %[t1]\n\t"
      "mulxq 8(%[a]), %[lo], %[t2]\n\t"
      "adcxq %[lo], %[t1]\n\t"
      "mulxq 16(%[a]), %[lo], %[t3]\n\t"
      "adcxq %[lo], %[t2]\n\t"
      "mulxq 24(%[a]), %[lo], %[t4]\n\t"
      "adcxq %[lo], %[t3]\n\t"
      "adcxq %%rax, %[t4]\n\t"
      "movq %[t0], %%rdx\n\t"
      "imulq %[inv], %%rdx\n\t"
      "xorl %%eax, %%eax\n\t"
      "mulxq 0(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t0]\n\t"
      "adoxq %[hi], %[t1]\n\t"
      "mulxq 8(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t1]\n\t"
      "adoxq %[hi], %[t2]\n\t"
      "mulxq 16(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t2]\n\t"
      "adoxq %[hi], %[t3]\n\t"
      "mulxq 24(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t3]\n\t"
      "adoxq %[hi], %[t4]\n\t"
      "adcxq %%rax, %[t4]\n\t"
      "movq 8(%[b]), %%rdx\n\t"
      "xorl %%eax, %%eax\n\t"
      "mulxq 0(%[a]), %[lo], %[hi]\n\t"
      "adoxq %[lo], %[t1]\n\t"
      "adcxq %[hi], %[t2]\n\t"
      "mulxq 8(%[a]), %[lo], %[hi]\n\t"
      "adoxq %[lo], %[t2]\n\t"
      "adcxq %[hi], %[t3]\n\t"
      "mulxq 16(%[a]), %[lo], %[hi]\n\t"
      "adoxq %[lo], %[t3]\n\t"
      "adcxq %[hi], %[t4]\n\t"
      "mulxq 24(%[a]), %[lo], %[t0]\n\t"
      "adoxq %[lo], %[t4]\n\t"
      "adcxq %%rax, %[t0]\n\t"
      "adoxq %%rax, %[t0]\n\t"
      "movq %[t1], %%rdx\n\t"
      "imulq %[inv], %%rdx\n\t"
      "xorl %%eax, %%eax\n\t"
      "mulxq 0(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t1]\n\t"
      "adoxq %[hi], %[t2]\n\t"
      "mulxq 8(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t2]\n\t"
      "adoxq %[hi], %[t3]\n\t"
      "mulxq 16(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t3]\n\t"
      "adoxq %[hi], %[t4]\n\t"
      "mulxq 24(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t4]\n\t"
      "adoxq %[hi], %[t0]\n\t"
      "adcxq %%rax, %[t0]\n\t"
      "movq 16(%[b]), %%rdx\n\t"
      "xorl %%eax, %%eax\n\t"
      "mulxq 0(%[a]), %[lo], %[hi]\n\t"
      "adoxq %[lo], %[t2]\n\t"
      "adcxq %[hi], %[t3]\n\t"
      "mulxq 8(%[a]), %[lo], %[hi]\n\t"
      "adoxq %[lo], %[t3]\n\t"
      "adcxq %[hi], %[t4]\n\t"
      "mulxq 16(%[a]), %[lo], %[hi]\n\t"
      "adoxq %[lo], %[t4]\n\t"
      "adcxq %[hi], %[t0]\n\t"
      "mulxq 24(%[a]), %[lo], %[t1]\n\t"
      "adoxq %[lo], %[t0]\n\t"
      "adcxq %%rax, %[t1]\n\t"
      "adoxq %%rax, %[t1]\n\t"
      "movq %[t2], %%rdx\n\t"
      "imulq %[inv], %%rdx\n\t"
      "xorl %%eax, %%eax\n\t"
      "mulxq 0(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t2]\n\t"
      "adoxq %[hi], %[t3]\n\t"
      "mulxq 8(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t3]\n\t"
      "adoxq %[hi], %[t4]\n\t"
      "mulxq 16(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t4]\n\t"
      "adoxq %[hi], %[t0]\n\t"
      "mulxq 24(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t0]\n\t"
      "adoxq %[hi], %[t1]\n\t"
      "adcxq %%rax, %[t1]\n\t"
      "movq 24(%[b]), %%rdx\n\t"
      "xorl %%eax, %%eax\n\t"
      "mulxq 0(%[a]), %[lo], %[hi]\n\t"
      "adoxq %[lo], %[t3]\n\t"
      "adcxq %[hi], %[t4]\n\t"
      "mulxq 8(%[a]), %[lo], %[hi]\n\t"
      "adoxq %[lo], %[t4]\n\t"
      "adcxq %[hi], %[t0]\n\t"
      "mulxq 16(%[a]), %[lo], %[hi]\n\t"
      "adoxq %[lo], %[t0]\n\t"
      "adcxq %[hi], %[t1]\n\t"
      "mulxq 24(%[a]), %[lo], %[t2]\n\t"
      "adoxq %[lo], %[t1]\n\t"
      "adcxq %%rax, %[t2]\n\t"
      "adoxq %%rax, %[t2]\n\t"
      "movq %[t3], %%rdx\n\t"
      "imulq %[inv], %%rdx\n\t"
      "xorl %%eax, %%eax\n\t"
      "mulxq 0(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t3]\n\t"
      "adoxq %[hi], %[t4]\n\t"
      "mulxq 8(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t4]\n\t"
      "adoxq %[hi], %[t0]\n\t"
      "mulxq 16(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t0]\n\t"
      "adoxq %[hi], %[t1]\n\t"
      "mulxq 24(%[p]), %[lo], %[hi]\n\t"
      "adcxq %[lo], %[t1]\n\t"
      "adoxq %[hi], %[t2]\n\t"
      "adcxq %%rax, %[t2]\n\t"
      : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [lo] "=&r"(lo), [hi] "=&r"(hi)
      : [a] "r"(a.data()), [b] "r"(b.data()), [p] "r"(P::p.data()), [inv] "rm"(P::inv), "m"(a), "m"(b), "m"(P::p)
      : "rax", "rdx", "cc");
    // The "m" operands tell the compiler which memory the asm reads, instead of a blanket
    // memory clobber. t3 holds the final round's dropped word.
    (void)t3;
    r = {t4, t0, t1, t2};
  }
#else
  static void montMul(Limbs& r, const Limbs& a, const Limbs& b) {
    uint64_t t[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; ++i) {
      u128 ab = u128{a[0]} * b[i] + t[0];
      uint64_t carryAB = static_cast<uint64_t>(ab >> 64);
      const uint64_t low = static_cast<uint64_t>(ab);
      const uint64_t m = low * P::inv;
      uint64_t carryM = static_cast<uint64_t>((u128{m} * P::p[0] + low) >> 64);
      for (int j = 1; j < 4; ++j) {
        ab = u128{a[j]} * b[i] + t[j] + carryAB;
        carryAB = static_cast<uint64_t>(ab >> 64);
        const u128 mp = u128{m} * P::p[j] + static_cast<uint64_t>(ab) + carryM;
        carryM = static_cast<uint64_t>(mp >> 64);
        t[j - 1] = static_cast<uint64_t>(mp);
      }
      t[3] = carryAB + carryM;
    }
    r = {t[0], t[1], t[2], t[3]};
  }
#endif

  void reduceOnce() {
    Limbs d;
    if (!subBorrow(d, m_, P::p)) m_ = d;
  }

  Limbs m_{};
};

using Fq = Fp<FqParams>;
using Fr = Fp<FrParams>;

// Montgomery's trick: inverts every element of `values` with one field inversion and
// 3(n − 1) multiplications. Zeros stay zero and do not spoil the others.
template <class F>
void batchInverse(F* values, size_t n) {
  std::vector<F> prefix(n);
  F acc = F::one();
  for (size_t i = 0; i < n; ++i) {
    prefix[i] = acc;
    if (!values[i].isZero()) acc *= values[i];
  }
  F inv = acc.inverse();
  for (size_t i = n; i-- > 0;) {
    if (values[i].isZero()) continue;
    F v = values[i];
    values[i] = inv * prefix[i];
    inv *= v;
  }
}

}  // namespace zkn
