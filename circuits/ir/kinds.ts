/**
 * Every IR kind: the node union and, by name, the one table the compiler's dispatchers look
 * kinds up in. A new kind is its own file (node interface and kind object) and a line in each.
 */
import { affine, type AffineNode } from './affine.ts';
import { argmax, type ArgMaxNode } from './argmax.ts';
import { conv, type ConvNode } from './conv.ts';
import type { IrKind, IrKinds } from './kind.ts';
import { leakyrelu, type LeakyReluNode } from './leakyrelu.ts';
import { linear, type LinearNode } from './linear.ts';
import { lookup, type LookupNode } from './lookup.ts';
import { maxpool, type MaxPoolNode } from './maxpool.ts';
import { requantize, type RequantizeNode } from './requantize.ts';
import { softmax, type SoftmaxNode } from './softmax.ts';
import { view, type ViewNode } from './view.ts';

export type IrNode = LinearNode | AffineNode | RequantizeNode | ViewNode | ArgMaxNode | ConvNode | MaxPoolNode | LeakyReluNode | LookupNode | SoftmaxNode;

export const IR_KINDS: IrKinds = { linear, affine, requantize, view, argmax, conv, maxpool, leakyrelu, lookup, softmax };

/** The kind of a node, typed by the node. */
export function kindOf<N extends IrNode>(node: N): IrKind<N> {
  return IR_KINDS[node.kind as N['kind']] as unknown as IrKind<N>;
}
