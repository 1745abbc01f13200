/** The conv IR node: a windowed multiply-accumulate against constant weights (free in R1CS). */
import { addTo, combine, constant, signalLc, type CircuitBuilder, type Component, type Lc } from '../constraints/builder.ts';
import type { NodeBase, QTensor, Windows } from './types.ts';
import { bigintCodec, bigintsCodec, type IrKind } from './kind.ts';
import { windowsCodec } from './maxpool.ts';

/**
 * Convolution against constant integer weights (Conv, and AveragePool as a depthwise one
 * with unit weights): a multiply-accumulate against constants, so no constraint.
 * out[n][m][p] = factor[p] · (bias[m] + Σ_{c of m's group} Σ_k w[m][c][k] · (in[n][c][window(p, k)] − zeroIn)),
 * where a padded offset contributes nothing (it holds real zero).
 */
export interface ConvNode extends NodeBase {
  kind: 'conv';
  input: string;
  batch: number;
  channels: number;
  outChannels: number;
  group: number;
  windows: Windows;
  /** Row-major [outChannels][channels / group][kernelSize]. */
  weights: bigint[];
  /** Per output channel, at the accumulator's scale. */
  bias: bigint[];
  zeroIn: bigint;
  /** Per output position (AveragePool counting only real elements: lcm / count); absent means 1. */
  positionFactor?: bigint[];
  /** Weights and bias are private signals under the model commitment (`--weights hashed`): one constraint per multiply-accumulate. */
  committed?: boolean;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const min3 = (a: bigint, b: bigint, c: bigint): bigint => (a < b ? (a < c ? a : c) : b < c ? b : c);
const max3 = (a: bigint, b: bigint, c: bigint): bigint => (a > b ? (a > c ? a : c) : b > c ? b : c);

function factorRange(node: ConvNode): { lo: bigint; hi: bigint } {
  if (!node.positionFactor) return { lo: 1n, hi: 1n };
  let lo = node.positionFactor[0]!;
  let hi = lo;
  for (const f of node.positionFactor) {
    if (f < lo) lo = f;
    if (f > hi) hi = f;
  }
  return { lo, hi };
}

const weightsPerOutput = (node: ConvNode): number => (node.channels / node.group) * node.windows.kernelSize;

/**
 * For each output channel the extreme sums over the input interval; a window with padding
 * may leave any term out (it then contributes 0), so 0 joins every term's range there.
 */
export function convInterval(node: ConvNode, input: QTensor): { min: bigint; max: bigint } {
  const lowIn = input.min - node.zeroIn;
  const highIn = input.max - node.zeroIn;
  const padded = node.windows.index.some((i) => i < 0);
  const f = factorRange(node);
  const per = weightsPerOutput(node);
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (let m = 0; m < node.outChannels; m++) {
    let lo = node.bias[m]!;
    let hi = node.bias[m]!;
    for (let j = 0; j < per; j++) {
      const w = node.weights[m * per + j]!;
      const a = w * lowIn;
      const b = w * highIn;
      lo += padded ? min3(a, b, 0n) : a < b ? a : b;
      hi += padded ? max3(a, b, 0n) : a > b ? a : b;
    }
    const candidates = [lo * f.lo, lo * f.hi, hi * f.lo, hi * f.hi];
    for (const c of candidates) {
      if (min === undefined || c < min) min = c;
      if (max === undefined || c > max) max = c;
    }
  }
  return { min: min ?? 0n, max: max ?? 0n };
}

/** Whether every partial sum stays within 2^53, so doubles compute it exactly. */
function fitsInDoubles(node: ConvNode, input: QTensor): boolean {
  const low = input.min - node.zeroIn;
  const high = input.max - node.zeroIn;
  const absIn = (low < 0n ? -low : low) > (high < 0n ? -high : high) ? (low < 0n ? -low : low) : high < 0n ? -high : high;
  const per = weightsPerOutput(node);
  const f = factorRange(node).hi;
  for (let m = 0; m < node.outChannels; m++) {
    let sum = node.bias[m]! < 0n ? -node.bias[m]! : node.bias[m]!;
    for (let j = 0; j < per; j++) {
      const w = node.weights[m * per + j]!;
      sum += (w < 0n ? -w : w) * absIn;
    }
    if (sum * f >= MAX_SAFE) return false;
  }
  return true;
}

/** A grouped convolution's shape over its window table. */
export type ConvLayout = Pick<ConvNode, 'batch' | 'channels' | 'outChannels' | 'group' | 'windows'>;

/** Calls `tap(weight index, input index)` for each tap of one output that lies inside the input. */
export type Taps = (tap: (weight: number, at: number) => void) => void;

/**
 * The window loop, written once: for each output, row-major [batch][outChannels][positions],
 * `sum(m, p, taps)` with m the output channel, p the position and taps its taps inside the input
 * (the channels of m's group, then the kernel offsets).
 */
export function convolutionSums<T>(s: ConvLayout, sum: (m: number, p: number, taps: Taps) => T): T[] {
  const { batch, channels, outChannels, group } = s;
  const { positions, kernelSize, inputSize, index } = s.windows;
  const perGroupIn = channels / group;
  const perGroupOut = outChannels / group;
  const per = perGroupIn * kernelSize;
  const out = new Array<T>(batch * outChannels * positions);
  for (let n = 0; n < batch; n++) {
    for (let m = 0; m < outChannels; m++) {
      const firstChannel = Math.floor(m / perGroupOut) * perGroupIn;
      for (let p = 0; p < positions; p++) {
        out[(n * outChannels + m) * positions + p] = sum(m, p, (tap) => {
          for (let c = 0; c < perGroupIn; c++) {
            const plane = (n * channels + firstChannel + c) * inputSize;
            for (let k = 0; k < kernelSize; k++) {
              const at = index[p * kernelSize + k]!;
              if (at >= 0) tap(m * per + c * kernelSize + k, plane + at);
            }
          }
        });
      }
    }
  }
  return out;
}

export function evaluateConv(node: ConvNode, x: readonly bigint[], input: QTensor): bigint[] {
  const factor = node.positionFactor;
  if (fitsInDoubles(node, input)) {
    const [xs, w, bias, zeroIn] = [x.map(Number), node.weights.map(Number), node.bias.map(Number), Number(node.zeroIn)];
    const f = factor?.map(Number);
    return convolutionSums(node, (m, p, taps) => {
      let acc = bias[m]!;
      taps((k, at) => (acc += w[k]! * (xs[at]! - zeroIn)));
      return BigInt(f ? acc * f[p]! : acc);
    });
  }
  return convolutionSums(node, (m, p, taps) => {
    let acc = node.bias[m]!;
    taps((k, at) => (acc += node.weights[k]! * (x[at]! - node.zeroIn)));
    return factor ? acc * factor[p]! : acc;
  });
}

/** A constant matrix as Circom array rows of `width`. */
const tableRows = (values: readonly (bigint | number)[], width: number): string =>
  Array.from({ length: values.length / width }, (_, r) => `[${values.slice(r * width, (r + 1) * width).join(',')}]`).join(',\n    ');

/** The window table (and the position factors) as constant functions. */
function windowFunctions(node: ConvNode, outputName: string): string[] {
  const functions = [`function ${outputName}_windows() {\n  return [\n    ${tableRows(Array.from(node.windows.index), node.windows.kernelSize)}\n  ];\n}`];
  if (node.positionFactor) functions.push(`function ${outputName}_factor() {\n  return [${node.positionFactor.join(',')}];\n}`);
  return functions;
}

/**
 * The loop nest both emitters share (inside a block that defines `win` and, with position
 * factors, `f`): per output, acc = `bias` + Σ over the input channels and the taps inside the
 * input of what `tap` adds to `part` for the tap's input less zeroIn, times the position factor.
 */
function loopNest(node: ConvNode, inputName: string, outputName: string, bias: string, tap: (input: string) => string[]): string[] {
  const { batch, channels, outChannels, group } = node;
  const { positions, kernelSize, inputSize } = node.windows;
  const perGroupIn = channels / group;
  return [
    `  for (var n = 0; n < ${batch}; n++) {`,
    `    for (var m = 0; m < ${outChannels}; m++) {`,
    `      var first = (m \\ ${outChannels / group}) * ${perGroupIn};`,
    `      for (var p = 0; p < ${positions}; p++) {`,
    `        var acc = ${bias};`,
    `        for (var c = 0; c < ${perGroupIn}; c++) {`,
    `          var part = 0;`,
    `          for (var k = 0; k < ${kernelSize}; k++) {`,
    `            if (win[p][k] >= 0) {`,
    ...tap(`(${inputName}[(n * ${channels} + first + c) * ${inputSize} + win[p][k]] - ${node.zeroIn})`).map((line) => `              ${line}`),
    `            }`,
    `          }`,
    `          acc += part;`,
    `        }`,
    `        ${outputName}[(n * ${outChannels} + m) * ${positions} + p] = ${node.positionFactor ? 'acc * f[p]' : 'acc'};`,
    `      }`,
    `    }`,
    `  }`,
  ];
}

/**
 * Circom: weights, bias and the window table as constant functions, the loops unrolled by
 * circom into one linear expression per output (summed per input channel: circom copies a
 * var's expression on every `+=`, so one long running sum would cost quadratic time).
 */
export function emitConv(node: ConvNode, inputName: string, outputName: string): { functions: string[]; body: string[] } {
  const { batch, channels, outChannels, group } = node;
  const { positions, kernelSize } = node.windows;
  const per = (channels / group) * kernelSize;
  const functions = [
    `function ${outputName}_weights() {\n  return [\n    ${tableRows(node.weights, per)}\n  ];\n}`,
    `function ${outputName}_bias() {\n  return [${node.bias.join(',')}];\n}`,
    ...windowFunctions(node, outputName),
  ];
  const body = [
    `var ${outputName}[${batch * outChannels * positions}];`,
    `{`,
    `  var w[${outChannels}][${per}] = ${outputName}_weights();`,
    `  var b[${outChannels}] = ${outputName}_bias();`,
    `  var win[${positions}][${kernelSize}] = ${outputName}_windows();`,
    ...(node.positionFactor ? [`  var f[${positions}] = ${outputName}_factor();`] : []),
    ...loopNest(node, inputName, outputName, 'b[m]', (x) => [`part += w[m][c * ${kernelSize} + k] * ${x};`]),
    `}`,
  ];
  return { functions, body };
}

/** Multiply-accumulates of a committed conv node (window elements inside the input): each one constraint. */
export function convMacs(node: ConvNode): number {
  const inside = node.windows.index.reduce((a, i) => a + (i >= 0 ? 1 : 0), 0);
  return node.batch * node.outChannels * (node.channels / node.group) * inside;
}

/**
 * Circom of a committed node (`--weights hashed`): weights and bias are the vars `signals`,
 * linear in private bits the emitter declares, range-checks and hashes into the model
 * commitment; every product weight · (input − zeroIn) is a signal of its own, one constraint.
 */
export function emitCommittedConv(node: ConvNode, inputName: string, outputName: string, signals: { weights: string; bias: string }): { functions: string[]; body: string[] } {
  const { batch, channels, outChannels, group } = node;
  const { positions, kernelSize } = node.windows;
  const per = (channels / group) * kernelSize;
  const functions = windowFunctions(node, outputName);
  const body = [
    `signal ${outputName}_mac[${convMacs(node)}];`,
    `var ${outputName}[${batch * outChannels * positions}];`,
    `{`,
    `  var win[${positions}][${kernelSize}] = ${outputName}_windows();`,
    ...(node.positionFactor ? [`  var f[${positions}] = ${outputName}_factor();`] : []),
    `  var j = 0;`,
    ...loopNest(node, inputName, outputName, `${signals.bias}[m]`, (x) => [
      `${outputName}_mac[j] <== ${signals.weights}[m * ${per} + c * ${kernelSize} + k] * ${x};`,
      `part += ${outputName}_mac[j];`,
      `j++;`,
    ]),
    `}`,
  ];
  return { functions, body };
}

/** An output's sum times its position's factor (AveragePool). */
const scaled = (node: ConvNode, p: number, acc: Lc): Lc => (node.positionFactor ? combine([acc, node.positionFactor[p]!]) : acc);

/** The fast path (circuits/lowering/): each output as a linear combination of the input's, as circom's var expressions. */
export function lowerConv(node: ConvNode, x: readonly Lc[]): Lc[] {
  if (node.committed) throw new Error(`internal: node "${node.node}" has committed weights: lowerCommittedConv builds it`);
  return convolutionSums(node, (m, p, taps) => {
    const acc = constant(node.bias[m]!);
    let shift = 0n;
    taps((w, at) => {
      addTo(acc, x[at]!, node.weights[w]!);
      shift += node.weights[w]!;
    });
    return scaled(node, p, addTo(acc, constant(-node.zeroIn * shift)));
  });
}

/**
 * The fast path's emitCommittedConv: `committed` holds the weights and bias as linear
 * combinations of main's private bits (circuits/lowering/hashes.ts); each product
 * weight · (input − zeroIn) is an intermediate signal `<outputName>_mac[j]` of `parent`
 * (main), one constraint, j counting the taps inside the input. `xValues` are the input's integers.
 */
export function lowerCommittedConv(
  b: CircuitBuilder,
  parent: Component,
  node: ConvNode,
  x: readonly Lc[],
  xValues: readonly bigint[],
  outputName: string,
  committed: { weights: readonly Lc[]; bias: readonly Lc[] },
): Lc[] {
  const macs = b.declare(parent, 'intermediate', `${outputName}_mac`, [convMacs(node)]);
  let j = 0;
  return convolutionSums(node, (m, p, taps) => {
    const acc = combine([committed.bias[m]!, 1n]);
    taps((w, at) => {
      const mac = macs[j++]!;
      b.set(mac, node.weights[w]! * (xValues[at]! - node.zeroIn));
      b.constrain(committed.weights[w]!, combine([x[at]!, 1n], [constant(-node.zeroIn), 1n]), signalLc(mac));
      addTo(acc, signalLc(mac));
    });
    return scaled(node, p, acc);
  });
}

export const conv: IrKind<ConvNode> = {
  named: true,
  includes: [],
  interval: (node, tensors) => convInterval(node, tensors.get(node.input)!),
  evaluate: (node, values, tensors) => evaluateConv(node, values.get(node.input)!, tensors.get(node.input)!),
  emit: (node, { names, id, committed }) =>
    node.committed ? emitCommittedConv(node, names.get(node.input)!, id, committed.get(node.output)!) : emitConv(node, names.get(node.input)!, id),
  lower: (node, { b, lcs, values, id, committed }) =>
    node.committed ? lowerCommittedConv(b, b.main, node, lcs.get(node.input)!, values.get(node.input)!, id, committed.get(node.output)!) : lowerConv(node, lcs.get(node.input)!),
  json: { windows: windowsCodec, weights: bigintsCodec, bias: bigintsCodec, zeroIn: bigintCodec, positionFactor: bigintsCodec },
};
