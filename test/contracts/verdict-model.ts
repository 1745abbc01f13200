/**
 * A tiny "claim classifier" for the on-chain tests: one input feature → Gemm(1→4) →
 * Relu → Gemm(4→2) → two logits (0: refuted, 1: supported). Four public signals:
 * [logit 0, logit 1, content hash, input], the smallest layout a verdict needs, so its
 * gas is the registry's overhead over the Groth16 floor.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeOnnxModel, type OnnxModelSpec } from '../../scripts/onnx-writer.ts';
import { build } from '../../circuits/build.ts';
import { prove, type ProveResult } from '../../prover/prove.ts';
import { setup } from '../../prover/setup.ts';

export const VERDICT_MODEL: OnnxModelSpec = {
  inputs: [{ name: 'score', shape: [1, 1] }],
  outputs: [{ name: 'logits', shape: [1, 2] }],
  initializers: [
    { name: 'w1', dims: [4, 1], data: [1.5, -1.2, 0.8, -0.6] },
    { name: 'b1', dims: [4], data: [0.1, 0.2, -0.1, 0.05] },
    { name: 'w2', dims: [2, 4], data: [-1, 1.1, -0.7, 0.9, 1.2, -0.9, 0.8, -0.5] },
    { name: 'b2', dims: [2], data: [0.05, -0.05] },
  ],
  nodes: [
    { opType: 'Gemm', name: 'fc1', inputs: ['score', 'w1', 'b1'], outputs: ['h'], attributes: { transB: { int: 1 } } },
    { opType: 'Relu', name: 'relu', inputs: ['h'], outputs: ['a'] },
    { opType: 'Gemm', name: 'fc2', inputs: ['a', 'w2', 'b2'], outputs: ['logits'], attributes: { transB: { int: 1 } } },
  ],
};

export interface VerdictModel {
  dir: string;
  cleanup(): Promise<void>;
}

/** Compiles and sets up the verdict model in a fresh temp folder. */
export async function buildVerdictModel(): Promise<VerdictModel> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-verdict-'));
  // Written here rather than with test/circuits/harness.ts, which imports vitest: bench/gas.ts runs this outside vitest.
  const model = path.join(root, 'model.onnx');
  await writeFile(model, writeOnnxModel(VERDICT_MODEL));
  const dir = path.join(root, 'build');
  await build(model, dir, {});
  await setup(dir, {});
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Proves a verdict on `score` for the content `claim`, into its own folder. */
export async function proveVerdict(dir: string, score: number, contentHash: bigint, name: string): Promise<ProveResult> {
  return prove(dir, { score: [[score]] }, { source: name, contentHash, out: path.join(dir, name) });
}
