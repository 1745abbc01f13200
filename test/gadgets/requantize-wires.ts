/**
 * A witness builder for the Requantize template: every signal computed from the input and the
 * bits exactly as requantize.circom wires them, so a cheating prover's witness (other bits,
 * flags or a0) stays consistent everywhere else. Shared by the half-up and ties-to-even tests.
 */
import type { RequantizeParams } from '../../circuits/gadgets/requantize.ts';
import { bitsOf, fieldInverse, toField } from './harness.ts';

export interface WireOptions {
  /** The n bits of V (default: the honest decomposition); may be non-boolean. */
  bits?: bigint[];
  /** Force the in-range flag (ignored where inRange is bTop itself). */
  inRange?: bigint;
  /** Force the inlined IsZero's inverse (default: 1/e, or 0 for e = 0). */
  inv?: bigint;
  /** Claim every comparator product is 0, i.e. L <= D (the rest follows from that). */
  zeroCompare?: boolean;
  /** Ties to even: the hinted parity a0 (default: the honest one). */
  a0?: bigint;
}

/** Whether the template runs its ties-to-even logic. */
export function tiesToEven(p: RequantizeParams): boolean {
  return p.even === true && p.s > 0;
}

/** The honest a0: the parity of floor(acc·M / 2^s). */
export function honestA0(p: RequantizeParams, acc: bigint): bigint {
  const x = acc * p.M;
  const unit = 1n << BigInt(p.s);
  const floor = x >= 0n ? x / unit : -((-x + unit - 1n) / unit);
  return floor & 1n;
}

/**
 * V = acc·M + 2^(s−1) + (2^B − lo + zOut)·2^s, the value the template decomposes (not itself a wire);
 * with ties to even 2^(s−1) − 1 + a0 in place of 2^(s−1).
 */
export function requantizeV(p: RequantizeParams, acc: bigint, a0: bigint = honestA0(p, acc)): bigint {
  const half = p.s > 0 ? 1n << BigInt(p.s - 1) : 0n;
  const adjust = tiesToEven(p) ? a0 - 1n : 0n;
  return acc * p.M + half + adjust + ((1n << BigInt(p.B)) - p.lo + p.zOut) * (1n << BigInt(p.s));
}

/**
 * Every Requantize signal, computed from the input and the bits exactly as the template wires them:
 * a witness builder for cheating provers (pass other bits or flags, the rest follows consistently).
 */
export function requantizeWires(p: RequantizeParams, acc: bigint, prefix: string, o: WireOptions = {}): Map<string, bigint> {
  const n = p.s + p.B + 1;
  const a0 = o.a0 ?? honestA0(p, acc);
  const bits = o.bits ?? bitsOf(requantizeV(p, acc, a0), n);
  const wires = new Map<string, bigint>();
  const set = (name: string, v: bigint): void => void wires.set(`${prefix}.${name}`, v);
  set('in', acc);
  bits.forEach((b, i) => set(`bits[${i}]`, b));
  if (tiesToEven(p)) {
    set('a0[0]', a0);
    const b = bits[p.s - 1]!;
    let c: bigint;
    if (p.s === 1) {
      c = (1n - b) * a0;
    } else {
      let gap = (1n << BigInt(p.s - 1)) - 1n;
      for (let i = 0; i < p.s - 1; i++) gap -= bits[i]! << BigInt(i);
      const inv = toField(gap) === 0n ? 0n : fieldInverse(gap);
      const lowFull = toField(1n - gap * inv);
      set('lowInv[0]', inv);
      set('lowFull[0]', lowFull);
      const notFull = toField((1n - a0) * lowFull);
      set('notFull[0]', notFull);
      c = toField((1n - b) * (1n - notFull));
    }
    set('c[0]', c);
    const K = (1n << BigInt(p.B)) - p.lo + p.zOut;
    const parity = (K & 1n) === 1n ? 1n - bits[p.s]! : bits[p.s]!;
    set('pc[0]', toField(parity * c));
  }
  const bTop = bits[n - 1]!;
  let u = 0n;
  for (let i = 0; i < p.B; i++) u += bits[p.s + i]! << BigInt(i);

  const D = p.hi - p.lo;
  const k = D === 0n ? 0 : D.toString(2).length;
  const full = D + 1n === 1n << BigInt(k);
  let gt = 0n;
  if (!full) {
    let z = 0;
    while ((D >> BigInt(z)) & 1n) z++;
    let eq = bits[p.s + k - 1]!;
    for (let j = k - 2; j >= z; j--) {
      const c = o.zeroCompare ? 0n : eq * bits[p.s + j]!;
      set(`cmp[${k - 2 - j}]`, c);
      if ((D >> BigInt(j)) & 1n) eq = c;
      else [gt, eq] = [gt + c, eq - c];
    }
  }
  let others = gt;
  for (let i = k; i < p.B; i++) others += bits[p.s + i]!;
  const terms = 1 + (p.B - k) + (full ? 0 : 1);
  let inRange = bTop;
  if (terms === 2) {
    inRange = o.inRange ?? bTop - bTop * others;
  } else if (terms >= 3) {
    const e = toField(1n - bTop + others);
    inRange = o.inRange ?? (e === 0n ? 1n : 0n);
    set('inv[0]', o.inv ?? (e === 0n ? 0n : fieldInverse(e)));
  }
  set('inRange', inRange);
  const out = p.lo + inRange * u + (bTop - inRange) * D;
  set('out', out);
  // RequantizeRelu's own in and out are the same values.
  if (prefix !== 'main') {
    wires.set('main.in', acc);
    wires.set('main.out', out);
  }
  return wires;
}

