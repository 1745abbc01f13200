/**
 * The fast path: model.r1cs, model.sym and the witness written straight from the
 * integer IR (circuits/lowering/), no circom run. The circuit is the one model.circom
 * describes, constraint for constraint under circom's --O1 (test/system/ checks it against
 * circom2); model.circom stays the auditable, includable form, and `--via circom` the
 * reference route.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ARTIFACT_FILES } from '../../core/artifacts.ts';
import { writeFileAtomic } from '../../core/files.ts';
import type { IrModel } from '../ir/types.ts';
import type { Manifest } from '../../core/manifest.ts';
import { loadCompiled } from '../ir/serialize.ts';
import type { CircuitBuilder } from '../constraints/builder.ts';
import { checkedSystem, lowerAndSimplify, probeInputs, type BuiltSystem } from '../lowering/lower.ts';
import type { SimplifiedSystem } from '../constraints/simplify.ts';
import { symText } from '../constraints/sym.ts';
import { BN254_SCALAR_MODULUS } from '../../core/field.ts';
import { recordCircuit, type CompileCircuitResult } from './record.ts';
import { r1csBytes } from '../../core/formats/r1cs.ts';
import { wtnsBytes } from '../../core/formats/wtns.ts';

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
 * in-memory result with the system it counted, or else ir.json in `dir`) and records the circuit in manifest.json, as
 * compileCircuit does after circom. A changed circuit drops an earlier setup. The model's wasm
 * witness generator, if any from an earlier circom route, is removed: the fast path computes
 * witnesses itself.
 */
export async function buildFastCircuit(dir: string, compiled?: { manifest: Manifest; ir: IrModel; built?: BuiltSystem }): Promise<CompileCircuitResult> {
  const started = performance.now();
  const { manifest, ir } = compiled ?? (await loadCompiled(dir));
  const commitment = manifest.modelCommitment ? BigInt(manifest.modelCommitment.value) : undefined;
  const { builder, system } = checkedSystem(compiled?.built ?? lowerAndSimplify(ir, probeInputs(ir, commitment)));
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
