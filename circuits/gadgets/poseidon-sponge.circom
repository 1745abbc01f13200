pragma circom 2.1.0;

include "circomlib/circuits/poseidon_constants.circom";

// PoseidonSponge(nWords)
//
// Meaning: out = the hash of nWords >= 1 field elements: state_0 = 0,
// state_(k+1) = Poseidon(state_k, words[15k], …, words[15k + 14]) (circomlib's
// Poseidon over 16 inputs, zeros past the last word), out = the last state. The
// same values as circomlib's Poseidon(16) and circomlibjs (tested), computed here
// rather than by instantiating it because under --O1 circomlib's Mix and Ark
// components add 1,480 linear constraints per permutation: here the round
// constants and the linear layers are linear expressions held in vars, so only
// the S-boxes (x², x⁴, x⁵: 3 constraints each) are constraints, and an S-box of a
// constant lane (the zero initial state, the first block's zero chaining value,
// zero padding) is computed as a constant.
//
// zkinfer packs what it hashes into words (circuits/hashes.ts: elements
// offset to be non-negative, several per word, as many as fit 252 bits).
//
// Constraints (after --O1): per block 3 · (7 · 17 + 68) = 561 for the full rounds
// after the first and the partial rounds, plus 3 per non-constant lane of the
// first round (the words, and the chaining value after the first block); plus 1
// linear constraint for out (circuits/gadgets/poseidon-sponge.ts poseidonSpongeCost).
template PoseidonSponge(nWords) {
    signal input words[nWords];
    signal output out;

    var t = 17;
    var nRoundsF = 8;
    var nRoundsP = 68;
    var C[t * nRoundsF + nRoundsP] = POSEIDON_C(t);
    var S[nRoundsP * (t * 2 - 1)] = POSEIDON_S(t);
    var M[t][t] = POSEIDON_M(t);
    var P[t][t] = POSEIDON_P(t);
    assert(nWords >= 1);
    var blocks = (nWords + 14) \ 15;
    // Lanes of a first round that hold a signal: the chained state (after the first block) and the words.
    var live = 0;
    for (var k = 0; k < blocks; k++) {
        live += (k == 0 ? 0 : 1) + (nWords - 15 * k < 15 ? nWords - 15 * k : 15);
    }

    signal first2[live];
    signal first4[live];
    signal first5[live];
    signal full2[blocks][nRoundsF - 1][t];
    signal full4[blocks][nRoundsF - 1][t];
    signal full5[blocks][nRoundsF - 1][t];
    signal part2[blocks][nRoundsP];
    signal part4[blocks][nRoundsP];
    signal part5[blocks][nRoundsP];

    var chain = 0;
    var lane = 0;
    for (var k = 0; k < blocks; k++) {
        // circomlib's Poseidon(16): lane 0 its zero initial state, lane 1 the chained state, lanes 2.. the words.
        var state[17];
        state[0] = C[0];
        state[1] = chain + C[1];
        for (var j = 2; j < t; j++) {
            state[j] = C[j];
            if (15 * k + j - 2 < nWords) {
                state[j] += words[15 * k + j - 2];
            }
        }
        for (var r = 0; r < nRoundsF; r++) {
            if (r == nRoundsF \ 2) {
                for (var p = 0; p < nRoundsP; p++) {
                    part2[k][p] <== state[0] * state[0];
                    part4[k][p] <== part2[k][p] * part2[k][p];
                    part5[k][p] <== part4[k][p] * state[0];
                    var s0 = part5[k][p] + C[(nRoundsF \ 2 + 1) * t + p];
                    var first = S[(t * 2 - 1) * p] * s0;
                    for (var i = 1; i < t; i++) {
                        first += S[(t * 2 - 1) * p + i] * state[i];
                        state[i] = state[i] + s0 * S[(t * 2 - 1) * p + t + i - 1];
                    }
                    state[0] = first;
                }
            }
            var sbox[17];
            for (var j = 0; j < t; j++) {
                if (r == 0 && (j == 0 || (j == 1 && k == 0) || (j > 1 && 15 * k + j - 2 >= nWords))) {
                    // A constant lane (the zero initial state, a padding word): its S-box is a constant too.
                    sbox[j] = state[j] ** 5;
                } else if (r == 0) {
                    first2[lane] <== state[j] * state[j];
                    first4[lane] <== first2[lane] * first2[lane];
                    first5[lane] <== first4[lane] * state[j];
                    sbox[j] = first5[lane];
                    lane++;
                } else {
                    full2[k][r - 1][j] <== state[j] * state[j];
                    full4[k][r - 1][j] <== full2[k][r - 1][j] * full2[k][r - 1][j];
                    full5[k][r - 1][j] <== full4[k][r - 1][j] * state[j];
                    sbox[j] = full5[k][r - 1][j];
                }
            }
            var mixed[17];
            for (var i = 0; i < t; i++) {
                mixed[i] = 0;
                for (var j = 0; j < t; j++) {
                    var c = r < nRoundsF - 1 ? (r < nRoundsF \ 2 ? C[(r + 1) * t + j] : C[(nRoundsF \ 2 + 1) * t + nRoundsP + (r - nRoundsF \ 2) * t + j]) : 0;
                    var m = r == nRoundsF \ 2 - 1 ? P[j][i] : M[j][i];
                    mixed[i] += m * (sbox[j] + c);
                }
            }
            for (var i = 0; i < t; i++) state[i] = mixed[i];
        }
        chain = state[0];
    }
    out <== chain;
}
