/**
 * Sliding windows over the spatial dimensions of an N × C × D1 × … × Dk tensor, shared by
 * Conv, MaxPool, AveragePool and the global pools: the ONNX attributes (auto_pad, pads,
 * strides, dilations, ceil_mode) become a table that says, for every output position and
 * every kernel offset, which input position it reads — or that it reads padding.
 * The table is the whole geometry: the float semantics, the integer evaluator and the
 * Circom emitter all read it, so they cannot disagree about a border.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode, type GraphNode } from '../graph.ts';
import { sizeOf } from '../tensor.ts';
import type { OpSpec } from './types.ts';

/** A kernel offset that lands in the explicit or automatic padding. */
export const PADDING = -1;
/** A kernel offset past the padded input (only ceil_mode windows reach there). */
export const BEYOND = -2;

export interface WindowGeometry {
  /** Spatial input dims D1 … Dk. */
  inDims: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  outDims: number[];
}

/** For output position p and kernel offset k: index[p·kernelSize + k] is the flat spatial input index, PADDING or BEYOND. */
export interface WindowTable {
  positions: number;
  kernelSize: number;
  inputSize: number;
  index: Int32Array;
}

function ints(node: GraphNode, name: string, length: number, fallback: number): number[] {
  const v = node.attributes[name];
  if (v === undefined) return new Array<number>(length).fill(fallback);
  if (!Array.isArray(v) || v.length !== length || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    throw new UnsupportedError(`attribute "${name}" = ${JSON.stringify(v)} must hold ${length} integers (one per spatial dimension)`, { context: [describeNode(node)] });
  }
  return v as number[];
}

function fail(node: GraphNode, attribute: string, value: unknown, why: string): never {
  throw new UnsupportedError(`attribute "${attribute}" = ${JSON.stringify(value)}: ${why}`, { context: [describeNode(node)] });
}

/**
 * The window geometry of a node over input spatial dims `inDims` with kernel `kernel`,
 * as the ONNX spec defines it for Conv and the pools (ceil_mode only where the op has it:
 * the last window must start inside the input or its left padding, as in PyTorch and
 * onnxruntime).
 */
export function windowGeometry(node: GraphNode, spec: OpSpec, inDims: number[], kernel: number[]): WindowGeometry {
  const k = inDims.length;
  const strides = ints(node, 'strides', k, 1);
  const dilations = ints(node, 'dilations', k, 1);
  strides.forEach((s) => s >= 1 || fail(node, 'strides', strides, 'strides must be at least 1'));
  dilations.forEach((d) => d >= 1 || fail(node, 'dilations', dilations, 'dilations must be at least 1'));
  kernel.forEach((d) => d >= 1 || fail(node, 'kernel_shape', kernel, 'kernel dimensions must be at least 1'));
  const autoPad = String(node.attributes.auto_pad ?? spec.attributes.auto_pad ?? 'NOTSET');
  const ceilMode = 'ceil_mode' in spec.attributes && Number(node.attributes.ceil_mode ?? 0) !== 0;
  const span = kernel.map((kd, i) => (kd - 1) * dilations[i]! + 1);
  const padsBegin = new Array<number>(k).fill(0);
  const padsEnd = new Array<number>(k).fill(0);
  const outDims = new Array<number>(k);

  if (autoPad === 'NOTSET') {
    const pads = ints(node, 'pads', 2 * k, 0);
    pads.forEach((p) => p >= 0 || fail(node, 'pads', pads, 'pads must not be negative'));
    for (let i = 0; i < k; i++) {
      padsBegin[i] = pads[i]!;
      padsEnd[i] = pads[k + i]!;
      const room = inDims[i]! + padsBegin[i]! + padsEnd[i]! - span[i]!;
      if (room < 0) fail(node, 'kernel_shape', kernel, `the window (${span[i]} wide with dilations) is larger than the padded input (${inDims[i]! + padsBegin[i]! + padsEnd[i]!}) in spatial dimension ${i}`);
      let out = (ceilMode ? Math.ceil(room / strides[i]!) : Math.floor(room / strides[i]!)) + 1;
      if (ceilMode && (out - 1) * strides[i]! >= inDims[i]! + padsBegin[i]!) out -= 1;
      outDims[i] = out;
    }
  } else if (autoPad === 'VALID') {
    for (let i = 0; i < k; i++) {
      const room = inDims[i]! - span[i]!;
      if (room < 0) fail(node, 'kernel_shape', kernel, `the window is larger than the input in spatial dimension ${i}`);
      outDims[i] = (ceilMode ? Math.ceil(room / strides[i]!) : Math.floor(room / strides[i]!)) + 1;
    }
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    for (let i = 0; i < k; i++) {
      outDims[i] = Math.ceil(inDims[i]! / strides[i]!);
      const total = Math.max(0, (outDims[i]! - 1) * strides[i]! + span[i]! - inDims[i]!);
      padsBegin[i] = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      padsEnd[i] = total - padsBegin[i]!;
    }
  } else {
    fail(node, 'auto_pad', autoPad, 'expected NOTSET, VALID, SAME_UPPER or SAME_LOWER');
  }
  return { inDims, kernel, strides, dilations, padsBegin, padsEnd, outDims };
}

/** Row-major coordinates of flat index `i` in `dims`. */
function coordinates(i: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let d = dims.length - 1; d >= 0; d--) {
    out[d] = i % dims[d]!;
    i = Math.floor(i / dims[d]!);
  }
  return out;
}

export function windowTable(g: WindowGeometry): WindowTable {
  const positions = sizeOf(g.outDims);
  const kernelSize = sizeOf(g.kernel);
  const index = new Int32Array(positions * kernelSize);
  const kernelOffsets = Array.from({ length: kernelSize }, (_, k) => coordinates(k, g.kernel));
  for (let p = 0; p < positions; p++) {
    const out = coordinates(p, g.outDims);
    for (let k = 0; k < kernelSize; k++) {
      let flat = 0;
      let where = 0; // 0 inside, PADDING or BEYOND
      for (let d = 0; d < g.inDims.length; d++) {
        const at = out[d]! * g.strides[d]! - g.padsBegin[d]! + kernelOffsets[k]![d]! * g.dilations[d]!;
        if (at < -g.padsBegin[d]! || at >= g.inDims[d]! + g.padsEnd[d]!) where = BEYOND;
        else if ((at < 0 || at >= g.inDims[d]!) && where === 0) where = PADDING;
        flat = flat * g.inDims[d]! + at;
      }
      index[p * kernelSize + k] = where === 0 ? flat : where;
    }
  }
  return { positions, kernelSize, inputSize: sizeOf(g.inDims), index };
}

/** N, C and the spatial dims of a pooled or convolved input (at least one spatial dim). */
export function splitShape(node: GraphNode, shape: readonly number[], what: string): { batch: number; channels: number; spatial: number[] } {
  if (shape.length < 3) {
    throw new UnsupportedError(`${node.opType} needs ${what} of shape N × C × D1 × …, got [${shape}]`, { context: [describeNode(node)] });
  }
  return { batch: shape[0]!, channels: shape[1]!, spatial: shape.slice(2) };
}

/** The kernel_shape attribute (required by the pools), checked against the spatial rank. */
export function kernelShapeAttr(node: GraphNode, rank: number): number[] {
  const v = node.attributes.kernel_shape;
  if (v === undefined) throw new UnsupportedError(`${node.opType} needs the attribute "kernel_shape"`, { context: [describeNode(node)] });
  return ints(node, 'kernel_shape', rank, 1);
}

/** One window over all spatial dims (GlobalAveragePool, GlobalMaxPool). */
export function globalGeometry(node: GraphNode, shape: readonly number[]): WindowGeometry {
  const { spatial } = splitShape(node, shape, 'input X');
  const ones = spatial.map(() => 1);
  const zeros = spatial.map(() => 0);
  return { inDims: spatial, kernel: spatial, strides: ones, dilations: ones, padsBegin: zeros, padsEnd: zeros, outDims: ones };
}
