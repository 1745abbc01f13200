#include "random.hpp"

#include <cstdio>
#include <stdexcept>

namespace zkn {

Fr randomFr() {
  // std::random_device may be a deterministic generator on some platforms; /dev/urandom
  // is the kernel CSPRNG everywhere this engine builds.
  std::FILE* f = std::fopen("/dev/urandom", "rb");
  if (!f) throw std::runtime_error("cannot open /dev/urandom");
  Limbs v;
  do {
    if (std::fread(v.data(), sizeof v, 1, f) != 1) {
      std::fclose(f);
      throw std::runtime_error("cannot read /dev/urandom");
    }
    v[3] &= (uint64_t{1} << (254 - 192)) - 1;  // r < 2^254
  } while (!lessThan(v, Fr::modulus()));
  std::fclose(f);
  return Fr::fromStandard(v);
}

}  // namespace zkn
