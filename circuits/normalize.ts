/**
 * Normalize: checks every node against the op registry (op, domain, attributes),
 * folds nodes whose inputs are all constant (Constant nodes included) into
 * constants, and infers the shape of every computed value.
 */
import { OnnxFormatError, UnsupportedError } from '../core/errors.ts';
import { foldBatchNorm } from './fold-batchnorm.ts';
import { describeNode, type ConstTensor, type Graph, type GraphNode } from './graph.ts';
import { dequantizedConstant } from './ops/DequantizeLinear.ts';
import { findOp, opNames, type OpSpec, type QuantizedConstant, type ShapeContext } from './ops/index.ts';

export interface NormalizedGraph {
  graph: Graph;
  /** Constants: initializers and folded values. */
  constants: Map<string, ConstTensor>;
  /** Folded DequantizeLinear outputs (QDQ weights and biases): the model's own integers, scales and zero points. */
  quantized: Map<string, QuantizedConstant>;
  /** Shapes of every computed value (graph inputs and node outputs). */
  shapes: Map<string, number[]>;
  /** The nodes that compute on inputs, in order. */
  nodes: GraphNode[];
}

export function opSpecFor(node: GraphNode, opsets: Readonly<Record<string, number>>): OpSpec {
  const spec = findOp(node.domain, node.opType);
  if (!spec) {
    const domain = node.domain === 'ai.onnx' ? '' : node.domain;
    const version = opsets[domain];
    throw new UnsupportedError(`unsupported op ${node.opType} in domain "${domain || 'ai.onnx'}" (opset ${version ?? 'not imported'})`, {
      context: [describeNode(node)],
      hint: `supported ops: ${opNames().join(', ')}`,
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
  const quantized = new Map<string, QuantizedConstant>();
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
      const outs = spec.evaluateFloat(
        node,
        node.inputs.map((v) => (v === '' ? undefined : { shape: constants.get(v)!.shape, data: constants.get(v)!.data, elementType: constants.get(v)!.elementType })),
      );
      outs.forEach((t, i) => {
        const dtype = t.elementType === undefined || /FLOAT|DOUBLE/.test(t.elementType) ? 'float' : 'int';
        constants.set(node.outputs[i]!, { name: node.outputs[i]!, shape: t.shape, dtype, data: t.data, ...(t.elementType !== undefined ? { elementType: t.elementType } : {}) });
      });
      // A dequantized constant folds to floats for shapes and calibration, but the product lowerings use the model's own integers.
      const q = node.opType === 'DequantizeLinear' ? dequantizedConstant(node, constants) : undefined;
      if (q) quantized.set(node.outputs[0]!, q);
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
  return fuseReluIntoQuantize(foldBatchNorm({ graph, constants, quantized, shapes, nodes }));
}

/**
 * Relu → QuantizeLinear (QDQ exports write a fused Conv+ReLU so) becomes one QuantizeLinear
 * clamping at its zero point: Q(max(x, 0)) = max(Q(x), Q(0)) = max(Q(x), zero point), as
 * rounding is monotone and 0 rounds to 0. Only where the QuantizeLinear is the Relu's one reader.
 */
function fuseReluIntoQuantize(ng: NormalizedGraph): NormalizedGraph {
  const nodes = ng.nodes.slice();
  for (const relu of ng.nodes) {
    if (relu.opType !== 'Relu') continue;
    const out = relu.outputs[0]!;
    const readers = nodes.filter((n) => n.inputs.includes(out));
    const q = readers[0];
    if (readers.length !== 1 || q!.opType !== 'QuantizeLinear' || q!.inputs[0] !== out || ng.graph.outputs.some((o) => o.name === out)) continue;
    nodes[nodes.indexOf(q!)] = { ...q!, name: `${relu.name}+${q!.name}`, inputs: [relu.inputs[0]!, ...q!.inputs.slice(1)], fusedRelu: true };
    nodes.splice(nodes.indexOf(relu), 1);
    ng.shapes.delete(out);
  }
  return { ...ng, nodes };
}
