// Plain 256-bit unsigned integers as 4 little-endian 64-bit limbs (the Limbs of
// formats.hpp): comparison, carry arithmetic, bit access, and decimal text. The fields
// build on the carry arithmetic; the decimal helpers serve proof.json and the `arith`
// test command.
#pragma once
#include <cstdint>
#include <string>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "formats.hpp"

namespace zkn {

using u128 = unsigned __int128;

inline bool lessThan(const Limbs& a, const Limbs& b) {
  for (int i = 3; i >= 0; --i)
    if (a[i] != b[i]) return a[i] < b[i];
  return false;
}

inline bool isZero(const Limbs& a) { return (a[0] | a[1] | a[2] | a[3]) == 0; }

// r = a + b; returns the carry out. On x86-64 through the carry intrinsics: GCC turns
// the portable 128-bit carry chain into several times as many instructions.
inline uint64_t addCarry(Limbs& r, const Limbs& a, const Limbs& b) {
#if defined(__x86_64__)
  unsigned char carry = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned long long sum;
    carry = _addcarry_u64(carry, a[i], b[i], &sum);
    r[i] = sum;
  }
  return carry;
#else
  u128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    carry += u128{a[i]} + b[i];
    r[i] = static_cast<uint64_t>(carry);
    carry >>= 64;
  }
  return static_cast<uint64_t>(carry);
#endif
}

// r = a - b; returns the borrow out (1 when a < b).
inline uint64_t subBorrow(Limbs& r, const Limbs& a, const Limbs& b) {
#if defined(__x86_64__)
  unsigned char borrow = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned long long diff;
    borrow = _subborrow_u64(borrow, a[i], b[i], &diff);
    r[i] = diff;
  }
  return borrow;
#else
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    u128 d = u128{a[i]} - b[i] - borrow;
    r[i] = static_cast<uint64_t>(d);
    borrow = static_cast<uint64_t>(d >> 64) & 1;
  }
  return borrow;
#endif
}

// `width` (< 64) bits of `a` starting at bit `pos`; bits past 255 read as zero.
inline uint64_t bitsAt(const Limbs& a, unsigned pos, unsigned width) {
  const unsigned limb = pos / 64, shift = pos % 64;
  if (limb >= 4) return 0;
  uint64_t v = a[limb] >> shift;
  if (shift + width > 64 && limb + 1 < 4) v |= a[limb + 1] << (64 - shift);
  return v & ((uint64_t{1} << width) - 1);
}

inline unsigned bitLength(const Limbs& a) {
  for (int i = 3; i >= 0; --i)
    if (a[i]) return 64 * i + 64 - __builtin_clzll(a[i]);
  return 0;
}

// Parses a decimal string below 2^256; false on anything else (empty, signs, overflow).
bool parseDecimal(const std::string& text, Limbs& out);
std::string toDecimal(const Limbs& a);

}  // namespace zkn
