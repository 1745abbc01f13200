// The GPU engine's interface to the rest of the native engine, in plain types (zkey and
// witness structures, Limbs): compiled by nvcc for a GPU or by the C++ compiler for the
// host emulation (see backend.hpp), and called from ordinary C++.
#pragma once
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "../src/formats.hpp"

namespace zkn::gpu {

// A failed CUDA call or launch: the engine cannot go on (std::runtime_error, exit code 2).
struct DeviceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The device has too little memory for the key or the work (the user can pick a smaller
// circuit or another prover).
struct DeviceMemoryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DeviceInfo {
  std::string backend;  // "cuda" or "host-emulation"
  std::string name;
  int major = 0, minor = 0;  // compute capability
  size_t memoryMiB = 0;
};

// The device this process will use; throws zkn::UserError("no CUDA device: …") without one.
DeviceInfo deviceInfo();

// Jacobian results in the CPU engine's byte layout (Montgomery coordinates, Z = 0 at infinity).
struct G1Point {
  Limbs x, y, z;
};
struct G2Point {
  Limbs x0, x1, y0, y1, z0, z1;
};

// Σ scalars[i]·bases[i] on the device: scalars in standard form (below r), bases as a zkey
// stores them (infinity = all zeros). For checks against the CPU engine; proofs use ResidentKey.
G1Point msm(const G1Raw* bases, const Limbs* scalars, size_t n);
G2Point msm(const G2Raw* bases, const Limbs* scalars, size_t n);

// In place over Fr in Montgomery form, natural order, snarkjs's roots (fft.hpp's fft/ifft).
void ntt(Limbs* values, size_t n, bool inverse);

// What the blinding needs from a proof's device work: the five MSMs of prove.cpp.
struct ProofSums {
  G1Point a, b1, c, h;
  G2Point b2;
};

// A proving key on the device: points, the A and B matrices as rows (CSR), twiddles and
// coset factors, and the work buffers, uploaded once and reused for every proof.
class ResidentKey {
 public:
  explicit ResidentKey(const Zkey& key);
  ~ResidentKey();
  ResidentKey(const ResidentKey&) = delete;
  ResidentKey& operator=(const ResidentKey&) = delete;

  // The witness must belong to the key (the caller checks length and prime).
  ProofSums prove(const Witness& witness);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace zkn::gpu
