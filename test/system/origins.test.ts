/**
 * Per-layer counts are measured: every constraint carries the origin it was built under, and
 * circom's --O1 (simplify.ts) keeps it, except for the constraints that exist only because a
 * signal is public, which count where that public signal was bound.
 */
import { describe, expect, it } from 'vitest';
import { CircuitBuilder, constant, signalLc } from '../../circuits/constraints/builder.ts';
import { simplify } from '../../circuits/constraints/simplify.ts';
import { constraintsByOrigin } from '../../circuits/lowering/origins.ts';

/** Main with public outputs `outputs`, a public input `p`, and a gadget component holding private signals. */
function circuit(outputs: number) {
  const b = new CircuitBuilder();
  const out = Array.from({ length: outputs }, (_, i) => b.signal(b.main, 'output', `out${i}`, 0n));
  const p = b.signal(b.main, 'input', 'p', 3n);
  b.publicInputs.add(p);
  const gadget = b.component(b.main, 'gadget');
  const [x, y, g] = ['x', 'y', 'g'].map((name) => b.signal(gadget, 'intermediate', name, 0n)) as [number, number, number];
  return { b, out, p, x, y, g };
}

describe('constraint origins through --O1', () => {
  it('a gadget’s constraints count where they were made; an output renaming a private signal costs nothing', () => {
    const { b, out, x } = circuit(1);
    b.origin = 'node a';
    b.constrain(signalLc(x), signalLc(x), signalLc(x));
    b.origin = 'outputs';
    b.assign(out[0]!, signalLc(x));
    const system = simplify(b);
    expect(system.constraints).toHaveLength(1);
    expect(Object.fromEntries(constraintsByOrigin(system))).toEqual({ 'node a': 1 });
  });

  it('a second output of the same signal, or an output of a public input, is counted under the outputs', () => {
    const { b, out, p, x, g } = circuit(3);
    b.origin = 'node a';
    b.constrain(signalLc(x), signalLc(x), signalLc(x));
    b.origin = 'node b';
    b.assign(g, signalLc(p));
    b.constrain(signalLc(g), signalLc(g), signalLc(g));
    b.origin = 'outputs';
    b.assign(out[0]!, signalLc(x));
    b.assign(out[1]!, signalLc(x));
    b.assign(out[2]!, signalLc(p));
    const system = simplify(b);
    expect(Object.fromEntries(constraintsByOrigin(system))).toEqual({ 'node a': 1, 'node b': 1, outputs: 2 });
  });

  it('a private constant renamed to a public output counts under the outputs, not where it was set', () => {
    const { b, out, y } = circuit(1);
    b.origin = 'node c';
    b.assign(y, constant(0n));
    b.origin = 'outputs';
    b.assign(out[0]!, signalLc(y));
    const system = simplify(b);
    expect(system.constraints).toHaveLength(1);
    expect(Object.fromEntries(constraintsByOrigin(system))).toEqual({ outputs: 1 });
  });
});
