/**
 * circom's --O1 on a built constraint system, so the fast path writes circom's circuit:
 *
 * - Labels: circom numbers signals component by component, depth first from main: a
 *   component's outputs, then its inputs (main: public before private), then its other
 *   signals, each in declaration order; then its subcomponents, sorted by name and index.
 * - Equalities (linear constraints a − b = 0 between two signals) are grouped into clusters;
 *   each cluster keeps its smallest public signal, or else its smallest label, and every
 *   other private signal is replaced by it; public signals beyond the first stay, each
 *   bound to the kept one by a constraint.
 * - Then constant equalities (a linear constraint on one signal as generated, the renaming
 *   applied to it): the signal becomes the constant, unless it is public (then the
 *   constraint stays).
 * - Every other constraint stays, with the replacements applied (one that becomes 0 = 0 is
 *   dropped). Wires are the remaining signals that some constraint uses, and the public
 *   ones, in label order; wire 0 is the constant 1.
 * - Every constraint left keeps its origin (CircuitBuilder.origin), except the two that
 *   exist because a signal is public: a public signal's binding to its cluster's kept one
 *   (counted where it was equated to another public signal, else where it joined the
 *   cluster) and a private signal's constant equality renamed to a public one (counted where
 *   that public signal was bound).
 */
import { ONE, addTo, combine, constant, inverse, signalLc, type CircuitBuilder, type Component, type Constraint, type Lc } from './builder.ts';
import { toField } from '../../core/field.ts';

export interface SimplifiedSystem {
  /** Signal id → label (circom's signal number; the constant 1 is label 0). */
  labelOf: Int32Array;
  /** Label → signal id. */
  idOfLabel: Int32Array;
  /** Label → its component, numbered depth first from main (0). */
  componentOfLabel: Int32Array;
  /** Signal id → wire, −1 for a signal --O1 removed. */
  wireOf: Int32Array;
  /** Wire → signal id. */
  wires: Int32Array;
  /** Over signal ids (wireOf maps them to wires). */
  constraints: Constraint[];
  publicOutputs: number;
  publicInputs: number;
  privateInputs: number;
}

function compareComponents(x: Component, y: Component): number {
  if (x.name !== y.name) return x.name < y.name ? -1 : 1;
  for (let i = 0; i < Math.min(x.index.length, y.index.length); i++) if (x.index[i] !== y.index[i]) return x.index[i]! - y.index[i]!;
  return x.index.length - y.index.length;
}

/** Signal ids in circom's label order (label 0, the constant, first), and each label's component (numbered depth first). */
function labelOrder(b: CircuitBuilder): { order: number[]; components: number[] } {
  const order = [ONE];
  const components = [0];
  let count = 0;
  const visit = (c: Component, isMain: boolean) => {
    // Array concatenation, not push(...): main can hold more signals than a call takes arguments.
    const inputs = isMain ? [...c.inputs.filter((id) => b.publicInputs.has(id)), ...c.inputs.filter((id) => !b.publicInputs.has(id))] : c.inputs;
    const own = [...c.outputs, ...inputs, ...c.intermediates];
    const index = count++;
    for (const id of own) {
      order.push(id);
      components.push(index);
    }
    for (const child of [...c.children].sort(compareComponents)) visit(child, false);
  };
  visit(b.main, true);
  return { order, components };
}

/** The two signals of an equality a − b = 0 (coefficients summing to 0, no constant), else undefined. */
function equalityPair(c: Constraint): [number, number] | undefined {
  if (c.a.size !== 0 || c.c.size !== 2 || c.c.has(ONE)) return undefined;
  const [[x, kx], [y, ky]] = [...c.c];
  return toField(kx! + ky!) === 0n ? [x!, y!] : undefined;
}

/** The one signal of a constant equality k·x + k0 = 0, else undefined. */
function constantSignal(c: Lc): number | undefined {
  if (c.size === 0 || c.size > 2) return undefined;
  const ids = [...c.keys()].filter((id) => id !== ONE);
  return ids.length === 1 && c.size === ids.length + (c.has(ONE) ? 1 : 0) ? ids[0] : undefined;
}

/** x with every replaced signal substituted. */
function substitute(x: Lc, replaced: ReadonlyMap<number, Lc>): Lc {
  let hit = false;
  for (const id of x.keys()) {
    if (replaced.has(id)) {
      hit = true;
      break;
    }
  }
  if (!hit) return x;
  const out: Lc = new Map();
  for (const [id, k] of x) addTo(out, replaced.get(id) ?? signalLc(id), k);
  return out;
}

export function simplify(b: CircuitBuilder): SimplifiedSystem {
  const n = b.names.length;
  const { order, components } = labelOrder(b);
  if (order.length !== n) throw new Error(`internal: ${n} signals but ${order.length} labelled (a signal outside every component)`);
  const labelOf = new Int32Array(n);
  order.forEach((id, label) => (labelOf[id] = label));
  const forbidden = new Set<number>([...b.main.outputs, ...b.publicInputs]);

  // Equality clusters (union–find over signal ids).
  const parent = new Int32Array(n).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  const rest: Constraint[] = [];
  const inCluster: number[] = [];
  // A public signal's binding to its cluster's kept one is counted where it was first equated
  // to another public signal (an output bound to a public input), else where it first joined
  // (only public signals need it: the rest are renamed away).
  const firstEquality = new Map<number, string | undefined>();
  const publicEquality = new Map<number, string | undefined>();
  for (const c of b.constraints) {
    const pair = equalityPair(c);
    if (!pair) {
      rest.push(c);
      continue;
    }
    inCluster.push(...pair);
    const bothPublic = forbidden.has(pair[0]) && forbidden.has(pair[1]);
    for (const id of pair) {
      if (!forbidden.has(id)) continue;
      if (!firstEquality.has(id)) firstEquality.set(id, c.origin);
      if (bothPublic && !publicEquality.has(id)) publicEquality.set(id, c.origin);
    }
    const [x, y] = [find(pair[0]), find(pair[1])];
    if (x !== y) parent[x] = y;
  }
  const members = new Map<number, number[]>();
  for (const id of new Set(inCluster)) {
    const root = find(id);
    const list = members.get(root);
    if (list) list.push(id);
    else members.set(root, [id]);
  }
  const replaced = new Map<number, Lc>();
  const kept: Constraint[] = [];
  for (const list of members.values()) {
    const publics = list.filter((id) => forbidden.has(id));
    const pick = (ids: number[]) => ids.reduce((m, id) => (labelOf[id]! < labelOf[m]! ? id : m));
    const keep = publics.length > 0 ? pick(publics) : pick(list);
    for (const id of list) {
      if (id === keep) continue;
      if (forbidden.has(id)) kept.push({ a: new Map(), b: new Map(), c: combine([signalLc(id), 1n], [signalLc(keep), -1n]), origin: publicEquality.get(id) ?? firstEquality.get(id) });
      else replaced.set(id, signalLc(keep));
    }
  }

  // Constant equalities, after the renaming.
  const others: Constraint[] = [];
  const constants = new Map<number, Lc>();
  for (const c of rest) {
    if (c.a.size !== 0) {
      others.push(c);
      continue;
    }
    // circom classifies constant equalities as it generates them, before any renaming.
    const generated = constantSignal(c.c);
    const lc = substitute(c.c, replaced);
    const x = generated === undefined ? undefined : constantSignal(lc);
    if (x === undefined || forbidden.has(x) || constants.has(x)) {
      // A private signal set to a constant stays a constraint only when renamed to a public
      // one: it is counted where that public signal was bound.
      const renamedPublic = x !== undefined && forbidden.has(x) && generated !== x;
      others.push({ ...c, c: lc, origin: renamedPublic ? firstEquality.get(x) : c.origin });
      continue;
    }
    // k·x + k0 = 0 → x = −k0 / k.
    constants.set(x, constant(-(lc.get(ONE) ?? 0n) * inverse(lc.get(x)!)));
  }
  for (const [id, value] of constants) replaced.set(id, value);
  // A renamed signal whose representative became a constant.
  for (const [id, to] of replaced) replaced.set(id, substitute(to, constants));

  const constraints: Constraint[] = [];
  for (const c of [...kept, ...others]) {
    const s = { a: substitute(c.a, replaced), b: substitute(c.b, replaced), c: substitute(c.c, replaced), origin: c.origin };
    if (s.a.size === 0 && s.b.size === 0 && s.c.size === 0) continue;
    constraints.push(s);
  }

  // A private signal in no constraint is not a wire either (circom drops it: nothing pins it).
  const used = new Uint8Array(n);
  for (const c of constraints) for (const lc of [c.a, c.b, c.c]) for (const id of lc.keys()) used[id] = 1;
  const wireOf = new Int32Array(n).fill(-1);
  const wires: number[] = [];
  for (const id of order) {
    if (replaced.has(id) || (id !== ONE && !used[id] && !forbidden.has(id))) continue;
    wireOf[id] = wires.length;
    wires.push(id);
  }
  return {
    labelOf,
    idOfLabel: Int32Array.from(order),
    componentOfLabel: Int32Array.from(components),
    wireOf,
    wires: Int32Array.from(wires),
    constraints,
    publicOutputs: b.main.outputs.length,
    publicInputs: b.publicInputs.size,
    privateInputs: b.main.inputs.length - b.publicInputs.size,
  };
}
