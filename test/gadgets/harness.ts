/**
 * Compiles gadget wrappers with circom_tester (--O1, as the project compiles, into a temp dir) and edits witnesses
 * by signal name for the tamper tests.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { wasm, type WasmTester } from 'circom_tester';
import { expect } from 'vitest';
import { gadgetIncludePaths } from '../../circuits/gadgets/common.ts';
import { CircuitBuilder } from '../../circuits/constraints/builder.ts';
import { simplify } from '../../circuits/constraints/simplify.ts';
import { symText } from '../../circuits/constraints/sym.ts';
import { r1csOf, wtnsOf } from '../../circuits/backends/r1cs.ts';
import { wtnsBytes } from '../../core/formats/wtns.ts';
import { compareCircuits } from '../support/equivalence.ts';

/** The BN254 scalar field order. */
export const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** A signed integer as a field element in [0, p). */
export function toField(x: bigint): bigint {
  return ((x % P) + P) % P;
}

/** A field element as the signed integer in (−p/2, p/2) it encodes. */
export function fromField(x: bigint): bigint {
  return x > P / 2n ? x - P : x;
}

/** x^(−1) mod p, for x ≠ 0 mod p. */
export function fieldInverse(x: bigint): bigint {
  let [base, exp, result] = [toField(x), P - 2n, 1n];
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % P;
    base = (base * base) % P;
    exp >>= 1n;
  }
  return result;
}

/** A compiled `component main = …` wrapper around one gadget. */
export class Gadget {
  private constructor(
    readonly tester: WasmTester,
    readonly dir: string,
  ) {}

  /** Compiles `component main = <component>;` including template file `file`. */
  static async compile(file: string, component: string): Promise<Gadget> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zkinfer-gadget-'));
    const main = path.join(dir, 'main.circom');
    await fs.writeFile(main, `pragma circom 2.1.0;\ninclude "${file}";\ncomponent main = ${component};\n`);
    const tester = await wasm(main, { include: gadgetIncludePaths(), O: 1, output: dir });
    await tester.loadSymbols();
    await tester.loadConstraints();
    return new Gadget(tester, dir);
  }

  async dispose(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  /** Number of constraints in the r1cs (after --O1: non-linear plus the linear ones it keeps). */
  get constraintCount(): number {
    return this.tester.constraints.length;
  }

  /** Constraints with both A and B non-empty (the rest are linear). */
  get nonLinearCount(): number {
    return this.tester.constraints.filter(([a, b]) => Object.keys(a).length > 0 && Object.keys(b).length > 0).length;
  }

  /** Whether `name` is a signal that survived --O1 as a witness entry. */
  isWire(name: string): boolean {
    const sym = this.tester.symbols[name];
    return sym !== undefined && sym.varIdx > 0;
  }

  /** Witness index of `name`; fails the test if the signal is absent or eliminated. */
  wire(name: string): number {
    expect(this.isWire(name), `${name} is a wire after --O1`).toBe(true);
    return this.tester.symbols[name]!.varIdx;
  }

  /** Witness indices (without the constant 1) of the surviving signals, less those of signals matching `skip`. */
  wires(skip: RegExp): number[] {
    const symbols = Object.entries(this.tester.symbols);
    const skipped = new Set(symbols.filter(([name]) => skip.test(name)).map(([, s]) => s.varIdx));
    const all = new Set(symbols.map(([, s]) => s.varIdx).filter((i) => i > 0 && !skipped.has(i)));
    return [...all].sort((a, b) => a - b);
  }

  async witness(input: Record<string, bigint | bigint[]>): Promise<bigint[]> {
    return this.tester.calculateWitness(input, true);
  }

  /** The signed value of signal `name` in `witness`. */
  read(witness: readonly bigint[], name: string): bigint {
    return fromField(witness[this.wire(name)]!);
  }

  /** A copy of `witness` with signal `name` set to `value` (must change it). */
  tamper(witness: readonly bigint[], name: string, value: bigint): bigint[] {
    const idx = this.wire(name);
    const copy = [...witness];
    copy[idx] = toField(value);
    expect(copy[idx], `tampering ${name} changes it`).not.toBe(witness[idx]);
    return copy;
  }

  /**
   * A copy of `witness` with every surviving signal in `values` set, in the map's order (where
   * --O1 made two names one wire, the later entry wins). Every surviving signal whose name starts
   * with `prefix` must be in `values`, so the result is fully the caller's witness.
   */
  withWires(witness: readonly bigint[], values: ReadonlyMap<string, bigint>, prefix: string): bigint[] {
    for (const [name, sym] of Object.entries(this.tester.symbols)) {
      if (sym.varIdx > 0 && name.startsWith(`${prefix}.`)) {
        expect(values.has(name), `the witness builder sets ${name}`).toBe(true);
      }
    }
    const copy = [...witness];
    for (const [name, v] of values) {
      const sym = this.tester.symbols[name];
      if (sym !== undefined && sym.varIdx > 0) copy[sym.varIdx] = toField(v);
    }
    return copy;
  }

  /**
   * Differences between this compiled gadget and its R1CS twin (circuits/gadgets/*.ts) built
   * as main by `twin` for the witness `input` (empty: equivalent): counts, names, wires, and each
   * system satisfied by the other's witness.
   */
  async twinProblems(twin: (b: CircuitBuilder) => void, input: Record<string, bigint | bigint[]>): Promise<string[]> {
    const b = new CircuitBuilder();
    twin(b);
    const system = simplify(b);
    const out = await fs.mkdtemp(path.join(this.dir, 'twin-'));
    const files = { r1cs: path.join(out, 'fast.r1cs'), sym: path.join(out, 'fast.sym'), wtns: path.join(out, 'fast.wtns') };
    await fs.writeFile(files.r1cs, r1csOf(b, system));
    await fs.writeFile(files.sym, symText(b, system));
    await fs.writeFile(files.wtns, wtnsOf(b, system));
    const circomWtns = path.join(out, 'circom.wtns');
    await fs.writeFile(circomWtns, wtnsBytes(P, await this.witness(input)));
    return compareCircuits(files, { r1cs: path.join(this.dir, 'main.r1cs'), sym: path.join(this.dir, 'main.sym'), wtns: circomWtns });
  }

  async expectAccepted(witness: readonly bigint[]): Promise<void> {
    await expect(this.tester.checkConstraints(witness)).resolves.toBeUndefined();
  }

  async expectRejected(witness: readonly bigint[]): Promise<void> {
    await expect(this.tester.checkConstraints(witness)).rejects.toThrow("Constraint doesn't match");
  }

  /** Adding 1 to any one listed wire must break a constraint: the witness is pinned by the input. */
  async expectPinned(witness: readonly bigint[], indices: readonly number[]): Promise<void> {
    const loose: number[] = [];
    for (const idx of indices) {
      const copy = [...witness];
      copy[idx] = (copy[idx]! + 1n) % P;
      try {
        await this.tester.checkConstraints(copy);
        loose.push(idx);
      } catch {
        // rejected, as it must be
      }
    }
    const names = Object.entries(this.tester.symbols)
      .filter(([, s]) => loose.includes(s.varIdx))
      .map(([n]) => n);
    expect(names, 'wires that can change without breaking a constraint').toEqual([]);
  }
}

/** A seeded PRNG so failures reproduce. */
export { mulberry32 as seededRandom } from '../../circuits/random.ts';

/** A random integer in [lo, hi] (spans up to 2^52). */
export function randomBigInt(next: () => number, lo: bigint, hi: bigint): bigint {
  const r = BigInt(Math.floor(next() * 2 ** 26)) * 2n ** 26n + BigInt(Math.floor(next() * 2 ** 26));
  return lo + (r % (hi - lo + 1n));
}

/** The n low bits of x ≥ 0 (or of x mod 2^n for x < 0), least significant first. */
export function bitsOf(x: bigint, n: number): bigint[] {
  const m = ((x % (1n << BigInt(n))) + (1n << BigInt(n))) % (1n << BigInt(n));
  return Array.from({ length: n }, (_, i) => (m >> BigInt(i)) & 1n);
}

/**
 * A copy of the bit vector `bits` (weights 2^0, 2^1, …) where bit `i` alone is non-boolean yet the weighted
 * sum is unchanged mod p: another bit j is flipped (it stays boolean) and bit i absorbs (old_j − new_j)·2^j / 2^i,
 * a field fraction. Only bit i's booleanity constraint can reject it.
 */
export function withFractionalBit(bits: readonly bigint[], i: number): bigint[] {
  const j = i === 0 ? 1 : 0;
  const copy = [...bits];
  copy[j] = 1n - bits[j]!;
  const shift = ((bits[j]! - copy[j]!) * (1n << BigInt(j)) * fieldInverse(1n << BigInt(i))) % P;
  copy[i] = toField(bits[i]! + shift);
  expect(copy[i] === 0n || copy[i] === 1n, `bit ${i} is non-boolean`).toBe(false);
  return copy;
}
