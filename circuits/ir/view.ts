/** The view IR node: the same values under another shape (Reshape, Flatten, Identity); no signal, no constraint. */
import type { IrKind } from './kind.ts';
import type { NodeBase } from './types.ts';

/** The same values under another shape (Reshape, Flatten, Identity): no constraint. */
export interface ViewNode extends NodeBase {
  kind: 'view';
  input: string;
}

export const view: IrKind<ViewNode> = {
  named: false,
  includes: [],
  interval: (node, tensors) => {
    const t = tensors.get(node.input)!;
    return { min: t.min, max: t.max };
  },
  evaluate: (node, values) => values.get(node.input)!.slice(),
  emit: (node, { names }) => ({ functions: [], body: [], name: names.get(node.input)! }),
  lower: (node, { lcs }) => lcs.get(node.input)!,
  json: {},
};
