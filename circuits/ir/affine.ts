/** The affine IR node: elementwise Σ coeff·input + constant (Add, bias, rescale to a common scale); free in R1CS. */
import { addTo, constant, type Lc } from '../constraints/builder.ts';
import type { NodeBase, QTensor } from './types.ts';
import { arrayCodec, bigintCodec, bigintsCodec, bodyOnly, int32sCodec, objectCodec, type IrKind } from './kind.ts';

/** One input of an affine node: coeff · in[index[i]] for output element i. */
export interface AffineTerm {
  input: string;
  coeff: bigint;
  index: Int32Array;
}

/** out[i] = Σ_t coeff_t · in_t[index_t[i]] + constant[i]: elementwise adds and rescales, no constraint. */
export interface AffineNode extends NodeBase {
  kind: 'affine';
  terms: AffineTerm[];
  constant: bigint[];
}

export function affineInterval(node: AffineNode, inputs: ReadonlyMap<string, QTensor>): { min: bigint; max: bigint } {
  let lo = 0n;
  let hi = 0n;
  for (const t of node.terms) {
    const q = inputs.get(t.input)!;
    if (t.coeff >= 0n) {
      lo += t.coeff * q.min;
      hi += t.coeff * q.max;
    } else {
      lo += t.coeff * q.max;
      hi += t.coeff * q.min;
    }
  }
  let cMin = node.constant[0]!;
  let cMax = node.constant[0]!;
  for (const c of node.constant) {
    if (c < cMin) cMin = c;
    if (c > cMax) cMax = c;
  }
  return { min: lo + cMin, max: hi + cMax };
}

export function evaluateAffine(node: AffineNode, values: ReadonlyMap<string, readonly bigint[]>): bigint[] {
  return node.constant.map((c, i) => {
    let acc = c;
    for (const t of node.terms) acc += t.coeff * values.get(t.input)![t.index[i]!]!;
    return acc;
  });
}

/** Circom: one linear expression per element, unrolled (affine nodes are elementwise and small). */
export function emitAffine(node: AffineNode, names: ReadonlyMap<string, string>, outputName: string): string[] {
  const lines = [`var ${outputName}[${node.constant.length}];`];
  node.constant.forEach((c, i) => {
    const terms = node.terms.map((t) => `${t.coeff} * ${names.get(t.input)}[${t.index[i]}]`);
    lines.push(`${outputName}[${i}] = ${[...terms, c.toString()].join(' + ')};`);
  });
  return lines;
}

/** The fast path (circuits/lowering/): each output as a linear combination of its inputs'. */
export function lowerAffine(node: AffineNode, lcs: ReadonlyMap<string, readonly Lc[]>): Lc[] {
  return node.constant.map((c, i) => {
    const acc = constant(c);
    for (const t of node.terms) addTo(acc, lcs.get(t.input)![t.index[i]!]!, t.coeff);
    return acc;
  });
}

export const affine: IrKind<AffineNode> = {
  named: true,
  includes: [],
  interval: (node, tensors) => affineInterval(node, tensors),
  evaluate: (node, values) => evaluateAffine(node, values),
  emit: (node, { names, id }) => bodyOnly(emitAffine(node, names, id)),
  lower: (node, { lcs }) => lowerAffine(node, lcs),
  json: { terms: arrayCodec(objectCodec<AffineTerm>({ coeff: bigintCodec, index: int32sCodec })), constant: bigintsCodec },
};
