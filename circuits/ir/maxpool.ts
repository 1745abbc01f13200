/**
 * The maxpool IR node, on the ArgMax gadget's `max` output: one gadget per window over
 * the window's real elements (padding never competes, as in ONNX where it is −∞), so a
 * window at a border gets a smaller gadget, and a window of one element none at all (its
 * max is the element). Each window size gets its own component array: circom 2.2 cannot
 * build an array mixing ArgMax sizes whose internal signal arrays are empty (n ≤ 2) with
 * larger ones. The values keep their scale and zero point.
 */
import { argmaxBoundBits, argmaxComponent, argmaxRef, argmaxTwin } from '../gadgets/argmax.ts';
import { signalLc, type CircuitBuilder, type Component, type Lc } from '../constraints/builder.ts';
import type { NodeBase, QTensor, Windows } from './types.ts';
import { int32sCodec, objectCodec, type IrKind } from './kind.ts';

/** The largest real element of each window (MaxPool): one ArgMax gadget per window, over its real elements only. */
export interface MaxPoolNode extends NodeBase {
  kind: 'maxpool';
  input: string;
  /** Batch · channels planes, each pooled alike. */
  planes: number;
  windows: Windows;
}

/** How many real elements window p has. */
export function windowCount(node: MaxPoolNode, p: number): number {
  const { kernelSize, index } = node.windows;
  let n = 0;
  for (let k = 0; k < kernelSize; k++) if (index[p * kernelSize + k]! >= 0) n++;
  return n;
}

/** Flat input indices of the real elements of window p in plane `plane`. */
export function windowElements(node: MaxPoolNode, plane: number, p: number): number[] {
  const { kernelSize, inputSize, index } = node.windows;
  const out: number[] = [];
  for (let k = 0; k < kernelSize; k++) {
    const at = index[p * kernelSize + k]!;
    if (at >= 0) out.push(plane * inputSize + at);
  }
  return out;
}

export function maxpoolEvaluate(node: MaxPoolNode, x: readonly bigint[], input: QTensor): bigint[] {
  const B = argmaxBoundBits(input.min, input.max);
  const out: bigint[] = [];
  for (let plane = 0; plane < node.planes; plane++) {
    for (let p = 0; p < node.windows.positions; p++) {
      const values = windowElements(node, plane, p).map((i) => x[i]!);
      out.push(argmaxRef(values, { n: values.length, B }).max);
    }
  }
  return out;
}

export function emitMaxPool(node: MaxPoolNode, input: QTensor, inputName: string, outputName: string): { functions: string[]; body: string[] } {
  const { positions, kernelSize, inputSize, index } = node.windows;
  const B = argmaxBoundBits(input.min, input.max);
  argmaxComponent({ n: 1, B }); // checks B
  const bySize = new Map<number, number[]>();
  for (let p = 0; p < positions; p++) {
    const n = windowCount(node, p);
    bySize.set(n, [...(bySize.get(n) ?? []), p]);
  }
  const rows = Array.from({ length: positions }, (_, p) => `[${Array.from(index.subarray(p * kernelSize, (p + 1) * kernelSize)).join(',')}]`);
  const functions = [`function ${outputName}_windows() {\n  return [\n    ${rows.join(',\n    ')}\n  ];\n}`];
  const body = [`var ${outputName}[${node.planes * positions}];`, `{`, `  var win[${positions}][${kernelSize}] = ${outputName}_windows();`];
  for (const [n, list] of [...bySize].sort(([a], [b]) => a - b)) {
    const at = `${outputName}_at${n}`;
    functions.push(`function ${at}() {\n  return [${list.join(',')}];\n}`);
    const gadget = `${outputName}_gadget${n}`;
    body.push(
      ...(n > 1 ? [`  component ${gadget}[${node.planes * list.length}];`] : []),
      `  var at${n}[${list.length}] = ${at}();`,
      `  for (var plane = 0; plane < ${node.planes}; plane++) {`,
      `    for (var i = 0; i < ${list.length}; i++) {`,
      `      var p = at${n}[i];`,
    );
    if (n === 1) {
      body.push(
        `      for (var k = 0; k < ${kernelSize}; k++) {`,
        `        if (win[p][k] >= 0) ${outputName}[plane * ${positions} + p] = ${inputName}[plane * ${inputSize} + win[p][k]];`,
        `      }`,
      );
    } else {
      const g = `${gadget}[plane * ${list.length} + i]`;
      body.push(
        `      ${g} = ${argmaxComponent({ n, B })};`,
        `      var j = 0;`,
        `      for (var k = 0; k < ${kernelSize}; k++) {`,
        `        if (win[p][k] >= 0) {`,
        `          ${g}.in[j] <== ${inputName}[plane * ${inputSize} + win[p][k]];`,
        `          j++;`,
        `        }`,
        `      }`,
        `      ${outputName}[plane * ${positions} + p] = ${g}.max;`,
      );
    }
    body.push(`    }`, `  }`);
  }
  body.push(`}`);
  return { functions, body };
}

/**
 * The fast path (circuits/lowering/): emitMaxPool's gadgets as R1CS twins (one component array
 * per window size, windows of one element without a gadget); returns the maxima.
 */
export function lowerMaxPool(b: CircuitBuilder, parent: Component, node: MaxPoolNode, input: QTensor, x: readonly Lc[], values: readonly bigint[], outputName: string): Lc[] {
  const { positions } = node.windows;
  const B = argmaxBoundBits(input.min, input.max);
  const bySize = new Map<number, number[]>();
  for (let p = 0; p < positions; p++) {
    const n = windowCount(node, p);
    bySize.set(n, [...(bySize.get(n) ?? []), p]);
  }
  const out: Lc[] = new Array(node.planes * positions);
  for (const [n, list] of bySize) {
    for (let plane = 0; plane < node.planes; plane++) {
      list.forEach((p, i) => {
        const elements = windowElements(node, plane, p);
        if (n === 1) {
          out[plane * positions + p] = x[elements[0]!]!;
          return;
        }
        const gadget = argmaxTwin(b, b.component(parent, `${outputName}_gadget${n}`, [plane * list.length + i]), { n, B }, elements.map((e) => values[e]!));
        gadget.inputs.forEach((id, j) => b.assign(id, x[elements[j]!]!));
        out[plane * positions + p] = signalLc(gadget.max);
      });
    }
  }
  return out;
}

export const windowsCodec = objectCodec<Windows>({ index: int32sCodec });

export const maxpool: IrKind<MaxPoolNode> = {
  named: true,
  includes: ['argmax.circom'],
  interval: (node, tensors) => {
    const t = tensors.get(node.input)!;
    return { min: t.min, max: t.max };
  },
  evaluate: (node, values, tensors) => maxpoolEvaluate(node, values.get(node.input)!, tensors.get(node.input)!),
  emit: (node, { ir, names, id }) => emitMaxPool(node, ir.tensors.get(node.input)!, names.get(node.input)!, id),
  lower: (node, { b, ir, lcs, values, id }) => lowerMaxPool(b, b.main, node, ir.tensors.get(node.input)!, lcs.get(node.input)!, values.get(node.input)!, id),
  json: { windows: windowsCodec },
};
