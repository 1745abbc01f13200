/** Interval and evaluation of any node, looked up in its kind (circuits/ir/kinds.ts). */
import { ORIGINS, type OriginCounts } from '../lowering/origins.ts';
import type { Interval, Tensors, Values } from './kind.ts';
import { kindOf } from './kinds.ts';
import type { IrModel, IrNode } from './types.ts';

export type { Tensors };

/** The interval of the node's output, from its inputs' intervals. */
export function nodeInterval(node: IrNode, tensors: Tensors): Interval {
  return kindOf(node).interval(node, tensors);
}

/** The reference integer semantics of one node. */
export function evaluateNode(node: IrNode, values: Values, tensors: Tensors): bigint[] {
  return kindOf(node).evaluate(node, values, tensors);
}

/**
 * The layer report's note: the node kind and what its lowering recorded; a Softmax that is kept
 * also says what its probabilities cost (its gadgets and any requantization in front of them).
 */
export function nodeNote(node: IrNode, ir: IrModel, counts: OriginCounts): string {
  const note = node.note ? `${node.kind}: ${node.note}` : node.kind;
  if (node.kind !== 'softmax') return note;
  const layer = ir.nodes.filter((n) => n.node === node.node);
  const cost = layer.reduce((a, n) => a + (counts.get(ORIGINS.node(n.output)) ?? 0), 0);
  const size = node.outer * node.n * node.inner;
  return `${note}; ${cost} constraints for ${size} probabilities (${(cost / size).toFixed(1)} each)${layer.length > 1 ? ', its input requantization included' : ''}`;
}

export type { IrModel, IrNode, QTensor } from './types.ts';
