// `prove <zkey> <wtns> <proof.json> <public.json>`: a Groth16 proof and its public signals
// in snarkjs's JSON (affine coordinates as decimal strings, z = 1, same layout), so
// `snarkjs groth16 verify` and zkinfer's verifier take them as they take snarkjs's own.
#include <string>

#include "command.hpp"
#include "formats.hpp"
#include "proof_io.hpp"
#include "prove.hpp"

namespace zkn {
namespace {

int proveCommand(int argc, char** argv) {
  if (argc != 4) throw UserError("usage: prove <circuit.zkey> <witness.wtns> <proof.json> <public.json>");
  const std::string zkeyPath = argv[0], wtnsPath = argv[1];
  const Zkey key = readZkey(zkeyPath);
  const Witness witness = readWitness(wtnsPath);
  checkWitnessFits(key, witness, zkeyPath, wtnsPath);
  writeProofFiles(prove(key, witness), witness, key.nPublic, argv[2], argv[3]);
  return 0;
}

RegisterCommand proveRegistration("prove", "<zkey> <wtns> <proof.json> <public.json>  Groth16 proof, snarkjs-compatible", proveCommand);

}  // namespace
}  // namespace zkn
