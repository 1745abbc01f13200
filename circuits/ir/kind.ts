/**
 * What an IR kind is: one object per kind (circuits/ir/kinds.ts holds them in a record typed
 * by the IrNode union, so a kind without one of these entries does not type-check). The
 * dispatchers (ir/index.ts, emit.ts, system/lower.ts, serialize.ts) only look kinds up.
 */
import type { CircuitBuilder, Component, Lc } from '../constraints/builder.ts';
import type { TemplateFile } from '../gadgets/common.ts';
import type { IrModel, IrNode, QTensor } from './types.ts';

export type Tensors = ReadonlyMap<string, QTensor>;
export type Values = ReadonlyMap<string, readonly bigint[]>;

export interface Interval {
  min: bigint;
  max: bigint;
}

/** The vars holding one committed node's weights and bias (linear in the private `<name>_bits` signals). */
export interface CommittedSignals {
  weights: string;
  bias: string;
}

/** A committed node's weights and bias as combinations of main's private bits (the fast path's CommittedSignals). */
export interface CommittedLcs {
  weights: Lc[];
  bias: Lc[];
}

/** One node's Circom: helper functions (constant tables) and lines of the model template. */
export interface EmittedNode {
  functions: string[];
  body: string[];
  /** The Circom name of the output, when it is not the node's identifier (a view's is its input's). */
  name?: string;
}

/** Where a node is emitted: the model, the Circom names of the tensors so far, the node's identifier. */
export interface EmitSite {
  ir: IrModel;
  names: ReadonlyMap<string, string>;
  id: string;
  committed: ReadonlyMap<string, CommittedSignals>;
}

/** Where a node is lowered: the builder, each tensor's combinations and integers so far, the node's identifier (its components' name). */
export interface LowerSite {
  b: CircuitBuilder;
  ir: IrModel;
  lcs: ReadonlyMap<string, readonly Lc[]>;
  values: Values;
  id: string;
  committed: ReadonlyMap<string, CommittedLcs>;
}

/** ir.json's encoding of one field that JSON cannot hold as it is. */
export interface Codec<T> {
  toJson(value: T): unknown;
  fromJson(json: unknown): T;
}

type JsonPlain = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

/** A codec for every field of N that is not plain JSON (bigints, typed arrays, nested objects). */
export type JsonCodecs<N> = { [K in keyof N as [N[K]] extends [JsonPlain] ? never : K]-?: Codec<Exclude<N[K], undefined>> };

export interface IrKind<N extends IrNode> {
  /** Whether the node's output gets a Circom identifier of its own (a view aliases its input). */
  named: boolean;
  /** The gadget templates its Circom includes. */
  includes: readonly TemplateFile[];
  interval(node: N, tensors: Tensors): Interval;
  /** The reference integer semantics. */
  evaluate(node: N, values: Values, tensors: Tensors): bigint[];
  emit(node: N, site: EmitSite): EmittedNode;
  /** The fast path: what `emit` writes, as constraints with their witness; returns the output's combinations. */
  lower(node: N, site: LowerSite): readonly Lc[];
  json: JsonCodecs<N>;
}

/** The IR kinds, one entry per member of the IrNode union. */
export type IrKinds = { [K in IrNode['kind']]: IrKind<Extract<IrNode, { kind: K }>> };

/**
 * A kind over one input tensor whose outputs are its gadgets' output signals, written against
 * that input alone: its interval, integers, Circom name and combinations.
 */
export interface GadgetKindSpec<N extends IrNode & { input: string }> {
  includes: readonly TemplateFile[];
  json: JsonCodecs<N>;
  interval(node: N, input: QTensor): Interval;
  evaluate(node: N, x: readonly bigint[], input: QTensor): bigint[];
  emit(node: N, input: QTensor, inputName: string, id: string): EmittedNode;
  lower(b: CircuitBuilder, parent: Component, node: N, input: QTensor, x: readonly Lc[], values: readonly bigint[], id: string): Lc[];
}

export function gadgetKind<N extends IrNode & { input: string }>(spec: GadgetKindSpec<N>): IrKind<N> {
  return {
    named: true,
    includes: spec.includes,
    json: spec.json,
    interval: (node, tensors) => spec.interval(node, tensors.get(node.input)!),
    evaluate: (node, values, tensors) => spec.evaluate(node, values.get(node.input)!, tensors.get(node.input)!),
    emit: (node, { ir, names, id }) => spec.emit(node, ir.tensors.get(node.input)!, names.get(node.input)!, id),
    lower: (node, { b, ir, lcs, values, id }) => spec.lower(b, b.main, node, ir.tensors.get(node.input)!, lcs.get(node.input)!, values.get(node.input)!, id),
  };
}

/** Circom lines as a node's whole emission. */
export const bodyOnly = (body: string[]): EmittedNode => ({ functions: [], body });

// ------------------------------------------------------------------ codecs

export const bigintCodec: Codec<bigint> = { toJson: (v) => v.toString(), fromJson: (j) => BigInt(j as string) };
export const bigintsCodec: Codec<bigint[]> = { toJson: (v) => v.map(String), fromJson: (j) => (j as string[]).map((x) => BigInt(x)) };
export const int32sCodec: Codec<Int32Array> = { toJson: (v) => Array.from(v), fromJson: (j) => Int32Array.from(j as number[]) };

/** A codec for an object whose listed fields need codecs of their own. */
export function objectCodec<T extends object>(fields: JsonCodecs<T>): Codec<T> {
  const entries = Object.entries(fields) as [keyof T & string, Codec<unknown>][];
  return {
    toJson: (value) => {
      const out = { ...value } as Record<string, unknown>;
      for (const [k, codec] of entries) if (out[k] !== undefined) out[k] = codec.toJson(out[k]);
      return out;
    },
    fromJson: (json) => {
      const out: Record<string, unknown> = { ...(json as object) };
      for (const [k, codec] of entries) if (out[k] !== undefined) out[k] = codec.fromJson(out[k]);
      return out as T;
    },
  };
}

/** A codec for arrays of what `item` encodes. */
export function arrayCodec<T>(item: Codec<T>): Codec<T[]> {
  return { toJson: (v) => v.map((x) => item.toJson(x)), fromJson: (j) => (j as unknown[]).map((x) => item.fromJson(x)) };
}

