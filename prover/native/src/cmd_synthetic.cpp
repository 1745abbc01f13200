// `synthetic <constraints> <base> [x]`: a Groth16 workload of any size without circom,
// <base>.r1cs and a matching <base>.wtns, for prover benchmarks (bench/synthetic.ts and
// scripts/gpu-device.sh call it) and tests. The circuit is a chain over a private input x
// (default 7), public output y:
//   t1 = x·x,  t_i = t_(i−1)·x + i (i = 2 … n−1),  y = t_(n−1)·x
// one constraint each, so n constraints and n + 2 wires (1, y, x, t1 … t_(n−1)); the
// witness values are full-size field elements, as in real circuits.
#include <string>

#include "command.hpp"
#include "field.hpp"
#include "formats.hpp"

namespace zkn {
namespace {

Limbs standard(const Fr& v) { return v.toStandard(); }

int syntheticCommand(int argc, char** argv) {
  const std::string usage = "usage: synthetic <constraints ≥ 2> <base> [x]  (writes <base>.r1cs and <base>.wtns)";
  if (argc != 2 && argc != 3) throw UserError(usage);
  Limbs parsed;
  if (!parseDecimal(argv[0], parsed) || parsed[1] | parsed[2] | parsed[3] || parsed[0] < 2 || parsed[0] > (uint64_t{1} << 28))
    throw UserError("synthetic: the constraint count must be an integer from 2 to 2^28, got \"" + std::string(argv[0]) + "\"");
  const uint32_t n = static_cast<uint32_t>(parsed[0]);
  Limbs xValue = {7, 0, 0, 0};
  if (argc == 3 && (!parseDecimal(argv[2], xValue) || !lessThan(xValue, Fr::modulus())))
    throw UserError("synthetic: x must be a decimal number below the scalar field's prime, got \"" + std::string(argv[2]) + "\"");
  const std::string base = argv[1];

  constexpr uint32_t kOne = 0, kY = 1, kX = 2;
  auto t = [](uint32_t i) { return 2 + i; };  // t_i, i = 1 … n−1
  const Limbs one = {1, 0, 0, 0};
  const Fr x = Fr::fromStandard(xValue);

  R1cs r1cs;
  r1cs.prime = Fr::modulus();
  r1cs.nWires = n + 2;
  r1cs.nPubOut = 1;
  r1cs.nPrvIn = 1;
  r1cs.nConstraints = n;
  r1cs.constraints.reserve(n);
  Witness witness{Fr::modulus(), std::vector<Limbs>(r1cs.nWires)};
  witness.values[kOne] = one;
  witness.values[kX] = xValue;
  Fr ti = x * x;
  witness.values[t(1)] = standard(ti);
  r1cs.constraints.push_back({{{kX, one}}, {{kX, one}}, {{t(1), one}}});
  for (uint32_t i = 2; i < n; ++i) {
    const Fr index = Fr::fromUint(i);
    ti = ti * x + index;
    witness.values[t(i)] = standard(ti);
    r1cs.constraints.push_back({{{t(i - 1), one}}, {{kX, one}}, {{t(i), one}, {kOne, standard(-index)}}});
  }
  witness.values[kY] = standard(ti * x);
  r1cs.constraints.push_back({{{t(n - 1), one}}, {{kX, one}}, {{kY, one}}});

  writeR1cs(base + ".r1cs", r1cs);
  writeWitness(base + ".wtns", witness);
  return 0;
}

RegisterCommand syntheticRegistration("synthetic", "<constraints> <base> [x]  a chain circuit's .r1cs and .wtns, for benchmarks", syntheticCommand);

}  // namespace
}  // namespace zkn
