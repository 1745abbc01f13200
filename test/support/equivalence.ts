/**
 * Equivalence of two compiled circuits (the fast path's and circom's): the same counts, the
 * same signals under the same names on the same wires, and each constraint system satisfied
 * by the other's witness, mapped wire to wire through the .sym names. Reads whole files: for
 * test-sized circuits.
 */
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACT_FILES } from '../../circuits/artifacts.ts';
import { MANIFEST_FILE } from '../../circuits/manifest.ts';
import { IR_FILE } from '../../circuits/ir/serialize.ts';
import { parseSym } from '../../circuits/system/sym.ts';
import { buildFastCircuit } from '../../prover/fast-circuit.ts';
import { computeWitness } from '../../prover/witness.ts';
import { BN254_SCALAR_MODULUS as P } from '../../circuits/field.ts';

type Lc = Map<number, bigint>;
export interface R1cs {
  wires: number;
  publicOutputs: number;
  publicInputs: number;
  privateInputs: number;
  labels: number;
  constraints: { a: Lc; b: Lc; c: Lc }[];
}

function sections(buffer: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let at = 12;
  for (let s = 0; s < buffer.readUInt32LE(8); s++) {
    const type = buffer.readUInt32LE(at);
    const size = Number(buffer.readBigUInt64LE(at + 4));
    out.set(type, buffer.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return out;
}

function fieldAt(b: Buffer, at: number): bigint {
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]!);
  return v;
}

export function readR1cs(file: string): R1cs {
  const s = sections(readFileSync(file));
  const h = s.get(1)!;
  const n8 = h.readUInt32LE(0);
  const at = 4 + n8;
  const count = h.readUInt32LE(at + 24);
  const body = s.get(2)!;
  let p = 0;
  const lc = (): Lc => {
    const m: Lc = new Map();
    const n = body.readUInt32LE(p);
    p += 4;
    for (let i = 0; i < n; i++) {
      m.set(body.readUInt32LE(p), fieldAt(body, p + 4));
      p += 4 + n8;
    }
    return m;
  };
  const constraints = Array.from({ length: count }, () => ({ a: lc(), b: lc(), c: lc() }));
  return {
    wires: h.readUInt32LE(at),
    publicOutputs: h.readUInt32LE(at + 4),
    publicInputs: h.readUInt32LE(at + 8),
    privateInputs: h.readUInt32LE(at + 12),
    labels: Number(h.readBigUInt64LE(at + 16)),
    constraints,
  };
}

export function readWtns(file: string): bigint[] {
  const s = sections(readFileSync(file));
  const data = s.get(2)!;
  return Array.from({ length: data.length / 32 }, (_, i) => fieldAt(data, i * 32));
}

/** Index of the first constraint the witness violates, −1 when all hold. */
export function firstViolated(r1cs: R1cs, witness: readonly bigint[]): number {
  const value = (lc: Lc) => {
    let v = 0n;
    for (const [w, k] of lc) v += k * witness[w]!;
    return v % P;
  };
  return r1cs.constraints.findIndex(({ a, b, c }) => (value(a) * value(b) - value(c)) % P !== 0n);
}

export interface CircuitFiles {
  r1cs: string;
  sym: string;
  wtns: string;
}

/** Every difference found, in words (empty when the two circuits are equivalent). */
export function compareCircuits(fast: CircuitFiles, circom: CircuitFiles): string[] {
  const problems: string[] = [];
  const [r1, r2] = [readR1cs(fast.r1cs), readR1cs(circom.r1cs)];
  for (const key of ['wires', 'publicOutputs', 'publicInputs', 'privateInputs', 'labels'] as const) {
    if (r1[key] !== r2[key]) problems.push(`${key}: fast path ${r1[key]}, circom ${r2[key]}`);
  }
  if (r1.constraints.length !== r2.constraints.length) problems.push(`constraints: fast path ${r1.constraints.length}, circom ${r2.constraints.length}`);
  const [s1, s2] = [parseSym(readFileSync(fast.sym, 'utf8')), parseSym(readFileSync(circom.sym, 'utf8'))];
  const circomWire = new Map(s2.map((e) => [e.name, e.wire]));
  const fastWire = new Map(s1.map((e) => [e.name, e.wire]));
  const onlyFast = s1.filter((e) => !circomWire.has(e.name)).map((e) => e.name);
  const onlyCircom = s2.filter((e) => !fastWire.has(e.name)).map((e) => e.name);
  if (onlyFast.length) problems.push(`${onlyFast.length} signals only in the fast path, e.g. ${onlyFast.slice(0, 3).join(', ')}`);
  if (onlyCircom.length) problems.push(`${onlyCircom.length} signals only in circom's, e.g. ${onlyCircom.slice(0, 3).join(', ')}`);
  const keptDiffer = s1.filter((e) => circomWire.has(e.name) && (e.wire < 0) !== (circomWire.get(e.name)! < 0));
  if (keptDiffer.length) problems.push(`${keptDiffer.length} signals kept by one and removed by the other, e.g. ${keptDiffer.slice(0, 3).map((e) => `${e.name} (fast wire ${e.wire}, circom ${circomWire.get(e.name)})`).join(', ')}`);
  if (problems.length) return problems;

  // Each witness moved onto the other's wires by name, and checked against the other's constraints.
  const [w1, w2] = [readWtns(fast.wtns), readWtns(circom.wtns)];
  const moved = (entries: typeof s1, to: Map<string, number>, from: bigint[], wires: number) => {
    const out = new Array<bigint>(wires).fill(0n);
    out[0] = 1n;
    for (const e of entries) if (e.wire >= 0) out[to.get(e.name)!] = from[e.wire]!;
    return out;
  };
  const circomOnFast = moved(s2, fastWire, w2, r1.wires);
  const fastOnCircom = moved(s1, circomWire, w1, r2.wires);
  const bad1 = firstViolated(r1, circomOnFast);
  if (bad1 >= 0) problems.push(`circom's witness violates the fast path's constraint ${bad1}`);
  const bad2 = firstViolated(r2, fastOnCircom);
  if (bad2 >= 0) problems.push(`the fast path's witness violates circom's constraint ${bad2}`);
  if (firstViolated(r1, w1) >= 0) problems.push("the fast path's witness violates its own constraints");
  return problems;
}

/**
 * A fast-path copy of a model compiled `--via circom` in `circomDir`: the compiler's outputs
 * copied to `<circomDir>-fast` and its model.r1cs and model.sym written by the fast path
 * (buildFastCircuit, as `zkinfer compile` does). Returns the copy's folder.
 */
export async function fastPathCopy(circomDir: string): Promise<string> {
  const fastDir = `${circomDir}-fast`;
  await rm(fastDir, { recursive: true, force: true });
  await mkdir(fastDir, { recursive: true });
  for (const f of [MANIFEST_FILE, IR_FILE, ARTIFACT_FILES.circuit, ARTIFACT_FILES.template]) await copyFile(path.join(circomDir, f), path.join(fastDir, f));
  await buildFastCircuit(fastDir);
  return fastDir;
}

/**
 * compareCircuits for one input: circom's witness (its wasm, in circomDir) against the fast
 * path's (in fastDir), each computed by computeWitness as `zkinfer prove` does.
 */
export async function fastPathProblems(circomDir: string, fastDir: string, inputJson: unknown, source: string): Promise<string[]> {
  const circomWitness = await computeWitness(circomDir, inputJson, source, { witnessFile: path.join(circomDir, 'equivalence.wtns') });
  const fastWitness = await computeWitness(fastDir, inputJson, source, { witnessFile: path.join(fastDir, 'equivalence.wtns') });
  const files = (dir: string, wtns: string): CircuitFiles => ({ r1cs: path.join(dir, ARTIFACT_FILES.r1cs), sym: path.join(dir, ARTIFACT_FILES.sym), wtns });
  return compareCircuits(files(fastDir, fastWitness.witnessFile), files(circomDir, circomWitness.witnessFile));
}
