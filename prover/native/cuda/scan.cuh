// Exclusive prefix sums of uint32 counts on the device, for turning per-bucket counts into
// offsets. Chunks of kChunk consecutive counts are summed by one thread each, the chunk
// sums are scanned the same way (recursively), and each chunk then writes its offsets.
#pragma once
#include <vector>

#include "backend.hpp"

namespace zkn::gpu {

class Scanner {
 public:
  // out[i] = Σ_{j < i} in[j] for i ≤ n (out has n + 1 entries); returns out[n]. The
  // total must fit 32 bits (callers bound it).
  uint32_t exclusiveScan(const uint32_t* in, uint32_t* out, size_t n) {
    scan(in, out, n, 0);
    uint32_t total = 0;
#if defined(__CUDACC__)
    check(cudaMemcpy(&total, out + n, sizeof total, cudaMemcpyDeviceToHost), "scan total");
#else
    total = out[n];
#endif
    return total;
  }

  // Public only because CUDA's extended lambdas may not sit in private member functions.
  static constexpr uint32_t kChunk = 32;

  void scan(const uint32_t* in, uint32_t* out, size_t n, size_t level) {
    if (n == 0) {
      launch("scan: empty", 1, [=] ZKN_HD(uint64_t) { out[0] = 0; });
      return;
    }
    const size_t chunks = (n + kChunk - 1) / kChunk;
    if (levels_.size() <= level) levels_.resize(level + 1);
    // Pointers, not a reference into levels_: the recursion below may grow the vector.
    levels_[level].sums.reserve(chunks, "scan chunk sums");
    levels_[level].offsets.reserve(chunks + 1, "scan chunk offsets");
    uint32_t* sums = levels_[level].sums.data();
    uint32_t* offsets = levels_[level].offsets.data();
    launch("scan: chunk sums", chunks, [=] ZKN_HD(uint64_t c) {
      uint32_t s = 0;
      for (size_t i = c * kChunk; i < n && i < (c + 1) * kChunk; ++i) s += in[i];
      sums[c] = s;
    });
    if (chunks > 1) {
      scan(sums, offsets, chunks, level + 1);
    } else {
      launch("scan: single chunk", 1, [=] ZKN_HD(uint64_t) { offsets[0] = 0; });
    }
    launch("scan: offsets", chunks, [=] ZKN_HD(uint64_t c) {
      uint32_t running = offsets[c];
      for (size_t i = c * kChunk; i < n && i < (c + 1) * kChunk; ++i) {
        out[i] = running;
        running += in[i];
      }
      if (c + 1 == chunks) out[n] = running;
    });
  }

 private:
  struct Level {
    DeviceArray<uint32_t> sums, offsets;
  };
  std::vector<Level> levels_;
};

}  // namespace zkn::gpu
