/**
 * The float graph IR the ONNX loader produces: ONNX's own structure with
 * constants decoded, attributes typed and symbolic dimensions fixed.
 */

/** A constant tensor (initializer or Constant node), values widened to float64. */
export interface ConstTensor {
  name: string;
  shape: number[];
  dtype: 'float' | 'int';
  data: Float64Array;
  /** The ONNX data type name (FLOAT, UINT8, …) where the file gave one; folded values have none. */
  elementType?: string;
}

export type AttributeValue = number | number[] | string | ConstTensor;

export interface GraphNode {
  /** The ONNX node name, or `<opType>_<index>` when the file has none. */
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
  /** The opset of the node's domain the model imports: ops whose meaning changed between versions (Softmax) read it. */
  opset: number;
  /** Set by normalize on a QuantizeLinear that absorbed the Relu before it (clamping at its zero point). */
  fusedRelu?: boolean;
}

export interface ValueInfo {
  name: string;
  shape: number[];
  /** The ONNX data type name (FLOAT, UINT8, …); FLOAT where the file does not say. */
  elementType: string;
}

export interface Graph {
  name: string;
  /** The default (ai.onnx) domain's opset version. */
  opset: number;
  /** Every imported domain's opset version, keyed by domain ('' is ai.onnx). */
  opsets: Record<string, number>;
  producer: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  constants: Map<string, ConstTensor>;
  nodes: GraphNode[];
}

/** How errors name a node: `node "fc1" (Gemm)`. */
export function describeNode(node: Pick<GraphNode, 'name' | 'opType'>): string {
  return `node "${node.name}" (${node.opType})`;
}
