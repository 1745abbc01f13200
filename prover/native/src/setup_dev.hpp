// Development Groth16 setup: the engine samples the toxic waste (τ, α, β, γ, δ) itself,
// computes the proving key straight from the r1cs, and forgets the secrets. Whoever runs
// it could forge proofs, so it is for development only; in exchange it needs no powers of
// tau and takes seconds where a ptau-based snarkjs setup takes many minutes.
//
// The key is the one snarkjs's zkey_new.js + one phase-2 contribution would give for the
// same secrets, except that γ is random (snarkjs keeps γ = 1; any non-zero γ is sound):
// same domain, coefficient section byte for byte, same points at infinity.
#pragma once
#include <string>

namespace zkn {

// Reads `r1csPath`, writes the zkey to `zkeyPath` (through a temp file). Throws UserError
// for an unreadable or invalid r1cs, a circuit too big for Fr's FFT domains, or an output
// that cannot be written.
void setupDev(const std::string& r1csPath, const std::string& zkeyPath);

}  // namespace zkn
