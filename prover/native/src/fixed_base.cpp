#include "fixed_base.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "threads.hpp"

namespace zkn {
namespace {

// Fr elements are below r < 2^254.
constexpr unsigned kScalarBits = 254;
// Past 16 bits the G2 table alone passes 100 MB and saves little.
constexpr unsigned kMaxWindowBits = 16;
// Products made together: one shared inversion per window for this many additions.
constexpr size_t kChunk = 1024;

// With c-bit signed digits the top window would carry into a window of its own unless
// c·windows ≥ kScalarBits + 1 (the top window then holds at most c − 1 bits plus the carry).
unsigned windowCount(unsigned c) { return (kScalarBits + 1 + c - 1) / c; }

// The window width that minimizes table building (2^(c−1) additions and about as much
// normalization work per window) plus n products (one addition per window each).
unsigned windowBits(size_t n) {
  unsigned best = 2;
  double bestCost = 0;
  for (unsigned c = 2; c <= kMaxWindowBits; ++c) {
    const double cost = windowCount(c) * (2.0 * double(uint64_t{1} << (c - 1)) + double(n));
    if (c == 2 || cost < bestCost) best = c, bestCost = cost;
  }
  return best;
}

G1Raw toRaw(const G1Affine& p) { return {p.x.montgomery(), p.y.montgomery()}; }
G2Raw toRaw(const G2Affine& p) { return {p.x.c0.montgomery(), p.x.c1.montgomery(), p.y.c0.montgomery(), p.y.c1.montgomery()}; }

template <class C>
class FixedBaseTable {
 public:
  FixedBaseTable(const Affine<C>& base, size_t n) : bits_(windowBits(n)), windows_(windowCount(bits_)), half_(size_t{1} << (bits_ - 1)) {
    // windowBase[w] = 2^(c·w)·G: c doublings per window, cheap next to the table.
    std::vector<Jacobian<C>> windowBase(windows_);
    Jacobian<C> p = Jacobian<C>::fromAffine(base);
    for (unsigned w = 0; w < windows_; ++w) {
      windowBase[w] = p;
      for (unsigned i = 0; i < bits_; ++i) p = p.dbl();
    }
    const std::vector<Affine<C>> windowBaseAffine = batchToAffine(windowBase);

    table_.resize(size_t{windows_} * half_);
    parallelTasks(windows_, [&](size_t w) {
      std::vector<Jacobian<C>> multiples(half_);
      Jacobian<C> sum = windowBase[w];
      multiples[0] = sum;
      for (size_t d = 1; d < half_; ++d) multiples[d] = sum += windowBaseAffine[w];
      const std::vector<Affine<C>> affine = batchToAffine(multiples);
      std::copy(affine.begin(), affine.end(), table_.begin() + w * half_);
    });
  }

  unsigned windows() const { return windows_; }

  // k's signed digits, one per window, in [−2^(c−1), 2^(c−1)], k = Σ_w digit_w·2^(c·w):
  // a window value above 2^(c−1) becomes value − 2^c with a carry into the next window,
  // so only the positive half of each window needs a table (negation is free).
  void recode(const Limbs& k, int32_t* digits) const {
    uint64_t carry = 0;
    for (unsigned w = 0; w < windows_; ++w) {
      const uint64_t value = bitsAt(k, w * bits_, bits_) + carry;
      carry = value > half_;
      digits[w] = static_cast<int32_t>(value) - static_cast<int32_t>(carry << bits_);
    }
  }

  // digit·2^(c·w)·G for a non-zero digit.
  Affine<C> entry(unsigned w, int32_t digit) const {
    const Affine<C>& p = table_[w * half_ + static_cast<size_t>(digit > 0 ? digit : -digit) - 1];
    return digit > 0 ? p : -p;
  }

 private:
  unsigned bits_, windows_;
  size_t half_;
  std::vector<Affine<C>> table_;  // windows_ × half_, table_[w·half_ + d − 1] = d·2^(c·w)·G
};

// out[i] = scalars[i]·G for one chunk, window by window over all its products at once, in
// affine coordinates: acc += T is λ = (y_T − y)/(x_T − x), x' = λ² − x − x_T,
// y' = λ(x − x') − y, and the chunk's x_T − x are inverted together (Montgomery's trick),
// so an addition costs about six multiplications, against eleven for a mixed Jacobian one,
// and the results need no normalization.
template <class C, class Raw>
void mulChunk(const FixedBaseTable<C>& table, const Fr* scalars, size_t m, Raw* out) {
  using F = typename C::Field;
  const unsigned windows = table.windows();
  std::vector<int32_t> digits(m * windows);
  for (size_t i = 0; i < m; ++i) {
    Limbs k = scalars[i].toStandard();
    table.recode(k, &digits[i * windows]);
    explicit_bzero(k.data(), sizeof k);
  }

  std::vector<Affine<C>> acc(m);  // all infinity
  std::vector<uint32_t> pending;
  std::vector<Affine<C>> addends;
  std::vector<F> inverses;
  for (unsigned w = 0; w < windows; ++w) {
    pending.clear();
    addends.clear();
    inverses.clear();
    for (size_t i = 0; i < m; ++i) {
      const int32_t digit = digits[i * windows + w];
      if (digit == 0) continue;
      const Affine<C> t = table.entry(w, digit);
      if (acc[i].isInfinity()) {
        acc[i] = t;
      } else if (acc[i].x == t.x) {
        // acc = ±t: a doubling or infinity, which the chord formula cannot do. Never seen
        // with random scalars, but handled: Jacobian arithmetic and its own inversion.
        acc[i] = (Jacobian<C>::fromAffine(acc[i]) += t).toAffine();
      } else {
        pending.push_back(static_cast<uint32_t>(i));
        addends.push_back(t);
        inverses.push_back(t.x - acc[i].x);
      }
    }
    batchInverse(inverses.data(), inverses.size());
    for (size_t p = 0; p < pending.size(); ++p) {
      Affine<C>& a = acc[pending[p]];
      const Affine<C>& t = addends[p];
      const F lambda = (t.y - a.y) * inverses[p];
      const F x = lambda.square() - a.x - t.x;
      a.y = lambda * (a.x - x) - a.y;
      a.x = x;
    }
  }
  for (size_t i = 0; i < m; ++i) out[i] = toRaw(acc[i]);
  // The digits spell the secret scalars; the products are public.
  explicit_bzero(digits.data(), digits.size() * sizeof digits[0]);
}

template <class C, class Raw>
void fixedBaseMulImpl(const Affine<C>& base, const Fr* scalars, size_t n, Raw* out) {
  if (n == 0) return;
  const FixedBaseTable<C> table(base, n);
  parallelTasks((n + kChunk - 1) / kChunk, [&](size_t task) {
    const size_t begin = task * kChunk, end = std::min(n, begin + kChunk);
    mulChunk(table, scalars + begin, end - begin, out + begin);
  });
}

}  // namespace

void fixedBaseMul(const G1Affine& base, const Fr* scalars, size_t n, G1Raw* out) { fixedBaseMulImpl(base, scalars, n, out); }
void fixedBaseMul(const G2Affine& base, const Fr* scalars, size_t n, G2Raw* out) { fixedBaseMulImpl(base, scalars, n, out); }

}  // namespace zkn
