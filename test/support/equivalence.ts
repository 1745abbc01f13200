/**
 * Equivalence of two compiled circuits (the fast path's and circom's): the same counts, the
 * same signals under the same names on the same wires, and each constraint system satisfied
 * by the other's witness, mapped wire to wire through the .sym names. Reads whole files
 * (core/formats' readers): for test-sized circuits.
 */
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACT_FILES } from '../../core/artifacts.ts';
import { MANIFEST_FILE } from '../../core/manifest.ts';
import { IR_FILE } from '../../circuits/ir/serialize.ts';
import { parseSym } from '../../circuits/constraints/sym.ts';
import { firstViolated } from '../../circuits/constraints/builder.ts';
import { buildFastCircuit } from '../../circuits/backends/r1cs.ts';
import { readR1cs } from '../../core/formats/r1cs.ts';
import { readWitness } from '../../core/formats/wtns.ts';
import { computeWitness } from '../../prover/witness.ts';

export interface CircuitFiles {
  r1cs: string;
  sym: string;
  wtns: string;
}

/** Every difference found, in words (empty when the two circuits are equivalent). */
export async function compareCircuits(fast: CircuitFiles, circom: CircuitFiles): Promise<string[]> {
  const problems: string[] = [];
  const [r1, r2] = [await readR1cs(fast.r1cs), await readR1cs(circom.r1cs)];
  for (const key of ['wires', 'publicOutputs', 'publicInputs', 'privateInputs', 'labels', 'constraints'] as const) {
    if (r1.header[key] !== r2.header[key]) problems.push(`${key}: fast path ${r1.header[key]}, circom ${r2.header[key]}`);
  }
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
  const [w1, w2] = [(await readWitness(fast.wtns)).values, (await readWitness(circom.wtns)).values];
  const moved = (entries: typeof s1, to: Map<string, number>, from: bigint[], wires: number) => {
    const out = new Array<bigint>(wires).fill(0n);
    out[0] = 1n;
    for (const e of entries) if (e.wire >= 0) out[to.get(e.name)!] = from[e.wire]!;
    return out;
  };
  const circomOnFast = moved(s2, fastWire, w2, r1.header.wires);
  const fastOnCircom = moved(s1, circomWire, w1, r2.header.wires);
  const bad1 = firstViolated(r1.constraints, circomOnFast);
  if (bad1 >= 0) problems.push(`circom's witness violates the fast path's constraint ${bad1}`);
  const bad2 = firstViolated(r2.constraints, fastOnCircom);
  if (bad2 >= 0) problems.push(`the fast path's witness violates circom's constraint ${bad2}`);
  if (firstViolated(r1.constraints, w1) >= 0) problems.push("the fast path's witness violates its own constraints");
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
