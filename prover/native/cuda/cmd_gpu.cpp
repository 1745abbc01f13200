// The GPU engine's commands (in zkinfer-cuda, and in zkinfer-gpu-emu, the same engine on
// the CPU for machines without a GPU):
//   gpu-info                                   the device, as one JSON line
//   gpu-prove <zkey> <wtns> <proof> <public>   like `prove`, on the device
//   gpu-serve <zkey>                           key uploaded once, then one proof per stdin line
//   gpu-check [all [maxLog2] | msm-g1 n | msm-g2 n | ntt log2n] [seed]
//                                              device MSM/NTT against the CPU engine's
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "../src/command.hpp"
#include "../src/proof_io.hpp"
#include "../src/prove.hpp"
#include "gpu.hpp"
#include "to_cpu.hpp"

namespace zkn {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') out += std::string("\\") + ch;
    else if (static_cast<unsigned char>(ch) < 0x20) out += ' ';
    else out += ch;
  }
  return out + "\"";
}

void printLine(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

// The device's running out of memory is the user's to act on; other device failures are not.
template <class Fn>
auto onDevice(Fn&& fn) {
  try {
    return fn();
  } catch (const gpu::DeviceMemoryError& e) {
    throw UserError(std::string(e.what()) + ": prove with --prover native, or on a GPU with more memory");
  }
}

class GpuProver {
 public:
  explicit GpuProver(const std::string& zkeyPath) : zkeyPath_(zkeyPath), key_(readZkey(zkeyPath)), resident_(onDevice([&] { return std::make_unique<gpu::ResidentKey>(key_); })) {}

  void prove(const std::string& wtnsPath, const std::string& proofPath, const std::string& publicPath) {
    const Witness witness = readWitness(wtnsPath);
    checkWitnessFits(key_, witness, zkeyPath_, wtnsPath);
    const gpu::ProofSums sums = onDevice([&] { return resident_->prove(witness); });
    writeProofFiles(assemble(key_, toCpu(sums)), witness, key_.nPublic, proofPath, publicPath);
  }

 private:
  std::string zkeyPath_;
  Zkey key_;
  std::unique_ptr<gpu::ResidentKey> resident_;
};

int infoCommand(int argc, char**) {
  if (argc != 0) throw UserError("usage: gpu-info");
  const gpu::DeviceInfo d = gpu::deviceInfo();
  printLine("{\"backend\":" + jsonString(d.backend) + ",\"device\":" + jsonString(d.name) + ",\"computeCapability\":\"" + std::to_string(d.major) + "." +
            std::to_string(d.minor) + "\",\"memoryMiB\":" + std::to_string(d.memoryMiB) + "}");
  return 0;
}

int proveCommand(int argc, char** argv) {
  if (argc != 4) throw UserError("usage: gpu-prove <circuit.zkey> <witness.wtns> <proof.json> <public.json>");
  gpu::deviceInfo();  // no device: say so before reading a large key
  GpuProver(argv[0]).prove(argv[1], argv[2], argv[3]);
  return 0;
}

// A line "<wtns>\t<proof.json>\t<public.json>" per proof; a failed proof is reported on its
// line and the server goes on, since the key on the device is still good.
int serveCommand(int argc, char** argv) {
  if (argc != 1) throw UserError("usage: gpu-serve <circuit.zkey>  (then one \"<wtns>\\t<proof.json>\\t<public.json>\" line per proof on stdin)");
  gpu::deviceInfo();
  const auto uploadStarted = std::chrono::steady_clock::now();
  GpuProver prover(argv[0]);
  printLine("{\"ready\":true,\"uploadSeconds\":" + std::to_string(secondsSince(uploadStarted)) + "}");
  for (std::string line; std::getline(std::cin, line);) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, '\t');) fields.push_back(field);
    const auto started = std::chrono::steady_clock::now();
    try {
      if (fields.size() != 3) throw UserError("expected \"<wtns>\\t<proof.json>\\t<public.json>\", got: " + line);
      prover.prove(fields[0], fields[1], fields[2]);
      printLine("{\"ok\":true,\"seconds\":" + std::to_string(secondsSince(started)) + "}");
    } catch (const std::exception& e) {
      printLine("{\"ok\":false,\"error\":" + jsonString(e.what()) + "}");
    }
  }
  return 0;
}

RegisterCommand infoRegistration("gpu-info", " The GPU the CUDA prover uses, as JSON (error without one)", infoCommand);
RegisterCommand proveRegistration("gpu-prove", "<zkey> <wtns> <proof.json> <public.json>  Groth16 proof on the GPU", proveCommand);
RegisterCommand serveRegistration("gpu-serve", "<zkey>  upload the key once, then prove \"<wtns>\\t<proof>\\t<public>\" stdin lines", serveCommand);

}  // namespace
}  // namespace zkn
