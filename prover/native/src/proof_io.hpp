// Proof files as snarkjs writes them (proof.json with affine coordinates as decimal strings
// and z = 1, public.json), written atomically, and the check that a witness belongs to a
// key, worded for the user: shared by the CPU and GPU prove commands.
#pragma once
#include <string>

#include "formats.hpp"
#include "prove.hpp"

namespace zkn {

std::string proofJson(const Proof& proof);
// The public signals are witness values 1 … nPublic (outputs, then public inputs).
std::string publicJson(const Witness& witness, uint32_t nPublic);
// Through `path`.tmp and a rename, so a reader never sees half a file.
void writeAtomically(const std::string& path, const std::string& text);
void writeProofFiles(const Proof& proof, const Witness& witness, uint32_t nPublic, const std::string& proofPath, const std::string& publicPath);

// UserError naming both files when the witness is over another prime or has another length.
void checkWitnessFits(const Zkey& key, const Witness& witness, const std::string& zkeyPath, const std::string& wtnsPath);

}  // namespace zkn
