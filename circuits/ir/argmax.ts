/** The argmax IR node, on the ArgMax gadget (one-hot selector, first index wins ties). */
import { argmaxBoundBits, argmaxComponent, argmaxRef, type ArgMaxParams, argmaxTwin } from '../gadgets/argmax.ts';
import { signalLc, type CircuitBuilder, type Component, type Lc } from '../constraints/builder.ts';
import type { NodeBase, QTensor } from './types.ts';
import { bodyOnly, gadgetKind } from './kind.ts';

/**
 * The index of the largest value along one axis (first on ties), as ONNX ArgMax with
 * select_last_index = 0: one ArgMax gadget per group. The input is viewed as
 * [outer, n, inner] with n the reduced axis; the output holds outer · inner indices.
 */
export interface ArgMaxNode extends NodeBase {
  kind: 'argmax';
  input: string;
  outer: number;
  n: number;
  inner: number;
}

export function argmaxParams(node: ArgMaxNode, input: QTensor): ArgMaxParams {
  return { n: node.n, B: argmaxBoundBits(input.min, input.max) };
}

/** Flat input index of element j of group g (g = o · inner + i). */
function elementIndex(node: ArgMaxNode, g: number, j: number): number {
  const o = Math.floor(g / node.inner);
  const i = g % node.inner;
  return (o * node.n + j) * node.inner + i;
}

export function argmaxInterval(node: ArgMaxNode): { min: bigint; max: bigint } {
  return { min: 0n, max: BigInt(node.n - 1) };
}

export function evaluateArgMax(node: ArgMaxNode, x: readonly bigint[], input: QTensor): bigint[] {
  const params = argmaxParams(node, input);
  return Array.from({ length: node.outer * node.inner }, (_, g) => {
    const values = Array.from({ length: node.n }, (_, j) => x[elementIndex(node, g, j)]!);
    return BigInt(argmaxRef(values, params).index);
  });
}

export function emitArgMax(node: ArgMaxNode, input: QTensor, inputName: string, outputName: string): string[] {
  const groups = node.outer * node.inner;
  return [
    `component ${outputName}_gadget[${groups}];`,
    `var ${outputName}[${groups}];`,
    `for (var o = 0; o < ${node.outer}; o++) {`,
    `  for (var i = 0; i < ${node.inner}; i++) {`,
    `    ${outputName}_gadget[o * ${node.inner} + i] = ${argmaxComponent(argmaxParams(node, input))};`,
    `    for (var j = 0; j < ${node.n}; j++) {`,
    `      ${outputName}_gadget[o * ${node.inner} + i].in[j] <== ${inputName}[(o * ${node.n} + j) * ${node.inner} + i];`,
    `    }`,
    `    ${outputName}[o * ${node.inner} + i] = ${outputName}_gadget[o * ${node.inner} + i].index;`,
    `  }`,
    `}`,
  ];
}

/** The fast path (circuits/lowering/): emitArgMax's gadgets as R1CS twins; returns the indices. */
export function lowerArgMax(b: CircuitBuilder, parent: Component, node: ArgMaxNode, input: QTensor, x: readonly Lc[], values: readonly bigint[], outputName: string): Lc[] {
  const params = argmaxParams(node, input);
  return Array.from({ length: node.outer * node.inner }, (_, g) => {
    const at = Array.from({ length: node.n }, (_, j) => elementIndex(node, g, j));
    const gadget = argmaxTwin(b, b.component(parent, `${outputName}_gadget`, [g]), params, at.map((i) => values[i]!));
    gadget.inputs.forEach((id, j) => b.assign(id, x[at[j]!]!));
    return signalLc(gadget.index);
  });
}

export const argmax = gadgetKind<ArgMaxNode>({
  includes: ['argmax.circom'],
  json: {},
  interval: (node) => argmaxInterval(node),
  evaluate: evaluateArgMax,
  emit: (node, input, inputName, id) => bodyOnly(emitArgMax(node, input, inputName, id)),
  lower: lowerArgMax,
});
