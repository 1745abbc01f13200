// Radix-2 NTT over Fr on the device with the CPU engine's (and snarkjs's) roots of unity:
// a bit-reversal permutation, then log2(n) butterfly stages, one launch each with a thread
// per butterfly, twiddles from a table made once per domain size.
#pragma once
#include "field32.hpp"

namespace zkn::gpu {

constexpr unsigned kFrTwoAdicity32 = 28;

// fft.cpp's rootOfUnity: 5^((r − 1)/2^28) squared 28 − k times.
inline Fr32 rootOfUnity32(unsigned k) {
  static constexpr uint32_t kOddPart[kLimbs] = {0x3e1f593f, 0x9b970914, 0x833e8487, 0x181585d2, 0x85045b68, 0x131a029b, 0x0644e72e, 0x00000003};
  Fr32 w = Fr32::fromUint(5).pow(kOddPart, kLimbs);
  for (unsigned i = kFrTwoAdicity32; i > k; --i) w = w.square();
  return w;
}

ZKN_INLINE uint32_t reverseBits(uint32_t i, unsigned bits) {
#if defined(__CUDA_ARCH__)
  return bits ? __brev(i) >> (32 - bits) : 0;
#else
  uint32_t r = 0;
  for (unsigned b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
  return r;
#endif
}

// powers[i] = factor·base^i for i < n.
inline void fillPowers(Fr32* powers, size_t n, const Fr32& base, const Fr32& factor) {
  launch("ntt: powers", n, [=] ZKN_HD(uint64_t i) { powers[i] = factor * base.pow(static_cast<uint32_t>(i)); });
}

class Ntt {
 public:
  // Tables for domains of 2^log2n (log2n ≤ 28).
  explicit Ntt(unsigned log2n) : log2n_(log2n), n_(size_t{1} << log2n) {
    if (log2n > kFrTwoAdicity32) throw DeviceError("ntt: Fr has no roots of unity beyond 2^28");
    const size_t half = n_ / 2 ? n_ / 2 : 1;
    forward_.reserve(half, "ntt twiddles");
    inverse_.reserve(half, "ntt inverse twiddles");
    const Fr32 root = rootOfUnity32(log2n);
    fillPowers(forward_.data(), n_ / 2, root, Fr32::one());
    fillPowers(inverse_.data(), n_ / 2, root.inverse(), Fr32::one());
  }

  size_t size() const { return n_; }

  // a[i] ← Σ_j a[j]·ω^(±i·j), natural order in and out; the inverse is not divided by n
  // (callers fold 1/n into a scaling pass they make anyway).
  void transform(Fr32* a, bool inverse) {
    const unsigned bits = log2n_;
    launch("ntt: bit reversal", n_, [=] ZKN_HD(uint64_t i) {
      const uint32_t j = reverseBits(static_cast<uint32_t>(i), bits);
      if (i < j) {
        const Fr32 t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
    });
    const Fr32* twiddles = inverse ? inverse_.data() : forward_.data();
    const size_t n = n_;
    for (size_t half = 1; half < n; half *= 2) {
      const size_t stride = n / (2 * half);
      launch("ntt: butterflies", n / 2, [=] ZKN_HD(uint64_t b) {
        const size_t j = b & (half - 1);
        const size_t i0 = (b - j) * 2 + j, i1 = i0 + half;
        const Fr32 t = a[i1] * twiddles[j * stride];
        a[i1] = a[i0] - t;
        a[i0] = a[i0] + t;
      });
    }
  }

 private:
  unsigned log2n_;
  size_t n_;
  DeviceArray<Fr32> forward_, inverse_;
};

}  // namespace zkn::gpu
