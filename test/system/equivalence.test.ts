/**
 * The equivalence check (test/support/equivalence.ts) that the op, conformance, visibility and
 * real-model suites run between the fast path and circom, on a model with every common gadget
 * (padded Conv, RequantizeRelu, MaxPool, Gemm, Requantize, ArgMax): the fast path as built
 * passes it, and each kind of fast-path bug it exists for is caught: a constraint with a wrong
 * coefficient, a missing constraint, a signal under another name, a witness value off by one.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantizeInputs } from '../../core/input.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { CircuitBuilder, signalLc, type Constraint } from '../../circuits/constraints/builder.ts';
import { lowerModel } from '../../circuits/lowering/lower.ts';
import { simplify } from '../../circuits/constraints/simplify.ts';
import { symText } from '../../circuits/constraints/sym.ts';
import { build } from '../../circuits/build.ts';
import { r1csOf, wtnsOf } from '../../circuits/backends/r1cs.ts';
import { computeWitness } from '../../prover/witness.ts';
import { contentHashOfJson } from '../../core/content-hash.ts';
import { mulberry32, nest, TempDirs, uniform, writeModel } from '../circuits/harness.ts';
import { compareCircuits, fastPathCopy, fastPathProblems, type CircuitFiles } from '../support/equivalence.ts';

const dirs = new TempDirs();
const rng = mulberry32(808);
let circomDir: string;
let fastDir: string;
let circomFiles: CircuitFiles;
const input = { x: nest(uniform(rng, 36), [1, 1, 6, 6]) };

beforeAll(async () => {
  const work = await dirs.make('equivalence');
  const model = await writeModel(work, {
    inputs: [{ name: 'x', shape: [1, 1, 6, 6] }],
    outputs: [{ name: 'class', shape: [1, 1], elemType: 'INT64' }],
    initializers: [
      { name: 'k', dims: [2, 1, 3, 3], data: uniform(rng, 18) },
      { name: 'w', dims: [4, 18], data: uniform(rng, 72) },
    ],
    nodes: [
      { opType: 'Conv', name: 'conv', inputs: ['x', 'k'], outputs: ['c'], attributes: { pads: { ints: [1, 1, 1, 1] } } },
      { opType: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
      { opType: 'MaxPool', name: 'pool', inputs: ['r'], outputs: ['p'], attributes: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } },
      { opType: 'Flatten', name: 'flat', inputs: ['p'], outputs: ['f'] },
      { opType: 'Gemm', name: 'fc', inputs: ['f', 'w'], outputs: ['s'], attributes: { transB: { int: 1 } } },
      { opType: 'ArgMax', name: 'pick', inputs: ['s'], outputs: ['class'], attributes: { axis: { int: 1 } } },
    ],
  });
  circomDir = path.join(work, 'circom');
  await build(model, circomDir, { via: 'circom' });
  fastDir = await fastPathCopy(circomDir);
  const witness = await computeWitness(circomDir, input, 'input', { witnessFile: path.join(work, 'circom.wtns') });
  circomFiles = { r1cs: path.join(circomDir, 'model.r1cs'), sym: path.join(circomDir, 'model.sym'), wtns: witness.witnessFile };
});

afterAll(() => dirs.cleanup());

/** compareCircuits between circom's circuit and the fast path's for `input` with `mutate` applied to its builder first. */
async function problemsWith(mutate: (b: CircuitBuilder) => void): Promise<string[]> {
  const { manifest, ir } = await loadCompiled(fastDir);
  const quantized = quantizeInputs(input, manifest.inputs, 'input');
  const b = lowerModel(ir, { inputs: new Map([...quantized].map(([name, q]) => [name, q.values])), contentHash: contentHashOfJson(input) });
  mutate(b);
  const system = simplify(b);
  const out = await mkdtemp(path.join(fastDir, 'broken-'));
  const files = { r1cs: path.join(out, 'model.r1cs'), sym: path.join(out, 'model.sym'), wtns: path.join(out, 'model.wtns') };
  await writeFile(files.r1cs, r1csOf(b, system));
  await writeFile(files.sym, symText(b, system));
  await writeFile(files.wtns, wtnsOf(b, system));
  return compareCircuits(files, circomFiles);
}

const idOf = (b: CircuitBuilder, pattern: RegExp): number => {
  const id = b.names.findIndex((n) => pattern.test(n));
  expect(id, `a signal named like ${pattern}`).toBeGreaterThan(0);
  return id;
};

/** The one constraint of `b` that `matches`. */
const constraintWhere = (b: CircuitBuilder, matches: (c: Constraint) => boolean): number => {
  const found = b.constraints.flatMap((c, i) => (matches(c) ? [i] : []));
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** First conv output's ReLU gadget: bit 3 of its decomposition. */
const BIT = /^main\.t_r_gadget\[0\]\.rq\.bits\[3\]$/;

describe('the equivalence check between the fast path and circom', () => {
  it('passes for the fast path as built: same counts, signals and wires, witnesses satisfy each other’s constraints', async () => {
    expect(await fastPathProblems(circomDir, fastDir, input, 'input')).toEqual([]);
    expect(await problemsWith(() => {})).toEqual([]);
  });

  it('catches a wrong coefficient: bit 3 weighted 16 in its Requantize sum', async () => {
    const problems = await problemsWith((b) => {
      const bit = idOf(b, BIT);
      const sum = b.constraints[constraintWhere(b, (c) => c.a.size === 0 && c.c.get(bit) === 8n)]!;
      sum.c.set(bit, 16n);
    });
    expect(problems).toContainEqual(expect.stringMatching(/^circom's witness violates the fast path's constraint \d+$/));
  });

  it('catches a missing constraint: bit 3 no longer boolean', async () => {
    const problems = await problemsWith((b) => {
      const bit = idOf(b, BIT);
      b.constraints.splice(constraintWhere(b, (c) => c.a.size === 1 && c.a.get(bit) === 1n && c.b.has(bit)), 1);
    });
    expect(problems).toContainEqual(expect.stringMatching(/^constraints: fast path (\d+), circom (\d+)$/));
  });

  it('catches a signal under another name', async () => {
    const problems = await problemsWith((b) => {
      b.names[idOf(b, BIT)] = 'main.t_r_gadget[0].rq.bit[3]';
    });
    expect(problems).toEqual(['1 signals only in the fast path, e.g. main.t_r_gadget[0].rq.bit[3]', "1 signals only in circom's, e.g. main.t_r_gadget[0].rq.bits[3]"]);
  });

  it('catches a wrong witness value: one MaxPool maximum off by one', async () => {
    const problems = await problemsWith((b) => {
      const max = idOf(b, /^main\.t_p_gadget4\[0\]\.max$/);
      b.set(max, b.evaluate(signalLc(max)) + 1n);
    });
    expect(problems).toContainEqual(expect.stringMatching(/^the fast path's witness violates circom's constraint \d+$/));
    expect(problems).toContain("the fast path's witness violates its own constraints");
  });
});
