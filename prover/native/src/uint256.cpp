#include "uint256.hpp"

#include <algorithm>

namespace zkn {

bool parseDecimal(const std::string& text, Limbs& out) {
  if (text.empty()) return false;
  Limbs v{};
  for (char ch : text) {
    if (ch < '0' || ch > '9') return false;
    // v = v·10 + digit, failing when it no longer fits 256 bits.
    u128 carry = static_cast<uint64_t>(ch - '0');
    for (int i = 0; i < 4; ++i) {
      carry += u128{v[i]} * 10;
      v[i] = static_cast<uint64_t>(carry);
      carry >>= 64;
    }
    if (carry) return false;
  }
  out = v;
  return true;
}

std::string toDecimal(const Limbs& a) {
  // Repeated division by 10^19, the largest power of ten in a limb.
  constexpr uint64_t kChunk = 10000000000000000000ULL;
  Limbs v = a;
  std::string digits;
  do {
    u128 rem = 0;
    for (int i = 3; i >= 0; --i) {
      u128 cur = (rem << 64) | v[i];
      v[i] = static_cast<uint64_t>(cur / kChunk);
      rem = cur % kChunk;
    }
    uint64_t chunk = static_cast<uint64_t>(rem);
    for (int k = 0; k < 19; ++k) {
      digits.push_back(static_cast<char>('0' + chunk % 10));
      chunk /= 10;
    }
  } while (!isZero(v));
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace zkn
