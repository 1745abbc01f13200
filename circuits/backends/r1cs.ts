/**
 * The fast path: model.r1cs, model.sym and the witness written straight from the
 * integer IR (circuits/lowering/), no circom run. The circuit is the one model.circom
 * describes, constraint for constraint under circom's --O1 (test/system/ checks it against
 * circom2); model.circom stays the auditable, includable form, and `--via circom` the
 * reference route.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '../../core/errors.ts';
import { ARTIFACT_FILES } from '../../core/artifacts.ts';
import { writeFileAtomic } from '../../core/files.ts';
import type { IrModel } from '../ir/types.ts';
import type { Manifest } from '../../core/manifest.ts';
import { loadCompiled } from '../ir/serialize.ts';
import { firstViolated, type CircuitBuilder } from '../constraints/builder.ts';
import { lowerModel, probeInputs, type LowerInputs } from '../lowering/lower.ts';
import { simplify, type SimplifiedSystem } from '../constraints/simplify.ts';
import { symText } from '../constraints/sym.ts';
import { BN254_SCALAR_MODULUS } from '../../core/field.ts';
import { recordCircuit, type CompileCircuitResult } from './record.ts';
import { r1csBytes } from '../../core/formats/r1cs.ts';
import { wtnsBytes } from '../../core/formats/wtns.ts';

/** The first constraint the witness violates, named by the signals in it; undefined when all hold. */
export function unsatisfied(b: CircuitBuilder, system: SimplifiedSystem): string | undefined {
  const i = firstViolated(system.constraints, b.values);
  if (i < 0) return undefined;
  const { a, b: bb, c } = system.constraints[i]!;
  const names = [...new Set([...a.keys(), ...bb.keys(), ...c.keys()])].slice(0, 6).map((id) => b.names[id]);
  return `constraint ${i} (over ${names.join(', ')}${names.length === 6 ? ', …' : ''})`;
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
 * Writes `<dir>/model.r1cs` and `model.sym` from the compiled IR (`compiled`, the compiler's
 * in-memory result, or else ir.json in `dir`) and records the circuit in manifest.json, as
 * compileCircuit does after circom. A changed circuit drops an earlier setup. The model's wasm
 * witness generator, if any from an earlier circom route, is removed: the fast path computes
 * witnesses itself.
 */
export async function buildFastCircuit(dir: string, compiled?: { manifest: Manifest; ir: IrModel }): Promise<CompileCircuitResult> {
  const started = performance.now();
  const { manifest, ir } = compiled ?? (await loadCompiled(dir));
  const commitment = manifest.modelCommitment ? BigInt(manifest.modelCommitment.value) : undefined;
  const { builder, system } = buildSystem(ir, probeInputs(ir, commitment));
  const r1cs = r1csOf(builder, system);
  const header = {
    prime: BN254_SCALAR_MODULUS,
    wires: system.wires.length,
    publicOutputs: system.publicOutputs,
    publicInputs: system.publicInputs,
    privateInputs: system.privateInputs,
    labels: builder.names.length,
    constraints: system.constraints.length,
  };
  return recordCircuit(dir, manifest, header, r1cs, 'zkinfer', started, async () => {
    await writeFileAtomic(path.join(dir, ARTIFACT_FILES.r1cs), r1cs);
    await writeFileAtomic(path.join(dir, ARTIFACT_FILES.sym), symText(builder, system));
    await rm(path.join(dir, ARTIFACT_FILES.wasmDir), { recursive: true, force: true });
  });
}
