/**
 * Input JSON → flattened tensors, and float → quantized integer at the model's boundary.
 *
 * Input JSON is `{"<onnx input name>": nested array of numbers}`; a bare nested array
 * is accepted for a single-input model. Leading dimensions of size 1 (the batch) may be
 * left out: `[0.1, 0.2, 0.3]` fits a `[1, 3]` input.
 */
import { InputError, ShapeError } from './errors.ts';

export interface InputSpec {
  name: string;
  shape: number[];
}

export interface QuantizationSpec {
  scale: number;
  zeroPoint: number;
  min: string | bigint | number;
  max: string | bigint | number;
  /** An integer input: the values must be integers in [min, max], taken as they are. */
  elementType?: string;
  /** Per-axis scales and zero points (see BoundaryTensor). */
  perAxis?: { axis: number; scales: number[]; zeroPoints: number[] };
  /** ONNX QuantizeLinear rounding (float32 division, ties to even) instead of half up. */
  encoding?: 'quantize-linear';
}

/** Round half to even (ONNX's rounding). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return d > 0.5 ? f + 1 : f;
  return f % 2 === 0 ? f : f + 1;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A row-major flat array as the nested array of `shape` that input JSON takes. */
export function nestArray(flat: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape as [number, ...number[]];
  const step = sizeOf(rest);
  return Array.from({ length: d }, (_, i) => nestArray(flat.slice(i * step, (i + 1) * step), rest));
}

/** The shape of a nested array, checking that it is rectangular and holds only finite numbers. */
function flattenNested(value: unknown, where: string, source: string): { shape: number[]; values: number[] } {
  const context = [source];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError(`${where} is ${value}: inputs must be finite numbers`, { context });
    return { shape: [], values: [value] };
  }
  if (!Array.isArray(value)) {
    throw new InputError(`${where} is ${JSON.stringify(value)?.slice(0, 40) ?? typeof value}: expected a number or an array of numbers`, { context });
  }
  if (value.length === 0) throw new InputError(`${where} is an empty array`, { context });
  const parts = value.map((v, i) => flattenNested(v, `${where}[${i}]`, source));
  const inner = parts[0]!.shape;
  parts.forEach((p, i) => {
    if (p.shape.join(',') !== inner.join(',')) {
      throw new ShapeError(`${where} is not rectangular: ${where}[0] has shape [${inner}] but ${where}[${i}] has shape [${p.shape}]`, { context });
    }
  });
  return { shape: [value.length, ...inner], values: parts.flatMap((p) => p.values) };
}

/** Drops leading 1s so `[1, 3]` and `[3]` compare equal. */
function withoutLeadingOnes(shape: readonly number[]): number[] {
  const first = shape.findIndex((d) => d !== 1);
  return first === -1 ? [] : shape.slice(first);
}

/** One input's values, flattened row-major, checked against the expected shape. */
export function flattenInput(value: unknown, spec: InputSpec, source: string): number[] {
  const where = `input "${spec.name}"`;
  const { shape, values } = flattenNested(value, where, source);
  if (withoutLeadingOnes(shape).join(',') !== withoutLeadingOnes(spec.shape).join(',')) {
    throw new ShapeError(`${where} has shape [${shape}], the model expects [${spec.shape}]`, {
      context: [source],
      hint: `give a nested array of ${sizeOf(spec.shape)} numbers shaped [${spec.shape}]`,
    });
  }
  return values;
}

/** Parses input JSON (already JSON.parse'd) into one flattened float array per model input. */
export function parseInputs(json: unknown, specs: readonly InputSpec[], source: string): Map<string, number[]> {
  const result = new Map<string, number[]>();
  if (Array.isArray(json) || typeof json === 'number') {
    if (specs.length !== 1) {
      throw new InputError(`a bare array was given but the model has ${specs.length} inputs`, {
        context: [source],
        hint: `give an object keyed by input name: ${specs.map((s) => `"${s.name}"`).join(', ')}`,
      });
    }
    result.set(specs[0]!.name, flattenInput(json, specs[0]!, source));
    return result;
  }
  if (json === null || typeof json !== 'object') {
    throw new InputError(`input must be a JSON object or array, got ${json === null ? 'null' : typeof json}`, { context: [source] });
  }
  const record = json as Record<string, unknown>;
  for (const spec of specs) {
    if (!(spec.name in record)) {
      throw new InputError(`input "${spec.name}" is missing`, {
        context: [source],
        hint: `the model's inputs are ${specs.map((s) => `"${s.name}" [${s.shape}]`).join(', ')}`,
      });
    }
    result.set(spec.name, flattenInput(record[spec.name], spec, source));
  }
  const unknown = Object.keys(record).filter((k) => !specs.some((s) => s.name === k));
  if (unknown.length > 0) {
    throw new InputError(`unknown input ${unknown.map((k) => `"${k}"`).join(', ')}`, {
      context: [source],
      hint: `the model's inputs are ${specs.map((s) => `"${s.name}"`).join(', ')}`,
    });
  }
  return result;
}

/**
 * real → q = clamp(round(x / scale) + zeroPoint, min, max), rounding halves up; with the
 * QuantizeLinear encoding as ONNX does it: x and x / scale in float32, ties to even.
 */
export function quantizeValue(x: number, q: QuantizationSpec, channel = 0): { value: bigint; clamped: boolean } {
  const min = BigInt(q.min);
  const max = BigInt(q.max);
  const scale = q.perAxis ? q.perAxis.scales[channel]! : q.scale;
  const zero = q.perAxis ? q.perAxis.zeroPoints[channel]! : q.zeroPoint;
  const rounded = q.encoding === 'quantize-linear' ? roundHalfEven(Math.fround(Math.fround(x) / scale)) : Math.floor(x / scale + 0.5);
  const raw = BigInt(rounded) + BigInt(zero);
  if (raw < min) return { value: min, clamped: true };
  if (raw > max) return { value: max, clamped: true };
  return { value: raw, clamped: false };
}

export interface QuantizedTensor {
  values: bigint[];
  /** How many values fell outside the calibrated range and were clamped. */
  clamped: number;
}

/** An integer input's values, each checked to be an integer in the type's range. */
function integerTensor(values: readonly number[], q: InputSpec & QuantizationSpec, source: string): QuantizedTensor {
  const [min, max] = [BigInt(q.min), BigInt(q.max)];
  return {
    values: values.map((v, i) => {
      if (!Number.isInteger(v) || BigInt(v) < min || BigInt(v) > max) {
        throw new InputError(`input "${q.name}"[${i}] = ${v} is not an integer in ${q.elementType} [${min}, ${max}]`, { context: [source] });
      }
      return BigInt(v);
    }),
    clamped: 0,
  };
}

export function quantizeTensor(values: readonly number[], q: QuantizationSpec & { shape?: readonly number[] }): QuantizedTensor {
  let clamped = 0;
  const inner = q.perAxis && q.shape ? sizeOf(q.shape.slice(q.perAxis.axis + 1)) : 1;
  const channels = q.perAxis?.scales.length ?? 1;
  const out = values.map((x, i) => {
    const r = quantizeValue(x, q, Math.floor(i / inner) % channels);
    if (r.clamped) clamped++;
    return r.value;
  });
  return { values: out, clamped };
}

/** Parses and quantizes every model input: the integers the circuit and the evaluator take. */
export function quantizeInputs(
  json: unknown,
  specs: readonly (InputSpec & QuantizationSpec)[],
  source: string,
): Map<string, QuantizedTensor> {
  const floats = parseInputs(json, specs, source);
  return new Map(specs.map((s) => [s.name, s.elementType ? integerTensor(floats.get(s.name)!, s, source) : quantizeTensor(floats.get(s.name)!, s)]));
}

/** integer → real: scale · (q − zeroPoint). */
export function dequantize(q: bigint, scale: number, zeroPoint: number): number {
  return scale * Number(q - BigInt(zeroPoint));
}
