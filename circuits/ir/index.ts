/** Inputs, interval, evaluation and constraint cost of any node, looked up in its kind (circuits/ir/kinds.ts). */
import { sizeOf } from '../tensor.ts';
import type { Interval, Roots, Tensors, Values } from './kind.ts';
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

const producer = (ir: Pick<IrModel, 'nodes'>, tensor: string): IrNode | undefined => ir.nodes.find((n) => n.output === tensor);

/**
 * What circom --O1 leaves of the model's elements. An element is one signal as it is
 * (coefficient 1, no constant) rather than a linear expression: `input:<name>#<i>` for a
 * public input, `<tensor>#<i>` for a gadget output; undefined for an expression. circom --O1
 * removes a constraint `a <== b` between two signals unless both are public, and keeps every
 * other linear constraint, so this decides whether wiring an element into a gadget input or a
 * public output costs a constraint. A constant element (an affine node without terms, a conv
 * output whose window is all padding, an ArgMax over one element) wired into a gadget is a
 * signal = constant equality, which --O1 removes.
 */
function rootsOf(ir: Pick<IrModel, 'nodes' | 'inputs' | 'tensors'>): Roots {
  const roots: Roots = {
    root: (tensor, i) => {
      if (ir.inputs.some((t) => t.name === tensor)) return `input:${tensor}#${i}`;
      const node = producer(ir, tensor);
      return node && kindOf(node).root(node, i, roots);
    },
    constant: (tensor, i) => {
      const node = producer(ir, tensor);
      return node !== undefined && kindOf(node).constant(node, i, roots);
    },
    wired: (tensor, i, offset) => !roots.constant(tensor, i) && (offset !== 0n || roots.root(tensor, i) === undefined),
    gadgetInputs: (tensor, offset) => {
      let count = 0;
      for (let i = 0; i < sizeOf(ir.tensors.get(tensor)!.shape); i++) if (roots.wired(tensor, i, offset)) count++;
      return count;
    },
  };
  return roots;
}

/** The signal element `i` of a tensor is as it stands, or undefined for an expression (rootsOf). */
export function signalRoot(ir: Pick<IrModel, 'nodes' | 'inputs' | 'tensors'>, tensor: string, i: number): string | undefined {
  return rootsOf(ir).root(tensor, i);
}

/** Constraints the node adds under circom --O1: its gadgets' and the linear ones wiring them in. */
export function nodeCost(node: IrNode, ir: IrModel): number {
  return kindOf(node).cost(node, ir, rootsOf(ir));
}

/**
 * The layer report's note: the node kind and what its lowering recorded; a Softmax that is kept
 * also says what its probabilities cost (its gadgets and any requantization in front of them).
 */
export function nodeNote(node: IrNode, ir: IrModel): string {
  const note = node.note ? `${node.kind}: ${node.note}` : node.kind;
  if (node.kind !== 'softmax') return note;
  const layer = ir.nodes.filter((n) => n.node === node.node);
  const cost = layer.reduce((a, n) => a + nodeCost(n, ir), 0);
  const size = node.outer * node.n * node.inner;
  return `${note}; ${cost} constraints for ${size} probabilities (${(cost / size).toFixed(1)} each)${layer.length > 1 ? ', its input requantization included' : ''}`;
}

/**
 * Constraints binding the public outputs: `out[i] <== x` is free only when x is a private
 * signal not yet bound to another output (O1 then renames x to out[i]; a second output of
 * the same signal, or a public input, is an equality of two public signals and stays).
 */
export function outputConstraints(ir: IrModel): number {
  if (ir.hashedOutputs) return 0;
  const bound = new Set<string>();
  let count = 0;
  for (const t of ir.outputs) {
    for (let i = 0; i < sizeOf(t.shape); i++) {
      const root = signalRoot(ir, t.name, i);
      if (root === undefined || root.startsWith('input:') || bound.has(root)) count++;
      else bound.add(root);
    }
  }
  return count;
}

export type { IrModel, IrNode, QTensor } from './types.ts';
