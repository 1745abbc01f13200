// GPU results as the CPU engine's points: the same bytes (Montgomery coordinates, Z = 0 at
// infinity), read into the CPU types.
#pragma once
#include "../src/prove.hpp"
#include "gpu.hpp"

namespace zkn {

inline G1 toCpu(const gpu::G1Point& p) { return {Fq::fromMontgomery(p.x), Fq::fromMontgomery(p.y), Fq::fromMontgomery(p.z)}; }
inline G2 toCpu(const gpu::G2Point& p) {
  return {{Fq::fromMontgomery(p.x0), Fq::fromMontgomery(p.x1)}, {Fq::fromMontgomery(p.y0), Fq::fromMontgomery(p.y1)}, {Fq::fromMontgomery(p.z0), Fq::fromMontgomery(p.z1)}};
}
inline ProofSums toCpu(const gpu::ProofSums& s) { return {toCpu(s.a), toCpu(s.b1), toCpu(s.c), toCpu(s.h), toCpu(s.b2)}; }

}  // namespace zkn
