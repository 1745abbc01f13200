/** Dispatch over IR node kinds: inputs, interval, evaluation and constraint cost of any node. */
import { affineInterval, evaluateAffine } from './affine.ts';
import { argmaxInterval, argmaxNodeCost, evaluateArgMax } from './argmax.ts';
import { convInterval, convMacs, evaluateConv } from './conv.ts';
import { evaluateLeakyRelu, leakyReluInterval, leakyReluNodeCost } from './leakyrelu.ts';
import { evaluateLookup, lookupInterval, lookupNodeCost } from './lookup.ts';
import { maxpoolEvaluate, maxpoolGadgetCost, windowCount, windowElements } from './maxpool.ts';
import { evaluateLinear, linearInterval, linearMacs } from './linear.ts';
import { evaluateRequantize, requantizeInterval, requantizeNodeCost } from './requantize.ts';
import { evaluateSoftmax, softmaxInterval, softmaxNodeCost } from './softmax.ts';
import { sizeOf } from '../tensor.ts';
import type { IrModel, IrNode, MaxPoolNode, QTensor } from './types.ts';

export type Tensors = ReadonlyMap<string, QTensor>;

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
    case 'argmax':
      return argmaxInterval(node);
    case 'conv':
      return convInterval(node, tensors.get(node.input)!);
    case 'maxpool': {
      const t = tensors.get(node.input)!;
      return { min: t.min, max: t.max };
    }
    case 'leakyrelu':
      return leakyReluInterval(node, tensors.get(node.input)!);
    case 'lookup':
      return lookupInterval(node, tensors.get(node.input)!);
    case 'softmax':
      return softmaxInterval(node);
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
    case 'argmax':
      return evaluateArgMax(node, values.get(node.input)!, tensors.get(node.input)!);
    case 'conv':
      return evaluateConv(node, values.get(node.input)!, tensors.get(node.input)!);
    case 'maxpool':
      return maxpoolEvaluate(node, values.get(node.input)!, tensors.get(node.input)!);
    case 'leakyrelu':
      return evaluateLeakyRelu(node, values.get(node.input)!, tensors.get(node.input)!);
    case 'lookup':
      return evaluateLookup(node, values.get(node.input)!);
    case 'softmax':
      return evaluateSoftmax(node, values.get(node.input)!);
  }
}

/**
 * The signal element `i` of a tensor is, when it is one signal as it is (coefficient 1,
 * no constant) rather than a linear expression: `input:<name>#<i>` for a public input,
 * `<tensor>#<i>` for a gadget output; undefined for an expression. circom --O1 removes a
 * constraint `a <== b` between two signals unless both are public, and keeps every other
 * linear constraint, so this decides whether wiring an element into a gadget input or a
 * public output costs a constraint.
 */
export function signalRoot(ir: Pick<IrModel, 'nodes' | 'inputs'>, tensor: string, i: number): string | undefined {
  if (ir.inputs.some((t) => t.name === tensor)) return `input:${tensor}#${i}`;
  const node = ir.nodes.find((n) => n.output === tensor);
  if (!node) return undefined;
  switch (node.kind) {
    case 'argmax':
      // Over one element the index is the constant 0, no signal.
      return node.n === 1 ? undefined : `${tensor}#${i}`;
    case 'requantize':
    case 'leakyrelu':
    case 'lookup':
    case 'softmax':
      return `${tensor}#${i}`;
    case 'view':
      return signalRoot(ir, node.input, i);
    case 'affine': {
      // A constant (no terms) is an expression too: as a public output its binding stays.
      const [term, ...rest] = node.terms;
      return term !== undefined && rest.length === 0 && term.coeff === 1n && node.constant[i] === 0n ? signalRoot(ir, term.input, term.index[i]!) : undefined;
    }
    case 'conv':
      return undefined;
    case 'maxpool': {
      // A window of one element has no gadget: its max is the element itself.
      const p = i % node.windows.positions;
      if (windowCount(node, p) > 1) return `${tensor}#${i}`;
      const [element] = windowElements(node, Math.floor(i / node.windows.positions), p);
      return signalRoot(ir, node.input, element!);
    }
    case 'linear': {
      // Committed weights are signals: every output is a sum of products.
      if (node.committed) return undefined;
      const b = Math.floor(i / (node.rows * node.cols));
      const m = Math.floor(i / node.cols) % node.rows;
      const row = (b * node.cols + (i % node.cols)) * node.inner;
      const nonzero = [...Array(node.inner).keys()].filter((k) => node.weights[row + k] !== 0n);
      if (nonzero.length !== 1 || node.weights[row + nonzero[0]!] !== 1n || node.bias[i] !== 0n) return undefined;
      const k = nonzero[0]!;
      return signalRoot(ir, node.input, node.inputTransposed ? k * node.rows + m : (b * node.rows + m) * node.inner + k);
    }
  }
}

/**
 * Whether element i of a tensor is a constant (an affine node without terms, a conv output
 * whose window is all padding, an ArgMax over one element; through views): wiring it into a
 * gadget is a signal = constant equality, which --O1 removes.
 */
function isConstant(ir: IrModel, tensor: string, i: number): boolean {
  const node = ir.nodes.find((n) => n.output === tensor);
  if (node?.kind === 'view') return isConstant(ir, node.input, i);
  if (node?.kind === 'conv' && !node.committed) {
    // An output whose window lies wholly in the padding is its bias alone.
    const { positions, kernelSize, index } = node.windows;
    const p = i % positions;
    for (let k = 0; k < kernelSize; k++) if (index[p * kernelSize + k]! >= 0) return false;
    return true;
  }
  // An ArgMax over one element is the index 0.
  return (node?.kind === 'affine' && node.terms.length === 0) || (node?.kind === 'argmax' && node.n === 1);
}

/** Whether wiring element i of `input`, less `offset`, into a gadget input costs a linear constraint. */
function wired(ir: IrModel, input: string, i: number, offset: bigint): boolean {
  return !isConstant(ir, input, i) && (offset !== 0n || signalRoot(ir, input, i) === undefined);
}

/**
 * Linear constraints that connect gadget inputs to what feeds them: one per input element
 * unless it is a bare signal (with nothing subtracted) or a constant.
 */
function gadgetInputConstraints(ir: IrModel, input: string, offset: bigint): number {
  let count = 0;
  for (let i = 0; i < sizeOf(ir.tensors.get(input)!.shape); i++) if (wired(ir, input, i, offset)) count++;
  return count;
}

/** One linear constraint per gadget input that is an expression (each window wires its own copy). */
function maxpoolWiring(ir: IrModel, node: MaxPoolNode): number {
  const expression = new Map<number, boolean>();
  let count = 0;
  for (let plane = 0; plane < node.planes; plane++) {
    for (let p = 0; p < node.windows.positions; p++) {
      if (windowCount(node, p) === 1) continue;
      for (const i of windowElements(node, plane, p)) {
        let e = expression.get(i);
        if (e === undefined) expression.set(i, (e = wired(ir, node.input, i, 0n)));
        if (e) count++;
      }
    }
  }
  return count;
}

/** Constraints the node adds under circom --O1: its gadgets' and the linear ones wiring them in. */
export function nodeCost(node: IrNode, ir: IrModel): number {
  switch (node.kind) {
    case 'requantize':
      return requantizeNodeCost(node, ir.tensors.get(node.input)!) + gadgetInputConstraints(ir, node.input, node.zeroIn);
    case 'argmax':
      return argmaxNodeCost(node, ir.tensors.get(node.input)!) + gadgetInputConstraints(ir, node.input, 0n);
    case 'maxpool':
      return maxpoolGadgetCost(node, ir.tensors.get(node.input)!) + maxpoolWiring(ir, node);
    case 'leakyrelu':
      return leakyReluNodeCost(node, ir.tensors.get(node.input)!) + gadgetInputConstraints(ir, node.input, node.zeroIn);
    case 'lookup':
      return lookupNodeCost(node, ir.tensors.get(node.input)!) + gadgetInputConstraints(ir, node.input, 0n);
    case 'softmax':
      return softmaxNodeCost(node) + gadgetInputConstraints(ir, node.input, 0n);
    case 'linear':
      return node.committed ? linearMacs(node) : 0;
    case 'conv':
      return node.committed ? convMacs(node) : 0;
    default:
      return 0;
  }
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
