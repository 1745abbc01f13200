#include "fft.hpp"

#include <stdexcept>
#include <utility>

#include "threads.hpp"

namespace zkn {
namespace {

// (r − 1) / 2^28, the odd part of r − 1.
constexpr Limbs kOddPart = {0x9b9709143e1f593fULL, 0x181585d2833e8487ULL, 0x131a029b85045b68ULL, 0x000000030644e72eULL};
constexpr uint64_t kNonResidue = 5;

// Butterfly stages whose groups fit in a block of this many elements (128 KiB) run block
// by block, a block staying in cache and blocks spread over the threads; the wider stages
// run one at a time across the whole array.
constexpr size_t kBlock = size_t{1} << 12;
// Below this many elements per thread, threads cost more than they save.
constexpr size_t kMinSlice = size_t{1} << 11;

unsigned log2Exact(size_t n) {
  if (n == 0 || (n & (n - 1)) != 0) throw std::invalid_argument("fft size must be a power of two");
  const unsigned k = static_cast<unsigned>(__builtin_ctzll(n));
  if (k > kFrTwoAdicity) throw std::invalid_argument("fft size exceeds 2^28");
  return k;
}

void bitReverse(std::vector<Fr>& a, unsigned k) {
  for (size_t i = 0; i < a.size(); ++i) {
    size_t j = 0;
    for (unsigned b = 0; b < k; ++b) j |= ((i >> b) & 1) << (k - 1 - b);
    if (i < j) std::swap(a[i], a[j]);
  }
}

// twiddles[i] = root^i for i < count; slices start from root^begin so threads can split it.
std::vector<Fr> powersOf(const Fr& root, size_t count) {
  std::vector<Fr> out(count);
  parallelFor(count, kMinSlice, [&](size_t begin, size_t end) {
    Fr p = root.pow({begin, 0, 0, 0});
    for (size_t i = begin; i < end; ++i, p *= root) out[i] = p;
  });
  return out;
}

// One butterfly stage, groups of 2·half elements, for butterflies [begin, end) of the n/2.
void stage(Fr* a, const std::vector<Fr>& twiddles, size_t n, size_t half, size_t begin, size_t end) {
  const size_t stride = n / (2 * half);
  for (size_t b = begin; b < end; ++b) {
    const size_t j = b & (half - 1);
    const size_t i0 = (b - j) * 2 + j, i1 = i0 + half;
    const Fr t = a[i1] * twiddles[j * stride];
    a[i1] = a[i0] - t;
    a[i0] = a[i0] + t;
  }
}

// Iterative Cooley–Tukey, decimation in time: bit-reverse, then log2(n) butterfly stages.
void transform(std::vector<Fr>& a, const Fr& root) {
  const size_t n = a.size();
  const unsigned k = log2Exact(n);
  if (n == 1) return;
  bitReverse(a, k);
  const std::vector<Fr> twiddles = powersOf(root, n / 2);
  const size_t block = std::min(n, kBlock);
  parallelFor(n / block, std::max<size_t>(1, kMinSlice / block), [&](size_t first, size_t last) {
    for (size_t blk = first; blk < last; ++blk)
      for (size_t half = 1; half < block; half *= 2) stage(a.data() + blk * block, twiddles, n, half, 0, block / 2);
  });
  for (size_t half = block; half < n; half *= 2)
    parallelFor(n / 2, kMinSlice, [&](size_t begin, size_t end) { stage(a.data(), twiddles, n, half, begin, end); });
}

}  // namespace

Fr rootOfUnity(unsigned k) {
  if (k > kFrTwoAdicity) throw std::invalid_argument("Fr has no 2^k-th roots of unity beyond k = 28");
  Fr w = Fr::fromUint(kNonResidue).pow(kOddPart);  // w[28]
  for (unsigned i = kFrTwoAdicity; i > k; --i) w = w.square();
  return w;
}

Fr cosetShift() { return Fr::fromUint(kNonResidue * kNonResidue); }

void fft(std::vector<Fr>& a) { transform(a, rootOfUnity(log2Exact(a.size()))); }

void ifft(std::vector<Fr>& a) {
  transform(a, rootOfUnity(log2Exact(a.size())).inverse());
  const Fr nInv = Fr::fromUint(a.size()).inverse();
  parallelFor(a.size(), kMinSlice, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) a[i] *= nInv;
  });
}

void scaleByPowers(std::vector<Fr>& a, const Fr& c) {
  parallelFor(a.size(), kMinSlice, [&](size_t begin, size_t end) {
    Fr p = c.pow({begin, 0, 0, 0});
    for (size_t i = begin; i < end; ++i, p *= c) a[i] *= p;
  });
}

}  // namespace zkn
