/**
 * ir.json: the integer IR as the compiler produced it, so `predict` and tests can
 * run the reference evaluator from the artifact directory without the ONNX file.
 * Bigints are decimal strings; index maps plain arrays.
 */
import { ArtifactError } from '../errors.ts';
import type { IrModel, IrNode, QTensor, Windows } from './types.ts';

export const IR_FILE = 'ir.json';
const IR_FORMAT = 'zkinfer-ir/1';

type Json = ReturnType<typeof JSON.parse>;

function tensorToJson(t: QTensor): Json {
  return { ...t, min: t.min.toString(), max: t.max.toString() };
}

function tensorFromJson(t: Json): QTensor {
  return { name: t.name, shape: t.shape, scale: t.scale, zeroPoint: t.zeroPoint, min: BigInt(t.min), max: BigInt(t.max) };
}

const big = (xs: readonly bigint[]): string[] => xs.map(String);
const unbig = (xs: readonly string[]): bigint[] => xs.map((x) => BigInt(x));

const windowsToJson = (w: Windows): Json => ({ ...w, index: Array.from(w.index) });
const windowsFromJson = (w: Json): Windows => ({ ...w, index: Int32Array.from(w.index) });

function nodeToJson(n: IrNode): Json {
  switch (n.kind) {
    case 'linear':
      return { ...n, weights: big(n.weights), bias: big(n.bias) };
    case 'affine':
      return { ...n, terms: n.terms.map((t) => ({ input: t.input, coeff: t.coeff.toString(), index: Array.from(t.index) })), constant: big(n.constant) };
    case 'requantize':
      return {
        ...n,
        zeroIn: String(n.zeroIn),
        multiplier: String(n.multiplier),
        zeroOut: String(n.zeroOut),
        lo: String(n.lo),
        hi: String(n.hi),
        channels: n.channels && {
          inner: n.channels.inner,
          params: n.channels.params.map((c) => ({ ...c, multiplier: String(c.multiplier), zeroOut: String(c.zeroOut), lo: String(c.lo), hi: String(c.hi) })),
        },
      };
    case 'view':
    case 'argmax':
      return { ...n };
    case 'conv':
      return {
        ...n,
        windows: windowsToJson(n.windows),
        weights: big(n.weights),
        bias: big(n.bias),
        zeroIn: String(n.zeroIn),
        positionFactor: n.positionFactor && big(n.positionFactor),
      };
    case 'maxpool':
      return { ...n, windows: windowsToJson(n.windows) };
    case 'leakyrelu':
      return {
        ...n,
        zeroIn: String(n.zeroIn),
        multiplierPos: String(n.multiplierPos),
        multiplierNeg: String(n.multiplierNeg),
        zeroOut: String(n.zeroOut),
        lo: String(n.lo),
        hi: String(n.hi),
      };
    case 'lookup':
      return { ...n, tableLo: String(n.tableLo), table: big(n.table) };
    case 'softmax':
      return { ...n, expTable: big(n.expTable), levels: String(n.levels), zeroOut: String(n.zeroOut) };
  }
}

function nodeFromJson(n: Json): IrNode {
  switch (n.kind) {
    case 'linear':
      return { ...n, weights: unbig(n.weights), bias: unbig(n.bias) };
    case 'affine':
      return { ...n, terms: n.terms.map((t: Json) => ({ input: t.input, coeff: BigInt(t.coeff), index: Int32Array.from(t.index) })), constant: unbig(n.constant) };
    case 'requantize':
      return {
        ...n,
        zeroIn: BigInt(n.zeroIn),
        multiplier: BigInt(n.multiplier),
        zeroOut: BigInt(n.zeroOut),
        lo: BigInt(n.lo),
        hi: BigInt(n.hi),
        channels: n.channels && {
          inner: n.channels.inner,
          params: n.channels.params.map((c: Json) => ({ ...c, multiplier: BigInt(c.multiplier), zeroOut: BigInt(c.zeroOut), lo: BigInt(c.lo), hi: BigInt(c.hi) })),
        },
      };
    case 'view':
    case 'argmax':
      return { ...n };
    case 'conv':
      return {
        ...n,
        windows: windowsFromJson(n.windows),
        weights: unbig(n.weights),
        bias: unbig(n.bias),
        zeroIn: BigInt(n.zeroIn),
        positionFactor: n.positionFactor && unbig(n.positionFactor),
      };
    case 'maxpool':
      return { ...n, windows: windowsFromJson(n.windows) };
    case 'leakyrelu':
      return {
        ...n,
        zeroIn: BigInt(n.zeroIn),
        multiplierPos: BigInt(n.multiplierPos),
        multiplierNeg: BigInt(n.multiplierNeg),
        zeroOut: BigInt(n.zeroOut),
        lo: BigInt(n.lo),
        hi: BigInt(n.hi),
      };
    case 'lookup':
      return { ...n, tableLo: BigInt(n.tableLo), table: unbig(n.table) };
    case 'softmax':
      return { ...n, expTable: unbig(n.expTable), levels: BigInt(n.levels), zeroOut: BigInt(n.zeroOut) };
    default:
      throw new ArtifactError(`${IR_FILE} holds a node of unknown kind "${n.kind}"`);
  }
}

export function irToJson(ir: IrModel): string {
  return JSON.stringify({
    format: IR_FORMAT,
    bits: ir.bits,
    multiplierBits: ir.multiplierBits,
    inputRangeCheck: ir.inputRangeCheck,
    publicInputs: ir.publicInputs,
    hashedInputs: ir.hashedInputs ?? false,
    hashedOutputs: ir.hashedOutputs ?? false,
    inputs: ir.inputs.map((t) => t.name),
    outputs: ir.outputs.map((t) => t.name),
    tensors: [...ir.tensors.values()].map(tensorToJson),
    nodes: ir.nodes.map(nodeToJson),
  });
}

export function irFromJson(text: string, source: string): IrModel {
  const j = JSON.parse(text) as Json;
  if (j.format !== IR_FORMAT) throw new ArtifactError(`${source} is not a zkinfer IR file (format ${JSON.stringify(j.format)})`, { hint: 'recompile the model with zkinfer compile' });
  const tensors = new Map<string, QTensor>((j.tensors as Json[]).map((t) => [t.name, tensorFromJson(t)]));
  return {
    bits: j.bits,
    multiplierBits: j.multiplierBits,
    inputRangeCheck: j.inputRangeCheck,
    publicInputs: j.publicInputs ?? true,  // IR files from before --input private
    hashedInputs: j.hashedInputs ?? false,
    hashedOutputs: j.hashedOutputs ?? false,
    inputs: (j.inputs as string[]).map((n) => tensors.get(n)!),
    outputs: (j.outputs as string[]).map((n) => tensors.get(n)!),
    tensors,
    nodes: (j.nodes as Json[]).map(nodeFromJson),
  };
}
