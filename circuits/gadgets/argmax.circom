pragma circom 2.1.0;

// ArgMax(n, B)
//
// Meaning: index = the first i with in[i] maximal, max = in[index]
// (ONNX ArgMax with select_last_index = 0).
//
// Bit-width assumption: every in[i] is an integer with |in[i]| < 2^B.
// For such inputs the witness exists and (index, max) are unique.
//
// Written for circom --O1 (which keeps every linear constraint but
// signal = signal and signal = constant): no intermediate signal is defined by
// a linear constraint alone; linear relations are substituted into the
// quadratic constraints that need them.
//
// Algebra. The selector bits sel_0..sel_(n-1) are one-hot. index and sel_i for
// i >= 2 (hot[i-2]) are hinted; the other two are the linear expressions
//   sel_1 = index - Σ_{i>=2} i·sel_i,   sel_0 = 1 - sel_1 - Σ_{i>=2} sel_i,
// so Σ sel_i = 1 and Σ i·sel_i = index hold by construction, and
//   sel_i·(sel_i - 1) = 0 for every i
// (for n = 2, sel_0 = 1 - sel_1 and its booleanity is sel_1's constraint).
// Booleans summing to 1: exactly one sel_i is 1, and index is its i. Then
//   max = in[0] + Σ_{i>=1} sel_i·(in[i] - in[0]) = in[index]
// with picked[i-2] = hot[i-2]·(in[i] - in[0]) for i >= 2 and the sel_1 term
// inside max's own constraint. With before_i = Σ_{j>i} sel_j (1 for i before
// the index, else 0), each
//   d_i = max - in[i] - before_i ∈ [0, 2^(B+1))
// is decomposed into hinted bits d[i][j] (booleanity each) and one linear sum
// Σ_j d[i][j]·2^j = d_i, so max >= in[i] for all i and max > in[i] for every i
// before the index: the index is the first maximum. Honest d_i lie in
// [0, 2^(B+1) - 2]; a violated one is negative, i.e. a field element near p,
// and has no B + 1 bit decomposition (B + 1 <= 252).
//
// Constraints (after --O1):
//   n >= 3: n·(B + 4) - 1
//     (n selector booleans + (n - 2) picked + 1 max + n·(B + 1) bits of the d_i
//      + n linear sums);
//   n = 2: 2·B + 6 (1 selector boolean, no picked);
//   n = 1: 0 (index = 0 and max = in[0] are signal = constant / signal).
template ArgMax(n, B) {
    assert(n >= 1);
    assert(B >= 0);
    assert(B + 1 <= 252);

    signal input in[n];
    signal output index;
    signal output max;

    var m = n >= 2 ? n - 2 : 0;
    signal hot[m];
    signal picked[m];
    signal d[n >= 2 ? n : 0][B + 1];

    if (n == 1) {
        index <== 0;
        max <== in[0];
    } else {
        // The witness's choice: first index of the largest value (signed).
        var best = 0;
        var bestValue = in[0];
        for (var i = 1; i < n; i++) {
            if (in[i] > bestValue) {
                best = i;
                bestValue = in[i];
            }
        }

        var sel[n];
        var tail = 0;
        var rest = 0;
        for (var i = 2; i < n; i++) {
            hot[i - 2] <-- best == i ? 1 : 0;
            hot[i - 2] * (hot[i - 2] - 1) === 0;
            sel[i] = hot[i - 2];
            tail += i * hot[i - 2];
            rest += hot[i - 2];
        }
        index <-- best;
        (index - tail) * (index - tail - 1) === 0;
        sel[1] = index - tail;
        sel[0] = 1 - sel[1] - rest;
        if (n >= 3) {
            sel[0] * (sel[0] - 1) === 0;
        }

        var gain = 0;
        for (var i = 2; i < n; i++) {
            picked[i - 2] <== hot[i - 2] * (in[i] - in[0]);
            gain += picked[i - 2];
        }
        max <== in[0] + gain + sel[1] * (in[1] - in[0]);

        var before = 1;
        for (var i = 0; i < n; i++) {
            before -= sel[i];
            var sum = 0;
            for (var j = 0; j <= B; j++) {
                d[i][j] <-- ((max - in[i] - before) >> j) & 1;
                d[i][j] * (d[i][j] - 1) === 0;
                sum += d[i][j] * 2 ** j;
            }
            sum === max - in[i] - before;
        }
    }
}
