// Secret randomness for proofs: uniform elements of Fr from the kernel's CSPRNG.
#pragma once
#include "field.hpp"

namespace zkn {

// Uniform in [0, r): 254 random bits from /dev/urandom, drawn again while ≥ r (about one
// draw in four), so there is no modular bias. Throws std::runtime_error if /dev/urandom
// cannot be read.
Fr randomFr();

}  // namespace zkn
