/**
 * The fast path's lowering: the integer IR straight to a constraint system with its witness,
 * the same circuit circuits/emit.ts writes as Circom. It declares main's signals in the
 * emitter's order and under its names, and each node's lowering (circuits/ir/*.ts) builds the
 * R1CS twins of the templates the emitter instantiates; the reference evaluator's integers
 * give every hint. circuits/system/simplify.ts then applies circom's --O1.
 */
import { CONTENT_HASH_SIGNAL, MODEL_COMMITMENT_SIGNAL, OUTPUT_HASH_SIGNAL } from '../manifest.ts';
import { evaluate } from '../evaluate.ts';
import { inRangeParams } from '../gadgets.ts';
import { nodeIdentifiers, signalNames } from '../emit.ts';
import { lowerAffine } from '../ir/affine.ts';
import { lowerArgMax } from '../ir/argmax.ts';
import { lowerCommittedConv, lowerConv } from '../ir/conv.ts';
import { lowerLeakyRelu } from '../ir/leakyrelu.ts';
import { lowerCommittedLinear, lowerLinear } from '../ir/linear.ts';
import { lowerLookup } from '../ir/lookup.ts';
import { lowerMaxPool } from '../ir/maxpool.ts';
import { lowerRequantize } from '../ir/requantize.ts';
import { lowerSoftmax } from '../ir/softmax.ts';
import type { IrModel, IrNode, ViewNode } from '../ir/types.ts';
import { sizeOf } from '../tensor.ts';
import { inRangeTwin } from '../templates/range.ts';
import { CircuitBuilder, signalLc, type Lc } from './builder.ts';
import { lowerInputHash, lowerModelCommitment, lowerOutputHash, type CommittedLcs } from './commitments.ts';

export interface LowerInputs {
  /** Quantized integers by input name (row-major). */
  inputs: ReadonlyMap<string, readonly bigint[]>;
  /** The content hash public input (models without --input hashed, which compute it). */
  contentHash: bigint;
  /** The model commitment public input (--weights hashed): circuits/commitments.ts modelCommitment. */
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

function lowerNode(b: CircuitBuilder, node: Exclude<IrNode, ViewNode>, ir: IrModel, lcs: ReadonlyMap<string, Lc[]>, values: ReadonlyMap<string, bigint[]>, id: string, committed: ReadonlyMap<string, CommittedLcs>): Lc[] {
  if (node.kind === 'affine') return lowerAffine(node, lcs);
  const input = ir.tensors.get(node.input)!;
  const x = lcs.get(node.input)!;
  const v = values.get(node.input)!;
  switch (node.kind) {
    case 'linear':
      return node.committed ? lowerCommittedLinear(b, b.main, node, x, v, id, committed.get(node.output)!) : lowerLinear(node, x);
    case 'conv':
      return node.committed ? lowerCommittedConv(b, b.main, node, x, v, id, committed.get(node.output)!) : lowerConv(node, x);
    case 'requantize':
      return lowerRequantize(b, b.main, node, input, x, v, id);
    case 'argmax':
      return lowerArgMax(b, b.main, node, input, x, v, id);
    case 'maxpool':
      return lowerMaxPool(b, b.main, node, input, x, v, id);
    case 'leakyrelu':
      return lowerLeakyRelu(b, b.main, node, input, x, v, id);
    case 'lookup':
      return lowerLookup(b, b.main, node, input, x, v, id);
    case 'softmax':
      return lowerSoftmax(b, b.main, node, input, x, v, id);
  }
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
  const lcs = new Map<string, Lc[]>();
  for (const t of ir.inputs) {
    const inputIds = b.signals(main, 'input', signals.inputs.get(t.name)!, [sizeOf(t.shape)], (k) => values.get(t.name)![k]!);
    if (ir.publicInputs) inputIds.forEach((id) => b.publicInputs.add(id));
    lcs.set(t.name, inputIds.map(signalLc));
  }
  if (ir.inputRangeCheck) {
    for (const t of ir.inputs) {
      const params = inRangeParams(t.min, t.max);
      const name = `${signals.inputs.get(t.name)!}_range`;
      values.get(t.name)!.forEach((x, i) => b.assign(inRangeTwin(b, b.component(main, name, [i]), params, x), lcs.get(t.name)![i]!));
    }
  }
  if (ir.hashedInputs) lowerInputHash(b, ir, lcs, contentHash);
  const committed = modelCommitment === undefined ? new Map<string, CommittedLcs>() : lowerModelCommitment(b, ir, signals, modelCommitment);
  for (const node of ir.nodes) {
    if (node.kind === 'view') lcs.set(node.output, lcs.get(node.input)!);
    else lcs.set(node.output, lowerNode(b, node, ir, lcs, values, ids.get(node.output)!, committed));
  }
  if (outputHash !== undefined) lowerOutputHash(b, ir, lcs, outputHash);
  else ir.outputs.forEach((t, k) => outputs[k]!.forEach((id, i) => b.assign(id, lcs.get(t.name)![i]!)));
  return b;
}
