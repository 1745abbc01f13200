/**
 * BatchNormalization folding (a normalize step): Y = f·X + g per channel (axis 1) directly
 * after a Conv, Gemm or MatMul whose output nothing else reads becomes that node with its
 * weights scaled by f per output channel and its bias b replaced by f·b + g:
 * - Conv: W[m] · f[m], B[m] → f[m]·B[m] + g[m] (padding reads zero either way);
 * - Gemm (output [M, N], channels N): B's column n · f[n] (row n with transB),
 *   C → f·beta·C + g broadcast over N, beta → 1;
 * - MatMul of a matrix A by a constant matrix: the Gemm A · (B · f) + g.
 * The folded node keeps its op and is named "<node>+<BatchNormalization node>"; its new
 * weights and bias are fresh constants (the originals may be shared). The BatchNormalization
 * then costs nothing; any other one is lowered on its own (circuits/ops/BatchNormalization.ts).
 */
import type { ConstTensor, GraphNode } from './graph.ts';
import type { NormalizedGraph } from './normalize.ts';
import { batchNormAffine, batchNormParameters } from './ops/BatchNormalization.ts';
import { Gemm } from './ops/Gemm.ts';
import { floatAttr, intAttr, type ShapeContext } from './ops/types.ts';
import { broadcastIndex, broadcastShapes, sizeOf } from './tensor.ts';

interface Affine {
  factor: Float64Array;
  offset: Float64Array;
}

/** Adds a constant under a name no value has yet; returns the name. */
type AddConstant = (base: string, shape: number[], data: Float64Array) => string;

function foldConv(conv: GraphNode, { factor, offset }: Affine, ctx: ShapeContext, add: AddConstant): GraphNode | undefined {
  const [x, w, b] = conv.inputs;
  const weights = ctx.constant(w!);
  const bias = b ? ctx.constant(b) : undefined;
  if (!weights || (b && !bias)) return undefined;
  const per = sizeOf(weights.shape) / factor.length;
  const scaled = weights.data.map((v, i) => v * factor[Math.floor(i / per)]!);
  const shifted = offset.map((g, m) => g + (bias ? bias.data[m]! * factor[m]! : 0));
  return { ...conv, inputs: [x!, add(w!, weights.shape, scaled), add(b || `${conv.name}.bias`, [factor.length], shifted)] };
}

function foldGemm(gemm: GraphNode, { factor, offset }: Affine, ctx: ShapeContext, add: AddConstant): GraphNode | undefined {
  const [a, b, c] = gemm.inputs;
  const weights = ctx.constant(b!);
  const bias = c ? ctx.constant(c) : undefined;
  if (!weights || (c && !bias)) return undefined;
  const n = factor.length;
  const transB = intAttr(gemm, Gemm, 'transB') !== 0;
  // B is [K, N], or [N, K] with transB: column or row n scales by f[n].
  const scaled = weights.data.map((v, i) => v * factor[transB ? Math.floor(i / weights.shape[1]!) : i % n]!);
  const beta = floatAttr(gemm, Gemm, 'beta');
  const shape = bias ? broadcastShapes(bias.shape, [n])! : [n];
  const from = bias && broadcastIndex(bias.shape, shape);
  const shifted = Float64Array.from({ length: sizeOf(shape) }, (_, i) => offset[i % n]! + (from ? beta * bias!.data[from[i]!]! * factor[i % n]! : 0));
  return {
    ...gemm,
    opType: 'Gemm',
    inputs: [a!, add(b!, weights.shape, scaled), add(c || `${gemm.name}.bias`, shape, shifted)],
    attributes: { ...gemm.attributes, beta: 1 },
  };
}

function foldMatMul(matmul: GraphNode, affine: Affine, ctx: ShapeContext, add: AddConstant): GraphNode | undefined {
  const [a, b] = matmul.inputs;
  const weights = ctx.constant(b!);
  if (!weights || weights.shape.length !== 2 || ctx.shape(a!).length !== 2) return undefined;
  return foldGemm({ ...matmul, opType: 'Gemm', attributes: {} }, affine, ctx, add);
}

const FOLDERS: Record<string, typeof foldConv> = { Conv: foldConv, Gemm: foldGemm, MatMul: foldMatMul };

/** Folds every BatchNormalization it can into the node producing its input; the rest stay. */
export function foldBatchNorm(ng: NormalizedGraph): NormalizedGraph {
  const { graph, constants, shapes } = ng;
  const ctx: ShapeContext = { shape: (v) => shapes.get(v) ?? constants.get(v)!.shape, constant: (v) => constants.get(v) };
  const readers = new Map<string, number>(graph.outputs.map((o) => [o.name, 1]));
  for (const node of ng.nodes) for (const v of node.inputs) readers.set(v, (readers.get(v) ?? 0) + 1);
  const add: AddConstant = (base, shape, data) => {
    let name = `${base}/bn_folded`;
    for (let i = 2; constants.has(name) || shapes.has(name); i++) name = `${base}/bn_folded_${i}`;
    const t: ConstTensor = { name, shape, dtype: 'float', data };
    constants.set(name, t);
    return name;
  };

  const nodes = ng.nodes.slice();
  for (const bn of ng.nodes) {
    if (bn.opType !== 'BatchNormalization') continue;
    const x = bn.inputs[0]!;
    const at = nodes.findIndex((n) => n.outputs.includes(x));
    const producer = nodes[at];
    const fold = producer && FOLDERS[producer.opType];
    if (!fold || readers.get(x) !== 1) continue;
    const folded = fold(producer, batchNormAffine(bn, batchNormParameters(bn, ctx)), ctx, add);
    if (!folded) continue;
    nodes[at] = { ...folded, name: `${producer.name}+${bn.name}`, outputs: [bn.outputs[0]!] };
    nodes.splice(nodes.indexOf(bn), 1);
    shapes.delete(x);
  }
  return { ...ng, nodes };
}
