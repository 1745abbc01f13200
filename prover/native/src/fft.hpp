// Radix-2 FFT over Fr on domains of size 2^k (k ≤ 28, Fr's 2-adicity), with the roots of
// unity ffjavascript (and so snarkjs) uses: ω_k = w[k] = 5^((r − 1)/2^28) squared 28 − k
// times, 5 being Fr's smallest quadratic non-residue. The prover must evaluate on exactly
// snarkjs's domain and coset, because the zkey's H points are built for them.
#pragma once
#include <vector>

#include "field.hpp"

namespace zkn {

constexpr unsigned kFrTwoAdicity = 28;

// ffjavascript's Fr.w[k]: a primitive 2^k-th root of unity.
Fr rootOfUnity(unsigned k);
// ffjavascript's Fr.shift = 25 (the non-residue squared): the coset shift for domains of 2^28.
Fr cosetShift();

// In place: a[i] ← Σ_j a[j]·ω^(i·j), ω = rootOfUnity(log2 n), natural order in and out.
// a.size() must be a power of two no larger than 2^28.
void fft(std::vector<Fr>& a);
// The inverse of fft (ω⁻¹, then division by n).
void ifft(std::vector<Fr>& a);

// a[i] ← a[i]·c^i.
void scaleByPowers(std::vector<Fr>& a, const Fr& c);

}  // namespace zkn
