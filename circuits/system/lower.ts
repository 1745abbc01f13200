/**
 * The fast path's lowering: the integer IR straight to a constraint system with its witness,
 * the same circuit circuits/emit.ts writes as Circom. It declares main's signals in the
 * emitter's order and under its names, and each node's lowering (circuits/ir/*.ts) builds the
 * R1CS twins of the templates the emitter instantiates; the reference evaluator's integers
 * give every hint. circuits/system/simplify.ts then applies circom's --O1.
 */
import { CONTENT_HASH_SIGNAL } from '../manifest.ts';
import { UnsupportedError } from '../errors.ts';
import { evaluate } from '../evaluate.ts';
import { inRangeParams } from '../gadgets.ts';
import { nodeIdentifiers, signalNames } from '../emit.ts';
import { lowerAffine } from '../ir/affine.ts';
import { lowerArgMax } from '../ir/argmax.ts';
import { lowerConv } from '../ir/conv.ts';
import { lowerLinear } from '../ir/linear.ts';
import { lowerMaxPool } from '../ir/maxpool.ts';
import { lowerRequantize } from '../ir/requantize.ts';
import type { IrModel, IrNode, ViewNode } from '../ir/types.ts';
import { sizeOf } from '../tensor.ts';
import { inRangeTwin } from '../templates/range.ts';
import { CircuitBuilder, signalLc, type Lc } from './builder.ts';

export interface LowerInputs {
  /** Quantized integers by input name (row-major). */
  inputs: ReadonlyMap<string, readonly bigint[]>;
  /** The content hash public input (models without --input hashed). */
  contentHash: bigint;
}

/** A valid input for building the system without a real one: each element its range's value nearest 0. */
export function probeInputs(ir: IrModel): LowerInputs {
  const nearZero = (min: bigint, max: bigint) => (min > 0n ? min : max < 0n ? max : 0n);
  return { inputs: new Map(ir.inputs.map((t) => [t.name, new Array<bigint>(sizeOf(t.shape)).fill(nearZero(t.min, t.max))])), contentHash: 0n };
}

/** What the fast path cannot build yet: the caller falls back to circom (`--via circom`). */
export function fastPathGap(ir: IrModel): string | undefined {
  if (ir.hashedInputs) return '--input hashed (the content hash sponge)';
  if (ir.hashedOutputs) return '--output hashed (the output hash sponge)';
  const node = ir.nodes.find((n) => ((n.kind === 'linear' || n.kind === 'conv') && n.committed) || n.kind === 'lookup' || n.kind === 'softmax' || n.kind === 'leakyrelu');
  if (node) return `node "${node.node}" (${node.op}, ${node.kind}${'committed' in node && node.committed ? ', committed weights' : ''})`;
  return undefined;
}

function lowerNode(b: CircuitBuilder, node: Exclude<IrNode, ViewNode>, ir: IrModel, lcs: ReadonlyMap<string, Lc[]>, values: ReadonlyMap<string, bigint[]>, id: string): Lc[] {
  if (node.kind === 'affine') return lowerAffine(node, lcs);
  const input = ir.tensors.get(node.input)!;
  const x = lcs.get(node.input)!;
  const v = values.get(node.input)!;
  switch (node.kind) {
    case 'linear':
      return lowerLinear(node, x);
    case 'conv':
      return lowerConv(node, x);
    case 'requantize':
      return lowerRequantize(b, b.main, node, input, x, v, id);
    case 'argmax':
      return lowerArgMax(b, b.main, node, input, x, v, id);
    case 'maxpool':
      return lowerMaxPool(b, b.main, node, input, x, v, id);
    default:
      throw new UnsupportedError(`node "${node.node}" (${node.op}): ${node.kind} has no fast-path lowering yet`, { hint: 'compile with --via circom' });
  }
}

/** The model's constraint system and witness for one input (unsimplified: see simplify.ts). */
export function lowerModel(ir: IrModel, given: LowerInputs): CircuitBuilder {
  const gap = fastPathGap(ir);
  if (gap) throw new UnsupportedError(`the fast path cannot build ${gap} yet`, { hint: 'compile with --via circom' });
  const { values } = evaluate(ir, given.inputs);
  const signals = signalNames(ir);
  const ids = nodeIdentifiers(ir, signals);
  const b = new CircuitBuilder();
  const main = b.main;

  // Declared in emitCircom's order: outputs, the content hash, the inputs.
  const outputs = ir.outputs.map((t) => b.signals(main, 'output', signals.outputs.get(t.name)!, [sizeOf(t.shape)], (k) => values.get(t.name)![k]!));
  b.publicInputs.add(b.signal(main, 'input', CONTENT_HASH_SIGNAL, given.contentHash));
  const lcs = new Map<string, Lc[]>();
  for (const t of ir.inputs) {
    const ids = b.signals(main, 'input', signals.inputs.get(t.name)!, [sizeOf(t.shape)], (k) => values.get(t.name)![k]!);
    if (ir.publicInputs) ids.forEach((id) => b.publicInputs.add(id));
    lcs.set(t.name, ids.map(signalLc));
  }
  if (ir.inputRangeCheck) {
    for (const t of ir.inputs) {
      const params = inRangeParams(t.min, t.max);
      const name = `${signals.inputs.get(t.name)!}_range`;
      values.get(t.name)!.forEach((x, i) => b.assign(inRangeTwin(b, b.component(main, name, [i]), params, x), lcs.get(t.name)![i]!));
    }
  }
  for (const node of ir.nodes) {
    if (node.kind === 'view') lcs.set(node.output, lcs.get(node.input)!);
    else lcs.set(node.output, lowerNode(b, node, ir, lcs, values, ids.get(node.output)!));
  }
  ir.outputs.forEach((t, k) => outputs[k]!.forEach((id, i) => b.assign(id, lcs.get(t.name)![i]!)));
  return b;
}
