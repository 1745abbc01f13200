pragma circom 2.1.0;

// TableOfBits(n, k, table)
//
// Meaning: out = table[x] for x = Σ bits[i]·2^i, table an array of 2^n integers.
// The caller constrains every bits[i] to be boolean (Lookup and Softmax below do,
// with the decomposition that defines them).
//
// Why a table and how: an 8-bit activation has only 256 values, so any
// elementwise function of it (sigmoid, tanh, exp, a leaky ReLU on an activation)
// is exact as a table, rounded once at compile time. A one-hot selector over 256
// rows costs about 256 constraints, a mux tree over all 8 bits 127, a
// polynomial through 256 points 255; piecewise polynomials need a comparison,
// a product and a rounding decomposition (~35 for 8 segments) and still
// approximate. This gadget splits x into its k low bits and n - k high bits:
// - every leaf (a run of 2^k entries sharing the high bits) is the multilinear
//   extension of its entries over the low bits, a linear combination of the
//   2^k - k - 1 products of two or more low bits (computed once, shared by all
//   leaves) with the Möbius coefficients of the run as constants: free;
// - a mux tree over the high bits picks the leaf: a node with children L
//   (high bit 0) and R (bit 1) is L + bit·(R - L), one product;
// so 8 bits cost 11 + 15 = 26 at k = 4 (the best split), plus what the caller
// pays for the bits. Runs of equal shape make muxes free (below), so a
// saturating function costs less.
//
// Algebra. Node values are t0 + base, t0 the node's first entry and base an
// expression that is 0 at the node's first entry: its "shape" run minus t0.
//   leaf:  base = Σ_{S ⊆ low bits, S ≠ ∅} c_S·Π_{i∈S} bits[i], c = Möbius(shape)
//          (c_S = Σ_{T⊆S} (-1)^|S-T| shape[T]: equals the run on every low x);
//   node:  base = baseL + bit·(Δ + baseR - baseL), Δ = (right's t0) - (left's t0),
//          which is baseL at bit = 0 and Δ + baseR at bit = 1.
// When both halves of a node have the same shape, baseR = baseL and the node
// is the linear baseL + Δ·bit (free; its right child is never built). Only
// nodes that are needed (the root; the left child of a needed node; the right
// child of a needed node whose halves differ) are built.
// out = table[0] + base(root) holds for every x in [0, 2^n); nothing is hinted.
//
// Written for circom --O1, which removes only signal = signal and
// signal = constant equalities: a product node is one quadratic constraint,
// and the root's product has `out` on its C side.
//
// Constraints (after --O1):
//   (2^k - k - 1)                               products of low bits
// + #(needed nodes below the root whose halves differ)
// + root: 1 when k < n and its halves differ (its product);
//   otherwise the root is linear, table[0] + Σ coefficient·signal (the leaf's
//   terms and one per left-spine node), and costs 1 unless it is a constant or
//   a single signal with coefficient 1 and table[0] = 0 (--O1 removes those).
// (circuits/gadgets/activation.ts tableOfBitsCost evaluates this for a given table.)
template TableOfBits(n, k, table) {
    assert(n >= 1);
    assert(n <= 16);
    assert(k >= 0);
    assert(k <= n);
    var L = n - k;
    var leaf = 2 ** k;
    var leaves = 2 ** L;

    signal input bits[n];
    signal output out;

    // Products of two or more low bits, each from a smaller one and its top bit.
    signal prod[leaf - k - 1];
    var mono[leaf];
    mono[0] = 1;
    var np = 0;
    for (var S = 1; S < leaf; S++) {
        var h = tableTopBit(S);
        if (S == 2 ** h) {
            mono[S] = bits[h];
        } else {
            prod[np] <== mono[S - 2 ** h] * bits[h];
            mono[S] = prod[np];
            np++;
        }
    }

    // need[l][i]: whether node i of level l (covering 2^(k+l) entries) is built.
    var need[L + 1][leaves];
    for (var l = 0; l <= L; l++) {
        for (var i = 0; i < leaves; i++) {
            need[l][i] = 0;
        }
    }
    need[L][0] = 1;
    for (var l = L; l >= 1; l--) {
        var half = 2 ** (k + l - 1);
        for (var i = 0; i < 2 ** (L - l); i++) {
            if (need[l][i] == 1) {
                need[l - 1][2 * i] = 1;
                if (tableHalvesAlike(table, 2 * i * half, half) == 0) {
                    need[l - 1][2 * i + 1] = 1;
                }
            }
        }
    }
    var nMux = 0;
    for (var l = 1; l < L; l++) {
        for (var i = 0; i < 2 ** (L - l); i++) {
            if (need[l][i] == 1 && tableHalvesAlike(table, i * 2 ** (k + l), 2 ** (k + l - 1)) == 0) {
                nMux++;
            }
        }
    }
    signal mux[nMux];

    var base[L + 1][leaves];
    for (var h = 0; h < leaves; h++) {
        if (need[0][h] == 1) {
            // Möbius coefficients of the run minus its first entry: Σ_S c[S]·mono[S]
            // equals the run at every low x.
            var c[leaf];
            for (var j = 0; j < leaf; j++) {
                c[j] = table[h * leaf + j] - table[h * leaf];
            }
            for (var i = 0; i < k; i++) {
                for (var j = 0; j < leaf; j++) {
                    if (((j >> i) & 1) == 1) {
                        c[j] -= c[j - 2 ** i];
                    }
                }
            }
            var e = 0;
            for (var S = 1; S < leaf; S++) {
                e += c[S] * mono[S];
            }
            base[0][h] = e;
        }
    }
    var used = 0;
    for (var l = 1; l < L; l++) {
        var half = 2 ** (k + l - 1);
        for (var i = 0; i < 2 ** (L - l); i++) {
            if (need[l][i] == 1) {
                var delta = table[(2 * i + 1) * half] - table[2 * i * half];
                if (tableHalvesAlike(table, 2 * i * half, half) == 1) {
                    base[l][i] = base[l - 1][2 * i] + delta * bits[k + l - 1];
                } else {
                    mux[used] <== bits[k + l - 1] * (delta + base[l - 1][2 * i + 1] - base[l - 1][2 * i]);
                    base[l][i] = base[l - 1][2 * i] + mux[used];
                    used++;
                }
            }
        }
    }

    if (L == 0) {
        out <== table[0] + base[0][0];
    } else {
        var delta = table[2 ** (n - 1)] - table[0];
        if (tableHalvesAlike(table, 0, 2 ** (n - 1)) == 1) {
            out <== table[0] + base[L - 1][0] + delta * bits[n - 1];
        } else {
            out <== table[0] + base[L - 1][0] + bits[n - 1] * (delta + base[L - 1][1] - base[L - 1][0]);
        }
    }
}

// Lookup(n, k, lo, table)
//
// Meaning: out = table[in - lo] for lo <= in < lo + 2^n; table holds 2^n
// integers (an elementwise function of an activation: Sigmoid, Tanh, LeakyRelu
// on an activation). For other inputs there is no witness.
//
// Algebra: in - lo is decomposed into n hinted bits b[i] with
// b[i]·(b[i] - 1) = 0 and one linear Σ b[i]·2^i = in - lo; as n <= 16, a
// solution exists exactly when in - lo, read in [0, p), is below 2^n, and it
// is unique. The bits feed TableOfBits(n, k, table) (signal = signal: free).
// n >= 2 keeps the sum a constraint of three or more signals, which --O1 keeps.
//
// Constraints (after --O1): n booleans + 1 sum + those of TableOfBits(n, k, table):
//   n + 1 + (2^k - k - 1) + muxes + root, e.g. 8 bits at k = 4: at most 9 + 11 + 15 = 35.
template Lookup(n, k, lo, table) {
    assert(n >= 2);

    signal input in;
    signal output out;

    signal b[n];
    var sum = 0;
    for (var i = 0; i < n; i++) {
        b[i] <-- ((in - lo) >> i) & 1;
        b[i] * (b[i] - 1) === 0;
        sum += b[i] * 2 ** i;
    }
    sum === in - lo;

    component t = TableOfBits(n, k, table);
    for (var i = 0; i < n; i++) {
        t.bits[i] <== b[i];
    }
    out <== t.out;
}

// Softmax(n, nd, k, F, G, Q, zOut, table)
//
// Meaning: for n >= 2 integers in[i] (one softmax group, an activation of
// scale s), with m = max in[i], d_i = m - in[i], e_i = table[d_i] (the caller's
// exp table: table[d] = round(2^F·exp(-s·d)), table[0] = 2^F, entries >= 0),
// S = Σ e_i, inv = floor((2·Q·2^G + S) / (2S)) = round(Q·2^G / S):
//   out[i] = floor((e_i·inv + 2^(G-1)) / 2^G) + zOut,
// the probability e_i / S on the grid 1/Q (Q + 1 levels from zOut).
//
// Bit-width assumption: max - min of the inputs is below 2^nd (table has 2^nd
// entries); F < G, G + bits(Q) <= 252. Then the witness exists and is unique.
//
// Why this way: the maximum makes the largest exp exactly 2^F, so S >= 2^F and
// rounding e to integers costs at most (n + 1) / 2^(F+1) of probability; one
// reciprocal per group (a division with remainder checks) and a product and a
// rounding per element cost less than a division per element: a division's
// remainder needs two range checks of the bits of 2S (about F + log2 n + 2
// each) where the rounding of e_i·inv needs G + bits(Q) booleans.
//
// Algebra.
// - m is hinted. Each d_i = m - in[i] is decomposed into nd booleans and one
//   linear sum, so m >= in[i] for every i; the chain
//   c_0 = (m - in[0])·(m - in[1]), c_j = c_(j-1)·(m - in[j+1]), c_(n-2) = 0
//   says m equals some in[i]: m is the maximum.
// - e_i = TableOfBits(nd, k, table) on the bits of d_i.
// - inv = Σ ib[j]·2^j (Ib hinted booleans, Ib = bits of Q·2^(G-F), the largest
//   inv, at S = 2^F); rem = Σ rb[j]·2^j and slack = Σ rc[j]·2^j (R booleans
//   each, R = bits of 2n·2^F - 1 >= bits of 2S - 1) with
//     rem = 2·Q·2^G + S - inv·2S          (one quadratic constraint)
//     slack = 2S - 1 - rem                (one linear constraint),
//   so 0 <= rem < 2S and, all values far below p, inv is the integer quotient.
// - Per element, V_i = e_i·inv + 2^(G-1) is decomposed into G + bits(Q)
//   booleans ob[i][j] with one quadratic constraint Σ ob[i][j]·2^j = e_i·inv +
//   2^(G-1); the high bits(Q) bits are u_i = floor(V_i / 2^G) <= Q (e_i <= S
//   and e_i < 2^G), and out[i] = u_i + zOut (one linear constraint).
//
// Constraints (after --O1), T those of TableOfBits(nd, k, table):
//   (n - 1)                       max chain (c_(n-2) = 0 is substituted)
// + n·(nd + 1)                    bits and sum of each d_i
// + n·T                           exp table
// + Ib + 2R + 2                   inv bits, remainder and slack bits and sums
// + n·(G + bits(Q) + 2)           rounding bits, product sum, out
// e.g. n = 10, nd = 8, F = 14, G = 17, Q = 255: 9 + 90 + 10·T + 51 + 270.
template Softmax(n, nd, k, F, G, Q, zOut, table) {
    assert(n >= 2);
    assert(nd >= 1);
    assert(table[0] == 2 ** F);
    assert(G > F);
    assert(Q >= 1);
    var qb = softmaxBitLength(Q);
    var R = softmaxBitLength(2 * n * 2 ** F - 1);
    var Ib = softmaxBitLength(Q * 2 ** (G - F));
    assert(G + qb <= 252);
    assert(R <= 252);

    signal input in[n];
    signal output out[n];

    var best = in[0];
    for (var i = 1; i < n; i++) {
        if (in[i] > best) {
            best = in[i];
        }
    }
    signal m;
    signal chain[n - 1];
    m <-- best;
    chain[0] <== (m - in[0]) * (m - in[1]);
    for (var i = 2; i < n; i++) {
        chain[i - 1] <== chain[i - 2] * (m - in[i]);
    }
    chain[n - 2] === 0;

    signal d[n][nd];
    component ex[n];
    var S = 0;
    for (var i = 0; i < n; i++) {
        var sum = 0;
        for (var j = 0; j < nd; j++) {
            d[i][j] <-- ((m - in[i]) >> j) & 1;
            d[i][j] * (d[i][j] - 1) === 0;
            sum += d[i][j] * 2 ** j;
        }
        sum === m - in[i];
        ex[i] = TableOfBits(nd, k, table);
        for (var j = 0; j < nd; j++) {
            ex[i].bits[j] <== d[i][j];
        }
        S += ex[i].out;
    }

    var top = 2 * Q * 2 ** G;
    var invValue = (top + S) \ (2 * S);
    var remValue = top + S - invValue * 2 * S;
    signal ib[Ib];
    var inv = 0;
    for (var j = 0; j < Ib; j++) {
        ib[j] <-- (invValue >> j) & 1;
        ib[j] * (ib[j] - 1) === 0;
        inv += ib[j] * 2 ** j;
    }
    signal rb[R];
    var rem = 0;
    for (var j = 0; j < R; j++) {
        rb[j] <-- (remValue >> j) & 1;
        rb[j] * (rb[j] - 1) === 0;
        rem += rb[j] * 2 ** j;
    }
    rem === top + S - inv * (2 * S);
    signal rc[R];
    var slack = 0;
    for (var j = 0; j < R; j++) {
        rc[j] <-- ((2 * S - 1 - remValue) >> j) & 1;
        rc[j] * (rc[j] - 1) === 0;
        slack += rc[j] * 2 ** j;
    }
    slack === 2 * S - 1 - rem;

    signal ob[n][G + qb];
    for (var i = 0; i < n; i++) {
        var value = ex[i].out * invValue + 2 ** (G - 1);
        var sum = 0;
        for (var j = 0; j < G + qb; j++) {
            ob[i][j] <-- (value >> j) & 1;
            ob[i][j] * (ob[i][j] - 1) === 0;
            sum += ob[i][j] * 2 ** j;
        }
        sum === ex[i].out * inv + 2 ** (G - 1);
        var u = 0;
        for (var j = 0; j < qb; j++) {
            u += ob[i][G + j] * 2 ** j;
        }
        out[i] <== u + zOut;
    }
}

// Position of the highest 1 bit of an integer x >= 1.
function tableTopBit(x) {
    var h = 0;
    while (2 ** (h + 1) <= x) {
        h++;
    }
    return h;
}

// 1 when table[start + half + t] - table[start + half] equals
// table[start + t] - table[start] for every t < half (the halves have one shape).
function tableHalvesAlike(table, start, half) {
    var alike = 1;
    for (var t = 1; t < half; t++) {
        if (table[start + half + t] - table[start + half] != table[start + t] - table[start]) {
            alike = 0;
        }
    }
    return alike;
}

// Smallest b >= 0 with x < 2^b, for an integer x >= 0.
function softmaxBitLength(x) {
    var b = 0;
    while (2 ** b <= x) {
        b++;
    }
    return b;
}
