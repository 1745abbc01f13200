pragma circom 2.1.0;

// InRange(bits, lo)
//
// Meaning: constrains in - lo ∈ [0, 2^bits), i.e. lo <= in <= lo + 2^bits - 1:
// the range check for private or quantized inputs (int8: InRange(8, -128)).
//
// Written for circom --O1 (which keeps every linear constraint but
// signal = signal and signal = constant): the decomposition is inlined, so
// there is no component input constraint besides the one sum.
//
// Algebra: bits = 1: (in - lo)·(in - lo - 1) = 0, i.e. in - lo ∈ {0, 1}.
// bits >= 2: hinted b[i] with b[i]·(b[i] - 1) = 0 and the one linear
// constraint Σ b[i]·2^i = in - lo. As bits <= 252, Σ b[i]·2^i < 2^252 < p, so
// there is a solution exactly when in - lo, read in [0, p), is below 2^bits.
//
// Constraints (after --O1): 1 for bits = 1; bits + 1 for bits >= 2
//   (bits booleans + 1 linear sum).
template InRange(bits, lo) {
    assert(bits >= 1);
    assert(bits <= 252);

    signal input in;
    signal b[bits == 1 ? 0 : bits];

    if (bits == 1) {
        (in - lo) * (in - lo - 1) === 0;
    } else {
        var sum = 0;
        for (var i = 0; i < bits; i++) {
            b[i] <-- ((in - lo) >> i) & 1;
            b[i] * (b[i] - 1) === 0;
            sum += b[i] * 2 ** i;
        }
        sum === in - lo;
    }
}
