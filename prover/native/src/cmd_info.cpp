// `info <file>`: loads a zkey, wtns or r1cs (told apart by magic) with the strict readers
// and prints its header as one JSON object; a file that loads is one the prover can use.
// `zkey-copy <in> <out>`: reads a zkey and writes it back with writeZkey, so tests can
// check snarkjs proves with what writeZkey produces.
#include <cstdint>
#include <cstdio>
#include <string>

#include "command.hpp"
#include "formats.hpp"

namespace zkn {
namespace {

std::string zkeyInfo(const std::string& path) {
  Zkey key = readZkey(path);
  return "{\"type\":\"zkey\",\"protocol\":\"groth16\",\"nVars\":" + std::to_string(key.nVars) +
         ",\"nPublic\":" + std::to_string(key.nPublic) + ",\"domainSize\":" + std::to_string(key.domainSize) +
         ",\"coefficients\":" + std::to_string(key.coefficients.size()) + "}";
}

std::string wtnsInfo(const std::string& path) {
  Witness w = readWitness(path);
  return "{\"type\":\"wtns\",\"nWitness\":" + std::to_string(w.values.size()) + "}";
}

std::string r1csInfo(const std::string& path) {
  R1cs r1cs = readR1cs(path);
  uint64_t a = 0, b = 0, c = 0;
  for (const R1csConstraint& k : r1cs.constraints) {
    a += k.a.size();
    b += k.b.size();
    c += k.c.size();
  }
  return "{\"type\":\"r1cs\",\"nWires\":" + std::to_string(r1cs.nWires) + ",\"nConstraints\":" + std::to_string(r1cs.nConstraints) +
         ",\"nPubOut\":" + std::to_string(r1cs.nPubOut) + ",\"nPubIn\":" + std::to_string(r1cs.nPubIn) +
         ",\"nPrvIn\":" + std::to_string(r1cs.nPrvIn) + ",\"nLabels\":" + std::to_string(r1cs.nLabels) + ",\"terms\":{\"a\":" + std::to_string(a) + ",\"b\":" + std::to_string(b) +
         ",\"c\":" + std::to_string(c) + "}}";
}

int info(int argc, char** argv) {
  if (argc != 1) throw UserError("usage: info <file.zkey|file.wtns|file.r1cs>");
  const std::string path = argv[0];
  const std::string magic = readMagic(path);
  std::string json;
  if (magic == "zkey") json = zkeyInfo(path);
  else if (magic == "wtns") json = wtnsInfo(path);
  else if (magic == "r1cs") json = r1csInfo(path);
  else if (magic.size() < 4) throw UserError(path + ": not a zkey, wtns or r1cs file: only " + std::to_string(magic.size()) + " bytes long");
  else throw UserError(path + ": not a zkey, wtns or r1cs file: it starts with \"" + magic + "\"");
  std::printf("%s\n", json.c_str());
  return 0;
}

int zkeyCopy(int argc, char** argv) {
  if (argc != 2) throw UserError("usage: zkey-copy <in.zkey> <out.zkey>");
  writeZkey(argv[1], readZkey(argv[0]), readZkeyIC(argv[0]));
  return 0;
}

RegisterCommand infoCommand("info", "<file>  print a zkey, wtns or r1cs header as JSON", info);
RegisterCommand zkeyCopyCommand("zkey-copy", "<in.zkey> <out.zkey>  read a zkey and write it back", zkeyCopy);

}  // namespace
}  // namespace zkn
