// Multi-scalar multiplication on the device: Pippenger's bucket method with signed window
// digits, as msm.cpp on the CPU, laid out for thousands of threads:
//
//  1. count: each point's non-zero digits, one atomic increment per (window, bucket);
//  2. scan the counts into offsets, and scatter point indices (sign in the top bit) so each
//     bucket's points are contiguous (a counting sort by bucket);
//  3. sum the buckets by segmented reduction: threads sum runs of at most kRun entries of
//     one bucket, and the partial sums are reduced the same way until one per bucket
//     remains, so a bucket holding millions of points (witnesses are full of 0s, 1s and
//     small values, which all land in a few buckets) still spreads over many threads;
//  4. weight the buckets: threads take kSpan consecutive buckets of a window and form
//     Σ (b + 1)·B_b by running sums, the window's partials are reduced as in 3;
//  5. Horner over the window sums on the host (a few hundred doublings).
#pragma once
#include <vector>

#include "curve32.hpp"
#include "scan.cuh"

namespace zkn::gpu {

constexpr unsigned kScalarBits = 254;
constexpr unsigned kMaxWindowBits = 16;

struct MsmShape {
  unsigned windowBits, windows;
  uint32_t buckets;  // per window: signed digits need 2^(c−1)
};

// Work ≈ windows × (points + 2 × buckets): one addition per point and window, two per
// bucket in the weighting. One window past kScalarBits / c keeps the top digit from carrying.
inline MsmShape msmShape(size_t points) {
  MsmShape best{2, kScalarBits / 2 + 1, 2};
  double bestCost = 0;
  for (unsigned c = 2; c <= kMaxWindowBits; ++c) {
    const unsigned windows = kScalarBits / c + 1;
    const double cost = windows * (static_cast<double>(points) + 2.0 * static_cast<double>(1u << (c - 1)));
    if (c == 2 || cost < bestCost) {
      best = {c, windows, 1u << (c - 1)};
      bestCost = cost;
    }
  }
  return best;
}

// Window w's digit in [−2^(c−1), 2^(c−1)]: its c bits, plus the carry from below, minus
// 2^c when its own top bit is set (msm.cpp's digit()).
ZKN_INLINE int32_t signedDigit(const uint32_t* k, unsigned w, unsigned c) {
  const unsigned pos = w * c;
  const int32_t raw = static_cast<int32_t>(scalarBits(k, pos, c));
  const int32_t carryIn = pos ? static_cast<int32_t>(scalarBits(k, pos - 1, 1)) : 0;
  return raw + carryIn - ((raw >> (c - 1)) << c);
}

ZKN_INLINE bool isZeroScalar(const uint32_t* k) {
  uint32_t any = 0;
  for (int i = 0; i < kLimbs; ++i) any |= k[i];
  return any == 0;
}

constexpr uint32_t kSignBit = 0x80000000u;

// fn(segment, negative) for each non-zero digit of point i, window by window, where segment
// = window · buckets + |digit| − 1; nothing for a zero scalar or a base at infinity.
template <class Affine, class Fn>
ZKN_INLINE void forEachDigit(const Affine* bases, const uint32_t* scalars, uint64_t i, unsigned windows, unsigned c, uint32_t buckets, Fn&& fn) {
  const uint32_t* k = scalars + kLimbs * i;
  if (isZeroScalar(k) || bases[i].isInfinity()) return;
  for (unsigned w = 0; w < windows; ++w) {
    const int32_t d = signedDigit(k, w, c);
    if (d != 0) fn(w * buckets + static_cast<uint32_t>(d > 0 ? d : -d) - 1, d < 0);
  }
}

// The segment holding element t: the last s with offsets[s] ≤ t (empty segments share
// their offset with the next, so the last one is the non-empty segment).
ZKN_INLINE uint32_t segmentOf(const uint32_t* offsets, uint32_t segments, uint32_t t) {
  uint32_t lo = 0, hi = segments;  // offsets[lo] ≤ t < offsets[hi]
  while (hi - lo > 1) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (offsets[mid] <= t) lo = mid;
    else hi = mid;
  }
  return lo;
}

template <class F>
class MsmEngine {
  using Affine = Affine32<F>;
  using Jacobian = Jacobian32<F>;

 public:
  // Σ scalars[i]·bases[i] over device arrays (scalars: 8 words each, standard form).
  Jacobian run(const Affine* bases, const uint32_t* scalars, size_t n) {
    if (n == 0) return Jacobian::infinity();
    if (n >= kSignBit) throw DeviceError("msm: too many points for 31-bit indices");
    const MsmShape shape = msmShape(n);
    const unsigned c = shape.windowBits, windows = shape.windows;
    const uint32_t buckets = shape.buckets, segments = windows * buckets;
    // Offsets into the sorted entries are 32-bit: at most one entry per (point, window).
    if (uint64_t{n} * windows >= (uint64_t{1} << 32)) throw DeviceError("msm: too many points for 32-bit bucket offsets");

    // 1–2: counting sort of (point, window) by bucket.
    counts_.zero(segments, "msm bucket counts");
    uint32_t* counts = counts_.data();
    launch("msm: count digits", n, [=] ZKN_HD(uint64_t i) {
      forEachDigit(bases, scalars, i, windows, c, buckets, [&](uint32_t segment, bool) { atomicAddU32(&counts[segment], 1); });
    });
    offsets_.reserve(segments + 1, "msm bucket offsets");
    const uint32_t entries = scanner_.exclusiveScan(counts, offsets_.data(), segments);
    if (entries == 0) return Jacobian::infinity();
    uint32_t* offsets = offsets_.data();
    cursor_.reserve(segments, "msm bucket cursors");
    uint32_t* cursor = cursor_.data();
    launch("msm: cursors", segments, [=] ZKN_HD(uint64_t s) { cursor[s] = offsets[s]; });
    sorted_.reserve(entries, "msm sorted entries");
    uint32_t* sorted = sorted_.data();
    launch("msm: scatter", n, [=] ZKN_HD(uint64_t i) {
      forEachDigit(bases, scalars, i, windows, c, buckets, [&](uint32_t segment, bool negative) {
        sorted[atomicAddU32(&cursor[segment], 1)] = static_cast<uint32_t>(i) | (negative ? kSignBit : 0);
      });
    });

    // 3: bucket sums; the first level reads signed points, finish() the partial sums.
    uint32_t maxRuns = 0;
    const uint32_t tasks = runOffsets(offsets, segments, taskOffsetsA_, maxRuns);
    partialA_.reserve(tasks, "msm partial sums");
    sumPointRuns(bases, sorted, offsets, taskOffsetsA_.data(), segments, tasks, partialA_.data());
    const Jacobian* bucketSums = finish(segments, maxRuns);

    // 4: each window's Σ (b + 1)·B_b from spans of kSpan buckets, then per-window sums.
    const uint32_t span = buckets < kSpan ? buckets : kSpan;
    const uint32_t spansPerWindow = (buckets + span - 1) / span, spans = windows * spansPerWindow;
    weighted_.reserve(spans, "msm weighted spans");
    Jacobian* weighted = weighted_.data();
    launch("msm: weight buckets", spans, [=] ZKN_HD(uint64_t t) {
      const uint32_t w = static_cast<uint32_t>(t) / spansPerWindow, lo = (static_cast<uint32_t>(t) % spansPerWindow) * span;
      const uint32_t hi = lo + span < buckets ? lo + span : buckets;
      Jacobian running = Jacobian::infinity(), sum = Jacobian::infinity();
      for (uint32_t b = hi; b-- > lo;) {
        running += bucketSums[w * buckets + b];
        sum += running;
      }
      weighted[t] = sum + running.times(lo);  // Σ (b − lo + 1)·B_b + lo·Σ B_b
    });
    spanOffsets_.reserve(windows + 1, "msm window offsets");
    uint32_t* spanOffsets = spanOffsets_.data();
    launch("msm: window offsets", windows + 1, [=] ZKN_HD(uint64_t w) { spanOffsets[w] = static_cast<uint32_t>(w) * spansPerWindow; });
    reduceJacobians(weighted, spanOffsets, windows);

    // 5: Horner, Σ_w 2^(w·c)·S_w, over the window sums reduceJacobians left in gathered_.
    std::vector<Jacobian> sums(windows);
    gathered_.download(sums.data(), windows, "msm window sums");
    Jacobian result = sums[windows - 1];
    for (unsigned w = windows - 1; w-- > 0;) {
      for (unsigned i = 0; i < c; ++i) result = result.dbl();
      result += sums[w];
    }
    return result;
  }

  // The helpers below hold kernels, which CUDA's extended lambdas do not allow in private
  // member functions: they are public, the state is not.

  // Entries per thread in the segmented reductions, and buckets per thread in the weighting.
  static constexpr uint32_t kRun = 16, kSpan = 32;

  // Reduces segments of Jacobian points (segment s: elements [offsets[s], offsets[s+1]))
  // to one sum per segment, infinity where empty.
  const Jacobian* reduceJacobians(const Jacobian* elements, const uint32_t* offsets, uint32_t segments) {
    uint32_t maxRuns = 0;
    const uint32_t tasks = runOffsets(offsets, segments, taskOffsetsA_, maxRuns);
    partialA_.reserve(tasks, "msm partial sums");
    sumRuns(elements, offsets, taskOffsetsA_.data(), segments, tasks, partialA_.data());
    return finish(segments, maxRuns);
  }

  // Levels after the first: partialA_ (segments delimited by taskOffsetsA_) is reduced until
  // each segment has at most one element, then gathered into one slot per segment.
  const Jacobian* finish(uint32_t segments, uint32_t maxRuns) {
    while (maxRuns > 1) {
      const uint32_t next = runOffsets(taskOffsetsA_.data(), segments, taskOffsetsB_, maxRuns);
      partialB_.reserve(next, "msm partial sums");
      sumRuns(partialA_.data(), taskOffsetsA_.data(), taskOffsetsB_.data(), segments, next, partialB_.data());
      std::swap(partialA_, partialB_);
      std::swap(taskOffsetsA_, taskOffsetsB_);
    }
    gathered_.reserve(segments, "msm segment sums");
    Jacobian* gathered = gathered_.data();
    const Jacobian* partial = partialA_.data();
    const uint32_t* taskOffsets = taskOffsetsA_.data();
    launch("msm: gather segment sums", segments, [=] ZKN_HD(uint64_t s) {
      gathered[s] = taskOffsets[s + 1] > taskOffsets[s] ? partial[taskOffsets[s]] : Jacobian::infinity();
    });
    return gathered;
  }

  // next[s] = offsets of ⌈len_s / kRun⌉ runs per segment; returns their total and sets
  // maxRuns to the longest segment's run count.
  uint32_t runOffsets(const uint32_t* offsets, uint32_t segments, DeviceArray<uint32_t>& next, uint32_t& maxRuns) {
    runCounts_.reserve(segments, "msm run counts");
    maxRuns_.zero(1, "msm longest segment");
    uint32_t* runCounts = runCounts_.data();
    uint32_t* longest = maxRuns_.data();
    launch("msm: run counts", segments, [=] ZKN_HD(uint64_t s) {
      const uint32_t runs = (offsets[s + 1] - offsets[s] + kRun - 1) / kRun;
      runCounts[s] = runs;
      atomicMaxU32(longest, runs);
    });
    next.reserve(segments + 1, "msm run offsets");
    const uint32_t total = scanner_.exclusiveScan(runCounts, next.data(), segments);
    maxRuns = fetch(maxRuns_, 0, "msm longest segment");
    return total;
  }

  // Task t sums run t of its segment: entries of `sorted`, each a point index with the
  // sign in the top bit.
  static void sumPointRuns(const Affine* bases, const uint32_t* sorted, const uint32_t* offsets, const uint32_t* taskOffsets, uint32_t segments, uint32_t tasks, Jacobian* out) {
    launch("msm: sum bucket runs", tasks, [=] ZKN_HD(uint64_t t) {
      const uint32_t s = segmentOf(taskOffsets, segments, static_cast<uint32_t>(t));
      const uint32_t begin = offsets[s] + (static_cast<uint32_t>(t) - taskOffsets[s]) * kRun;
      const uint32_t end = begin + kRun < offsets[s + 1] ? begin + kRun : offsets[s + 1];
      Jacobian sum = Jacobian::infinity();
      for (uint32_t e = begin; e < end; ++e) {
        const uint32_t entry = sorted[e];
        const Affine p = bases[entry & ~kSignBit];
        sum += (entry & kSignBit) ? -p : p;
      }
      out[t] = sum;
    });
  }

  // The same over partial sums.
  static void sumRuns(const Jacobian* elements, const uint32_t* offsets, const uint32_t* taskOffsets, uint32_t segments, uint32_t tasks, Jacobian* out) {
    launch("msm: sum partial runs", tasks, [=] ZKN_HD(uint64_t t) {
      const uint32_t s = segmentOf(taskOffsets, segments, static_cast<uint32_t>(t));
      const uint32_t begin = offsets[s] + (static_cast<uint32_t>(t) - taskOffsets[s]) * kRun;
      const uint32_t end = begin + kRun < offsets[s + 1] ? begin + kRun : offsets[s + 1];
      Jacobian sum = Jacobian::infinity();
      for (uint32_t e = begin; e < end; ++e) sum += elements[e];
      out[t] = sum;
    });
  }

 private:
  Scanner scanner_;
  DeviceArray<uint32_t> counts_, offsets_, cursor_, sorted_, runCounts_, maxRuns_, taskOffsetsA_, taskOffsetsB_, spanOffsets_;
  DeviceArray<Jacobian> partialA_, partialB_, gathered_, weighted_;
};

// Instantiated once each, in msm_g1.cu and msm_g2.cu.
extern template class MsmEngine<Fq32>;
extern template class MsmEngine<Fq2_32>;

}  // namespace zkn::gpu
