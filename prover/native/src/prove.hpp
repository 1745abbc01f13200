// The Groth16 prover, computing what snarkjs 0.7's groth16_prove.js computes (same QAP
// evaluations, same coset, same proof assembly), so its proofs verify against the zkey's
// verification key exactly as snarkjs's do.
#pragma once
#include "curve.hpp"
#include "formats.hpp"

namespace zkn {

struct Proof {
  G1Affine a;
  G2Affine b;
  G1Affine c;
};

// The five multi-scalar multiplications of a proof, from whichever engine made them: the
// A, B (in G1 and G2) and C points times the witness (C: private signals only), and the H
// points times the quotient's coset evaluations.
struct ProofSums {
  G1 a, b1, c, h;
  G2 b2;
};

// The sums on the CPU. The witness must belong to the key (as for prove).
ProofSums proofSums(const Zkey& key, const Witness& witness);

// Groth16's blinding with fresh random r and s, as groth16_prove.js assembles a proof.
Proof assemble(const Zkey& key, const ProofSums& sums);

// A proof with fresh random r and s. The witness must belong to the key (one value per
// signal, key.nVars of them, over the key's scalar field); std::invalid_argument otherwise
// (callers check first and word the error for the user).
Proof prove(const Zkey& key, const Witness& witness);

}  // namespace zkn
