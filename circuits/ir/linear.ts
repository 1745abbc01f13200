/** The linear IR node: a matrix product against constant integer weights (free in R1CS). */
import { addTo, combine, constant, signalLc, type CircuitBuilder, type Component, type Lc } from '../constraints/builder.ts';
import type { NodeBase, QTensor } from './types.ts';
import { bigintsCodec, bodyOnly, type IrKind } from './kind.ts';

/**
 * out[b][m][n] = bias[b][m][n] + Σ_k w[b][n][k] · in[b][m][k] with constant integer weights:
 * a multiply-accumulate against constants, so no constraint at all. Without `batches` (one
 * batch) that is out[m][n] = bias[m][n] + Σ_k w[n][k] · in[m][k].
 */
export interface LinearNode extends NodeBase {
  kind: 'linear';
  input: string;
  rows: number;
  inner: number;
  cols: number;
  /** Independent products, each with its own weights (a batched MatMul B); absent means 1. */
  batches?: number;
  /** When true the input is stored [K, M] (Gemm transA; one batch only). */
  inputTransposed: boolean;
  /** Row-major [batches][cols][inner]. */
  weights: bigint[];
  /** Row-major [batches][rows][cols]; already includes −zeroPoint(in) · Σ_k w[n][k]. */
  bias: bigint[];
  /** Weights and bias are private signals under the model commitment (`--weights hashed`): one constraint per multiply-accumulate. */
  committed?: boolean;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function inputIndex(node: LinearNode, b: number, m: number, k: number): number {
  return node.inputTransposed ? k * node.rows + m : (b * node.rows + m) * node.inner + k;
}

const batchesOf = (node: LinearNode): number => node.batches ?? 1;

/** The output interval: for each output element the extreme sums over the input interval. */
export function linearInterval(node: LinearNode, input: QTensor): { min: bigint; max: bigint } {
  let min: bigint | undefined;
  let max: bigint | undefined;
  // Column n of batch b is weight row bn = b·cols + n.
  for (let bn = 0; bn < batchesOf(node) * node.cols; bn++) {
    const [b, n] = [Math.floor(bn / node.cols), bn % node.cols];
    let lo = 0n;
    let hi = 0n;
    for (let k = 0; k < node.inner; k++) {
      const w = node.weights[bn * node.inner + k]!;
      if (w > 0n) {
        lo += w * input.min;
        hi += w * input.max;
      } else if (w < 0n) {
        lo += w * input.max;
        hi += w * input.min;
      }
    }
    for (let m = 0; m < node.rows; m++) {
      const bias = node.bias[(b * node.rows + m) * node.cols + n]!;
      if (min === undefined || lo + bias < min) min = lo + bias;
      if (max === undefined || hi + bias > max) max = hi + bias;
    }
  }
  return { min: min ?? 0n, max: max ?? 0n };
}

/** Whether every partial sum stays within 2^53, so doubles compute it exactly. */
function fitsInDoubles(node: LinearNode, input: QTensor, output: QTensor): boolean {
  const absIn = input.min < 0n && -input.min > input.max ? -input.min : input.max < 0n ? -input.max : input.max;
  let worst = 0n;
  for (let bn = 0; bn < batchesOf(node) * node.cols; bn++) {
    let sum = 0n;
    for (let k = 0; k < node.inner; k++) {
      const w = node.weights[bn * node.inner + k]!;
      sum += (w < 0n ? -w : w) * absIn;
    }
    if (sum > worst) worst = sum;
  }
  const absOut = -output.min > output.max ? -output.min : output.max;
  return worst + absOut < MAX_SAFE;
}

export function evaluateLinear(node: LinearNode, x: readonly bigint[], input: QTensor, output: QTensor): bigint[] {
  const { rows, inner, cols } = node;
  const out = new Array<bigint>(batchesOf(node) * rows * cols);
  const exact = fitsInDoubles(node, input, output);
  const w = exact ? node.weights.map(Number) : [];
  const xs = exact ? x.map(Number) : [];
  for (let b = 0; b < batchesOf(node); b++) {
    for (let m = 0; m < rows; m++) {
      for (let n = 0; n < cols; n++) {
        const at = (b * rows + m) * cols + n;
        const row = (b * cols + n) * inner;
        if (exact) {
          let acc = Number(node.bias[at]!);
          for (let k = 0; k < inner; k++) acc += w[row + k]! * xs[inputIndex(node, b, m, k)]!;
          out[at] = BigInt(acc);
        } else {
          let acc = node.bias[at]!;
          for (let k = 0; k < inner; k++) acc += node.weights[row + k]! * x[inputIndex(node, b, m, k)]!;
          out[at] = acc;
        }
      }
    }
  }
  return out;
}

/** Circom: weights and bias as constant functions, the sums as linear expressions in a var array. */
export function emitLinear(node: LinearNode, inputName: string, outputName: string): { functions: string[]; body: string[] } {
  const { rows, inner, cols } = node;
  const batches = batchesOf(node);
  const wRows: string[] = [];
  for (let bn = 0; bn < batches * cols; bn++) wRows.push(`[${node.weights.slice(bn * inner, (bn + 1) * inner).join(',')}]`);
  const functions = [
    `function ${outputName}_weights() {\n  return [\n    ${wRows.join(',\n    ')}\n  ];\n}`,
    `function ${outputName}_bias() {\n  return [${node.bias.join(',')}];\n}`,
  ];
  const index = node.inputTransposed ? `k * ${rows} + m` : `(bt * ${rows} + m) * ${inner} + k`;
  // Circom copies a var's linear expression on every `+=`, so one long running sum costs
  // O(inner²) time; summing in blocks of √inner terms keeps the compile near-linear.
  const block = Math.max(1, Math.ceil(Math.sqrt(inner)));
  const blocks = Math.ceil(inner / block);
  const body = [
    `var ${outputName}[${batches * rows * cols}];`,
    `{`,
    `  var w[${batches * cols}][${inner}] = ${outputName}_weights();`,
    `  var b[${batches * rows * cols}] = ${outputName}_bias();`,
    `  for (var bt = 0; bt < ${batches}; bt++) {`,
    `  for (var m = 0; m < ${rows}; m++) {`,
    `    for (var n = 0; n < ${cols}; n++) {`,
    `      var acc = b[(bt * ${rows} + m) * ${cols} + n];`,
    `      for (var blk = 0; blk < ${blocks}; blk++) {`,
    `        var part = 0;`,
    `        for (var k = blk * ${block}; k < ${inner} && k < (blk + 1) * ${block}; k++) {`,
    `          part += w[bt * ${cols} + n][k] * ${inputName}[${index}];`,
    `        }`,
    `        acc += part;`,
    `      }`,
    `      ${outputName}[(bt * ${rows} + m) * ${cols} + n] = acc;`,
    `    }`,
    `  }`,
    `  }`,
    `}`,
  ];
  return { functions, body };
}

/** Multiply-accumulates of a committed linear node: each is a product of two signals, one constraint. */
export function linearMacs(node: LinearNode): number {
  return batchesOf(node) * node.rows * node.cols * node.inner;
}

/**
 * Circom of a committed node (`--weights hashed`): weights and bias are the vars `signals`,
 * linear in private bits the emitter declares, range-checks and hashes into the model
 * commitment; every product weight · input is a signal of its own, one constraint.
 */
export function emitCommittedLinear(node: LinearNode, inputName: string, outputName: string, signals: { weights: string; bias: string }): string[] {
  const { rows, inner, cols } = node;
  const batches = batchesOf(node);
  const index = node.inputTransposed ? `k * ${rows} + m` : `(bt * ${rows} + m) * ${inner} + k`;
  const block = Math.max(1, Math.ceil(Math.sqrt(inner)));
  const blocks = Math.ceil(inner / block);
  const at = `(bt * ${rows} + m) * ${cols} + n`;
  return [
    `signal ${outputName}_mac[${linearMacs(node)}];`,
    `var ${outputName}[${batches * rows * cols}];`,
    `for (var bt = 0; bt < ${batches}; bt++) {`,
    `  for (var m = 0; m < ${rows}; m++) {`,
    `    for (var n = 0; n < ${cols}; n++) {`,
    `      var acc = ${signals.bias}[${at}];`,
    `      for (var blk = 0; blk < ${blocks}; blk++) {`,
    `        var part = 0;`,
    `        for (var k = blk * ${block}; k < ${inner} && k < (blk + 1) * ${block}; k++) {`,
    `          ${outputName}_mac[(${at}) * ${inner} + k] <== ${signals.weights}[(bt * ${cols} + n) * ${inner} + k] * ${inputName}[${index}];`,
    `          part += ${outputName}_mac[(${at}) * ${inner} + k];`,
    `        }`,
    `        acc += part;`,
    `      }`,
    `      ${outputName}[${at}] = acc;`,
    `    }`,
    `  }`,
    `}`,
  ];
}

/**
 * The loop nest of both lowerings: per output (row-major), `bias(at)` plus what `tap` adds to
 * it for each term k, given the weight's and the input element's indices.
 */
function lowerSums(node: LinearNode, bias: (at: number) => Lc, tap: (acc: Lc, weight: number, input: number) => void): Lc[] {
  const { rows, inner, cols } = node;
  const out: Lc[] = [];
  for (let b = 0; b < batchesOf(node); b++) {
    for (let m = 0; m < rows; m++) {
      for (let n = 0; n < cols; n++) {
        const acc = bias((b * rows + m) * cols + n);
        const row = (b * cols + n) * inner;
        for (let k = 0; k < inner; k++) tap(acc, row + k, inputIndex(node, b, m, k));
        out.push(acc);
      }
    }
  }
  return out;
}

/** The fast path (circuits/lowering/): each output as a linear combination of the input's, as circom's var expressions. */
export function lowerLinear(node: LinearNode, x: readonly Lc[]): Lc[] {
  if (node.committed) throw new Error(`internal: node "${node.node}" has committed weights: lowerCommittedLinear builds it`);
  return lowerSums(
    node,
    (at) => constant(node.bias[at]!),
    (acc, w, i) => addTo(acc, x[i]!, node.weights[w]!),
  );
}

/**
 * The fast path's emitCommittedLinear: `committed` holds the weights and bias as linear
 * combinations of main's private bits (circuits/lowering/hashes.ts); each product
 * weight · input is an intermediate signal `<outputName>_mac[…]` of `parent` (main), one
 * constraint. `xValues` are the input's integers.
 */
export function lowerCommittedLinear(
  b: CircuitBuilder,
  parent: Component,
  node: LinearNode,
  x: readonly Lc[],
  xValues: readonly bigint[],
  outputName: string,
  committed: { weights: readonly Lc[]; bias: readonly Lc[] },
): Lc[] {
  const macs = b.declare(parent, 'intermediate', `${outputName}_mac`, [linearMacs(node)]);
  let j = 0;
  return lowerSums(
    node,
    (at) => combine([committed.bias[at]!, 1n]),
    (acc, w, i) => {
      const mac = macs[j++]!;
      b.set(mac, node.weights[w]! * xValues[i]!);
      b.constrain(committed.weights[w]!, x[i]!, signalLc(mac));
      addTo(acc, signalLc(mac));
    },
  );
}

export const linear: IrKind<LinearNode> = {
  named: true,
  includes: [],
  interval: (node, tensors) => linearInterval(node, tensors.get(node.input)!),
  evaluate: (node, values, tensors) => evaluateLinear(node, values.get(node.input)!, tensors.get(node.input)!, tensors.get(node.output)!),
  emit: (node, { names, id, committed }) =>
    node.committed ? bodyOnly(emitCommittedLinear(node, names.get(node.input)!, id, committed.get(node.output)!)) : emitLinear(node, names.get(node.input)!, id),
  lower: (node, { b, lcs, values, id, committed }) =>
    node.committed ? lowerCommittedLinear(b, b.main, node, lcs.get(node.input)!, values.get(node.input)!, id, committed.get(node.output)!) : lowerLinear(node, lcs.get(node.input)!),
  json: { weights: bigintsCodec, bias: bigintsCodec },
};
