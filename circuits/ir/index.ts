/** Dispatch over IR node kinds: inputs, interval, evaluation and constraint cost of any node. */
import { affineInterval, evaluateAffine } from './affine.ts';
import { evaluateLinear, linearInterval } from './linear.ts';
import { evaluateRequantize, requantizeInterval, requantizeNodeCost } from './requantize.ts';
import type { IrNode, QTensor } from './types.ts';

export type Tensors = ReadonlyMap<string, QTensor>;

export function nodeInputs(node: IrNode): string[] {
  return node.kind === 'affine' ? node.terms.map((t) => t.input) : [node.input];
}

/** The interval of the node's output, from its inputs' intervals. */
export function nodeInterval(node: IrNode, tensors: Tensors): { min: bigint; max: bigint } {
  switch (node.kind) {
    case 'linear':
      return linearInterval(node, tensors.get(node.input)!);
    case 'affine':
      return affineInterval(node, tensors);
    case 'requantize':
      return requantizeInterval(node, tensors.get(node.input)!);
    case 'view': {
      const t = tensors.get(node.input)!;
      return { min: t.min, max: t.max };
    }
  }
}

/** The reference integer semantics of one node. */
export function evaluateNode(node: IrNode, values: ReadonlyMap<string, readonly bigint[]>, tensors: Tensors): bigint[] {
  switch (node.kind) {
    case 'linear':
      return evaluateLinear(node, values.get(node.input)!, tensors.get(node.input)!, tensors.get(node.output)!);
    case 'affine':
      return evaluateAffine(node, values);
    case 'requantize':
      return evaluateRequantize(node, values.get(node.input)!, tensors.get(node.input)!);
    case 'view':
      return values.get(node.input)!.slice();
  }
}

/** Constraints the node adds (after circom --O2, which removes linear constraints). */
export function nodeCost(node: IrNode, tensors: Tensors): number {
  return node.kind === 'requantize' ? requantizeNodeCost(node, tensors.get(node.input)!) : 0;
}

export type { IrModel, IrNode, QTensor } from './types.ts';
