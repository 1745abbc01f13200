/**
 * A {@link Cnn} to ONNX and back, in the layout `torch.onnx.export` (opset 13) gives a
 * sequential PyTorch CNN: input "input" [1, 1, H, W] float → Conv (every attribute explicit)
 * / Relu / AveragePool / Flatten (axis 1) / Gemm (transB = 1, weights [out, in]) → "logits" [1, 10].
 *
 * Reading back accepts exactly that layout (a chain of those ops with the attributes our
 * networks use), so the float accuracy of a file on disk is measured on what it holds.
 */
import { writeOnnxModel, type NodeSpec, type TensorSpec } from '../onnx-writer.ts';
import { loadOnnx } from '../../circuits/onnx/load.ts';
import { describeNode, type AttributeValue, type ConstTensor, type GraphNode } from '../../circuits/graph.ts';
import { POOL, buildCnn, type Cnn, type Layer, type LayerSpec } from './network.ts';

/** The ONNX bytes of `cnn`; `name` becomes the graph name. */
export function cnnToOnnx(cnn: Cnn, name: string): Uint8Array {
  const initializers: TensorSpec[] = [];
  const nodes: NodeSpec[] = [];
  const counts = new Map<string, number>();
  let value = 'input';
  cnn.layers.forEach((layer, l) => {
    // Module names as a hand-written PyTorch model would have them: conv1, relu1, pool1, fc1, ...
    const prefix = { conv: 'conv', relu: 'relu', avgpool: 'pool', flatten: 'flatten', dense: 'fc' }[layer.op];
    const count = (counts.get(prefix) ?? 0) + 1;
    counts.set(prefix, count);
    const module = layer.op === 'flatten' ? prefix : `${prefix}${count}`;
    const opType = { conv: 'Conv', relu: 'Relu', avgpool: 'AveragePool', flatten: 'Flatten', dense: 'Gemm' }[layer.op];
    const output = l + 1 === cnn.layers.length ? 'logits' : `/${module}/${opType}_output_0`;
    const inputs = [value];
    if (layer.op === 'conv' || layer.op === 'dense') {
      const dims = layer.op === 'conv' ? [layer.out.c, layer.in.c, layer.kernel, layer.kernel] : [layer.out.c, layer.in.c];
      initializers.push(
        { name: `${module}.weight`, dims, data: Float32Array.from(layer.w) },
        { name: `${module}.bias`, dims: [layer.out.c], data: Float32Array.from(layer.b) },
      );
      inputs.push(`${module}.weight`, `${module}.bias`);
    }
    const attributes = attributesOf(layer);
    nodes.push({ opType, name: `/${module}/${opType}`, inputs, outputs: [output], ...(attributes && { attributes }) });
    value = output;
  });
  return writeOnnxModel({
    name,
    inputs: [{ name: 'input', shape: [1, 1, cnn.side, cnn.side] }],
    outputs: [{ name: 'logits', shape: [1, cnn.layers.at(-1)!.out.c] }],
    initializers,
    nodes,
  });
}

/** The attributes PyTorch writes for each op, every one explicit (none for Relu). */
function attributesOf(layer: Layer): NodeSpec['attributes'] {
  switch (layer.op) {
    case 'conv':
      return {
        dilations: { ints: [1, 1] },
        group: { int: 1 },
        kernel_shape: { ints: [layer.kernel, layer.kernel] },
        pads: { ints: [0, 0, 0, 0] },
        strides: { ints: [1, 1] },
      };
    case 'avgpool':
      return {
        ceil_mode: { int: 0 },
        kernel_shape: { ints: [POOL, POOL] },
        pads: { ints: [0, 0, 0, 0] },
        strides: { ints: [POOL, POOL] },
      };
    case 'flatten':
      return { axis: { int: 1 } };
    case 'dense':
      return { alpha: { float: 1 }, beta: { float: 1 }, transB: { int: 1 } };
    case 'relu':
      return undefined;
  }
}

/**
 * The network an ONNX file written by {@link cnnToOnnx} (or exported the same way by PyTorch)
 * holds. Throws, naming the node, on anything outside that layout.
 */
export function cnnFromOnnx(bytes: Uint8Array, source = 'model.onnx'): Cnn {
  const graph = loadOnnx(bytes, source);
  const [input] = graph.inputs;
  const [output] = graph.outputs;
  const side = input?.shape[2];
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1 || !input || !output || side === undefined || !sameInts(input.shape, [1, 1, side, side])) {
    throw new RangeError(`${source}: expected one input [1, 1, H, H] and one output`);
  }

  const specs: LayerSpec[] = [];
  const weights: { node: GraphNode; w: ConstTensor; b: ConstTensor }[] = [];
  let value = input.name;
  for (const node of graph.nodes) {
    const fail = (why: string) => new RangeError(`${source}, ${describeNode(node)}: ${why}`);
    if (node.inputs[0] !== value || node.outputs.length !== 1) throw fail(`expected a chain of single-output nodes from "${input.name}"`);
    const attr = (name: string, fallback: AttributeValue) => node.attributes[name] ?? fallback;
    const check = (name: string, wanted: AttributeValue, fallback: AttributeValue) => {
      const got = attr(name, fallback);
      if (JSON.stringify(got) !== JSON.stringify(wanted)) throw fail(`${name} is ${JSON.stringify(got)}, expected ${JSON.stringify(wanted)}`);
    };
    switch (node.opType) {
      case 'Conv': {
        const { w, b } = weightAndBias(graph.constants, node, 4, source);
        const [channels, , kernel, kernelW] = w.shape;
        check('kernel_shape', [kernel!, kernel!], [kernel!, kernelW!]);
        check('pads', [0, 0, 0, 0], [0, 0, 0, 0]);
        check('strides', [1, 1], [1, 1]);
        check('dilations', [1, 1], [1, 1]);
        check('group', 1, 1);
        check('auto_pad', 'NOTSET', 'NOTSET');
        specs.push({ op: 'conv', channels: channels!, kernel: kernel! });
        weights.push({ node, w, b });
        break;
      }
      case 'Relu':
        specs.push({ op: 'relu' });
        break;
      case 'AveragePool':
        check('kernel_shape', [POOL, POOL], []);
        check('strides', [POOL, POOL], [1, 1]);
        check('pads', [0, 0, 0, 0], [0, 0, 0, 0]);
        check('ceil_mode', 0, 0);
        check('auto_pad', 'NOTSET', 'NOTSET');
        specs.push({ op: 'avgpool' });
        break;
      case 'Flatten':
        check('axis', 1, 1);
        specs.push({ op: 'flatten' });
        break;
      case 'Gemm': {
        const { w, b } = weightAndBias(graph.constants, node, 2, source);
        check('transA', 0, 0);
        check('transB', 1, 0);
        check('alpha', 1, 1);
        check('beta', 1, 1);
        specs.push({ op: 'dense', units: w.shape[0]! });
        weights.push({ node, w, b });
        break;
      }
      default:
        throw fail('not an op of our CNNs (Conv, Relu, AveragePool, Flatten, Gemm)');
    }
    value = node.outputs[0]!;
  }
  if (value !== output.name) throw new RangeError(`${source}: the node chain ends in "${value}", not the output "${output.name}"`);

  const cnn = buildCnn(side, specs);
  cnn.layers.flatMap((l) => ('w' in l ? [l] : [])).forEach((layer, k) => {
    const { node, w, b } = weights[k]!;
    if (w.data.length !== layer.w.length) {
      throw new RangeError(`${source}, ${describeNode(node)}: weight [${w.shape.join(', ')}] does not fit an input of ${layer.in.c} channels`);
    }
    layer.w.set(w.data);
    layer.b.set(b.data);
  });
  return cnn;
}

function weightAndBias(constants: Map<string, ConstTensor>, node: GraphNode, rank: number, source: string) {
  const [w, b] = node.inputs.slice(1).map((name) => constants.get(name));
  if (!w || !b || w.shape.length !== rank || b.shape.length !== 1 || b.shape[0] !== w.shape[0]) {
    throw new RangeError(`${source}, ${describeNode(node)}: expected a constant rank-${rank} weight and a matching constant bias`);
  }
  return { w, b };
}

const sameInts = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
