// BN254's fields for the GPU: the CPU engine's Montgomery form (x·2^256 mod p, the form a
// zkey stores) in 8 little-endian 32-bit limbs, because GPUs multiply 32 bits natively and
// emulate 64. The bytes of an element are the CPU engine's Limbs bytes, so arrays move
// between the two engines and zkey sections without conversion.
#pragma once
#include <cstdint>

#include "backend.hpp"

namespace zkn::gpu {

constexpr int kLimbs = 8;

// A constant of 8 words as a function of the word's index: CUDA cannot index a static
// constexpr array from device code, and with the loops unrolled the words become immediates.
#define ZKN_WORDS(name, ...)                            \
  static constexpr ZKN_HD uint32_t name(int i) {        \
    constexpr uint32_t words[kLimbs] = {__VA_ARGS__};   \
    return words[i];                                    \
  }

// p, R² mod p, R mod p (R = 2^256) and −p⁻¹ mod 2^32: the CPU engine's FqParams/FrParams
// split into 32-bit words.
struct Fq32Params {
  ZKN_WORDS(p, 0xd87cfd47, 0x3c208c16, 0x6871ca8d, 0x97816a91, 0x8181585d, 0xb85045b6, 0xe131a029, 0x30644e72)
  ZKN_WORDS(r2, 0x538afa89, 0xf32cfc5b, 0xd44501fb, 0xb5e71911, 0x0a417ff6, 0x47ab1eff, 0xcab8351f, 0x06d89f71)
  ZKN_WORDS(one, 0xc58f0d9d, 0xd35d438d, 0xf5c70b3d, 0x0a78eb28, 0x7879462c, 0x666ea36f, 0x9a07df2f, 0x0e0a77c1)
  static constexpr uint32_t inv = 0xe4866389;
};
struct Fr32Params {
  ZKN_WORDS(p, 0xf0000001, 0x43e1f593, 0x79b97091, 0x2833e848, 0x8181585d, 0xb85045b6, 0xe131a029, 0x30644e72)
  ZKN_WORDS(r2, 0xae216da7, 0x1bb8e645, 0xe35c59e3, 0x53fe3ab1, 0x53bb8085, 0x8c49833d, 0x7f4e44a5, 0x0216d0b1)
  ZKN_WORDS(one, 0x4ffffffb, 0xac96341c, 0x9f60cd29, 0x36fc7695, 0x7879462e, 0x666ea36f, 0x9a07df2f, 0x0e0a77c1)
  static constexpr uint32_t inv = 0xefffffff;
};
#undef ZKN_WORDS

template <class P>
struct Fp32 {
  uint32_t v[kLimbs];  // Montgomery form, reduced

  static ZKN_INLINE Fp32 zero() {
    Fp32 r;
    ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) r.v[i] = 0;
    return r;
  }
  static ZKN_INLINE Fp32 one() { return constant(P::one); }
  static ZKN_INLINE Fp32 load(const uint32_t* words) {
    Fp32 r;
    ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) r.v[i] = words[i];
    return r;
  }
  // A reduced standard-form value into Montgomery form (times R², reduced once).
  static ZKN_INLINE Fp32 fromStandard(const uint32_t* words) { return load(words) * constant(P::r2); }
  static ZKN_INLINE Fp32 fromUint(uint32_t x) {
    Fp32 r = zero();
    r.v[0] = x;
    return fromStandard(r.v);
  }
  // One reduction by plain 1 leaves the standard form.
  ZKN_INLINE Fp32 toStandard() const {
    Fp32 plainOne = zero();
    plainOne.v[0] = 1;
    return *this * plainOne;
  }

  ZKN_INLINE bool isZero() const {
    uint32_t any = 0;
    ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) any |= v[i];
    return any == 0;
  }
  ZKN_INLINE bool operator==(const Fp32& o) const {
    uint32_t diff = 0;
    ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) diff |= v[i] ^ o.v[i];
    return diff == 0;
  }

  friend ZKN_INLINE Fp32 operator+(const Fp32& a, const Fp32& b) {
    Fp32 r;
    uint64_t carry = 0;
    ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) {
      carry += uint64_t{a.v[i]} + b.v[i];
      r.v[i] = static_cast<uint32_t>(carry);
      carry >>= 32;
    }
    r.reduceOnce();  // a + b < 2p < 2^256: no carry out
    return r;
  }
  friend ZKN_INLINE Fp32 operator-(const Fp32& a, const Fp32& b) {
    Fp32 r;
    const uint32_t borrow = subtract(r.v, a.v, b.v);
    if (borrow) {
      uint64_t carry = 0;
      ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) {
        carry += uint64_t{r.v[i]} + P::p(i);
        r.v[i] = static_cast<uint32_t>(carry);
        carry >>= 32;
      }
    }
    return r;
  }
  ZKN_INLINE Fp32 operator-() const { return zero() - *this; }
  ZKN_INLINE Fp32 dbl() const { return *this + *this; }

  // CIOS Montgomery multiplication without the extra carry word (p < 2^254 leaves the top
  // limb's headroom), one 32-bit word of b per round, as the CPU engine does with 64-bit
  // words: add a·b[i], add the multiple m·p that clears the low word, drop it. Every
  // t + x·y + carry fits 64 bits.
  friend ZKN_INLINE Fp32 operator*(const Fp32& a, const Fp32& b) {
    uint32_t t[kLimbs];
    ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) t[i] = 0;
    ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) {
      uint64_t ab = uint64_t{a.v[0]} * b.v[i] + t[0];
      uint64_t carryAB = ab >> 32;
      const uint32_t low = static_cast<uint32_t>(ab);
      const uint32_t m = low * P::inv;
      uint64_t carryM = (uint64_t{m} * P::p(0) + low) >> 32;
      ZKN_UNROLL for (int j = 1; j < kLimbs; ++j) {
        ab = uint64_t{a.v[j]} * b.v[i] + t[j] + carryAB;
        carryAB = ab >> 32;
        const uint64_t mp = uint64_t{m} * P::p(j) + static_cast<uint32_t>(ab) + carryM;
        carryM = mp >> 32;
        t[j - 1] = static_cast<uint32_t>(mp);
      }
      t[kLimbs - 1] = static_cast<uint32_t>(carryAB + carryM);
    }
    Fp32 r = load(t);
    r.reduceOnce();
    return r;
  }
  ZKN_INLINE Fp32& operator+=(const Fp32& o) { return *this = *this + o; }
  ZKN_INLINE Fp32& operator-=(const Fp32& o) { return *this = *this - o; }
  ZKN_INLINE Fp32& operator*=(const Fp32& o) { return *this = *this * o; }
  ZKN_INLINE Fp32 square() const { return *this * *this; }

  // this^e for a standard-form exponent of `words` 32-bit words, from the top bit.
  ZKN_INLINE Fp32 pow(const uint32_t* e, int words) const {
    Fp32 r = one();
    for (int bit = 32 * words - 1; bit >= 0; --bit) {
      r = r.square();
      if ((e[bit / 32] >> (bit % 32)) & 1) r *= *this;
    }
    return r;
  }
  ZKN_INLINE Fp32 pow(uint32_t e) const { return pow(&e, 1); }
  // Fermat: a^(p − 2); zero maps to zero. Host-side use only (a handful per proof).
  Fp32 inverse() const {
    Fp32 e = constant(P::p);
    e.v[0] -= 2;  // p is odd and above 2: no borrow
    return pow(e.v, kLimbs);
  }

 private:
  template <class Words>
  static ZKN_INLINE Fp32 constant(Words word) {
    Fp32 r;
    ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) r.v[i] = word(i);
    return r;
  }
  static ZKN_INLINE uint32_t subtract(uint32_t* r, const uint32_t* a, const uint32_t* b) {
    uint32_t borrow = 0;
    ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) {
      const uint64_t d = uint64_t{a[i]} - b[i] - borrow;
      r[i] = static_cast<uint32_t>(d);
      borrow = static_cast<uint32_t>(d >> 63);
    }
    return borrow;
  }
  ZKN_INLINE void reduceOnce() {
    uint32_t d[kLimbs];
    if (!subtract(d, v, constant(P::p).v)) ZKN_UNROLL for (int i = 0; i < kLimbs; ++i) v[i] = d[i];
  }
};

using Fq32 = Fp32<Fq32Params>;
using Fr32 = Fp32<Fr32Params>;
static_assert(sizeof(Fq32) == 32 && sizeof(Fr32) == 32, "elements are the CPU engine's 32-byte Limbs");

// Fq2 = Fq[u]/(u² + 1), as fq2.hpp (Karatsuba, two-multiplication squaring).
struct Fq2_32 {
  Fq32 c0, c1;

  static ZKN_INLINE Fq2_32 zero() { return {Fq32::zero(), Fq32::zero()}; }
  static ZKN_INLINE Fq2_32 one() { return {Fq32::one(), Fq32::zero()}; }
  ZKN_INLINE bool isZero() const { return c0.isZero() && c1.isZero(); }
  ZKN_INLINE bool operator==(const Fq2_32& o) const { return c0 == o.c0 && c1 == o.c1; }
  friend ZKN_INLINE Fq2_32 operator+(const Fq2_32& a, const Fq2_32& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
  friend ZKN_INLINE Fq2_32 operator-(const Fq2_32& a, const Fq2_32& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
  ZKN_INLINE Fq2_32 operator-() const { return {-c0, -c1}; }
  ZKN_INLINE Fq2_32 dbl() const { return {c0.dbl(), c1.dbl()}; }
  friend ZKN_INLINE Fq2_32 operator*(const Fq2_32& a, const Fq2_32& b) {
    const Fq32 v0 = a.c0 * b.c0, v1 = a.c1 * b.c1;
    return {v0 - v1, (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1};
  }
  ZKN_INLINE Fq2_32 square() const { return {(c0 + c1) * (c0 - c1), (c0 * c1).dbl()}; }
};

// Bits [pos, pos + width) of a standard-form scalar (width < 32); bits past 255 read as zero.
ZKN_INLINE uint32_t scalarBits(const uint32_t* k, unsigned pos, unsigned width) {
  const unsigned word = pos / 32, shift = pos % 32;
  if (word >= kLimbs) return 0;
  uint64_t window = k[word] >> shift;
  if (shift + width > 32 && word + 1 < kLimbs) window |= uint64_t{k[word + 1]} << (32 - shift);
  return static_cast<uint32_t>(window) & ((1u << width) - 1);
}

}  // namespace zkn::gpu
