/**
 * The constraint system of a circuit, built directly in TypeScript (the fast path):
 * named signals laid out in circom's components, rank-1 constraints A·B = C over
 * linear combinations, and each signal's witness value. The gadget twins
 * (circuits/gadgets/*.ts) and node lowerings (circuits/ir/*.ts) build it the way circom
 * runs the emitted templates, so circuits/constraints/simplify.ts can apply circom's --O1 and
 * the result is circom's constraint system, signal for signal (checked against circom2 in
 * test/system/).
 */
import { BN254_SCALAR_MODULUS as P, toField } from '../../core/field.ts';

/** A linear combination: signal id → coefficient in [0, p); id 0 is the constant 1. */
export type Lc = Map<number, bigint>;

/** Signal id of the constant 1 (circom's wire 0). */
export const ONE = 0;

/** p − x: the field's −x. */
export function neg(x: bigint): bigint {
  return x === 0n ? 0n : P - x;
}

/** The multiplicative inverse in the field (0 for 0, as circom's `1 / 0` hint guards leave it). */
export function inverse(x: bigint): bigint {
  let [a, b, u, v] = [toField(x), P, 1n, 0n];
  if (a === 0n) return 0n;
  while (a !== 0n) {
    const q = b / a;
    [a, b] = [b - q * a, a];
    [u, v] = [v - q * u, u];
  }
  return toField(v);
}

export function constant(k: bigint): Lc {
  const m = toField(k);
  return m === 0n ? new Map() : new Map([[ONE, m]]);
}

export function signalLc(id: number): Lc {
  return new Map([[id, 1n]]);
}

/** into += k · x (in place; returns `into`). */
export function addTo(into: Lc, x: Lc, k = 1n): Lc {
  const km = toField(k);
  if (km === 0n) return into;
  for (const [id, c] of x) {
    // Hot in the lowering of constant-weight layers: skip the reduction when a factor is 1.
    const term = c === 1n ? km : km === 1n ? c : (c * km) % P;
    const old = into.get(id);
    if (old === undefined) {
      into.set(id, term);
      continue;
    }
    const v = old + term;
    const r = v >= P ? v - P : v;
    if (r === 0n) into.delete(id);
    else into.set(id, r);
  }
  return into;
}

/** Σ k_i · x_i as a new combination. */
export function combine(...terms: readonly (readonly [Lc, bigint])[]): Lc {
  // Products summed unreduced and reduced once per signal: a reduction costs three products
  // (Poseidon's linear layers combine dozens of full-width coefficients per signal).
  const sums = new Map<number, bigint>();
  for (const [x, k] of terms) {
    const km = toField(k);
    if (km === 0n) continue;
    for (const [id, c] of x) sums.set(id, (sums.get(id) ?? 0n) + (km === 1n ? c : c * km));
  }
  const out: Lc = new Map();
  for (const [id, v] of sums) {
    const r = v < P ? v : v % P;
    if (r !== 0n) out.set(id, r);
  }
  return out;
}

/** Its value when it has no signal (undefined otherwise). */
export function constantValue(x: Lc): bigint | undefined {
  if (x.size === 0) return 0n;
  return x.size === 1 && x.has(ONE) ? x.get(ONE)! : undefined;
}

/**
 * Index of the first constraint A·B = C that the values (by the keys the constraints use:
 * signal ids or wires) violate; −1 when all hold.
 */
export function firstViolated(constraints: readonly Constraint[], values: ArrayLike<bigint>): number {
  const value = (x: Lc) => {
    let v = 0n;
    for (const [key, k] of x) v += k * values[key]!;
    return v % P;
  };
  return constraints.findIndex(({ a, b, c }) => (value(a) * value(b) - value(c)) % P !== 0n);
}

export type SignalKind = 'output' | 'input' | 'intermediate';

/** A component as circom instantiates it: its own signals, then its subcomponents. */
export interface Component {
  /** Full name, e.g. `main.t_x_gadget[3].rq`. */
  path: string;
  /** Name in its parent and array index (empty for a single component). */
  name: string;
  index: number[];
  /** Own signal ids by kind, in declaration order. */
  outputs: number[];
  inputs: number[];
  intermediates: number[];
  children: Component[];
}

/** A constraint A·B = C (a linear one has A and B empty). */
export interface Constraint {
  a: Lc;
  b: Lc;
  c: Lc;
  /** What made it (CircuitBuilder.origin when it was added): per-layer counts are counts of origins. */
  origin?: string;
}

function newComponent(path: string, name: string, index: number[]): Component {
  return { path, name, index, outputs: [], inputs: [], intermediates: [], children: [] };
}

/** Names of an array's elements in row-major order: `x[0][0]`, `x[0][1]`, …; the bare name for no dimension. */
function elementNames(name: string, dims: readonly number[]): string[] {
  let names = [name];
  for (const d of dims) names = names.flatMap((n) => Array.from({ length: d }, (_, i) => `${n}[${i}]`));
  return names;
}

export class CircuitBuilder {
  /** By signal id: its full name (`main.…`) and witness value in [0, p). */
  readonly names: string[] = ['one'];
  readonly values: bigint[] = [1n];
  readonly constraints: Constraint[] = [];
  readonly main: Component = newComponent('main', 'main', []);
  /** Main's public inputs (circom's `{public [...]}`). */
  readonly publicInputs = new Set<number>();
  /** Tags every constraint added from now on (the lowering sets it per IR node and per hash). */
  origin = '';

  /** A subcomponent `name[index…]` of `parent`. */
  component(parent: Component, name: string, index: readonly number[] = []): Component {
    const c = newComponent(`${parent.path}.${name}${index.map((i) => `[${i}]`).join('')}`, name, [...index]);
    parent.children.push(c);
    return c;
  }

  /**
   * Declares signal `name` (an array when `dims` is given) in `comp`; `value(k)` gives element
   * k's witness value (any integer, reduced mod p). Returns the ids in row-major order.
   */
  signals(comp: Component, kind: SignalKind, name: string, dims: readonly number[], value: (k: number) => bigint): number[] {
    const ids: number[] = [];
    const list = kind === 'output' ? comp.outputs : kind === 'input' ? comp.inputs : comp.intermediates;
    elementNames(`${comp.path}.${name}`, dims).forEach((n, k) => {
      const id = this.names.length;
      this.names.push(n);
      this.values.push(toField(value(k)));
      list.push(id);
      ids.push(id);
    });
    return ids;
  }

  /** Sets a declared signal's witness value (a hint computed after the declaration). */
  set(id: number, value: bigint): void {
    this.values[id] = toField(value);
  }

  /** Declares an array whose values are set later (circom declares before it computes). */
  declare(comp: Component, kind: SignalKind, name: string, dims: readonly number[] = []): number[] {
    return this.signals(comp, kind, name, dims, () => 0n);
  }

  /** One signal (no array). */
  signal(comp: Component, kind: SignalKind, name: string, value: bigint): number {
    return this.signals(comp, kind, name, [], () => value)[0]!;
  }

  /**
   * a · b = c, folded as circom folds it: a constant factor makes it linear (stored with
   * empty A and B and C = c − k·b).
   */
  constrain(a: Lc, b: Lc, c: Lc): void {
    const ka = constantValue(a);
    const kb = constantValue(b);
    if (ka !== undefined) this.linear(combine([c, 1n], [b, -ka]));
    else if (kb !== undefined) this.linear(combine([c, 1n], [a, -kb]));
    else this.constraints.push({ a, b, c, origin: this.origin });
  }

  /** x · (x − 1) = 0. */
  boolean(x: number): void {
    this.constrain(signalLc(x), combine([signalLc(x), 1n], [constant(1n), -1n]), new Map());
  }

  /**
   * Hinted bits of `value` (an integer in [0, 2^count)), each boolean, and their weighted sum
   * Σ bits[i]·2^i: what every decomposition in the templates does before its one linear sum.
   */
  bits(ids: readonly number[], value: bigint): Lc {
    const sum: Lc = new Map();
    ids.forEach((id, i) => {
      this.set(id, (value >> BigInt(i)) & 1n);
      this.boolean(id);
      sum.set(id, 1n << BigInt(i));
    });
    return sum;
  }

  /** x = 0. */
  linear(x: Lc): void {
    if (x.size === 0) return;
    this.constraints.push({ a: new Map(), b: new Map(), c: x, origin: this.origin });
  }

  /** `x <== e + k` for a signal x: x − e − k = 0. */
  assign(x: number, e: Lc, k = 0n): void {
    // Built directly rather than through combine: gadget inputs wired to long conv sums make this hot.
    const lc: Lc = new Map();
    for (const [id, c] of e) lc.set(id, neg(c));
    const k0 = toField((e.get(ONE) ?? 0n) + k);
    if (k0 === 0n) lc.delete(ONE);
    else lc.set(ONE, neg(k0));
    addTo(lc, signalLc(x));
    this.linear(lc);
  }

  /** `to <== from` between two signals, `from`'s value carried over. */
  copy(to: number, from: number): void {
    this.set(to, this.values[from]!);
    this.assign(to, signalLc(from));
  }

  /** The value of a combination under the witness. */
  evaluate(x: Lc): bigint {
    let v = 0n;
    for (const [id, c] of x) v += c * this.values[id]!;
    return v % P;
  }
}
