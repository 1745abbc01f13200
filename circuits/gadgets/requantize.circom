pragma circom 2.1.0;

// Requantize(M, s, zOut, lo, hi, B, even)
//
// Meaning: out = clamp(t, lo, hi) with t = round(in·M / 2^s) + zOut, rounding
// halves up (even = 0: t = floor((in·M + 2^(s-1)) / 2^s) + zOut) or to even
// (even = 1, as ONNX QuantizeLinear); for s = 0, t = in·M + zOut. `in` is an
// integer accumulator, M >= 1 and s >= 0 integers, lo <= hi.
//
// Bit-width assumption: every reachable `in` gives -2^B <= t - lo < 2^B, and
// B >= max(k, 1) where k is the smallest integer with hi - lo < 2^k
// (circuits/gadgets/requantize.ts: requantizeBoundBits computes the smallest such B).
// For such `in` the witness exists and `out` is unique; otherwise there is none.
//
// Written for circom --O1, which removes only signal = signal and
// signal = constant equalities: every signal below is defined by a quadratic
// constraint on linear expressions, never through a component input, so the
// accumulator `in` appears in exactly one constraint (the sum) and no long
// linear expression is copied into others.
//
// Algebra. With q = floor((in·M + 2^(s-1)) / 2^s) and r the remainder,
//   V = in·M + 2^(s-1) + (2^B - lo + zOut)·2^s        (linear in `in`)
//     = w·2^s + r,   w = t - lo + 2^B ∈ [0, 2^(B+1)),   r ∈ [0, 2^s).
// V is decomposed into n = s + B + 1 hinted bits: bits[i]·(bits[i] - 1) = 0
// for each i and the one linear constraint Σ bits[i]·2^i = V. As n <= 252,
// Σ bits[i]·2^i < 2^252 < p, so a solution exists exactly when V, read in
// [0, p), is below 2^n, and it is then unique. Bits 0..s-1 are r, bits
// s..n-1 are w.
//   bTop = bits[n-1] = [t >= lo];   u = bits s..s+B-1 = t - lo when bTop = 1.
// With D = hi - lo, t <= hi (given bTop = 1) iff u <= D iff
//   the mid bits s+k..s+B-1 are all 0, and L = bits s..s+k-1 satisfy L <= D.
// When D + 1 = 2^k, L <= D always holds. Otherwise gt = [L > D] is computed
// from L's bits by comparing against the constant D from the top bit down:
// eq tracks "bits above equal D", each bit j below the top one and down to the
// lowest 0 bit z of D costs one product cmp = eq·l_j (D's top bit is 1, so the
// first eq is l_(k-1) itself; below z no 0 bit of D is left, gt cannot change).
// inRange = bTop·[no mid bit set]·(1 - gt). The terms (1 - bTop), mid bits, gt
// are booleans and inRange = [their sum e is 0]:
//   1 term  (bTop alone):           inRange = bTop (an alias, no constraint);
//   2 terms (bTop and one other o): inRange = bTop - bTop·o (one constraint);
//   more:   IsZero inlined on the linear e = 1 - bTop + others, with a hinted
//           inv: inRange = 1 - e·inv and e·inRange = 0 (e ≠ 0 forces
//           inRange = 0; e = 0 forces inRange = 1, whatever inv is).
//   out = lo + inRange·u + (bTop - inRange)·D          (one constraint)
// (below: bTop = inRange = 0, lo; in range: lo + u = t; above: bTop = 1,
// inRange = 0, lo + D = hi).
//
// Ties to even (even = 1, s >= 1). With x = in·M, a = floor(x / 2^s) and a0 its
// parity, round-half-even(x / 2^s) = floor((x + 2^(s-1) - 1 + a0) / 2^s): for
// odd a that is the half-up rounding, for even a a tie rounds down. So V takes
// 2^(s-1) - 1 + a0 in place of 2^(s-1), with a0 a hinted boolean, and the bits
// above give q' = round-half-even(x / 2^s) and r' = V mod 2^s. a0 is then
// pinned to its one correct value: x = q'·2^s + r' - (2^(s-1) - 1 + a0) gives
//   a = q' - c,   c = [r' < 2^(s-1) - 1 + a0],
// an identity whatever a0 the prover picked, so requiring a0 = parity(q' - c)
// = parity(q') XOR c leaves exactly a0 = parity(a). parity(q') is bits[s]
// XOR parity(2^B - lo + zOut) (q' = w - 2^B + lo - zOut, B >= 1), linear. With
// b = bits[s-1] (the top bit of r') and L = r' mod 2^(s-1):
//   s = 1:  c = (1 - b)·a0                                      (1 constraint)
//   s >= 2: c = (1 - b)·(1 - (1 - a0)·[L = 2^(s-1) - 1])        (IsZero 2, 2 products)
//   a0·(a0 - 1) = 0, and a0 = P + c - 2·P·c with P = parity(q') (1 product, 1 linear)
// Extra constraints: 4 for s = 1, 7 for s >= 2 (one linear), none for even = 0 or s = 0.
//
// Constraints (after --O1; all of them, the sum being the only linear one
// besides the ties-to-even parity check):
//   (s + B + 1)                                  bits of V (booleanity)
// + 1                                            sum Σ bits[i]·2^i = V
// + (D + 1 == 2^k ? 0 : k - 1 - z)                gt = [L > D]
// + (terms == 1 ? 0 : terms == 2 ? 1 : 2)         inRange, terms = 1 + (B - k) + (D + 1 == 2^k ? 0 : 1)
// + 1                                            out
// + (even == 0 || s == 0 ? 0 : s == 1 ? 4 : 7)     ties to even
// e.g. int8 out [-128, 127] (k = 8), B >= 10: s + B + 5 (s = 22, B = 14: 41).
template Requantize(M, s, zOut, lo, hi, B, even) {
    assert(M >= 1);
    assert(even == 0 || even == 1);
    assert(s >= 0);
    assert(lo <= hi);
    var D = hi - lo;
    var k = requantizeBitLength(D);
    assert(B >= k);
    assert(B >= 1);
    var n = s + B + 1;
    assert(n <= 252);

    signal input in;
    signal output out;

    var half = 0;
    if (s > 0) {
        half = 2 ** (s - 1);
    }
    var K = 2 ** B - lo + zOut;
    var tieToEven = 0;
    if (even == 1 && s > 0) {
        tieToEven = 1;
        // parity(K) below reads K's bits.
        assert(K >= 0);
    }

    // a0 = parity(floor(in·M / 2^s)) (ties to even only), pinned below.
    signal a0[tieToEven];
    var adjust = 0;
    if (tieToEven == 1) {
        // + 2·2^s keeps the shifted value non-negative at the window's bottom edge (same parity).
        a0[0] <-- (((in * M + (K + 2) * 2 ** s) >> s) & 1) ^ (K & 1);
        a0[0] * (a0[0] - 1) === 0;
        adjust = a0[0] - 1;
    }
    var offset = half + adjust + K * 2 ** s;

    // V = in·M + offset, as n booleans and one linear sum.
    signal bits[n];
    var sum = 0;
    for (var i = 0; i < n; i++) {
        bits[i] <-- ((in * M + offset) >> i) & 1;
        bits[i] * (bits[i] - 1) === 0;
        sum += bits[i] * 2 ** i;
    }
    sum === in * M + offset;

    // a0 = parity(q') XOR c, c = [r' < 2^(s-1) - 1 + a0].
    signal lowInv[tieToEven == 1 && s >= 2 ? 1 : 0];
    signal lowFull[tieToEven == 1 && s >= 2 ? 1 : 0];
    signal notFull[tieToEven == 1 && s >= 2 ? 1 : 0];
    signal c[tieToEven];
    signal pc[tieToEven];
    if (tieToEven == 1) {
        var b = bits[s - 1];
        if (s == 1) {
            c[0] <== (1 - b) * a0[0];
        } else {
            var gap = 2 ** (s - 1) - 1;
            for (var i = 0; i < s - 1; i++) {
                gap -= bits[i] * 2 ** i;
            }
            lowInv[0] <-- gap != 0 ? 1 / gap : 0;
            lowFull[0] <== 1 - gap * lowInv[0];
            gap * lowFull[0] === 0;
            notFull[0] <== (1 - a0[0]) * lowFull[0];
            c[0] <== (1 - b) * (1 - notFull[0]);
        }
        var parity = bits[s];
        if ((K & 1) == 1) {
            parity = 1 - bits[s];
        }
        pc[0] <== parity * c[0];
        a0[0] === parity + c[0] - 2 * pc[0];
    }

    var bTop = bits[n - 1];
    var u = 0;
    for (var i = 0; i < B; i++) {
        u += bits[s + i] * 2 ** i;
    }

    // gt = [L > D], only when D + 1 is not a power of two.
    var full = 0;
    if (D + 1 == 2 ** k) {
        full = 1;
    }
    var z = 0;
    if (full == 0) {
        z = requantizeLowestZeroBit(D);
    }
    var nCmp = 0;
    if (full == 0) {
        nCmp = k - 1 - z;
    }
    signal cmp[nCmp];
    var gt = 0;
    if (full == 0) {
        var eq = bits[s + k - 1];
        for (var j = k - 2; j >= z; j--) {
            cmp[k - 2 - j] <== eq * bits[s + j];
            if (((D >> j) & 1) == 1) {
                eq = cmp[k - 2 - j];
            } else {
                gt += cmp[k - 2 - j];
                eq -= cmp[k - 2 - j];
            }
        }
    }

    // inRange = bTop · [no mid bit set] · (1 - gt) = [e == 0].
    var terms = 1 + (B - k) + (1 - full);
    var others = gt;
    for (var i = k; i < B; i++) {
        others += bits[s + i];
    }
    var e = 1 - bTop + others;
    signal inRange;
    signal inv[terms >= 3 ? 1 : 0];
    if (terms == 1) {
        inRange <== bTop;
    } else if (terms == 2) {
        inRange <== bTop - bTop * others;
    } else {
        inv[0] <-- e != 0 ? 1 / e : 0;
        inRange <== 1 - e * inv[0];
        e * inRange === 0;
    }

    out <== inRange * u + (bTop - inRange) * D + lo;
}

// RequantizeRelu(M, s, zOut, qmin, qmax, B)
//
// Meaning: Requantize with ReLU fused in: real 0 is zOut, so the lower bound is
// max(zOut, qmin) and the upper qmax. B is Requantize's B for lo = max(zOut, qmin).
// Constraints (after --O1): those of Requantize(M, s, zOut, max(zOut, qmin), qmax, B)
// (rq.in <== in and out <== rq.out are signal = signal, removed).
template RequantizeRelu(M, s, zOut, qmin, qmax, B) {
    signal input in;
    signal output out;

    component rq = Requantize(M, s, zOut, zOut > qmin ? zOut : qmin, qmax, B, 0);
    rq.in <== in;
    out <== rq.out;
}

// LeakyRelu(Mp, Mn, s, zOut, lo, hi, A, B)
//
// Meaning: with y = in·Mp for in >= 0 and y = in·Mn for in < 0 (Mp != Mn),
// out = clamp(floor((y + 2^(s-1)) / 2^s) + zOut, lo, hi) (round half up; for
// s = 0, y + zOut): ONNX LeakyRelu on an accumulator `in`, Mp/2^s and Mn/2^s
// the fixed-point multipliers of s_in/s_out and alpha·s_in/s_out (Mn may be 0
// or negative).
//
// Bit-width assumption: -2^A <= in < 2^A for every reachable `in` (A >= 1),
// and B is Requantize's B for y over the reachable `in` (both branches)
// (circuits/gadgets/leakyrelu.ts: leakyReluBoundBits). For such `in` the witness exists
// and `out` is unique; otherwise there is none.
//
// Algebra. in + 2^A ∈ [0, 2^(A+1)) is decomposed into A + 1 hinted bits
// sb[i] (sb[i]·(sb[i] - 1) = 0, one linear Σ sb[i]·2^i = in + 2^A; A + 1 <= 252
// so the decomposition is unique and exists exactly in range); the top bit
// sb[A] = [in >= 0] is the branch. Then one quadratic constraint selects:
//   y = in·(Mn + (Mp - Mn)·sb[A])
// and Requantize(1, s, zOut, lo, hi, B) rounds and clamps y (its input is the
// signal y: rq.in <== y and out <== rq.out are signal = signal, removed by --O1).
// No other hint: the wrong branch needs a different top bit, which the sum
// forbids.
//
// Constraints (after --O1):
//   (A + 1) + 1                        sign bits and their sum
// + 1                                  y
// + those of Requantize(1, s, zOut, lo, hi, B)
// e.g. int8 out, A = 16, s = 18, B = 12: 18 + 1 + (18 + 12 + 5) = 54.
template LeakyRelu(Mp, Mn, s, zOut, lo, hi, A, B) {
    assert(Mp != Mn);
    assert(A >= 1);
    assert(A + 1 <= 252);

    signal input in;
    signal output out;

    signal sb[A + 1];
    var sum = 0;
    for (var i = 0; i <= A; i++) {
        sb[i] <-- ((in + 2 ** A) >> i) & 1;
        sb[i] * (sb[i] - 1) === 0;
        sum += sb[i] * 2 ** i;
    }
    sum === in + 2 ** A;

    signal y;
    y <== in * (Mn + (Mp - Mn) * sb[A]);

    component rq = Requantize(1, s, zOut, lo, hi, B, 0);
    rq.in <== y;
    out <== rq.out;
}

// Smallest k >= 0 with x < 2^k, for an integer x >= 0.
function requantizeBitLength(x) {
    var k = 0;
    while (2 ** k <= x) {
        k++;
    }
    return k;
}

// Position of the lowest 0 bit of an integer x >= 0.
function requantizeLowestZeroBit(x) {
    var j = 0;
    while (((x >> j) & 1) == 1) {
        j++;
    }
    return j;
}
