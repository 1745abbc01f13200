/** Output integers → what a user reads: signed integers, dequantized values, argmax. */
import { dequantize, sizeOf } from './input.ts';
import type { BoundaryTensor } from './manifest.ts';

export interface DecodedTensor {
  name: string;
  shape: number[];
  /** Signed quantized integers, as decimal strings (they can exceed 2^53). */
  integers: string[];
  /** Dequantized: scale · (q − zeroPoint). */
  values: number[];
  /** Flat index of the largest integer, the first one on ties (as ONNX ArgMax). */
  argmax: number;
}

export function argmaxOf(values: readonly bigint[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** scale · (q − zeroPoint) per element, per channel where the tensor is quantized per axis. */
function dequantizeAll(spec: BoundaryTensor, integers: readonly bigint[]): number[] {
  if (!spec.perAxis) return integers.map((q) => dequantize(q, spec.scale, spec.zeroPoint));
  const { axis, scales, zeroPoints } = spec.perAxis;
  const inner = sizeOf(spec.shape.slice(axis + 1));
  return integers.map((q, i) => {
    const c = Math.floor(i / inner) % scales.length;
    return dequantize(q, scales[c]!, zeroPoints[c]!);
  });
}

/** Decodes one boundary tensor's signed integers. */
export function decodeTensor(spec: BoundaryTensor, integers: readonly bigint[]): DecodedTensor {
  return {
    name: spec.name,
    shape: spec.shape,
    integers: integers.map(String),
    values: dequantizeAll(spec, integers),
    argmax: argmaxOf(integers),
  };
}
