/**
 * ONNX protobuf → graph IR: decodes the file, types the attributes, turns
 * initializers and tensor attributes into float64 constants, and fixes symbolic
 * (batch) dimensions to 1.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { OnnxFormatError, UnsupportedError } from '../../core/errors.ts';
import type { AttributeValue, ConstTensor, Graph, GraphNode, ValueInfo } from '../graph.ts';

// onnx-proto is CommonJS: its namespace is the default export under Node's ESM loader.
const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

type LongLike = number | { toNumber(): number };
const toNumber = (v: LongLike): number => (typeof v === 'number' ? v : v.toNumber());

/** Element readers for raw_data, keyed by ONNX data type: [bytes per element, read]. */
const RAW_READERS: Partial<Record<number, [number, (view: DataView, offset: number) => number]>> = {
  [DataType.FLOAT]: [4, (v, o) => v.getFloat32(o, true)],
  [DataType.DOUBLE]: [8, (v, o) => v.getFloat64(o, true)],
  [DataType.UINT8]: [1, (v, o) => v.getUint8(o)],
  [DataType.INT8]: [1, (v, o) => v.getInt8(o)],
  [DataType.UINT16]: [2, (v, o) => v.getUint16(o, true)],
  [DataType.INT16]: [2, (v, o) => v.getInt16(o, true)],
  [DataType.INT32]: [4, (v, o) => v.getInt32(o, true)],
  [DataType.UINT32]: [4, (v, o) => v.getUint32(o, true)],
  [DataType.INT64]: [8, (v, o) => Number(v.getBigInt64(o, true))],
  [DataType.UINT64]: [8, (v, o) => Number(v.getBigUint64(o, true))],
  [DataType.BOOL]: [1, (v, o) => v.getUint8(o)],
  [DataType.FLOAT16]: [2, (v, o) => float16Value(v.getUint16(o, true))],
  [DataType.BFLOAT16]: [2, (v, o) => bfloat16Value(v.getUint16(o, true))],
};

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

/** Integer graph inputs the compiler takes (exact integers, their ONNX range checked). */
const INTEGER_INPUT_TYPES = new Set<number>([DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.INT32]);

export function dataTypeName(type: number): string {
  return DataType[type] ?? `type ${type}`;
}

/** An IEEE half-precision value from its 16 bits. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A bfloat16 value from its 16 bits (the top half of a float32). */
function bfloat16Value(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}

/** Decodes an ONNX TensorProto into a float64 constant. */
export function decodeTensor(t: OnnxTypes.ITensorProto, where: string): ConstTensor {
  const name = t.name ?? '';
  const shape = (t.dims ?? []).map(toNumber);
  const type = t.dataType ?? DataType.UNDEFINED;
  const size = shape.reduce((a, b) => a * b, 1);
  let values: number[];
  if (t.rawData && t.rawData.length > 0) {
    const reader = RAW_READERS[type];
    if (!reader) throw new UnsupportedError(`tensor "${name}" has data type ${dataTypeName(type)}, which is not supported`, { context: [where] });
    const [width, read] = reader;
    const bytes = t.rawData;
    if (bytes.length !== size * width) {
      throw new OnnxFormatError(`tensor "${name}" holds ${bytes.length} bytes, its shape [${shape}] of ${dataTypeName(type)} needs ${size * width}`, { context: [where] });
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    values = Array.from({ length: size }, (_, i) => read(view, i * width));
  } else if (t.floatData && t.floatData.length > 0) {
    values = t.floatData.slice();
  } else if (t.doubleData && t.doubleData.length > 0) {
    values = t.doubleData.slice();
  } else if (t.int64Data && t.int64Data.length > 0) {
    values = t.int64Data.map((v) => toNumber(v as LongLike));
  } else if (t.int32Data && t.int32Data.length > 0) {
    // 16-bit floats travel as their bit patterns in int32_data.
    values = type === DataType.FLOAT16 ? t.int32Data.map(float16Value) : type === DataType.BFLOAT16 ? t.int32Data.map(bfloat16Value) : t.int32Data.slice();
  } else if (t.uint64Data && t.uint64Data.length > 0) {
    values = t.uint64Data.map((v) => toNumber(v as LongLike));
  } else if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new UnsupportedError(`tensor "${name}" keeps its data in an external file, which is not supported`, { context: [where], hint: 'save the model with all tensors inside the .onnx file' });
  } else {
    values = [];
  }
  if (values.length !== size) {
    throw new OnnxFormatError(`tensor "${name}" holds ${values.length} values, its shape [${shape}] needs ${size}`, { context: [where] });
  }
  return { name, shape, dtype: FLOAT_TYPES.has(type) ? 'float' : 'int', data: Float64Array.from(values), elementType: dataTypeName(type) };
}

function decodeAttribute(a: OnnxTypes.IAttributeProto, where: string): AttributeValue {
  switch (a.type) {
    case AttributeType.FLOAT:
      return a.f ?? 0;
    case AttributeType.INT:
      return toNumber((a.i ?? 0) as LongLike);
    case AttributeType.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case AttributeType.FLOATS:
      return (a.floats ?? []).slice();
    case AttributeType.INTS:
      return (a.ints ?? []).map((v) => toNumber(v as LongLike));
    case AttributeType.TENSOR:
      return decodeTensor(a.t ?? {}, `${where}, attribute "${a.name}"`);
    default:
      throw new UnsupportedError(`attribute "${a.name}" has type ${AttributeType[a.type ?? 0] ?? a.type}, which is not supported`, { context: [where] });
  }
}

function decodeValueInfo(v: OnnxTypes.IValueInfoProto): ValueInfo {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  // Symbolic or unknown dimensions are the batch in the models we take: prove one example at a time.
  const shape = dims.map((d) => (d.dimValue !== undefined && d.dimValue !== null && toNumber(d.dimValue as LongLike) > 0 ? toNumber(d.dimValue as LongLike) : 1));
  const type = v.type?.tensorType?.elemType;
  return { name: v.name ?? '', shape, elementType: type === undefined || type === null || type === DataType.UNDEFINED ? 'FLOAT' : dataTypeName(type) };
}

/**
 * A graph input: float, or an 8-, 16- or 32-bit integer (QOperator models: exact integers whose
 * range the prover checks; the ops that read them say whether they keep ONNX's integer semantics).
 */
function decodeModelInput(v: OnnxTypes.IValueInfoProto, source: string): ValueInfo {
  const type = v.type?.tensorType?.elemType;
  if (type !== undefined && type !== null && type !== DataType.UNDEFINED && !FLOAT_TYPES.has(type) && !INTEGER_INPUT_TYPES.has(type)) {
    throw new UnsupportedError(`graph input "${v.name}" has data type ${dataTypeName(type)}: only float and 8-, 16- or 32-bit integer inputs are supported`, {
      context: [source],
      hint: 'export the model with float32 inputs, or uint8/int8 ones for a quantized model',
    });
  }
  return decodeValueInfo(v);
}

/** Decodes ONNX bytes into the graph IR. `source` names the file in errors. */
export function loadOnnx(bytes: Uint8Array, source: string): Graph {
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new OnnxFormatError(`${source} is not a valid ONNX file: ${(err as Error).message}`, {
      context: [source],
      hint: 'check that the file is an ONNX model (a ModelProto protobuf), not truncated',
      cause: err,
    });
  }
  const graph = model.graph;
  if (!graph || !graph.node || graph.node.length === 0) {
    throw new OnnxFormatError(`${source} has no graph or an empty graph`, { context: [source], hint: 'check that the file is an ONNX model' });
  }
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) opsets[o.domain === 'ai.onnx' ? '' : (o.domain ?? '')] = toNumber((o.version ?? 0) as LongLike);
  const opset = opsets[''] ?? 0;
  if (opset === 0) throw new OnnxFormatError(`${source} declares no opset for the default ONNX domain`, { context: [source] });

  const constants = new Map<string, ConstTensor>();
  for (const init of graph.initializer ?? []) {
    const t = decodeTensor(init, `${source}, initializer "${init.name}"`);
    constants.set(t.name, t);
  }
  const nodes: GraphNode[] = graph.node.map((n, index) => {
    const opType = n.opType ?? '';
    const name = n.name && n.name.length > 0 ? n.name : `${opType}_${index}`;
    const where = `node "${name}" (${opType}) in ${source}`;
    const attributes: Record<string, AttributeValue> = {};
    for (const a of n.attribute ?? []) attributes[a.name ?? ''] = decodeAttribute(a, where);
    const domain = n.domain ?? '';
    const opset = opsets[domain === 'ai.onnx' ? '' : domain] ?? 0;
    return { name, opType, domain, inputs: (n.input ?? []).slice(), outputs: (n.output ?? []).slice(), attributes, opset };
  });
  // Initializers may also be listed as graph inputs (old exporters): those are constants, not inputs.
  const inputs = (graph.input ?? []).filter((v) => !constants.has(v.name ?? '')).map((v) => decodeModelInput(v, source));
  if (inputs.length === 0) throw new OnnxFormatError(`${source} has no (non-constant) graph inputs`, { context: [source] });
  return {
    name: graph.name ?? 'model',
    opset,
    opsets,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    inputs,
    outputs: (graph.output ?? []).map(decodeValueInfo),
    constants,
    nodes,
  };
}
