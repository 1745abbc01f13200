/** The R1CS twin of argmax.circom's ArgMax (circuits/system/): the same signals, constraints and hints. */
import { argmaxRef, type ArgMaxParams } from '../gadgets.ts';
import { combine, constant, signalLc, type CircuitBuilder, type Component, type Lc } from '../system/builder.ts';

/**
 * ArgMax(n, B) in `comp` on the integers `values`; returns its input signals (the caller wires
 * them) and its outputs index and max.
 */
export function argmaxTwin(b: CircuitBuilder, comp: Component, p: ArgMaxParams, values: readonly bigint[]): { inputs: number[]; index: number; max: number } {
  const { n, B } = p;
  const { index: best, max: maxValue } = argmaxRef(values, p);
  const inputs = b.signals(comp, 'input', 'in', [n], (k) => values[k]!);
  const [index, max] = [b.signal(comp, 'output', 'index', BigInt(best)), b.signal(comp, 'output', 'max', maxValue)];
  const m = n >= 2 ? n - 2 : 0;
  const hot = b.declare(comp, 'intermediate', 'hot', [m]);
  const picked = b.declare(comp, 'intermediate', 'picked', [m]);
  const d = b.declare(comp, 'intermediate', 'd', [n >= 2 ? n : 0, B + 1]);
  const one = constant(1n);
  const x = (i: number) => signalLc(inputs[i]!);
  if (n === 1) {
    b.assign(index, constant(0n));
    b.assign(max, x(0));
    return { inputs, index, max };
  }
  const sel: Lc[] = new Array(n);
  const tail: Lc = new Map();
  const rest: Lc = new Map();
  for (let i = 2; i < n; i++) {
    b.set(hot[i - 2]!, best === i ? 1n : 0n);
    b.boolean(hot[i - 2]!);
    sel[i] = signalLc(hot[i - 2]!);
    tail.set(hot[i - 2]!, BigInt(i));
    rest.set(hot[i - 2]!, 1n);
  }
  sel[1] = combine([signalLc(index), 1n], [tail, -1n]);
  b.constrain(sel[1], combine([sel[1], 1n], [one, -1n]), new Map());
  sel[0] = combine([one, 1n], [sel[1], -1n], [rest, -1n]);
  if (n >= 3) b.constrain(sel[0], combine([sel[0], 1n], [one, -1n]), new Map());

  const gain: Lc = new Map();
  for (let i = 2; i < n; i++) {
    const diff = combine([x(i), 1n], [x(0), -1n]);
    b.set(picked[i - 2]!, best === i ? values[i]! - values[0]! : 0n);
    b.constrain(signalLc(hot[i - 2]!), diff, signalLc(picked[i - 2]!));
    gain.set(picked[i - 2]!, 1n);
  }
  b.constrain(sel[1], combine([x(1), 1n], [x(0), -1n]), combine([signalLc(max), 1n], [x(0), -1n], [gain, -1n]));

  let before: Lc = one;
  for (let i = 0; i < n; i++) {
    before = combine([before, 1n], [sel[i]!, -1n]);
    const beforeValue = i < best ? 1n : 0n;
    const gap = combine([signalLc(max), 1n], [x(i), -1n], [before, -1n]);
    const sum = b.bits(d.slice(i * (B + 1), (i + 1) * (B + 1)), maxValue - values[i]! - beforeValue);
    b.linear(combine([sum, 1n], [gap, -1n]));
  }
  return { inputs, index, max };
}
