/** Every IR kind, by name: the one table the compiler's dispatchers look kinds up in. */
import { affine } from './affine.ts';
import { argmax } from './argmax.ts';
import { conv } from './conv.ts';
import type { IrKind, IrKinds } from './kind.ts';
import { leakyrelu } from './leakyrelu.ts';
import { linear } from './linear.ts';
import { lookup } from './lookup.ts';
import { maxpool } from './maxpool.ts';
import { requantize } from './requantize.ts';
import { softmax } from './softmax.ts';
import type { IrNode } from './types.ts';
import { view } from './view.ts';

export const IR_KINDS: IrKinds = { linear, affine, requantize, view, argmax, conv, maxpool, leakyrelu, lookup, softmax };

/** The kind of a node, typed by the node. */
export function kindOf<N extends IrNode>(node: N): IrKind<N> {
  return IR_KINDS[node.kind as N['kind']] as unknown as IrKind<N>;
}
