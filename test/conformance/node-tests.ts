/**
 * The official ONNX backend node tests in ../shared/onnx-node-tests (overridable with
 * ZKINFER_SHARED_DIR, as every suite that reads ../shared): one folder per test with
 * model.onnx and test_data_set_0/{input,output}_N.pb (serialized TensorProto), and
 * MANIFEST.tsv listing test, ops, opset, ir version and the input and output dtypes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { decodeTensor } from '../../circuits/onnx/load.ts';
import type { OrtNumericType } from '../support/onnxruntime.ts';
import { SHARED_DIR } from '../support/shared.ts';

// onnx-proto is CommonJS: its namespace is the default export under Node's ESM loader.
const { onnx } = onnxProto;

export const NODE_TESTS_DIR = path.join(SHARED_DIR, 'onnx-node-tests');

/** The node-test folder, or undefined (with a message) when it is absent. */
export function nodeTestsDir(): string | undefined {
  if (existsSync(path.join(NODE_TESTS_DIR, 'MANIFEST.tsv'))) return NODE_TESTS_DIR;
  console.warn(`skipping: ${NODE_TESTS_DIR} is absent (set ZKINFER_SHARED_DIR to the shared data folder)`);
  return undefined;
}

export interface NodeTest {
  name: string;
  /** The test's folder. */
  dir: string;
  model: string;
  ops: string[];
  opset: number;
  irVersion: number;
  /** ONNX data type names of the graph inputs and outputs, as MANIFEST.tsv lists them. */
  inputDtypes: string[];
  outputDtypes: string[];
}

/** The tests MANIFEST.tsv lists, optionally only those whose name contains `filter`. */
export function listNodeTests(root: string, filter?: string): NodeTest[] {
  const [header, ...rows] = readFileSync(path.join(root, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const columns = header!.split('\t');
  const column = (cells: string[], name: string): string => {
    const i = columns.indexOf(name);
    if (i < 0) throw new Error(`MANIFEST.tsv in ${root} has no "${name}" column`);
    return cells[i] ?? '';
  };
  const list = (s: string): string[] => (s === '' ? [] : s.split(','));
  return rows
    .map((row) => row.split('\t'))
    .map((cells) => {
      const name = column(cells, 'test');
      return {
        name,
        dir: path.join(root, name),
        model: path.join(root, name, 'model.onnx'),
        ops: list(column(cells, 'ops')),
        opset: Number(column(cells, 'opset')),
        irVersion: Number(column(cells, 'ir')),
        inputDtypes: list(column(cells, 'input_dtypes')),
        outputDtypes: list(column(cells, 'output_dtypes')),
      };
    })
    .filter((t) => filter === undefined || t.name.includes(filter));
}

/** One tensor of a test's data set, values widened to float64 (exact for every integer below 2^53). */
export interface TestTensor {
  name: string;
  /** The ONNX data type name (FLOAT, INT64, …). */
  dtype: string;
  /** Whether the values are integers (an integer or bool data type), which must match bit for bit. */
  integer: boolean;
  shape: number[];
  data: number[];
  /** The input_N.pb / output_N.pb file it was read from. */
  file: string;
}

export interface TestData {
  inputs: TestTensor[];
  outputs: TestTensor[];
}

function readTensorFile(file: string): TestTensor {
  const proto = onnx.TensorProto.decode(readFileSync(file));
  const t = decodeTensor(proto, file);
  const dtype = onnx.TensorProto.DataType[proto.dataType ?? 0] ?? `dt${proto.dataType}`;
  return { name: t.name, dtype, integer: t.dtype === 'int', shape: t.shape, data: Array.from(t.data), file };
}

/**
 * Reads test_data_set_0's input_N.pb and output_N.pb in index order. Throws the
 * loader's UnsupportedError for data types zkinfer cannot decode (float16, float8, int4…).
 */
export function readTestData(test: NodeTest): TestData {
  const setDir = path.join(test.dir, 'test_data_set_0');
  const files = readdirSync(setDir);
  const indexed = (prefix: string): TestTensor[] =>
    files
      .map((f) => new RegExp(`^${prefix}_(\\d+)\\.pb$`).exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => readTensorFile(path.join(setDir, m[0])));
  return { inputs: indexed('input'), outputs: indexed('output') };
}

/** onnxruntime's tensor type for an ONNX data type name (undefined: onnxruntime-node cannot feed it). */
export const ORT_TYPES: Readonly<Partial<Record<string, OrtNumericType>>> = {
  FLOAT: 'float32',
  DOUBLE: 'float64',
  INT8: 'int8',
  UINT8: 'uint8',
  INT16: 'int16',
  UINT16: 'uint16',
  INT32: 'int32',
  UINT32: 'uint32',
  INT64: 'int64',
  UINT64: 'uint64',
  BOOL: 'bool',
};
