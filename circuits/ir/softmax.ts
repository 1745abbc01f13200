/** The softmax IR node, on the Softmax gadget: one per group, the exp table as a Circom function. */
import { bestTableSplit, softmaxComponent, softmaxRef, type SoftmaxParams, softmaxTwin } from '../gadgets/activation.ts';
import { signalLc, type CircuitBuilder, type Component, type Lc } from '../constraints/builder.ts';
import type { NodeBase, QTensor } from './types.ts';
import { bigintCodec, bigintsCodec, gadgetKind } from './kind.ts';

/**
 * Softmax of each group of n values (the input viewed as [outer, n, inner]): with m the group's
 * maximum, e = expTable[m − in], out = round(levels·e / Σ e) + zeroOut through one reciprocal
 * per group (circuits/gadgets/activation.ts softmaxRef): the Softmax gadget per group, n ≥ 2.
 */
export interface SoftmaxNode extends NodeBase {
  kind: 'softmax';
  input: string;
  outer: number;
  n: number;
  inner: number;
  /** expTable[d] = round(2^expBits · exp(−s_in · d)), 2^nd entries. */
  expTable: bigint[];
  expBits: number;
  /** The reciprocal's precision G > expBits. */
  reciprocalBits: number;
  /** Output levels − 1: the output grid is 1/levels. */
  levels: bigint;
  zeroOut: bigint;
}

/** The gadget parameters, with the exp table's split of the fewest constraints (derived, never stored). */
export function softmaxParams(node: SoftmaxNode): SoftmaxParams {
  return {
    n: node.n,
    k: bestTableSplit(node.expTable),
    F: node.expBits,
    G: node.reciprocalBits,
    Q: node.levels,
    zOut: node.zeroOut,
    table: node.expTable,
  };
}

/** Flat input index of element j of group g (g = o · inner + i). */
function elementIndex(node: SoftmaxNode, g: number, j: number): number {
  return (Math.floor(g / node.inner) * node.n + j) * node.inner + (g % node.inner);
}

export function softmaxInterval(node: SoftmaxNode): { min: bigint; max: bigint } {
  return { min: node.zeroOut, max: node.zeroOut + node.levels };
}

export function evaluateSoftmax(node: SoftmaxNode, x: readonly bigint[]): bigint[] {
  const p = softmaxParams(node);
  const out = new Array<bigint>(x.length);
  for (let g = 0; g < node.outer * node.inner; g++) {
    const group = Array.from({ length: node.n }, (_, j) => elementIndex(node, g, j));
    softmaxRef(group.map((i) => x[i]!), p).forEach((v, j) => (out[group[j]!] = v));
  }
  return out;
}

export function emitSoftmax(node: SoftmaxNode, inputName: string, outputName: string): { functions: string[]; body: string[] } {
  const groups = node.outer * node.inner;
  const table = `${outputName}_exp`;
  const at = (j: string): string => `(o * ${node.n} + ${j}) * ${node.inner} + i`;
  return {
    functions: [`function ${table}() {\n  return [${node.expTable.join(', ')}];\n}`],
    body: [
      `component ${outputName}_gadget[${groups}];`,
      `var ${outputName}[${groups * node.n}];`,
      `for (var o = 0; o < ${node.outer}; o++) {`,
      `  for (var i = 0; i < ${node.inner}; i++) {`,
      `    ${outputName}_gadget[o * ${node.inner} + i] = ${softmaxComponent(softmaxParams(node), `${table}()`)};`,
      `    for (var j = 0; j < ${node.n}; j++) {`,
      `      ${outputName}_gadget[o * ${node.inner} + i].in[j] <== ${inputName}[${at('j')}];`,
      `    }`,
      // circom reads a component's outputs only once all its inputs are assigned.
      `    for (var j = 0; j < ${node.n}; j++) {`,
      `      ${outputName}[${at('j')}] = ${outputName}_gadget[o * ${node.inner} + i].out[j];`,
      `    }`,
      `  }`,
      `}`,
    ],
  };
}

/**
 * The fast path (circuits/lowering/): emitSoftmax's gadgets as R1CS twins, one per group; returns
 * the outputs at their inputs' places. The input's interval does not change the gadget.
 */
export function lowerSoftmax(b: CircuitBuilder, parent: Component, node: SoftmaxNode, _input: QTensor, x: readonly Lc[], values: readonly bigint[], outputName: string): Lc[] {
  const params = softmaxParams(node);
  const out: Lc[] = new Array(x.length);
  for (let g = 0; g < node.outer * node.inner; g++) {
    const at = Array.from({ length: node.n }, (_, j) => elementIndex(node, g, j));
    const gadget = softmaxTwin(b, b.component(parent, `${outputName}_gadget`, [g]), params, at.map((i) => values[i]!));
    gadget.inputs.forEach((id, j) => b.assign(id, x[at[j]!]!));
    gadget.outputs.forEach((id, j) => (out[at[j]!] = signalLc(id)));
  }
  return out;
}

export const softmax = gadgetKind<SoftmaxNode>({
  includes: ['activation.circom'],
  json: { expTable: bigintsCodec, levels: bigintCodec, zeroOut: bigintCodec },
  interval: (node) => softmaxInterval(node),
  evaluate: (node, x) => evaluateSoftmax(node, x),
  emit: (node, _input, inputName, id) => emitSoftmax(node, inputName, id),
  lower: lowerSoftmax,
});
