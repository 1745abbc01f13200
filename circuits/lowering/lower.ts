/**
 * The fast path's lowering: the integer IR straight to a constraint system with its witness,
 * the same circuit circuits/emit.ts writes as Circom. It declares main's signals in the
 * emitter's order and under its names, and each node's lowering (circuits/ir/*.ts) builds the
 * R1CS twins of the templates the emitter instantiates; the reference evaluator's integers
 * give every hint. circuits/constraints/simplify.ts then applies circom's --O1.
 */
import { CONTENT_HASH_SIGNAL, MODEL_COMMITMENT_SIGNAL, OUTPUT_HASH_SIGNAL } from '../../core/manifest.ts';
import { evaluate } from '../evaluate.ts';
import { inRangeParams, inRangeTwin } from '../gadgets/range.ts';
import { nodeIdentifiers, signalNames } from '../emit.ts';
import type { CommittedLcs } from '../ir/kind.ts';
import { kindOf } from '../ir/kinds.ts';
import type { IrModel } from '../ir/types.ts';
import { sizeOf } from '../tensor.ts';
import { CircuitBuilder, firstViolated, signalLc, type Lc } from '../constraints/builder.ts';
import { simplify, type SimplifiedSystem } from '../constraints/simplify.ts';
import { ORIGINS } from './origins.ts';
import { ToolError } from '../../core/errors.ts';
import { lowerInputHash, lowerModelCommitment, lowerOutputHash } from './hashes.ts';

export interface LowerInputs {
  /** Quantized integers by input name (row-major). */
  inputs: ReadonlyMap<string, readonly bigint[]>;
  /** The content hash public input (models without --input hashed, which compute it). */
  contentHash: bigint;
  /** The model commitment public input (--weights hashed): circuits/hashes.ts modelCommitment. */
  modelCommitment?: bigint;
}

/** A valid input for building the system without a real one: each element its range's value nearest 0. */
export function probeInputs(ir: IrModel, modelCommitment?: bigint): LowerInputs {
  const nearZero = (min: bigint, max: bigint) => (min > 0n ? min : max < 0n ? max : 0n);
  return {
    inputs: new Map(ir.inputs.map((t) => [t.name, new Array<bigint>(sizeOf(t.shape)).fill(nearZero(t.min, t.max))])),
    contentHash: 0n,
    ...(modelCommitment === undefined ? {} : { modelCommitment }),
  };
}

/** The model's constraint system and witness for one input (unsimplified: see simplify.ts). */
export function lowerModel(ir: IrModel, given: LowerInputs): CircuitBuilder {
  const { values } = evaluate(ir, given.inputs);
  const signals = signalNames(ir);
  const ids = nodeIdentifiers(ir, signals);
  const hasCommitment = signals.committed.size > 0;
  if (hasCommitment && given.modelCommitment === undefined) throw new Error('internal: a model with committed weights needs its commitment to build the witness');
  const b = new CircuitBuilder();
  const main = b.main;

  // Declared in emitCircom's order: outputs (or their hash), the content hash, the model commitment, the inputs.
  const outputHash = ir.hashedOutputs ? b.declare(main, 'output', OUTPUT_HASH_SIGNAL)[0]! : undefined;
  const outputs = ir.hashedOutputs ? [] : ir.outputs.map((t) => b.signals(main, 'output', signals.outputs.get(t.name)!, [sizeOf(t.shape)], (k) => values.get(t.name)![k]!));
  const contentHash = ir.hashedInputs ? b.declare(main, 'output', CONTENT_HASH_SIGNAL)[0]! : b.signal(main, 'input', CONTENT_HASH_SIGNAL, given.contentHash);
  if (!ir.hashedInputs) b.publicInputs.add(contentHash);
  const modelCommitment = hasCommitment ? b.signal(main, 'input', MODEL_COMMITMENT_SIGNAL, given.modelCommitment!) : undefined;
  if (modelCommitment !== undefined) b.publicInputs.add(modelCommitment);
  const lcs = new Map<string, readonly Lc[]>();
  for (const t of ir.inputs) {
    const inputIds = b.signals(main, 'input', signals.inputs.get(t.name)!, [sizeOf(t.shape)], (k) => values.get(t.name)![k]!);
    if (ir.publicInputs) inputIds.forEach((id) => b.publicInputs.add(id));
    lcs.set(t.name, inputIds.map(signalLc));
  }
  if (ir.inputRangeCheck) {
    for (const t of ir.inputs) {
      b.origin = ORIGINS.inputRange(t.name);
      const params = inRangeParams(t.min, t.max);
      const name = `${signals.inputs.get(t.name)!}_range`;
      values.get(t.name)!.forEach((x, i) => b.assign(inRangeTwin(b, b.component(main, name, [i]), params, x), lcs.get(t.name)![i]!));
    }
  }
  b.origin = ORIGINS.inputHash;
  if (ir.hashedInputs) lowerInputHash(b, ir, lcs, contentHash);
  b.origin = ORIGINS.modelCommitment;
  const committed = modelCommitment === undefined ? new Map<string, CommittedLcs>() : lowerModelCommitment(b, ir, signals, modelCommitment);
  for (const node of ir.nodes) {
    b.origin = ORIGINS.node(node.output);
    lcs.set(node.output, kindOf(node).lower(node, { b, ir, lcs, values, id: ids.get(node.output) ?? '', committed }));
  }
  if (outputHash !== undefined) {
    b.origin = ORIGINS.outputHash;
    lowerOutputHash(b, ir, lcs, outputHash);
  } else {
    b.origin = ORIGINS.outputs;
    ir.outputs.forEach((t, k) => outputs[k]!.forEach((id, i) => b.assign(id, lcs.get(t.name)![i]!)));
  }
  return b;
}

/** A model's constraint system: as built (signals, witness) and after --O1. */
export interface BuiltSystem {
  builder: CircuitBuilder;
  system: SimplifiedSystem;
}

/** The first constraint the witness violates, named by the signals in it; undefined when all hold. */
export function unsatisfied(b: CircuitBuilder, system: SimplifiedSystem): string | undefined {
  const i = firstViolated(system.constraints, b.values);
  if (i < 0) return undefined;
  const { a, b: bb, c } = system.constraints[i]!;
  const names = [...new Set([...a.keys(), ...bb.keys(), ...c.keys()])].slice(0, 6).map((id) => b.names[id]);
  return `constraint ${i} (over ${names.join(', ')}${names.length === 6 ? ', …' : ''})`;
}

/** The model's system built for one input and simplified (its witness not yet checked: checkedSystem). */
export function lowerAndSimplify(ir: IrModel, inputs: LowerInputs): BuiltSystem {
  const builder = lowerModel(ir, inputs);
  return { builder, system: simplify(builder) };
}

/** The system, once its witness satisfies every constraint. */
export function checkedSystem(built: BuiltSystem): BuiltSystem {
  const bad = unsatisfied(built.builder, built.system);
  if (bad) throw new ToolError(`the fast path's witness violates ${bad}`, { hint: 'a compiler bug: compile with --via circom meanwhile, and report it' });
  return built;
}

/** The model's system built and simplified for one input, its witness checked against it. */
export function buildSystem(ir: IrModel, inputs: LowerInputs): BuiltSystem {
  return checkedSystem(lowerAndSimplify(ir, inputs));
}
