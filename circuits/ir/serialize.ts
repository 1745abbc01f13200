/**
 * ir.json: the integer IR as the compiler produced it, so `predict` and tests can
 * run the reference evaluator from the artifact directory without the ONNX file.
 * Bigints are decimal strings; index maps plain arrays.
 */
import path from 'node:path';
import { readArtifact, readManifest } from '../../core/artifacts.ts';
import { ArtifactError } from '../../core/errors.ts';
import type { Manifest } from '../../core/manifest.ts';
import { objectCodec, type Codec, type JsonCodecs } from './kind.ts';
import { IR_KINDS } from './kinds.ts';
import type { IrModel, IrNode, QTensor } from './types.ts';

export const IR_FILE = 'ir.json';
const IR_FORMAT = 'zkinfer-ir/1';

type Json = ReturnType<typeof JSON.parse>;

function tensorToJson(t: QTensor): Json {
  return { ...t, min: t.min.toString(), max: t.max.toString() };
}

function tensorFromJson(t: Json): QTensor {
  return { name: t.name, shape: t.shape, scale: t.scale, zeroPoint: t.zeroPoint, min: BigInt(t.min), max: BigInt(t.max) };
}

/** A node of kind `kind` in and out of JSON: the fields JSON cannot hold as they are through the kind's codecs. */
const nodeCodec = (kind: IrNode['kind']): Codec<IrNode> => objectCodec(IR_KINDS[kind].json as JsonCodecs<IrNode>);

function nodeFromJson(n: Json): IrNode {
  if (!Object.hasOwn(IR_KINDS, n.kind)) throw new ArtifactError(`${IR_FILE} holds a node of unknown kind "${n.kind}"`);
  return nodeCodec(n.kind).fromJson(n);
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
    nodes: ir.nodes.map((n) => nodeCodec(n.kind).toJson(n)),
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

/** The compiled model of an artifact directory: its manifest and integer IR. */
export async function loadCompiled(dir: string): Promise<{ manifest: Manifest; ir: IrModel }> {
  const manifest = await readManifest(dir);
  const irPath = path.join(dir, IR_FILE);
  return { manifest, ir: irFromJson((await readArtifact(irPath, 'compile')).toString('utf8'), irPath) };
}
