// `setup-dev <circuit.r1cs> <out.zkey>`: a development Groth16 setup with secrets sampled
// and discarded by this process (setup_dev.hpp). Prints nothing; the key is written
// through a temp file, so a failed run leaves no partial key.
#include "command.hpp"
#include "setup_dev.hpp"

namespace zkn {
namespace {

int setupDevCommand(int argc, char** argv) {
  if (argc != 2) throw UserError("usage: setup-dev <circuit.r1cs> <out.zkey>");
  setupDev(argv[0], argv[1]);
  return 0;
}

RegisterCommand setupDevRegistration("setup-dev", "<circuit.r1cs> <out.zkey>  development Groth16 setup (local secrets, no ptau)",
                                     setupDevCommand);

}  // namespace
}  // namespace zkn
