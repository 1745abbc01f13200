/**
 * A small ONNX model writer: builds a ModelProto from a plain spec and encodes it.
 * Used by the MNIST trainer (scripts/train-mnist.ts) and by tests to build fixture models.
 *
 * What it writes, as PyTorch's exporter does:
 * - ir_version 8, producer "zkinfer", one opset import for the default domain
 *   (plus any extra domains named in `extraOpsets`);
 * - every initializer as `raw_data`, little-endian, whatever its element type;
 * - initializers are not repeated in `graph.input` (allowed since IR version 4).
 *
 * Attribute values are tagged with their ONNX type, so ints and floats are never
 * guessed: `{ int: 1 }`, `{ ints: [0, 1] }`, `{ float: 0.5 }`, `{ floats: [...] }`,
 * `{ string: 'NOTSET' }`, `{ strings: [...] }`, `{ tensor: {...} }`.
 *
 * @example
 * ```ts
 * import { writeOnnxModel } from './onnx-writer.ts';
 * const bytes = writeOnnxModel({
 *   inputs: [{ name: 'input', shape: [1, 4] }],
 *   outputs: [{ name: 'logits', shape: [1, 2] }],
 *   initializers: [
 *     { name: 'fc.weight', dims: [2, 4], data: new Float32Array(8).fill(0.1) },
 *     { name: 'fc.bias', dims: [2], data: [0, 1] },
 *   ],
 *   nodes: [{
 *     opType: 'Gemm', name: '/fc/Gemm',
 *     inputs: ['input', 'fc.weight', 'fc.bias'], outputs: ['logits'],
 *     attributes: { alpha: { float: 1 }, beta: { float: 1 }, transB: { int: 1 } },
 *   }],
 * });
 * fs.writeFileSync('model.onnx', bytes);
 * ```
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { ShapeError, UnsupportedError } from '../core/errors.ts';

const { onnx } = onnxProto;

/** The IR version written into every model (ONNX 1.10, the onnx-proto package's version). */
export const IR_VERSION = 8;
/** Default opset of the default ("ai.onnx") domain. */
export const DEFAULT_OPSET = 13;

/** Element types the writer can store. Values are stored in `raw_data`, little-endian. */
export type ElemType = 'FLOAT' | 'DOUBLE' | 'INT8' | 'UINT8' | 'INT32' | 'INT64' | 'BOOL';

const ELEM_TYPE_CODE: Record<ElemType, OnnxTypes.TensorProto.DataType> = {
  FLOAT: onnx.TensorProto.DataType.FLOAT,
  DOUBLE: onnx.TensorProto.DataType.DOUBLE,
  INT8: onnx.TensorProto.DataType.INT8,
  UINT8: onnx.TensorProto.DataType.UINT8,
  INT32: onnx.TensorProto.DataType.INT32,
  INT64: onnx.TensorProto.DataType.INT64,
  BOOL: onnx.TensorProto.DataType.BOOL,
};

const ELEM_BYTES: Record<ElemType, number> = {
  FLOAT: 4,
  DOUBLE: 8,
  INT8: 1,
  UINT8: 1,
  INT32: 4,
  INT64: 8,
  BOOL: 1,
};

/** A graph input or output. A string in `shape` is a symbolic dimension (e.g. 'batch'). */
export interface ValueSpec {
  name: string;
  shape: readonly (number | string)[];
  /** Default 'FLOAT'. */
  elemType?: ElemType;
}

/** A constant tensor: an initializer, or the value of a TENSOR attribute (name optional there). */
export interface TensorSpec {
  name: string;
  dims: readonly number[];
  /** Default 'FLOAT'. */
  elemType?: ElemType;
  /**
   * Row-major values, `product(dims)` of them. FLOAT/DOUBLE: any numbers; integer types:
   * integers (bigint allowed, needed for INT64 values beyond 2^53 such as INT64_MAX); BOOL: 0/1 or booleans.
   */
  data:
    | Float32Array
    | Float64Array
    | Int8Array
    | Uint8Array
    | Int32Array
    | BigInt64Array
    | readonly (number | bigint | boolean)[];
}

/** An attribute value tagged with its ONNX attribute type. */
export type AttributeValue =
  | { int: number | bigint }
  | { ints: readonly (number | bigint)[] }
  | { float: number }
  | { floats: readonly number[] }
  | { string: string }
  | { strings: readonly string[] }
  | { tensor: Omit<TensorSpec, 'name'> & { name?: string } };

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Default: `${opType}_${index}`. */
  name?: string;
  /** Default '' (ai.onnx). Other domains need an entry in `extraOpsets`. */
  domain?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface OnnxModelSpec {
  /** Graph name; default 'main_graph' (PyTorch's). */
  name?: string;
  /** Opset of the default domain; default 13. */
  opset?: number;
  /** Opsets of other domains the nodes use, e.g. `[{ domain: 'com.microsoft', version: 1 }]`. */
  extraOpsets?: readonly { domain: string; version: number }[];
  /** Default 'zkinfer'. */
  producer?: string;
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  initializers?: readonly TensorSpec[];
  nodes: readonly NodeSpec[];
  /** Optional shape annotations for intermediate values. */
  valueInfo?: readonly ValueSpec[];
}

/** Builds the ModelProto for `spec` (not yet encoded); see {@link writeOnnxModel}. */
export function buildOnnxModel(spec: OnnxModelSpec): OnnxTypes.ModelProto {
  const opsetImport: OnnxTypes.IOperatorSetIdProto[] = [
    { domain: '', version: spec.opset ?? DEFAULT_OPSET },
    ...(spec.extraOpsets ?? []).map((o) => ({ domain: o.domain, version: o.version })),
  ];
  const domains = new Set(opsetImport.map((o) => o.domain));
  const nodes = spec.nodes.map((node, index) => {
    const domain = node.domain ?? '';
    const name = node.name ?? `${node.opType}_${index}`;
    if (!domains.has(domain)) {
      throw new UnsupportedError(`Node uses domain "${domain}" but the model imports no opset for it`, {
        context: [`node "${name}" (${node.opType})`],
        hint: `add { domain: '${domain}', version: N } to extraOpsets`,
      });
    }
    return onnx.NodeProto.create({
      name,
      opType: node.opType,
      domain,
      input: [...node.inputs],
      output: [...node.outputs],
      attribute: Object.entries(node.attributes ?? {}).map(([attrName, value]) =>
        attributeProto(attrName, value, `node "${name}" (${node.opType})`),
      ),
    });
  });
  const graph = onnx.GraphProto.create({
    name: spec.name ?? 'main_graph',
    node: nodes,
    initializer: (spec.initializers ?? []).map((t) => tensorProto(t, `initializer "${t.name}"`)),
    input: spec.inputs.map(valueInfoProto),
    output: spec.outputs.map(valueInfoProto),
    valueInfo: (spec.valueInfo ?? []).map(valueInfoProto),
  });
  return onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: spec.producer ?? 'zkinfer',
    opsetImport,
    graph,
  });
}

/** Encodes the model described by `spec` as ONNX protobuf bytes, ready to write to a `.onnx` file. */
export function writeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  return onnx.ModelProto.encode(buildOnnxModel(spec)).finish();
}

function valueInfoProto(v: ValueSpec): OnnxTypes.ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: {
      tensorType: {
        elemType: ELEM_TYPE_CODE[v.elemType ?? 'FLOAT'],
        shape: {
          dim: v.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  });
}

function tensorProto(t: Omit<TensorSpec, 'name'> & { name?: string }, where: string): OnnxTypes.TensorProto {
  const elemType = t.elemType ?? 'FLOAT';
  if (!(elemType in ELEM_TYPE_CODE)) {
    throw new UnsupportedError(`Element type ${String(elemType)} cannot be written`, {
      context: [where],
      hint: `use one of ${Object.keys(ELEM_TYPE_CODE).join(', ')}`,
    });
  }
  for (const d of t.dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`Tensor dimension ${d} is not a non-negative integer`, { context: [where] });
    }
  }
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) {
    throw new ShapeError(
      `Tensor data length does not match its dims. Dims [${t.dims.join(', ')}]: ${count} values, data: ${t.data.length}`,
      { context: [where] },
    );
  }
  return onnx.TensorProto.create({
    name: t.name ?? '',
    dims: [...t.dims],
    dataType: ELEM_TYPE_CODE[elemType],
    rawData: rawData(elemType, t.data, where),
  });
}

/** Packs values little-endian, as ONNX's raw_data requires. Integer values are range-checked. */
function rawData(elemType: ElemType, data: TensorSpec['data'], where: string): Uint8Array {
  const bytes = new Uint8Array(data.length * ELEM_BYTES[elemType]);
  const view = new DataView(bytes.buffer);
  const intRange = (min: number, max: number) => (x: number | bigint | boolean, i: number): number => {
    const v = Number(x);
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new ShapeError(`Value ${String(x)} at index ${i} is not a valid ${elemType}`, { context: [where] });
    }
    return v;
  };
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    switch (elemType) {
      case 'FLOAT':
        view.setFloat32(i * 4, Number(x), true);
        break;
      case 'DOUBLE':
        view.setFloat64(i * 8, Number(x), true);
        break;
      case 'INT8':
        view.setInt8(i, intRange(-128, 127)(x, i));
        break;
      case 'UINT8':
        view.setUint8(i, intRange(0, 255)(x, i));
        break;
      case 'BOOL':
        view.setUint8(i, intRange(0, 1)(x, i));
        break;
      case 'INT32':
        view.setInt32(i * 4, intRange(-(2 ** 31), 2 ** 31 - 1)(x, i), true);
        break;
      case 'INT64': {
        const v = typeof x === 'bigint' ? x : BigInt(intRange(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)(x, i));
        if (v !== BigInt.asIntN(64, v)) {
          throw new ShapeError(`Value ${v} at index ${i} is not a valid INT64`, { context: [where] });
        }
        view.setBigInt64(i * 8, v, true);
        break;
      }
    }
  }
  return bytes;
}

/** protobufjs takes int64 fields as numbers or {low, high} pairs; bigints become the pair. */
function int64Field(x: number | bigint, where: string): number {
  if (typeof x === 'number') {
    if (!Number.isSafeInteger(x)) {
      throw new UnsupportedError(`Attribute value ${x} is not an integer`, {
        context: [where],
        hint: 'tag it { float: … } if it is a float, or pass a bigint for values beyond 2^53',
      });
    }
    return x;
  }
  if (x !== BigInt.asIntN(64, x)) {
    throw new UnsupportedError(`Attribute value ${x} does not fit in INT64`, { context: [where] });
  }
  const low = Number(BigInt.asUintN(32, x));
  const high = Number(BigInt.asIntN(32, x >> 32n));
  // LongBits.from reads { low, high }; the cast only satisfies the generated typings.
  return { low, high, unsigned: false } as unknown as number;
}

function attributeProto(name: string, value: AttributeValue, where: string): OnnxTypes.AttributeProto {
  const at = `${where}, attribute "${name}"`;
  const T = onnx.AttributeProto.AttributeType;
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const untagged = () =>
    new UnsupportedError(`Attribute value has no type tag: ${JSON.stringify(value)}`, {
      context: [at],
      hint: 'tag it as { int }, { ints }, { float }, { floats }, { string }, { strings } or { tensor }',
    });
  if (typeof value !== 'object' || value === null) throw untagged();
  if ('int' in value) return onnx.AttributeProto.create({ name, type: T.INT, i: int64Field(value.int, at) });
  if ('ints' in value) {
    return onnx.AttributeProto.create({ name, type: T.INTS, ints: value.ints.map((x) => int64Field(x, at)) });
  }
  if ('float' in value) return onnx.AttributeProto.create({ name, type: T.FLOAT, f: value.float });
  if ('floats' in value) return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: [...value.floats] });
  if ('string' in value) return onnx.AttributeProto.create({ name, type: T.STRING, s: utf8(value.string) });
  if ('strings' in value) return onnx.AttributeProto.create({ name, type: T.STRINGS, strings: value.strings.map(utf8) });
  if ('tensor' in value) return onnx.AttributeProto.create({ name, type: T.TENSOR, t: tensorProto(value.tensor, at) });
  throw untagged();
}
