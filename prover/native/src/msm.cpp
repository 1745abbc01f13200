#include "msm.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "threads.hpp"

namespace zkn {
namespace {

constexpr unsigned kScalarBits = 254;
// Buckets of wider windows stop fitting in cache, and the bucket sums start to dominate.
constexpr unsigned kMaxWindow = 18;

// Scalars are cut into c-bit windows with signed digits in [−2^(c−1), 2^(c−1)]: a negative
// digit adds −P, which costs one negation, so only 2^(c−1) buckets are needed. One window
// beyond kScalarBits / c covers at least 255 bits, so the top window never carries out.
unsigned windowCount(unsigned c) { return kScalarBits / c + 1; }

// Window w's digit: its c bits, plus the carry from the window below (which carries
// exactly when that window's top bit, bit w·c − 1, is set), minus 2^c when this window's
// own top bit is set (its carry to the next one).
int64_t digit(const Limbs& k, unsigned w, unsigned c) {
  const unsigned pos = w * c;
  const int64_t raw = static_cast<int64_t>(bitsAt(k, pos, c));
  const int64_t carryIn = pos ? static_cast<int64_t>(bitsAt(k, pos - 1, 1)) : 0;
  return raw + carryIn - ((raw >> (c - 1)) << c);
}

// The buckets of one window. Additions into buckets are batched in affine coordinates:
// adding Q to an affine bucket B needs λ = (Q.y − B.y)/(Q.x − B.x), and a batch of such
// additions shares one field inversion (Montgomery's trick), for about 6 multiplications
// per addition against 11 for a Jacobian mixed addition. A batch may touch each bucket only
// once: an addition to a bucket already in the batch waits for the next batch (deferred),
// and when too many wait (scalars piling into a few buckets) it goes to the bucket's
// Jacobian overflow instead, as do additions that would need the doubling or cancellation
// formulas (Q.x = B.x). Windows with few buckets would collide too often to batch, and
// use only the overflow (batch size 0).
template <class C>
class Buckets {
  using F = typename C::Field;

 public:
  explicit Buckets(const MsmPlan& plan)
      : affine_(size_t{1} << (plan.windowBits - 1)), overflow_(affine_.size()), pending_(affine_.size()), batchLimit_(plan.batchSize) {
    batch_.reserve(batchLimit_);
    prefix_.resize(batchLimit_);
  }

  void add(size_t bucket, const Affine<C>& q) {
    if (batchLimit_ == 0) {
      overflow_[bucket] += q;
      return;
    }
    if (pending_[bucket]) defer({static_cast<uint32_t>(bucket), q});
    else place(bucket, q);
    if (batch_.size() >= batchLimit_) flush();
  }

  // Σ_b (b + 1)·bucket_b, as a running sum from the top bucket down.
  Jacobian<C> weightedSum() {
    flush();
    applyBatch();
    for (const Addition& a : deferred_) overflow_[a.bucket] += a.q;
    Jacobian<C> running, sum;
    for (size_t b = affine_.size(); b-- > 0;) {
      running += overflow_[b];
      running += affine_[b];
      sum += running;
    }
    return sum;
  }

 private:
  struct Addition {
    uint32_t bucket;
    Affine<C> q;
  };

  // For a bucket with nothing in the batch.
  void place(size_t bucket, const Affine<C>& q) {
    Affine<C>& b = affine_[bucket];
    if (b.isInfinity()) {
      b = q;
    } else if (q.x == b.x) {
      overflow_[bucket] += q;
    } else {
      pending_[bucket] = 1;
      batch_.push_back({static_cast<uint32_t>(bucket), q});
    }
  }

  void defer(const Addition& a) {
    if (deferred_.size() < batchLimit_) deferred_.push_back(a);
    else overflow_[a.bucket] += a.q;
  }

  // Applies the batch, then moves deferred additions into the next one where they fit.
  void flush() {
    applyBatch();
    retry_.swap(deferred_);
    for (const Addition& a : retry_) {
      if (pending_[a.bucket] || batch_.size() >= batchLimit_) deferred_.push_back(a);
      else place(a.bucket, a.q);
    }
    retry_.clear();
  }

  void applyBatch() {
    F acc = F::one();
    for (size_t j = 0; j < batch_.size(); ++j) {
      prefix_[j] = acc;
      acc *= batch_[j].q.x - affine_[batch_[j].bucket].x;
    }
    F inv = acc.inverse();
    for (size_t j = batch_.size(); j-- > 0;) {
      const Addition& a = batch_[j];
      Affine<C>& b = affine_[a.bucket];
      const F dx = a.q.x - b.x;
      const F lambda = (a.q.y - b.y) * inv * prefix_[j];
      inv *= dx;
      const F x3 = lambda.square() - b.x - a.q.x;
      b.y = lambda * (b.x - x3) - b.y;
      b.x = x3;
      pending_[a.bucket] = 0;
    }
    batch_.clear();
  }

  std::vector<Affine<C>> affine_;      // (0, 0): empty
  std::vector<Jacobian<C>> overflow_;  // infinity unless something collided
  std::vector<uint8_t> pending_;       // bucket has an addition in the batch
  const size_t batchLimit_;
  std::vector<Addition> batch_, deferred_, retry_;
  std::vector<F> prefix_;  // prefix_[j] = Π dx of additions before j
};

// Σ digit_w(k_i)·P_i over the active points: each point goes into the bucket of its digit's
// magnitude, negated for a negative digit.
template <class C>
Jacobian<C> windowSum(const Affine<C>* bases, const Limbs* scalars, const std::vector<uint32_t>& active, unsigned w, const MsmPlan& plan) {
  const unsigned c = plan.windowBits;
  Buckets<C> buckets(plan);
  for (uint32_t i : active) {
    const int64_t d = digit(scalars[i], w, c);
    if (d > 0) buckets.add(static_cast<size_t>(d - 1), bases[i]);
    else if (d < 0) buckets.add(static_cast<size_t>(-d - 1), -bases[i]);
  }
  return buckets.weightedSum();
}

}  // namespace

// Window width from a cost model counted in bucket additions: per window, one per point,
// plus about four additions' worth per bucket to sum the buckets up. Batches of half the
// bucket count keep collisions with pending additions to about a quarter; below 512
// buckets, batches would be too small to pay for their inversion.
MsmPlan msmPlan(size_t points) {
  constexpr size_t kMinBatchedBuckets = 512, kMaxBatch = 4096;
  unsigned best = 1;
  double bestCost = 0;
  for (unsigned c = 1; c <= kMaxWindow; ++c) {
    const double cost = windowCount(c) * (static_cast<double>(points) + 4.0 * static_cast<double>(uint64_t{1} << (c - 1)));
    if (c == 1 || cost < bestCost) {
      best = c;
      bestCost = cost;
    }
  }
  const size_t buckets = size_t{1} << (best - 1);
  return {best, buckets >= kMinBatchedBuckets ? std::min(buckets / 2, kMaxBatch) : 0};
}

template <class C>
Jacobian<C> msm(const Affine<C>* bases, const Limbs* scalars, size_t n) {
  std::vector<uint32_t> active;
  active.reserve(n);
  for (size_t i = 0; i < n; ++i)
    if (!isZero(scalars[i]) && !bases[i].isInfinity()) active.push_back(static_cast<uint32_t>(i));
  if (active.empty()) return Jacobian<C>::infinity();

  const MsmPlan plan = msmPlan(active.size());
  const unsigned c = plan.windowBits;
  const unsigned windows = windowCount(c);
  std::vector<Jacobian<C>> sums(windows);
  parallelTasks(windows, [&](size_t w) { sums[w] = windowSum(bases, scalars, active, static_cast<unsigned>(w), plan); });

  // Horner over the windows: Σ_w 2^(w·c)·sum_w.
  Jacobian<C> result = sums[windows - 1];
  for (unsigned w = windows - 1; w-- > 0;) {
    for (unsigned i = 0; i < c; ++i) result = result.dbl();
    result += sums[w];
  }
  return result;
}

template G1 msm<G1Curve>(const G1Affine*, const Limbs*, size_t);
template G2 msm<G2Curve>(const G2Affine*, const Limbs*, size_t);

}  // namespace zkn
