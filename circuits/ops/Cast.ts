/**
 * Cast: folded on constants (ConstantOfShape → Cast in exporters' zero-point subgraphs). On a
 * computed tensor only the casts that change no value lower, as views (no constraint):
 * float to float (the tensor is already exact integers under a scale), an integer tensor to a
 * float (its values are the integers) or to an integer type holding its whole proven
 * interval. Casts that round, truncate or wrap are refused.
 */
import { UnsupportedError } from '../../core/errors.ts';
import { describeNode } from '../graph.ts';
import { INTEGER_RANGES, isIntegerType } from '../ir/types.ts';
import { dataTypeName } from '../onnx/load.ts';
import { roundToType } from './qlinear.ts';
import { intAttr, type OpSpec } from './types.ts';

const INTEGER_BITS: Record<string, number> = { UINT8: 8, INT8: 8, UINT16: 16, INT16: 16, INT32: 32, UINT32: 32, INT64: 64, UINT64: 64 };
const FLOATS = new Set(['FLOAT', 'DOUBLE', 'FLOAT16', 'BFLOAT16']);

function targetType(node: Parameters<OpSpec['lower']>[0]): string {
  const to = intAttr(node, Cast, 'to');
  const name = dataTypeName(to);
  if (!FLOATS.has(name) && !(name in INTEGER_BITS) && name !== 'BOOL') throw new UnsupportedError(`attribute "to" = ${to} names a type Cast does not support`, { context: [describeNode(node)] });
  return name;
}

/** The ONNX value conversion: floats round to the type, integers truncate toward zero and wrap. */
function convert(v: number, type: string): number {
  if (FLOATS.has(type)) return roundToType(v, type);
  if (type === 'BOOL') return v !== 0 ? 1 : 0;
  const t = Math.trunc(v);
  const width = INTEGER_BITS[type]!;
  if (width === 64) return t;
  const mod = 2 ** width;
  const wrapped = ((t % mod) + mod) % mod;
  return type.startsWith('U') || wrapped < mod / 2 ? wrapped : wrapped - mod;
}

export const Cast: OpSpec = {
  opType: 'Cast',
  inputs: [1, 1],
  attributes: { to: undefined, saturate: 1, round_mode: 'up' },
  integerInputs: 'consume',

  inferShapes: (node, ctx) => [ctx.shape(node.inputs[0]!)],

  evaluateFloat(node, [x]) {
    const type = targetType(node);
    return [{ shape: x!.shape, data: x!.data.map((v) => convert(v, type)), elementType: type }];
  },

  lower(node, ctx) {
    const x = ctx.tensor(node.inputs[0]!);
    const type = targetType(node);
    const view = { kind: 'view' as const, node: node.name, op: node.opType, input: node.inputs[0]!, output: node.outputs[0]! };
    if (!x.elementType && (type === 'FLOAT' || type === 'DOUBLE')) {
      ctx.emit(view, { shape: x.shape, scale: x.scale, zeroPoint: x.zeroPoint });
      return;
    }
    if (x.elementType && FLOATS.has(type)) {
      ctx.emit(view, { shape: x.shape, scale: 1, zeroPoint: 0 });
      return;
    }
    if (x.elementType && isIntegerType(type) && x.min >= INTEGER_RANGES[type][0] && x.max <= INTEGER_RANGES[type][1]) {
      ctx.emit(view, { shape: x.shape, scale: 1, zeroPoint: 0, elementType: type });
      return;
    }
    throw new UnsupportedError(`Cast of "${node.inputs[0]}" (${x.elementType ?? 'a float tensor'}, values in [${x.min}, ${x.max}]) to ${type} could round, truncate or wrap; only value-preserving casts are supported`, {
      context: [describeNode(node)],
    });
  },
};
