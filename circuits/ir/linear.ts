/** The linear IR node: a matrix product against constant integer weights (free in R1CS). */
import type { LinearNode, QTensor } from './types.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function inputIndex(node: LinearNode, m: number, k: number): number {
  return node.inputTransposed ? k * node.rows + m : m * node.inner + k;
}

/** The output interval: for each output element the extreme sums over the input interval. */
export function linearInterval(node: LinearNode, input: QTensor): { min: bigint; max: bigint } {
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (let n = 0; n < node.cols; n++) {
    let lo = 0n;
    let hi = 0n;
    for (let k = 0; k < node.inner; k++) {
      const w = node.weights[n * node.inner + k]!;
      if (w > 0n) {
        lo += w * input.min;
        hi += w * input.max;
      } else if (w < 0n) {
        lo += w * input.max;
        hi += w * input.min;
      }
    }
    for (let m = 0; m < node.rows; m++) {
      const b = node.bias[m * node.cols + n]!;
      if (min === undefined || lo + b < min) min = lo + b;
      if (max === undefined || hi + b > max) max = hi + b;
    }
  }
  return { min: min ?? 0n, max: max ?? 0n };
}

/** Whether every partial sum stays within 2^53, so doubles compute it exactly. */
function fitsInDoubles(node: LinearNode, input: QTensor, output: QTensor): boolean {
  const absIn = input.min < 0n && -input.min > input.max ? -input.min : input.max < 0n ? -input.max : input.max;
  let worst = 0n;
  for (let n = 0; n < node.cols; n++) {
    let sum = 0n;
    for (let k = 0; k < node.inner; k++) {
      const w = node.weights[n * node.inner + k]!;
      sum += (w < 0n ? -w : w) * absIn;
    }
    if (sum > worst) worst = sum;
  }
  const absOut = -output.min > output.max ? -output.min : output.max;
  return worst + absOut < MAX_SAFE;
}

export function evaluateLinear(node: LinearNode, x: readonly bigint[], input: QTensor, output: QTensor): bigint[] {
  const out = new Array<bigint>(node.rows * node.cols);
  if (fitsInDoubles(node, input, output)) {
    const w = node.weights.map(Number);
    const xs = x.map(Number);
    for (let m = 0; m < node.rows; m++) {
      for (let n = 0; n < node.cols; n++) {
        let acc = Number(node.bias[m * node.cols + n]!);
        for (let k = 0; k < node.inner; k++) acc += w[n * node.inner + k]! * xs[inputIndex(node, m, k)]!;
        out[m * node.cols + n] = BigInt(acc);
      }
    }
    return out;
  }
  for (let m = 0; m < node.rows; m++) {
    for (let n = 0; n < node.cols; n++) {
      let acc = node.bias[m * node.cols + n]!;
      for (let k = 0; k < node.inner; k++) acc += node.weights[n * node.inner + k]! * x[inputIndex(node, m, k)]!;
      out[m * node.cols + n] = acc;
    }
  }
  return out;
}

/** Circom: weights and bias as constant functions, the sums as linear expressions in a var array. */
export function emitLinear(node: LinearNode, inputName: string, outputName: string): { functions: string[]; body: string[] } {
  const { rows, inner, cols } = node;
  const wRows: string[] = [];
  for (let n = 0; n < cols; n++) wRows.push(`[${node.weights.slice(n * inner, (n + 1) * inner).join(',')}]`);
  const functions = [
    `function ${outputName}_weights() {\n  return [\n    ${wRows.join(',\n    ')}\n  ];\n}`,
    `function ${outputName}_bias() {\n  return [${node.bias.join(',')}];\n}`,
  ];
  const index = node.inputTransposed ? `k * ${rows} + m` : `m * ${inner} + k`;
  // Circom copies a var's linear expression on every `+=`, so one long running sum costs
  // O(inner²) time; summing in blocks of √inner terms keeps the compile near-linear.
  const block = Math.max(1, Math.ceil(Math.sqrt(inner)));
  const blocks = Math.ceil(inner / block);
  const body = [
    `var ${outputName}[${rows * cols}];`,
    `{`,
    `  var w[${cols}][${inner}] = ${outputName}_weights();`,
    `  var b[${rows * cols}] = ${outputName}_bias();`,
    `  for (var m = 0; m < ${rows}; m++) {`,
    `    for (var n = 0; n < ${cols}; n++) {`,
    `      var acc = b[m * ${cols} + n];`,
    `      for (var blk = 0; blk < ${blocks}; blk++) {`,
    `        var part = 0;`,
    `        for (var k = blk * ${block}; k < ${inner} && k < (blk + 1) * ${block}; k++) {`,
    `          part += w[n][k] * ${inputName}[${index}];`,
    `        }`,
    `        acc += part;`,
    `      }`,
    `      ${outputName}[m * ${cols} + n] = acc;`,
    `    }`,
    `  }`,
    `}`,
  ];
  return { functions, body };
}
