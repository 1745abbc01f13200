/**
 * A small sequential CNN in plain TypeScript, laid out as PyTorch and ONNX lay it out (NCHW
 * with N = 1, conv weights [out, in, k, k], dense weights [out, in]), with the forward and
 * backward passes the trainer (scripts/train-cnn.ts) needs.
 *
 * A mini-batch at a time: activation, gradient and im2col buffers are allocated once per
 * {@link Workspace} and reused. Convolutions go through im2col and dense layers take the whole
 * batch, so nearly all the arithmetic is matrix products (./gemm.ts).
 */
import { gaussian } from '../training.ts';
import { gemm, matrix } from './gemm.ts';

/** A layer as an architecture names it. Convolutions are stride 1, no padding; pooling is 2×2, stride 2. */
export type LayerSpec =
  | { op: 'conv'; channels: number; kernel: number }
  | { op: 'relu' }
  | { op: 'avgpool' }
  | { op: 'flatten' }
  | { op: 'dense'; units: number };

/** Channels × height × width of one sample; a flat vector of n values is n × 1 × 1. */
export interface Shape {
  c: number;
  h: number;
  w: number;
}

interface Parametrized {
  /** Conv: [out, in, k, k]; dense: [out, in]. */
  w: Float64Array;
  b: Float64Array;
}

export type Layer = { in: Shape; out: Shape } & (
  | ({ op: 'conv'; kernel: number } & Parametrized)
  | { op: 'relu' }
  | { op: 'avgpool' }
  | { op: 'flatten' }
  | ({ op: 'dense' } & Parametrized)
);

export interface Cnn {
  /** Side of the square single-channel input. */
  side: number;
  layers: Layer[];
}

export const POOL = 2;

const size = (s: Shape) => s.c * s.h * s.w;

/** The output shape of `spec` applied to `input`; throws where the spec does not fit. */
function outShape(spec: LayerSpec, input: Shape): Shape {
  switch (spec.op) {
    case 'conv': {
      const side = (n: number) => n - spec.kernel + 1;
      if (side(input.h) < 1 || side(input.w) < 1) {
        throw new RangeError(`A ${spec.kernel}×${spec.kernel} convolution does not fit a ${input.h}×${input.w} input`);
      }
      return { c: spec.channels, h: side(input.h), w: side(input.w) };
    }
    case 'relu':
      return input;
    case 'avgpool':
      if (input.h < POOL || input.w < POOL) throw new RangeError(`2×2 pooling does not fit a ${input.h}×${input.w} input`);
      return { c: input.c, h: Math.floor(input.h / POOL), w: Math.floor(input.w / POOL) };
    case 'flatten':
      return { c: size(input), h: 1, w: 1 };
    case 'dense':
      if (input.h !== 1 || input.w !== 1) throw new RangeError('A dense layer needs a flat input: put a flatten before it');
      return { c: spec.units, h: 1, w: 1 };
  }
}

/**
 * The network `specs` describe on a `side × side` input. With `rng`, weights are He-initialised
 * (std √(2 / fan-in)) and biases zero; without, everything is zero, for the caller to fill.
 */
export function buildCnn(side: number, specs: readonly LayerSpec[], rng?: () => number): Cnn {
  let shape: Shape = { c: 1, h: side, w: side };
  const layers = specs.map((spec): Layer => {
    const io = { in: shape, out: outShape(spec, shape) };
    shape = io.out;
    if (spec.op !== 'conv' && spec.op !== 'dense') return { op: spec.op, ...io };
    const fanIn = spec.op === 'conv' ? io.in.c * spec.kernel * spec.kernel : io.in.c;
    const w = new Float64Array(io.out.c * fanIn);
    if (rng) {
      const std = Math.sqrt(2 / fanIn);
      for (let k = 0; k < w.length; k++) w[k] = gaussian(rng) * std;
    }
    const b = new Float64Array(io.out.c);
    return spec.op === 'conv' ? { op: 'conv', kernel: spec.kernel, w, b, ...io } : { op: 'dense', w, b, ...io };
  });
  return { side, layers };
}

/** The trainable arrays, [w, b] per conv or dense layer in order (the layout of {@link backward}'s gradients). */
export function parameters(cnn: Cnn): Float64Array[] {
  return cnn.layers.flatMap((l) => ('w' in l ? [l.w, l.b] : []));
}

export function parameterCount(cnn: Cnn): number {
  return parameters(cnn).reduce((n, p) => n + p.length, 0);
}

/** Buffers for a batch of up to `capacity` samples, each tensor [sample, ...layer shape] row-major. */
export interface Workspace {
  capacity: number;
  /** acts[0]: the inputs; acts[l + 1]: the outputs of layer l. */
  acts: Float64Array[];
  /** ∂loss/∂acts[l] (grads[0], the inputs', is never computed). */
  grads: Float64Array[];
  /** Per conv layer: each sample's im2col matrix [in·k·k, outH·outW] from the last forward pass. */
  cols: Float64Array[];
  /** Per conv layer but the first: scratch for one sample's gradient of its im2col matrix. */
  colGrads: Float64Array[];
}

const colSize = (l: Layer) => (l.op === 'conv' ? l.in.c * l.kernel * l.kernel * l.out.h * l.out.w : 0);

export function workspace(cnn: Cnn, capacity: number): Workspace {
  const shapes = [cnn.layers[0]!.in, ...cnn.layers.map((l) => l.out)];
  return {
    capacity,
    acts: shapes.map((s) => new Float64Array(capacity * size(s))),
    grads: shapes.map((s, i) => new Float64Array(i > 0 ? capacity * size(s) : 0)),
    cols: cnn.layers.map((l) => new Float64Array(capacity * colSize(l))),
    colGrads: cnn.layers.map((l, i) => new Float64Array(i > 0 ? colSize(l) : 0)),
  };
}

/**
 * Runs the network on a batch of inputs (`side²` values each, row-major; at most the
 * workspace's capacity); returns the logits, [sample, class] row-major, a view into `ws`.
 */
export function forward(cnn: Cnn, xs: readonly ArrayLike<number>[], ws: Workspace): Float64Array {
  const n = xs.length;
  if (n > ws.capacity) throw new RangeError(`A batch of ${n} does not fit a workspace for ${ws.capacity}`);
  const inSize = size(cnn.layers[0]!.in);
  xs.forEach((x, s) => ws.acts[0]!.set(x, s * inSize));
  cnn.layers.forEach((layer, l) => {
    const input = ws.acts[l]!;
    const output = ws.acts[l + 1]!;
    const count = n * size(layer.out);
    switch (layer.op) {
      case 'conv':
        convForward(layer, n, input, output, ws.cols[l]!);
        break;
      case 'relu':
        for (let i = 0; i < count; i++) output[i] = input[i]! > 0 ? input[i]! : 0;
        break;
      case 'avgpool':
        poolForward(layer, n, input, output);
        break;
      case 'flatten':
        // CHW row-major already is the flattened order (PyTorch's and ONNX's Flatten axis 1).
        output.set(input.subarray(0, count));
        break;
      case 'dense':
        denseForward(layer, n, input, output);
        break;
    }
  });
  return ws.acts.at(-1)!.subarray(0, n * size(cnn.layers.at(-1)!.out));
}

/**
 * Backpropagates `delta` (∂loss/∂logits, [sample, class]) through the activations of the last
 * {@link forward} of `n` samples in `ws`, adding the parameters' gradients, summed over the
 * samples, to `paramGrads` (laid out as {@link parameters}).
 */
export function backward(cnn: Cnn, ws: Workspace, n: number, delta: Float64Array, paramGrads: Float64Array[]): void {
  ws.grads.at(-1)!.set(delta.subarray(0, n * size(cnn.layers.at(-1)!.out)));
  let p = paramGrads.length;
  for (let l = cnn.layers.length - 1; l >= 0; l--) {
    const layer = cnn.layers[l]!;
    const dy = ws.grads[l + 1]!;
    // The inputs' gradient is never used.
    const dx = l > 0 ? ws.grads[l] : undefined;
    const count = n * size(layer.in);
    switch (layer.op) {
      case 'conv':
        p -= 2;
        convBackward(layer, n, dy, ws.cols[l]!, paramGrads[p]!, paramGrads[p + 1]!, dx && { dx, dcol: ws.colGrads[l]! });
        break;
      case 'relu':
        if (dx) {
          const y = ws.acts[l + 1]!;
          for (let i = 0; i < count; i++) dx[i] = y[i]! > 0 ? dy[i]! : 0;
        }
        break;
      case 'avgpool':
        if (dx) poolBackward(layer, n, dy, dx);
        break;
      case 'flatten':
        dx?.set(dy.subarray(0, count));
        break;
      case 'dense':
        p -= 2;
        denseBackward(layer, n, ws.acts[l]!, dy, paramGrads[p]!, paramGrads[p + 1]!, dx);
        break;
    }
  }
}

type ConvLayer = Extract<Layer, { op: 'conv' }>;
type DenseLayer = Extract<Layer, { op: 'dense' }>;

/** Per sample: im2col, then output [outC, positions] = weights [outC, rows] · col [rows, positions]. */
function convForward(layer: ConvLayer, n: number, x: Float64Array, y: Float64Array, cols: Float64Array): void {
  const { kernel: k, w, b } = layer;
  const { c: inC, h: inH, w: inW } = layer.in;
  const { c: outC, h: outH, w: outW } = layer.out;
  const positions = outH * outW;
  const rows = inC * k * k;
  const weights = matrix(w, rows);
  for (let s = 0; s < n; s++) {
    const x0 = s * size(layer.in);
    const col = cols.subarray(s * rows * positions, (s + 1) * rows * positions);
    let dst = 0;
    for (let c = 0; c < inC; c++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          for (let oy = 0; oy < outH; oy++) {
            let src = x0 + (c * inH + oy + ky) * inW + kx;
            for (let ox = 0; ox < outW; ox++) col[dst++] = x[src++]!;
          }
        }
      }
    }
    const out = y.subarray(s * outC * positions, (s + 1) * outC * positions);
    for (let oc = 0; oc < outC; oc++) out.fill(b[oc]!, oc * positions, (oc + 1) * positions);
    gemm(outC, positions, rows, weights, matrix(col, positions), out, positions, true);
  }
}

/** Per sample: ∂w += dy · colᵀ, ∂b += row sums of dy, and (but for the first layer) ∂x = col2im(wᵀ · dy). */
function convBackward(
  layer: ConvLayer,
  n: number,
  dy: Float64Array,
  cols: Float64Array,
  gw: Float64Array,
  gb: Float64Array,
  input?: { dx: Float64Array; dcol: Float64Array },
): void {
  const { kernel: k, w } = layer;
  const { c: inC, h: inH, w: inW } = layer.in;
  const { c: outC, h: outH, w: outW } = layer.out;
  const positions = outH * outW;
  const rows = inC * k * k;
  for (let s = 0; s < n; s++) {
    const d = dy.subarray(s * outC * positions, (s + 1) * outC * positions);
    const col = cols.subarray(s * rows * positions, (s + 1) * rows * positions);
    for (let oc = 0; oc < outC; oc++) {
      let sum = 0;
      for (let q = oc * positions; q < (oc + 1) * positions; q++) sum += d[q]!;
      gb[oc] += sum;
    }
    gemm(outC, rows, positions, matrix(d, positions), matrix(col, positions, true), gw, rows, true);
    if (!input) continue;
    const { dx, dcol } = input;
    gemm(rows, positions, outC, matrix(w, rows, true), matrix(d, positions), dcol, positions, false);
    const x0 = s * size(layer.in);
    dx.fill(0, x0, x0 + size(layer.in));
    let src = 0;
    for (let c = 0; c < inC; c++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          for (let oy = 0; oy < outH; oy++) {
            let dst = x0 + (c * inH + oy + ky) * inW + kx;
            for (let ox = 0; ox < outW; ox++) dx[dst++] += dcol[src++]!;
          }
        }
      }
    }
  }
}

function poolForward(layer: Layer, n: number, x: Float64Array, y: Float64Array): void {
  const { h: inH, w: inW } = layer.in;
  const { c: channels, h: outH, w: outW } = layer.out;
  let dst = 0;
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < channels; c++) {
      const plane = (s * channels + c) * inH * inW;
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const i = plane + POOL * oy * inW + POOL * ox;
          y[dst++] = (x[i]! + x[i + 1]! + x[i + inW]! + x[i + inW + 1]!) / (POOL * POOL);
        }
      }
    }
  }
}

function poolBackward(layer: Layer, n: number, dy: Float64Array, dx: Float64Array): void {
  const { h: inH, w: inW } = layer.in;
  const { c: channels, h: outH, w: outW } = layer.out;
  // Rows and columns that an odd size leaves out of every window get no gradient.
  dx.fill(0, 0, n * size(layer.in));
  let src = 0;
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < channels; c++) {
      const plane = (s * channels + c) * inH * inW;
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const i = plane + POOL * oy * inW + POOL * ox;
          const d = dy[src++]! / (POOL * POOL);
          dx[i] = d;
          dx[i + 1] = d;
          dx[i + inW] = d;
          dx[i + inW + 1] = d;
        }
      }
    }
  }
}

/** y [n, out] = x [n, in] · wᵀ + b. */
function denseForward(layer: DenseLayer, n: number, x: Float64Array, y: Float64Array): void {
  const { w, b } = layer;
  const inSize = layer.in.c;
  const outSize = layer.out.c;
  for (let s = 0; s < n; s++) y.set(b, s * outSize);
  gemm(n, outSize, inSize, matrix(x, inSize), matrix(w, inSize, true), y, outSize, true);
}

/** ∂w += dyᵀ · x, ∂b += column sums of dy, ∂x = dy · w. */
function denseBackward(
  layer: DenseLayer,
  n: number,
  x: Float64Array,
  dy: Float64Array,
  gw: Float64Array,
  gb: Float64Array,
  dx?: Float64Array,
): void {
  const { w } = layer;
  const inSize = layer.in.c;
  const outSize = layer.out.c;
  for (let s = 0; s < n; s++) for (let o = 0; o < outSize; o++) gb[o] += dy[s * outSize + o]!;
  gemm(outSize, inSize, n, matrix(dy, outSize, true), matrix(x, inSize), gw, inSize, true);
  if (dx) gemm(n, inSize, outSize, matrix(dy, outSize), matrix(w, inSize), dx, inSize, false);
}
