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
  Limbs value;          // as stored in the zkey: v·R² mod r (R = 2^256 mod r) for the r1cs coefficient v,
                        // so one Montgomery reduction gives v in Montgomery form, two give plain v
                        // (see formats.cpp)
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

// The IC points (zkey section 3, nPublic + 1 of them), which readZkey leaves out: only the
// verification key needs them.
std::vector<G1Raw> readZkeyIC(const std::string& path);

// Writes a Groth16 zkey snarkjs reads (header, IC from the verification key, coefficients,
// point sections; no contributions section entries beyond an empty one). `ic` has nPublic + 1 points.
// key.q and key.r must hold BN254's moduli (readZkey fills them; a fresh setup must set them);
// vector sizes must match the header counts, else std::invalid_argument. Section 10 gets an
// all-zero csHash: snarkjs checks it only in `zkey verify`, which needs the ptau anyway.
void writeZkey(const std::string& path, const Zkey& key, const std::vector<G1Raw>& ic);

// A witness (wtns): values in standard form (not Montgomery).
struct Witness {
  Limbs prime;
  std::vector<Limbs> values;  // nWitness; values[0] == 1
};

Witness readWitness(const std::string& path);
// Writes a wtns snarkjs reads (version 2), through a temp file; values must be below prime.
void writeWitness(const std::string& path, const Witness& witness);

// An R1CS constraint system (circom's .r1cs): header and constraints.
struct R1csTerm {
  uint32_t signal;
  Limbs value;  // as stored: standard form (not Montgomery)
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
// Writes an r1cs circom/snarkjs read (version 1: header, constraints, the identity
// wire-to-label map), through a temp file. nConstraints must equal constraints.size().
void writeR1cs(const std::string& path, const R1cs& r1cs);

// A file's first 4 bytes (its magic: "zkey", "wtns", "r1cs", ...; fewer if the file is
// shorter), non-printable bytes shown as '?'. For telling the formats apart.
std::string readMagic(const std::string& path);

}  // namespace zkn
