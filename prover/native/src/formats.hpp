// The binary files the engine reads and writes, in the iden3/snarkjs "binfile" layout:
// magic (4 bytes), version (u32), section count (u32), then sections of
// (id u32, size u64, payload). All integers little-endian. Field elements are 32-byte
// little-endian; where noted they are in Montgomery form (x·2^256 mod p), as snarkjs
// stores them. Section tables of each format are documented in formats.cpp.
//
// Every reader throws zkn::UserError with a message that names the file, the section
// and the problem (missing, truncated, wrong size, wrong curve, wrong protocol).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace zkn {

// A field element or coordinate as stored: 4 little-endian 64-bit limbs.
using Limbs = std::array<uint64_t, 4>;

// A G1 point as stored in a zkey: x, y (Montgomery, base field). Infinity is x = y = 0.
struct G1Raw {
  Limbs x, y;
};
// A G2 point: x = x0 + x1·u, y = y0 + y1·u (each coordinate Montgomery). Infinity is all zeros.
struct G2Raw {
  Limbs x0, x1, y0, y1;
};

// One non-zero entry of the A or B matrix (zkey section 4, "coefficients").
struct Coefficient {
  uint32_t matrix;      // 0 = A, 1 = B
  uint32_t constraint;  // row
  uint32_t signal;      // column (witness index)
  Limbs value;          // as stored in the zkey (see formats.cpp for its encoding)
};

// A Groth16 proving key (zkey), fully loaded.
struct Zkey {
  Limbs q, r;           // base and scalar field moduli (standard form)
  uint32_t nVars = 0;   // witness length, constant 1 included
  uint32_t nPublic = 0; // public signals (outputs + public inputs)
  uint32_t domainSize = 0;
  G1Raw alpha1, beta1, delta1;
  G2Raw beta2, gamma2, delta2;
  std::vector<Coefficient> coefficients;
  std::vector<G1Raw> A;   // nVars
  std::vector<G1Raw> B1;  // nVars
  std::vector<G2Raw> B2;  // nVars
  std::vector<G1Raw> C;   // nVars - nPublic - 1 (private signals only)
  std::vector<G1Raw> H;   // domainSize
};

Zkey readZkey(const std::string& path);

// Writes a Groth16 zkey snarkjs reads (header, IC from the verification key, coefficients,
// point sections; no contributions section entries beyond an empty one). `ic` has nPublic + 1 points.
void writeZkey(const std::string& path, const Zkey& key, const std::vector<G1Raw>& ic);

// A witness (wtns): values in standard form (not Montgomery).
struct Witness {
  Limbs prime;
  std::vector<Limbs> values;  // nWitness; values[0] == 1
};

Witness readWitness(const std::string& path);

// An R1CS constraint system (circom's .r1cs): header and constraints.
struct R1csTerm {
  uint32_t signal;
  Limbs value;  // as stored (see formats.cpp)
};
struct R1csConstraint {
  std::vector<R1csTerm> a, b, c;
};
struct R1cs {
  Limbs prime;
  uint32_t nWires = 0, nPubOut = 0, nPubIn = 0, nPrvIn = 0, nConstraints = 0;
  uint64_t nLabels = 0;
  std::vector<R1csConstraint> constraints;
};

R1cs readR1cs(const std::string& path);

}  // namespace zkn
