pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// PoseidonSponge(nWords)
//
// Meaning: out = the content hash of nWords field elements: state_0 = 0,
// state_(k+1) = Poseidon(state_k, words[15k], …, words[15k + 14]) (circomlib's
// Poseidon over 16 inputs, zeros past the last word), out = the last state. At
// least one block, so nWords = 0 hashes to Poseidon(0, …, 0).
//
// zkinfer packs a hashed input into words (circuits/input-hash.ts: elements offset
// to be non-negative, several per word, as many as fit 252 bits), and the range
// check on every element makes the packing injective.
//
// Constraints (after --O1): blocks · C, C = one Poseidon(16) (circuits/gadgets.ts
// poseidonSpongeCost); the word inputs and the zero padding are substituted away.
template PoseidonSponge(nWords) {
    signal input words[nWords];
    signal output out;

    var blocks = nWords == 0 ? 1 : (nWords + 14) \ 15;
    component block[blocks];
    for (var k = 0; k < blocks; k++) {
        block[k] = Poseidon(16);
        if (k == 0) {
            block[k].inputs[0] <== 0;
        } else {
            block[k].inputs[0] <== block[k - 1].out;
        }
        for (var j = 0; j < 15; j++) {
            if (15 * k + j < nWords) {
                block[k].inputs[1 + j] <== words[15 * k + j];
            } else {
                block[k].inputs[1 + j] <== 0;
            }
        }
    }
    out <== block[blocks - 1].out;
}
