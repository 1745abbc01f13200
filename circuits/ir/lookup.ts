/** The lookup IR node, on the Lookup gadget: one per element, the table as a Circom function. */
import { lookupComponent, lookupParams, lookupRef, type LookupParams, lookupTwin } from '../gadgets/activation.ts';
import { sizeOf } from '../tensor.ts';
import type { CircuitBuilder, Component, Lc } from '../constraints/builder.ts';
import { emitPerElement, lowerPerElement } from './per-element.ts';
import type { NodeBase, QTensor } from './types.ts';
import { bigintCodec, bigintsCodec, gadgetKind } from './kind.ts';

/**
 * out[i] = table[in[i] − tableLo]: an elementwise function of an activation rounded once at
 * compile time (Sigmoid, Tanh, LeakyRelu on an activation): the Lookup gadget per element.
 */
export interface LookupNode extends NodeBase {
  kind: 'lookup';
  input: string;
  /** The input value table[0] belongs to. */
  tableLo: bigint;
  /** 2^n entries (n ≥ 2) covering the input's interval. */
  table: bigint[];
}

/** The gadget parameters, with the split of the fewest constraints (derived, never stored). */
export function lookupNodeParams(node: LookupNode): LookupParams {
  return lookupParams(node.tableLo, node.table);
}

/** The extremes of the entries the input's interval reaches. */
export function lookupInterval(node: LookupNode, input: QTensor): { min: bigint; max: bigint } {
  const reached = node.table.slice(Number(input.min - node.tableLo), Number(input.max - node.tableLo) + 1);
  return { min: reached.reduce((a, b) => (b < a ? b : a)), max: reached.reduce((a, b) => (b > a ? b : a)) };
}

export function evaluateLookup(node: LookupNode, x: readonly bigint[]): bigint[] {
  // The split changes the circuit, not the values: skip searching for the best one.
  const p = { n: Math.log2(node.table.length), k: 0, lo: node.tableLo, table: node.table };
  return x.map((v) => lookupRef(v, p));
}

export function emitLookup(node: LookupNode, input: QTensor, inputName: string, outputName: string): { functions: string[]; body: string[] } {
  const table = `${outputName}_table`;
  return {
    functions: [`function ${table}() {\n  return [${node.table.join(', ')}];\n}`],
    body: emitPerElement(lookupComponent(lookupNodeParams(node), `${table}()`), sizeOf(input.shape), inputName, outputName),
  };
}

/** The fast path (circuits/lowering/): emitLookup's gadgets as R1CS twins; returns their outputs. */
export function lowerLookup(b: CircuitBuilder, parent: Component, node: LookupNode, _input: QTensor, x: readonly Lc[], values: readonly bigint[], outputName: string): Lc[] {
  const params = lookupNodeParams(node);
  return lowerPerElement(b, x, 0n, (i) => lookupTwin(b, b.component(parent, `${outputName}_gadget`, [i]), params, values[i]!));
}

export const lookup = gadgetKind<LookupNode>({
  includes: ['activation.circom'],
  json: { tableLo: bigintCodec, table: bigintsCodec },
  interval: lookupInterval,
  evaluate: (node, x) => evaluateLookup(node, x),
  emit: emitLookup,
  lower: lowerLookup,
});
