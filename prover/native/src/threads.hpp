// Fork-join helpers over std::thread, one worker per hardware thread (the caller is one of
// them). Work handed to them must not throw: an exception escaping a worker ends the process.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace zkn {

inline unsigned threadCount() {
  static const unsigned count = std::max(1u, std::thread::hardware_concurrency());
  return count;
}

// Calls fn(begin, end) on contiguous slices covering [0, n), one slice per thread, but
// no slice shorter than minSlice (so small inputs stay on the calling thread).
template <class Fn>
void parallelFor(size_t n, size_t minSlice, Fn&& fn) {
  const size_t slices = std::max<size_t>(1, std::min<size_t>(threadCount(), n / std::max<size_t>(1, minSlice)));
  if (slices == 1) {
    fn(size_t{0}, n);
    return;
  }
  std::vector<std::thread> workers;
  for (size_t s = 1; s < slices; ++s) workers.emplace_back([&fn, s, slices, n] { fn(n * s / slices, n * (s + 1) / slices); });
  fn(size_t{0}, n / slices);
  for (std::thread& t : workers) t.join();
}

// Calls fn(task) for every task in [0, count), threads taking the next task as they
// finish one: for tasks of uneven or unknown cost.
template <class Fn>
void parallelTasks(size_t count, Fn&& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t task; (task = next.fetch_add(1)) < count;) fn(task);
  };
  const size_t helpers = std::min<size_t>(threadCount(), count) - (count > 0);
  std::vector<std::thread> workers;
  for (size_t i = 0; i < helpers; ++i) workers.emplace_back(work);
  work();
  for (std::thread& t : workers) t.join();
}

}  // namespace zkn
