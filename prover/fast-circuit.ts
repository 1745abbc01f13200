/**
 * The fast path (issue 8): model.r1cs, model.sym and the witness written straight from the
 * integer IR (circuits/system/), no circom run. The circuit is the one model.circom
 * describes, constraint for constraint under circom's --O1 (test/system/ checks it against
 * circom2); model.circom stays the auditable, includable form, and `--via circom` the
 * reference route.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '../circuits/errors.ts';
import { ARTIFACT_FILES, readManifest } from '../circuits/artifacts.ts';
import { writeFileAtomic } from '../circuits/files.ts';
import type { IrModel } from '../circuits/ir/types.ts';
import { loadCompiled } from '../circuits/predict.ts';
import type { CircuitBuilder } from '../circuits/system/builder.ts';
import { lowerModel, probeInputs, type LowerInputs } from '../circuits/system/lower.ts';
import { simplify, type SimplifiedSystem } from '../circuits/system/simplify.ts';
import { symText } from '../circuits/system/sym.ts';
import { BN254_SCALAR_MODULUS } from '../circuits/field.ts';
import { writeManifest } from './atomic.ts';
import { ptauPowerFor, type CompileCircuitResult } from './compile-circuit.ts';
import { r1csBytes } from './formats/r1cs.ts';
import { wtnsBytes } from './formats/wtns.ts';

/** The first constraint the witness violates, named by the signals in it; undefined when all hold. */
export function unsatisfied(b: CircuitBuilder, system: SimplifiedSystem): string | undefined {
  const value = (lc: ReadonlyMap<number, bigint>) => {
    let v = 0n;
    for (const [id, k] of lc) v += k * b.values[id]!;
    return v % BN254_SCALAR_MODULUS;
  };
  for (let i = 0; i < system.constraints.length; i++) {
    const { a, b: bb, c } = system.constraints[i]!;
    if ((value(a) * value(bb) - value(c)) % BN254_SCALAR_MODULUS !== 0n) {
      const names = [...new Set([...a.keys(), ...bb.keys(), ...c.keys()])].slice(0, 6).map((id) => b.names[id]);
      return `constraint ${i} (over ${names.join(', ')}${names.length === 6 ? ', …' : ''})`;
    }
  }
  return undefined;
}

/** The model's system built and simplified for one input, its witness checked against it. */
export function buildSystem(ir: IrModel, inputs: LowerInputs): { builder: CircuitBuilder; system: SimplifiedSystem } {
  const builder = lowerModel(ir, inputs);
  const system = simplify(builder);
  const bad = unsatisfied(builder, system);
  if (bad) throw new ToolError(`the fast path's witness violates ${bad}`, { hint: 'a compiler bug: compile with --via circom meanwhile, and report it' });
  return { builder, system };
}

export function r1csOf(builder: CircuitBuilder, system: SimplifiedSystem): Buffer {
  return r1csBytes({
    prime: BN254_SCALAR_MODULUS,
    publicOutputs: system.publicOutputs,
    publicInputs: system.publicInputs,
    privateInputs: system.privateInputs,
    labels: builder.names.length,
    wireLabels: Array.from(system.wires, (id) => system.labelOf[id]!),
    constraints: system.constraints,
    wireOf: system.wireOf,
  });
}

/** The witness file's bytes: every wire's value. */
export function wtnsOf(builder: CircuitBuilder, system: SimplifiedSystem): Buffer {
  return wtnsBytes(BN254_SCALAR_MODULUS, Array.from(system.wires, (id) => builder.values[id]!));
}

/**
 * Writes `<dir>/model.r1cs` and `model.sym` from ir.json (compile's output) and records the
 * circuit in manifest.json, as compileCircuit does after circom. A changed circuit drops an
 * earlier setup. The model's wasm witness generator, if any from an earlier circom route, is
 * removed: the fast path computes witnesses itself.
 */
export async function buildFastCircuit(dir: string): Promise<CompileCircuitResult> {
  const started = performance.now();
  const manifest = await readManifest(dir);
  const { ir } = await loadCompiled(dir);
  const commitment = manifest.modelCommitment ? BigInt(manifest.modelCommitment.value) : undefined;
  const { builder, system } = buildSystem(ir, probeInputs(ir, commitment));
  const r1cs = r1csOf(builder, system);
  const target = (name: keyof typeof ARTIFACT_FILES) => path.join(dir, ARTIFACT_FILES[name]);
  const old = await readFile(target('r1cs')).catch(() => undefined);
  let setupInvalidated = false;
  if (old === undefined || !old.equals(r1cs)) {
    setupInvalidated = manifest.setup !== undefined;
    await rm(target('verificationKey'), { force: true });
    await rm(target('zkey'), { force: true });
    delete manifest.setup;
  }
  await writeFileAtomic(target('r1cs'), r1cs);
  await writeFileAtomic(target('sym'), symText(builder, system));
  await rm(target('wasmDir'), { recursive: true, force: true });
  const counts = { constraints: system.constraints.length, publicInputs: system.publicInputs, publicOutputs: system.publicOutputs };
  const ptauPower = ptauPowerFor(counts);
  manifest.circuit = { ...manifest.circuit, constraints: counts.constraints, compiled: true, wires: system.wires.length, ptauPower, via: 'zkinfer' };
  await writeManifest(dir, manifest);
  return {
    constraints: counts.constraints,
    wires: system.wires.length,
    publicOutputs: system.publicOutputs,
    publicInputs: system.publicInputs,
    privateInputs: system.privateInputs,
    ptauPower,
    setupInvalidated,
    manifest,
    seconds: (performance.now() - started) / 1000,
  };
}
