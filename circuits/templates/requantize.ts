/**
 * The R1CS twins of requantize.circom's templates: the same signals, in the same order,
 * the same constraints and the same hints, built into a CircuitBuilder (circuits/system/).
 * The comments of requantize.circom explain the algebra; this file only mirrors it.
 */
import { bitLength, lowestZeroBit, reluAsRequantize, type RequantizeParams, type RequantizeReluParams } from '../gadgets.ts';
import { CircuitBuilder, addTo, combine, constant, inverse, signalLc, type Component, type Lc } from '../system/builder.ts';

const bit = (x: bigint, i: number): bigint => (x >> BigInt(i)) & 1n;
const pow2 = (i: number): bigint => 1n << BigInt(i);

/**
 * Requantize(M, s, zOut, lo, hi, B, even) in `comp`, whose input `in` carries the integer
 * accumulator `acc`: declares in and out and returns them (the caller wires `in`).
 */
export function requantizeTwin(b: CircuitBuilder, comp: Component, p: RequantizeParams, acc: bigint): { input: number; output: number } {
  const input = b.signal(comp, 'input', 'in', acc);
  const output = b.declare(comp, 'output', 'out')[0]!;
  const inLc = signalLc(input);
  const { M, s, zOut, lo, hi, B } = p;
  const D = hi - lo;
  const k = bitLength(D);
  const n = s + B + 1;
  const half = s > 0 ? pow2(s - 1) : 0n;
  const K = pow2(B) - lo + zOut;
  const tie = p.even === true && s > 0;

  const a0 = b.declare(comp, 'intermediate', 'a0', [tie ? 1 : 0]);
  let adjust: Lc = constant(0n);
  let a0Value = 0n;
  if (tie) {
    a0Value = bit(acc * M, s); // parity of floor(acc·M / 2^s) (>> floors)
    b.set(a0[0]!, a0Value);
    b.boolean(a0[0]!);
    adjust = combine([signalLc(a0[0]!), 1n], [constant(1n), -1n]);
  }
  const offset = combine([constant(half + K * pow2(s)), 1n], [adjust, 1n]);
  const V = acc * M + half + (tie ? a0Value - 1n : 0n) + K * pow2(s);

  const bits = b.declare(comp, 'intermediate', 'bits', [n]);
  const sum = b.bits(bits, V);
  b.linear(combine([sum, 1n], [inLc, -M], [offset, -1n]));

  const withLow = tie && s >= 2 ? 1 : 0;
  const lowInv = b.declare(comp, 'intermediate', 'lowInv', [withLow]);
  const lowFull = b.declare(comp, 'intermediate', 'lowFull', [withLow]);
  const notFull = b.declare(comp, 'intermediate', 'notFull', [withLow]);
  const c = b.declare(comp, 'intermediate', 'c', [tie ? 1 : 0]);
  const pc = b.declare(comp, 'intermediate', 'pc', [tie ? 1 : 0]);
  const one = constant(1n);
  if (tie) {
    const top = signalLc(bits[s - 1]!);
    const notTop = combine([one, 1n], [top, -1n]);
    if (s === 1) {
      b.set(c[0]!, (1n - bit(V, s - 1)) * a0Value);
      b.constrain(notTop, signalLc(a0[0]!), signalLc(c[0]!));
    } else {
      const gap = combine([constant(pow2(s - 1) - 1n), 1n]);
      for (let i = 0; i < s - 1; i++) addBit(gap, bits[i]!, -pow2(i));
      const gapValue = b.evaluate(gap);
      b.set(lowInv[0]!, inverse(gapValue));
      b.set(lowFull[0]!, gapValue === 0n ? 1n : 0n);
      b.constrain(gap, signalLc(lowInv[0]!), combine([one, 1n], [signalLc(lowFull[0]!), -1n]));
      b.constrain(gap, signalLc(lowFull[0]!), constant(0n));
      b.set(notFull[0]!, (1n - a0Value) * b.values[lowFull[0]!]!);
      b.constrain(combine([one, 1n], [signalLc(a0[0]!), -1n]), signalLc(lowFull[0]!), signalLc(notFull[0]!));
      b.set(c[0]!, (1n - bit(V, s - 1)) * (1n - b.values[notFull[0]!]!));
      b.constrain(notTop, combine([one, 1n], [signalLc(notFull[0]!), -1n]), signalLc(c[0]!));
    }
    const parity = (K & 1n) === 1n ? combine([one, 1n], [signalLc(bits[s]!), -1n]) : signalLc(bits[s]!);
    b.set(pc[0]!, b.evaluate(parity) * b.values[c[0]!]!);
    b.constrain(parity, signalLc(c[0]!), signalLc(pc[0]!));
    b.linear(combine([signalLc(a0[0]!), 1n], [parity, -1n], [signalLc(c[0]!), -1n], [signalLc(pc[0]!), 2n]));
  }

  const bTop = signalLc(bits[n - 1]!);
  const u: Lc = new Map();
  for (let i = 0; i < B; i++) u.set(bits[s + i]!, pow2(i));

  const full = D + 1n === pow2(k);
  const z = full ? 0 : lowestZeroBit(D);
  const cmp = b.declare(comp, 'intermediate', 'cmp', [full ? 0 : k - 1 - z]);
  // Values tracked as integers alongside the combinations (evaluating them is the slow way).
  const gt: Lc = new Map();
  let gtValue = 0n;
  if (!full) {
    let eq: Lc = signalLc(bits[s + k - 1]!);
    let eqValue = bit(V, s + k - 1);
    for (let j = k - 2; j >= z; j--) {
      const id = cmp[k - 2 - j]!;
      const cmpValue = eqValue * bit(V, s + j);
      b.set(id, cmpValue);
      b.constrain(eq, signalLc(bits[s + j]!), signalLc(id));
      if (bit(D, j) === 1n) [eq, eqValue] = [signalLc(id), cmpValue];
      else {
        addBit(gt, id, 1n);
        gtValue += cmpValue;
        [eq, eqValue] = [combine([eq, 1n], [signalLc(id), -1n]), eqValue - cmpValue];
      }
    }
  }

  const terms = 1 + (B - k) + (full ? 0 : 1);
  const others = combine([gt, 1n]);
  let othersValue = gtValue;
  for (let i = k; i < B; i++) {
    addBit(others, bits[s + i]!, 1n);
    othersValue += bit(V, s + i);
  }
  const e = combine([one, 1n], [bTop, -1n], [others, 1n]);
  const inRange = b.declare(comp, 'intermediate', 'inRange')[0]!;
  const inv = b.declare(comp, 'intermediate', 'inv', [terms >= 3 ? 1 : 0]);
  const bTopValue = bit(V, n - 1);
  const eValue = 1n - bTopValue + othersValue;
  const inRangeValue = eValue === 0n ? 1n : 0n;
  b.set(inRange, inRangeValue);
  if (terms === 1) b.assign(inRange, bTop);
  else if (terms === 2) b.constrain(bTop, others, combine([bTop, 1n], [signalLc(inRange), -1n]));
  else {
    b.set(inv[0]!, inverse(eValue));
    b.constrain(e, signalLc(inv[0]!), combine([one, 1n], [signalLc(inRange), -1n]));
    b.constrain(e, signalLc(inRange), constant(0n));
  }

  const uValue = (V >> BigInt(s)) & (pow2(B) - 1n);
  b.set(output, inRangeValue * uValue + (bTopValue - inRangeValue) * D + lo);
  b.constrain(signalLc(inRange), u, combine([signalLc(output), 1n], [bTop, -D], [signalLc(inRange), D], [one, -lo]));
  return { input, output };
}

/** x += k · signal id, in place. */
function addBit(x: Lc, id: number, k: bigint): void {
  addTo(x, signalLc(id), k);
}

/** RequantizeRelu(M, s, zOut, qmin, qmax, B): a Requantize `rq` inside, wired by two equalities. */
export function requantizeReluTwin(b: CircuitBuilder, comp: Component, p: RequantizeReluParams, acc: bigint): { input: number; output: number } {
  const input = b.signal(comp, 'input', 'in', acc);
  const output = b.declare(comp, 'output', 'out')[0]!;
  const rq = requantizeTwin(b, b.component(comp, 'rq'), reluAsRequantize(p), acc);
  b.assign(rq.input, signalLc(input));
  b.copy(output, rq.output);
  return { input, output };
}
