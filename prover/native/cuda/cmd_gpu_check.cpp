// `gpu-check`: the device's MSM and NTT against the CPU engine's, on seeded random inputs
// with the cases that break bucket methods mixed in (zero, one and r − 1 scalars, points at
// infinity, repeated and opposite points under equal scalars, every scalar in one bucket).
// One JSON line per check; exit code 3 when any result differs.
//   gpu-check all [maxLog2]    msm-g1/msm-g2 up to 2^maxLog2 points, ntt up to 2^(maxLog2 + 2)
//   gpu-check msm-g1 n | msm-g2 n | ntt log2n      one check
//   gpu-check prove <zkey> <wtns>   a proof's five MSM sums, device against CPU, with timings
// A trailing seed (default 1) changes the inputs.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "../src/command.hpp"
#include "../src/fft.hpp"
#include "../src/fixed_base.hpp"
#include "../src/formats.hpp"
#include "../src/msm.hpp"
#include "../src/proof_io.hpp"
#include "gpu.hpp"
#include "to_cpu.hpp"

namespace zkn {
namespace {

// splitmix64: reproducible inputs for a seed.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform below r (254 random bits, drawn again while ≥ r).
  Limbs scalar() {
    for (;;) {
      Limbs v = {next(), next(), next(), next() >> 2};
      if (lessThan(v, Fr::modulus())) return v;
    }
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }

 private:
  uint64_t state_;
};

enum class Mix { Mixed, AllOnes };

template <class Raw>
struct MsmInput {
  std::vector<Raw> bases;
  std::vector<Limbs> scalars;
};

G1Raw negate(const G1Raw& p) { return {p.x, (-Fq::fromMontgomery(p.y)).montgomery()}; }
G2Raw negate(const G2Raw& p) { return {p.x0, p.x1, (-Fq::fromMontgomery(p.y0)).montgomery(), (-Fq::fromMontgomery(p.y1)).montgomery()}; }

template <class Raw, class AffinePoint>
MsmInput<Raw> msmInput(size_t n, Rng& rng, Mix mix) {
  std::vector<Fr> multipliers(n);
  for (Fr& m : multipliers) m = Fr::fromStandard(rng.scalar());
  MsmInput<Raw> in{std::vector<Raw>(n), std::vector<Limbs>(n)};
  fixedBaseMul(AffinePoint::generator(), multipliers.data(), n, in.bases.data());
  Limbs rMinusOne;
  subBorrow(rMinusOne, Fr::modulus(), {1, 0, 0, 0});
  for (size_t i = 0; i < n; ++i) {
    Limbs& k = in.scalars[i];
    if (mix == Mix::AllOnes) {
      k = {1, 0, 0, 0};
      continue;
    }
    switch (rng.below(20)) {
      case 0: k = {0, 0, 0, 0}; break;
      case 1: k = {1, 0, 0, 0}; break;
      case 2: k = rMinusOne; break;
      case 3: k = {rng.below(1 << 16), 0, 0, 0}; break;
      case 4: in.bases[i] = Raw{}; k = rng.scalar(); break;  // infinity
      case 5:  // the previous point again, same scalar: a doubling inside a bucket
        if (i > 0) {
          in.bases[i] = in.bases[i - 1];
          k = in.scalars[i - 1];
          break;
        }
        [[fallthrough]];
      case 6:  // its negation, same scalar: a cancellation inside a bucket
        if (i > 0 && (rng.next() & 1)) {
          in.bases[i] = negate(in.bases[i - 1]);
          k = in.scalars[i - 1];
          break;
        }
        [[fallthrough]];
      default: k = rng.scalar();
    }
  }
  return in;
}

G1Affine loadPoint(const G1Raw& p) { return {Fq::fromMontgomery(p.x), Fq::fromMontgomery(p.y)}; }
G2Affine loadPoint(const G2Raw& p) { return {{Fq::fromMontgomery(p.x0), Fq::fromMontgomery(p.x1)}, {Fq::fromMontgomery(p.y0), Fq::fromMontgomery(p.y1)}}; }
template <class C>
bool sameAffine(const Jacobian<C>& a, const Jacobian<C>& b) {
  const Affine<C> x = a.toAffine(), y = b.toAffine();
  return x.x == y.x && x.y == y.y;
}

double since(std::chrono::steady_clock::time_point t) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count(); }

bool report(const std::string& check, const std::string& what, size_t n, bool equal, double gpuSeconds, double cpuSeconds) {
  std::printf("{\"check\":\"%s\",\"inputs\":\"%s\",\"n\":%zu,\"equal\":%s,\"gpuSeconds\":%.4f,\"cpuSeconds\":%.4f}\n", check.c_str(), what.c_str(), n, equal ? "true" : "false",
              gpuSeconds, cpuSeconds);
  std::fflush(stdout);
  return equal;
}

template <class Raw, class AffinePoint>
bool checkMsm(const std::string& name, size_t n, uint64_t seed, Mix mix) {
  Rng rng(seed);
  const MsmInput<Raw> in = msmInput<Raw, AffinePoint>(n, rng, mix);
  std::vector<AffinePoint> affine(n);
  for (size_t i = 0; i < n; ++i) affine[i] = loadPoint(in.bases[i]);
  auto t = std::chrono::steady_clock::now();
  const auto gpuResult = toCpu(gpu::msm(in.bases.data(), in.scalars.data(), n));
  const double gpuSeconds = since(t);
  t = std::chrono::steady_clock::now();
  const auto cpuResult = msm(affine.data(), in.scalars.data(), n);
  return report(name, mix == Mix::AllOnes ? "all scalars 1" : "mixed", n, sameAffine(gpuResult, cpuResult), gpuSeconds, since(t));
}

bool checkNtt(unsigned log2n, uint64_t seed, bool inverse) {
  Rng rng(seed);
  const size_t n = size_t{1} << log2n;
  std::vector<Fr> values(n);
  for (Fr& v : values) v = Fr::fromStandard(rng.scalar());
  std::vector<Limbs> onDevice(n);
  for (size_t i = 0; i < n; ++i) onDevice[i] = values[i].montgomery();
  auto t = std::chrono::steady_clock::now();
  gpu::ntt(onDevice.data(), n, inverse);
  const double gpuSeconds = since(t);
  t = std::chrono::steady_clock::now();
  if (inverse) ifft(values);
  else fft(values);
  const double cpuSeconds = since(t);
  bool equal = true;
  for (size_t i = 0; i < n; ++i) equal &= onDevice[i] == values[i].montgomery();
  return report(inverse ? "intt" : "ntt", "random", n, equal, gpuSeconds, cpuSeconds);
}

// The five sums of a proof for a real key and witness, device against CPU (the proofs
// themselves differ by their random r and s; the sums do not).
bool checkProof(const std::string& zkeyPath, const std::string& wtnsPath) {
  const Zkey key = readZkey(zkeyPath);
  const Witness witness = readWitness(wtnsPath);
  checkWitnessFits(key, witness, zkeyPath, wtnsPath);
  auto t = std::chrono::steady_clock::now();
  gpu::ResidentKey resident(key);
  const double uploadSeconds = since(t);
  resident.prove(witness);  // warm-up: first-use allocations and module load
  t = std::chrono::steady_clock::now();
  const ProofSums onDevice = toCpu(resident.prove(witness));
  const double gpuSeconds = since(t);
  t = std::chrono::steady_clock::now();
  const ProofSums onCpu = proofSums(key, witness);
  const double cpuSeconds = since(t);
  const bool equal = sameAffine(onDevice.a, onCpu.a) && sameAffine(onDevice.b1, onCpu.b1) && sameAffine(onDevice.b2, onCpu.b2) &&
                     sameAffine(onDevice.c, onCpu.c) && sameAffine(onDevice.h, onCpu.h);
  std::printf("{\"check\":\"prove\",\"zkey\":\"%s\",\"n\":%u,\"equal\":%s,\"uploadSeconds\":%.4f,\"gpuSeconds\":%.4f,\"cpuSeconds\":%.4f}\n", zkeyPath.c_str(),
              key.domainSize, equal ? "true" : "false", uploadSeconds, gpuSeconds, cpuSeconds);
  std::fflush(stdout);
  return equal;
}

size_t parseCount(const std::string& text, const char* what) {
  size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size()) throw UserError(std::string("gpu-check: ") + what + " must be a non-negative integer, got \"" + text + "\"");
  return static_cast<size_t>(v);
}

int checkCommand(int argc, char** argv) {
  const std::string usage = "usage: gpu-check all [maxLog2] [seed] | msm-g1 <n> [seed] | msm-g2 <n> [seed] | ntt <log2n> [seed] | prove <zkey> <wtns>";
  if (argc < 1) throw UserError(usage);
  const std::string what = argv[0];
  if (what == "prove") {
    if (argc != 3) throw UserError(usage);
    gpu::deviceInfo();
    return checkProof(argv[1], argv[2]) ? 0 : 3;
  }
  const size_t arg = argc > 1 ? parseCount(argv[1], "the size") : 12;
  const uint64_t seed = argc > 2 ? parseCount(argv[2], "the seed") : 1;
  if (argc > 3) throw UserError(usage);
  gpu::deviceInfo();
  bool ok = true;
  if (what == "msm-g1") {
    ok = checkMsm<G1Raw, G1Affine>("msm-g1", arg, seed, Mix::Mixed);
  } else if (what == "msm-g2") {
    ok = checkMsm<G2Raw, G2Affine>("msm-g2", arg, seed, Mix::Mixed);
  } else if (what == "ntt") {
    if (arg > 28) throw UserError("gpu-check: ntt sizes stop at 2^28");
    ok = checkNtt(static_cast<unsigned>(arg), seed, false) & checkNtt(static_cast<unsigned>(arg), seed, true);
  } else if (what == "all") {
    if (arg > 26) throw UserError("gpu-check all: maxLog2 stops at 26");
    const unsigned maxLog = static_cast<unsigned>(arg);
    std::vector<size_t> sizes = {0, 1, 2, 3, 17, 100, 1000};
    for (unsigned k = 12; k <= maxLog; k += 2) sizes.push_back((size_t{1} << k) + 3);
    for (size_t n : sizes) {
      if (n > (size_t{1} << maxLog) + 3) continue;
      ok &= checkMsm<G1Raw, G1Affine>("msm-g1", n, seed + n, Mix::Mixed);
      ok &= checkMsm<G2Raw, G2Affine>("msm-g2", n, seed + n, Mix::Mixed);
    }
    ok &= checkMsm<G1Raw, G1Affine>("msm-g1", size_t{1} << (maxLog < 12 ? maxLog : 12), seed, Mix::AllOnes);
    ok &= checkMsm<G2Raw, G2Affine>("msm-g2", 1000, seed, Mix::AllOnes);
    for (unsigned k = 0; k <= maxLog + 2; k += (k < 4 ? 1 : 3)) ok &= checkNtt(k, seed + k, false) & checkNtt(k, seed + k, true);
  } else {
    throw UserError(usage);
  }
  return ok ? 0 : 3;
}

RegisterCommand checkRegistration("gpu-check", "all [maxLog2] [seed] | msm-g1 n | msm-g2 n | ntt log2n | prove zkey wtns  device results vs the CPU engine", checkCommand);

}  // namespace
}  // namespace zkn
