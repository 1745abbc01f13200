// What the GPU engine's kernels run on. Built by nvcc, kernels are CUDA kernels and arrays
// live in device memory; built by a plain C++ compiler (the "host emulation" the tests and
// CI use, which have no GPU), the very same kernel bodies run on the CPU's threads over
// host memory. Kernels are written once, as `ZKN_HD` lambdas over an index, so what the
// tests check is the code the GPU runs; only launching, memory and atomics differ.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "gpu.hpp"  // the error types

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#define ZKN_HD __host__ __device__
#define ZKN_INLINE __host__ __device__ inline
#if defined(__CUDA_ARCH__)  // the device pass; the host compiler does not know the pragma
#define ZKN_UNROLL _Pragma("unroll")
#else
#define ZKN_UNROLL
#endif
#else
#include "../src/threads.hpp"
#define ZKN_HD
#define ZKN_INLINE inline
#define ZKN_UNROLL
#endif

namespace zkn::gpu {

#if defined(__CUDACC__)
inline void check(cudaError_t status, const char* what) {
  if (status == cudaErrorMemoryAllocation) throw DeviceMemoryError(std::string("the GPU ran out of memory in ") + what);
  if (status != cudaSuccess) throw DeviceError(std::string("CUDA error in ") + what + ": " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")");
}

template <class Fn>
__global__ void forEachIndex(Fn fn, uint64_t n) {
  const uint64_t i = uint64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n) fn(i);
}

// fn(i) for every i in [0, n), one GPU thread each; the launch is checked at once, and
// asynchronous faults surface at the next copy (also checked).
template <class Fn>
void launch(const char* kernel, uint64_t n, Fn fn) {
  if (n == 0) return;
  constexpr unsigned kThreads = 256;
  forEachIndex<<<static_cast<unsigned>((n + kThreads - 1) / kThreads), kThreads>>>(fn, n);
  check(cudaGetLastError(), kernel);
}

inline void synchronize(const char* what) { check(cudaDeviceSynchronize(), what); }
#else
template <class Fn>
void launch(const char*, uint64_t n, Fn fn) {
  parallelFor(static_cast<size_t>(n), 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) fn(static_cast<uint64_t>(i));
  });
}
inline void synchronize(const char*) {}
#endif

// Atomics on device memory; relaxed on the host, where parallelFor's join orders them.
ZKN_INLINE uint32_t atomicAddU32(uint32_t* p, uint32_t v) {
#if defined(__CUDA_ARCH__)
  return atomicAdd(p, v);
#else
  return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
#endif
}
ZKN_INLINE void atomicMaxU32(uint32_t* p, uint32_t v) {
#if defined(__CUDA_ARCH__)
  atomicMax(p, v);
#else
  uint32_t seen = __atomic_load_n(p, __ATOMIC_RELAXED);
  while (seen < v && !__atomic_compare_exchange_n(p, &seen, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
#endif
}

// An array in device memory (host memory in the emulation). Plain allocations; the
// capacity only grows, so workspaces reused across proofs stop allocating after the first.
template <class T>
class DeviceArray {
 public:
  DeviceArray() = default;
  explicit DeviceArray(size_t n, const char* what) { reserve(n, what); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DeviceArray(DeviceArray&& o) noexcept : data_(std::exchange(o.data_, nullptr)), capacity_(std::exchange(o.capacity_, 0)) {}
  DeviceArray& operator=(DeviceArray&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(capacity_, o.capacity_);
    return *this;
  }
  ~DeviceArray() { release(); }

  // Room for n elements; the contents are lost when it grows.
  void reserve(size_t n, const char* what) {
    if (n <= capacity_) return;
    release();
#if defined(__CUDACC__)
    void* p = nullptr;
    const cudaError_t status = cudaMalloc(&p, n * sizeof(T));
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // clear the sticky-free error so later calls still work
      throw DeviceMemoryError("the GPU has no room for " + std::to_string((n * sizeof(T)) >> 20) + " MiB more (" + what + ")");
    }
    check(status, what);
    data_ = static_cast<T*>(p);
#else
    (void)what;
    data_ = static_cast<T*>(::operator new(n * sizeof(T)));
#endif
    capacity_ = n;
  }
  void upload(const T* host, size_t n, const char* what) {
    reserve(n, what);
    copy(data_, host, n, true, what);
  }
  void download(T* host, size_t n, const char* what, size_t offset = 0) const { copy(host, data_ + offset, n, false, what); }
  void zero(size_t n, const char* what) {
    reserve(n, what);
#if defined(__CUDACC__)
    check(cudaMemset(data_, 0, n * sizeof(T)), what);
#else
    std::memset(static_cast<void*>(data_), 0, n * sizeof(T));
#endif
  }
  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t capacity() const { return capacity_; }

 private:
  static void copy(T* to, const T* from, size_t n, bool toDevice, const char* what) {
    if (n == 0) return;
#if defined(__CUDACC__)
    check(cudaMemcpy(to, from, n * sizeof(T), toDevice ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost), what);
#else
    (void)toDevice;
    (void)what;
    std::memcpy(static_cast<void*>(to), from, n * sizeof(T));
#endif
  }
  void release() {
    if (!data_) return;
#if defined(__CUDACC__)
    // Destructors cannot throw: a failed free (a context already broken) is reported here,
    // and the next checked call fails with the cause.
    const cudaError_t status = cudaFree(data_);
    if (status != cudaSuccess) std::fprintf(stderr, "warning: cudaFree failed: %s\n", cudaGetErrorString(status));
#else
    ::operator delete(data_);
#endif
    data_ = nullptr;
    capacity_ = 0;
  }

  T* data_ = nullptr;
  size_t capacity_ = 0;
};

// One element back from the device (a total, a maximum).
template <class T>
T fetch(const DeviceArray<T>& a, size_t index, const char* what) {
  T v;
  a.download(&v, 1, what, index);
  return v;
}

}  // namespace zkn::gpu
