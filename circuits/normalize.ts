/**
 * Normalize: checks every node against the op registry (op, domain, attributes),
 * folds nodes whose inputs are all constant (Constant nodes included) into
 * constants, and infers the shape of every computed value.
 */
import { OnnxFormatError, UnsupportedError } from './errors.ts';
import { foldBatchNorm } from './fold-batchnorm.ts';
import { describeNode, type ConstTensor, type Graph, type GraphNode } from './graph.ts';
import { OPS, type OpSpec, type ShapeContext } from './ops/index.ts';

export interface NormalizedGraph {
  graph: Graph;
  /** Constants: initializers and folded values. */
  constants: Map<string, ConstTensor>;
  /** Shapes of every computed value (graph inputs and node outputs). */
  shapes: Map<string, number[]>;
  /** The nodes that compute on inputs, in order. */
  nodes: GraphNode[];
}

const DEFAULT_DOMAINS = new Set(['', 'ai.onnx']);

export function opSpecFor(node: GraphNode, opsets: Readonly<Record<string, number>>): OpSpec {
  const spec = DEFAULT_DOMAINS.has(node.domain) ? OPS[node.opType] : undefined;
  if (!spec) {
    const domain = node.domain === 'ai.onnx' ? '' : node.domain;
    const version = opsets[domain];
    throw new UnsupportedError(`unsupported op ${node.opType} in domain "${domain || 'ai.onnx'}" (opset ${version ?? 'not imported'})`, {
      context: [describeNode(node)],
      hint: `supported ops: ${Object.keys(OPS).join(', ')}`,
    });
  }
  const [required, most] = spec.inputs;
  if (node.inputs.length < required || node.inputs.length > most || node.inputs.slice(0, required).some((v) => v === '')) {
    throw new OnnxFormatError(`${node.opType} takes ${required === most ? required : `${required} to ${most}`} inputs (the first ${required} required), got [${node.inputs.map((v) => `"${v}"`).join(', ')}]`, {
      context: [describeNode(node)],
    });
  }
  for (const name of Object.keys(node.attributes)) {
    if (!(name in spec.attributes)) {
      throw new UnsupportedError(`attribute "${name}" of ${node.opType} is not supported`, {
        context: [describeNode(node)],
        hint: `${node.opType} takes ${Object.keys(spec.attributes).join(', ') || 'no attributes'}`,
      });
    }
  }
  return spec;
}

export function normalize(graph: Graph): NormalizedGraph {
  const constants = new Map(graph.constants);
  const shapes = new Map<string, number[]>(graph.inputs.map((i) => [i.name, i.shape]));
  const nodes: GraphNode[] = [];
  const ctx: ShapeContext = {
    shape: (v) => shapes.get(v) ?? constants.get(v)!.shape,
    constant: (v) => constants.get(v),
  };

  for (const node of graph.nodes) {
    const spec = opSpecFor(node, graph.opsets);
    const inputs = node.inputs.filter((v) => v !== '');
    for (const v of inputs) {
      if (!shapes.has(v) && !constants.has(v)) {
        throw new OnnxFormatError(`input "${v}" is not produced by any earlier node, initializer or graph input`, { context: [describeNode(node)] });
      }
    }
    if (inputs.every((v) => constants.has(v))) {
      const outs = spec.evaluateFloat(node, node.inputs.map((v) => (v === '' ? undefined : { shape: constants.get(v)!.shape, data: constants.get(v)!.data })));
      // Folded values are only read as numbers (weights, shapes), so their element type no longer matters.
      outs.forEach((t, i) => constants.set(node.outputs[i]!, { name: node.outputs[i]!, shape: t.shape, dtype: 'float', data: t.data }));
      continue;
    }
    const outShapes = spec.inferShapes(node, ctx);
    node.outputs.forEach((v, i) => shapes.set(v, outShapes[i]!));
    nodes.push(node);
  }
  for (const out of graph.outputs) {
    if (!shapes.has(out.name)) {
      throw new UnsupportedError(`graph output "${out.name}" is ${constants.has(out.name) ? 'a constant' : 'not computed by any node'}`, {
        context: [`graph "${graph.name}"`],
      });
    }
  }
  return foldBatchNorm({ graph, constants, shapes, nodes });
}
