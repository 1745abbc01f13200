// gpu.hpp's functions: device selection, the check entry points (msm, ntt) and a resident
// proving key, over the kernels of msm.cuh and ntt.cuh.
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "../src/command.hpp"
#include "gpu.hpp"
#include "msm.cuh"
#include "ntt.cuh"

namespace zkn::gpu {
namespace {

// The architecture nvcc built for (Makefile CUDA_ARCH, sm_90 by default), as major·10 + minor.
#if defined(__CUDACC__)
#ifndef ZKN_CUDA_ARCH
#define ZKN_CUDA_ARCH 90
#endif
#endif

template <class To, class From>
To bitCopy(const From& from) {
  static_assert(sizeof(To) == sizeof(From), "same bytes");
  To to;
  std::memcpy(static_cast<void*>(&to), &from, sizeof to);
  return to;
}

G1Point toPoint(const G1Jacobian32& p) { return bitCopy<G1Point>(p); }
G2Point toPoint(const G2Jacobian32& p) { return bitCopy<G2Point>(p); }

unsigned log2Exact(size_t n) {
  if (n == 0 || (n & (n - 1)) != 0) throw std::invalid_argument("the domain size must be a power of two");
  unsigned k = 0;
  while ((size_t{1} << k) < n) ++k;
  return k;
}

// Witness values, scalars and points share their byte layout with the device types.
static_assert(sizeof(Limbs) == kLimbs * sizeof(uint32_t), "a scalar is 8 words");
static_assert(sizeof(G1Raw) == sizeof(G1Affine32) && sizeof(G2Raw) == sizeof(G2Affine32), "zkey points are device points");

template <class Affine, class Raw>
void uploadPoints(DeviceArray<Affine>& to, const std::vector<Raw>& from, const char* what) {
  to.upload(reinterpret_cast<const Affine*>(from.data()), from.size(), what);
}

template <class Affine, class Raw>
auto msmOnce(const Raw* bases, const Limbs* scalars, size_t n) {
  DeviceArray<Affine> deviceBases;
  DeviceArray<uint32_t> deviceScalars;
  deviceBases.upload(reinterpret_cast<const Affine*>(bases), n, "msm bases");
  deviceScalars.upload(reinterpret_cast<const uint32_t*>(scalars), n * kLimbs, "msm scalars");
  MsmEngine<decltype(Affine{}.x)> engine;
  return toPoint(engine.run(deviceBases.data(), deviceScalars.data(), n));
}

}  // namespace

DeviceInfo deviceInfo() {
#if defined(__CUDACC__)
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status == cudaErrorInsufficientDriver)  // also what a machine with no NVIDIA driver at all reports
    throw UserError(std::string("no CUDA device: no NVIDIA driver recent enough for CUDA ") + std::to_string(CUDART_VERSION / 1000) +
                    " is loaded (CUDA says: " + cudaGetErrorString(status) + ")");
  if (status != cudaSuccess) throw UserError(std::string("no CUDA device: ") + cudaGetErrorString(status));
  if (count == 0) throw UserError("no CUDA device: the CUDA runtime sees none");
  cudaDeviceProp props{};
  check(cudaGetDeviceProperties(&props, 0), "cudaGetDeviceProperties");
  if (props.major * 10 + props.minor < ZKN_CUDA_ARCH)
    throw UserError(std::string("the CUDA prover was built for sm_") + std::to_string(ZKN_CUDA_ARCH) + " but " + props.name + " is sm_" +
                    std::to_string(props.major * 10 + props.minor) + ": rebuild with `make -C prover/native cuda CUDA_ARCH=sm_" +
                    std::to_string(props.major * 10 + props.minor) + "`");
  return {"cuda", props.name, props.major, props.minor, props.totalGlobalMem >> 20};
#else
  return {"host-emulation", "CPU, " + std::to_string(std::thread::hardware_concurrency()) + " threads", 0, 0, 0};
#endif
}

G1Point msm(const G1Raw* bases, const Limbs* scalars, size_t n) { return msmOnce<G1Affine32>(bases, scalars, n); }
G2Point msm(const G2Raw* bases, const Limbs* scalars, size_t n) { return msmOnce<G2Affine32>(bases, scalars, n); }

void ntt(Limbs* values, size_t n, bool inverse) {
  Ntt transform(log2Exact(n));
  DeviceArray<Fr32> a;
  a.upload(reinterpret_cast<const Fr32*>(values), n, "ntt values");
  transform.transform(a.data(), inverse);
  if (inverse) {
    Fr32* data = a.data();
    const Fr32 nInv = Fr32::fromUint(static_cast<uint32_t>(n)).inverse();
    launch("ntt: divide by n", n, [=] ZKN_HD(uint64_t i) { data[i] = data[i] * nInv; });
  }
  a.download(reinterpret_cast<Fr32*>(values), n, "ntt values");
}

struct ResidentKey::State {
  uint32_t nVars, nPublic, domainSize;
  DeviceArray<G1Affine32> a, b1, c, h;
  DeviceArray<G2Affine32> b2;
  // The A and B matrices by row: row r's entries are [rowStart[r], rowStart[r + 1]).
  DeviceArray<uint32_t> rowStartA, rowStartB, signalA, signalB;
  DeviceArray<Fr32> valueA, valueB;
  DeviceArray<Fr32> cosetScale;  // 1/n · inc^i: the inverse NTT's division and the coset shift in one pass
  Ntt ntt;
  DeviceArray<uint32_t> witness, hScalars;
  DeviceArray<Fr32> evalA, evalB, evalC;
  MsmEngine<Fq32> g1;
  MsmEngine<Fq2_32> g2;

  explicit State(const Zkey& key) : nVars(key.nVars), nPublic(key.nPublic), domainSize(key.domainSize), ntt(log2Exact(key.domainSize)) {}
};

namespace {

// The zkey's coefficients (A and B, any order) as rows of one matrix.
void uploadRows(const Zkey& key, uint32_t matrix, DeviceArray<uint32_t>& rowStart, DeviceArray<uint32_t>& signal, DeviceArray<Fr32>& value) {
  std::vector<uint32_t> start(key.domainSize + 1, 0);
  for (const Coefficient& k : key.coefficients)
    if (k.matrix == matrix) ++start[k.constraint + 1];
  for (size_t r = 0; r < key.domainSize; ++r) start[r + 1] += start[r];
  std::vector<uint32_t> cursor(start.begin(), start.end() - 1), signals(start.back());
  std::vector<Fr32> values(start.back());
  for (const Coefficient& k : key.coefficients) {
    if (k.matrix != matrix) continue;
    const uint32_t at = cursor[k.constraint]++;
    signals[at] = k.signal;
    values[at] = bitCopy<Fr32>(k.value);
  }
  rowStart.upload(start.data(), start.size(), "constraint rows");
  signal.upload(signals.data(), signals.size(), "constraint signals");
  value.upload(values.data(), values.size(), "constraint coefficients");
}

// The zkey's H points are made for snarkjs's coset: ω_(k+1), or the shift 25 at 2^28.
Fr32 cosetShift(unsigned log2n) { return log2n == kFrTwoAdicity32 ? Fr32::fromUint(25) : rootOfUnity32(log2n + 1); }

}  // namespace

ResidentKey::ResidentKey(const Zkey& key) : state_(std::make_unique<State>(key)) {
  for (const Coefficient& k : key.coefficients)
    if (k.matrix > 1 || k.constraint >= key.domainSize || k.signal >= key.nVars) throw std::invalid_argument("zkey coefficient out of range");
  State& s = *state_;
  uploadPoints(s.a, key.A, "A points");
  uploadPoints(s.b1, key.B1, "B1 points");
  uploadPoints(s.b2, key.B2, "B2 points");
  uploadPoints(s.c, key.C, "C points");
  uploadPoints(s.h, key.H, "H points");
  uploadRows(key, 0, s.rowStartA, s.signalA, s.valueA);
  uploadRows(key, 1, s.rowStartB, s.signalB, s.valueB);
  const unsigned log2n = log2Exact(key.domainSize);
  s.cosetScale.reserve(key.domainSize, "coset factors");
  fillPowers(s.cosetScale.data(), key.domainSize, cosetShift(log2n), Fr32::fromUint(key.domainSize).inverse());
  s.witness.reserve(size_t{key.nVars} * kLimbs, "witness");
  s.hScalars.reserve(size_t{key.domainSize} * kLimbs, "H scalars");
  s.evalA.reserve(key.domainSize, "A evaluations");
  s.evalB.reserve(key.domainSize, "B evaluations");
  s.evalC.reserve(key.domainSize, "C evaluations");
  synchronize("key upload");
}

ResidentKey::~ResidentKey() = default;

ProofSums ResidentKey::prove(const Witness& witness) {
  State& s = *state_;
  if (witness.values.size() != s.nVars) throw std::invalid_argument("prove: the witness does not belong to the proving key");
  s.witness.upload(reinterpret_cast<const uint32_t*>(witness.values.data()), size_t{s.nVars} * kLimbs, "witness");
  const uint32_t* w = s.witness.data();
  Fr32 *ea = s.evalA.data(), *eb = s.evalB.data(), *ec = s.evalC.data();
  {  // Row r of A and B times the witness, and C = A∘B, as prove.cpp's evaluateABC: the
     // stored coefficient v·R² times the plain witness value is v·w in Montgomery form.
    const uint32_t *startA = s.rowStartA.data(), *startB = s.rowStartB.data(), *sigA = s.signalA.data(), *sigB = s.signalB.data();
    const Fr32 *valA = s.valueA.data(), *valB = s.valueB.data();
    launch("prove: evaluate rows", s.domainSize, [=] ZKN_HD(uint64_t r) {
      Fr32 a = Fr32::zero(), b = Fr32::zero();
      for (uint32_t e = startA[r]; e < startA[r + 1]; ++e) a += valA[e] * Fr32::load(w + kLimbs * sigA[e]);
      for (uint32_t e = startB[r]; e < startB[r + 1]; ++e) b += valB[e] * Fr32::load(w + kLimbs * sigB[e]);
      ea[r] = a;
      eb[r] = b;
      ec[r] = a * b;
    });
  }
  // To the coset: interpolate, scale coefficient i by inc^i/n, evaluate.
  const Fr32* scale = s.cosetScale.data();
  for (Fr32* v : {ea, eb, ec}) {
    s.ntt.transform(v, true);
    launch("prove: coset scaling", s.domainSize, [=] ZKN_HD(uint64_t i) { v[i] = v[i] * scale[i]; });
    s.ntt.transform(v, false);
  }
  uint32_t* h = s.hScalars.data();
  launch("prove: quotient", s.domainSize, [=] ZKN_HD(uint64_t i) {
    const Fr32 q = (ea[i] * eb[i] - ec[i]).toStandard();
    for (int j = 0; j < kLimbs; ++j) h[kLimbs * i + j] = q.v[j];
  });
  ProofSums sums;
  sums.a = toPoint(s.g1.run(s.a.data(), w, s.nVars));
  sums.b1 = toPoint(s.g1.run(s.b1.data(), w, s.nVars));
  sums.b2 = toPoint(s.g2.run(s.b2.data(), w, s.nVars));
  sums.c = toPoint(s.g1.run(s.c.data(), w + kLimbs * (size_t{s.nPublic} + 1), s.nVars - s.nPublic - 1));
  sums.h = toPoint(s.g1.run(s.h.data(), h, s.domainSize));
  return sums;
}

}  // namespace zkn::gpu
