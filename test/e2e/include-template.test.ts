/**
 * The compiled model as a reusable Circom template (model-template.circom): a larger circuit
 * includes it, instantiates Model() twice (two inputs through the same model, a margin between
 * their scores as its one output), compiles with circom2 against the include paths the README
 * gives, and computes exactly what the reference evaluator says.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gadgetIncludePaths } from '../../circuits/gadgets/common.ts';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { quantizeInputs } from '../../core/input.ts';
import { build } from '../../circuits/build.ts';
import { runCircom } from '../../circuits/backends/circom-runner.ts';
import { readWitness } from '../../core/formats/wtns.ts';
import { releaseCurves } from '../../core/curves.ts';
import { toSigned } from '../../core/field.ts';
import { mulberry32, TempDirs, uniform, writeModel } from '../circuits/harness.ts';

const dirs = new TempDirs();
const rng = mulberry32(99);
let model: string;
let work: string;

beforeAll(async () => {
  work = await dirs.make('include');
  model = path.join(work, 'model');
  const onnx = await writeModel(work, {
    inputs: [{ name: 'x', shape: [1, 6] }],
    outputs: [{ name: 'scores', shape: [1, 3] }],
    initializers: [
      { name: 'w1', dims: [6, 8], data: uniform(rng, 48) },
      { name: 'w2', dims: [8, 3], data: uniform(rng, 24) },
    ],
    nodes: [
      { opType: 'MatMul', name: 'fc1', inputs: ['x', 'w1'], outputs: ['h'] },
      { opType: 'Relu', name: 'relu', inputs: ['h'], outputs: ['a'] },
      { opType: 'MatMul', name: 'fc2', inputs: ['a', 'w2'], outputs: ['scores'] },
    ],
  });
  await build(onnx, model);
});

afterAll(async () => {
  await releaseCurves();
  await dirs.cleanup();
});

/** A circuit of the user's: the model on two inputs, and how much more input a scores class 2 than input b does. */
const USER_CIRCUIT = `pragma circom 2.1.0;
include "model-template.circom";

template Margin() {
    signal input a[6];
    signal input b[6];
    signal output margin;
    component first = Model();
    component second = Model();
    first.content_hash <== 0;
    second.content_hash <== 0;
    for (var i = 0; i < 6; i++) {
        first.in_x[i] <== a[i];
        second.in_x[i] <== b[i];
    }
    margin <== first.out_scores[2] - second.out_scores[2];
}

component main = Margin();
`;

describe('model-template.circom', () => {
  it('is the template model.circom instantiates, and says how to use it', async () => {
    const { manifest } = await loadCompiled(model);
    expect(manifest.circuit.templateFile).toBe('model-template.circom');
    const main = await readFile(path.join(model, 'model.circom'), 'utf8');
    expect(main).toContain('include "model-template.circom";');
    expect(main).not.toContain('template Model');
    const template = await readFile(path.join(model, 'model-template.circom'), 'utf8');
    expect(template).toContain('template Model() {');
    expect(template).toContain('//   inputs:  content_hash, in_x[6]');
    expect(template).toContain('//   outputs: out_scores[3]');
    expect(template).not.toContain('component main');
  });

  it('a larger circuit includes it twice and computes what the reference evaluator computes', async () => {
    const user = path.join(work, 'user');
    await mkdir(user, { recursive: true });
    const file = path.join(user, 'margin.circom');
    await writeFile(file, USER_CIRCUIT);
    await runCircom([file, '--r1cs', '--wasm', '--O1', ...[...gadgetIncludePaths(), model].flatMap((d) => ['-l', d]), '-o', user]);

    const { manifest, ir } = await loadCompiled(model);
    for (let trial = 0; trial < 3; trial++) {
      const [a, b] = [uniform(rng, 6), uniform(rng, 6)];
      const quantized = (x: number[]) => quantizeInputs(x, manifest.inputs, 'input').get('x')!.values.map(String);
      const wtns = path.join(user, 'margin.wtns');
      await snarkjs.wtns.calculate({ a: quantized(a), b: quantized(b) }, path.join(user, 'margin_js', 'margin.wasm'), wtns);
      const { values } = await readWitness(wtns, 2);
      const score = (x: number[]) => BigInt(predictWith(manifest, ir, x, 'input').outputs[0]!.integers[2]!);
      expect(toSigned(values[1]!)).toBe(score(a) - score(b));
    }
  });
});
