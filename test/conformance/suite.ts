/**
 * The ONNX backend node-test conformance suite: runs one official node test through
 * zkinfer's whole path (compile with the test's own inputs as calibration, circom,
 * development setup, proof, verification) and compares the proved outputs with the
 * test's expected ones. Each test is classified:
 *
 * - `pass`: the proof verifies, its outputs equal the reference evaluator's bit for bit,
 *   and they match the expected outputs (exactly for integer outputs, within the
 *   tolerance of tolerance.ts for float ones);
 * - `unsupported`: compile refuses the model with a clear zkinfer error (an op, attribute
 *   or dtype it does not support, or a shape it cannot take): its message is the reason;
 * - `fail`: anything else — a compiler bug to report.
 *
 * The op set is whatever the compiler accepts when the test runs: nothing here lists it.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compileModel } from '../../circuits/compile.ts';
import { OnnxFormatError, ShapeError, UnsupportedError, ZkInferError } from '../../core/errors.ts';
import { nestArray, quantizeTensor } from '../../core/input.ts';
import { decodeTensor as dequantizeOutput } from '../../core/output.ts';
import type { Manifest } from '../../core/manifest.ts';
import { predictWith } from '../../circuits/predict.ts';
import { loadCompiled } from '../../circuits/ir/serialize.ts';
import { readManifest } from '../../core/artifacts.ts';
import { build } from '../../circuits/build.ts';
import { prove } from '../../prover/prove.ts';
import { setup } from '../../prover/setup.ts';
import type { DecodedTensor } from '../../core/decode.ts';
import { verifyProof } from '../../verifier/verify.ts';
import { fastPathCopy, fastPathProblems } from '../support/equivalence.ts';
import { runOnnxruntime } from '../support/onnxruntime.ts';
import { freezeConstantOperands, type FrozenModel } from './freeze.ts';
import { ORT_TYPES, readTestData, type NodeTest, type TestData, type TestTensor } from './node-tests.ts';
import { compareOutput, floatTolerance, type OutputComparison } from './tolerance.ts';

export type Status = 'pass' | 'fail' | 'unsupported';

/** Where a test stopped: reading its data, or one step of the zkinfer path. */
export type Stage = 'read' | 'compile' | 'equivalence' | 'setup' | 'prove' | 'verify' | 'compare';

export interface ConformanceResult {
  test: string;
  ops: string[];
  inputDtypes: string[];
  outputDtypes: string[];
  status: Status;
  /** unsupported: the compiler's message; fail: what went wrong. */
  reason?: string;
  /** The class of the error behind the reason (UnsupportedError, ToolError, …). */
  errorType?: string;
  /** The error's full text (context lines, hint, or stack), for diagnosis. */
  detail?: string;
  stage?: Stage;
  /** circom's constraint count, once compiled. */
  constraints?: number;
  /** Graph inputs given to the compiler as initializers with the test's values (see freeze.ts). */
  frozen?: string[];
  outputs?: OutputComparison[];
  seconds: number;
}

/** The errors with which compile refuses a model it cannot take: a clear "unsupported", never a wrong proof. */
export const REFUSAL_ERRORS = [UnsupportedError, OnnxFormatError, ShapeError] as const;

export function isRefusal(err: unknown): err is ZkInferError {
  return REFUSAL_ERRORS.some((E) => err instanceof E);
}

/**
 * One line naming an error: its class, its message and, for a tool's failure, the first
 * context line that says "error" or "failed" (circom's own diagnosis); the full text goes to `detail`.
 */
function describeError(err: unknown): Pick<ConformanceResult, 'errorType' | 'reason' | 'detail'> {
  if (err instanceof ZkInferError) {
    const line = err.context.find((c) => /error|failed/i.test(c));
    return { errorType: err.name, reason: line ? `${err.message}: ${line.trim()}` : err.message, detail: err.describe() };
  }
  if (err instanceof Error) return { errorType: err.name, reason: err.message.split('\n')[0]!, detail: err.stack ?? err.message };
  return { errorType: typeof err, reason: String(err) };
}

/** The test data, or the loader's error when zkinfer cannot decode a tensor of it (float16, float8, int4…). */
function tryReadTestData(test: NodeTest): TestData | ZkInferError {
  try {
    return readTestData(test);
  } catch (err) {
    if (err instanceof ZkInferError) return err;
    throw err;
  }
}

/** Input JSON ({name: nested array}) for the manifest's inputs, from the test's inputs (by name, else by position). */
function inputJson(manifest: Manifest, inputs: readonly TestTensor[]): Record<string, unknown> {
  return Object.fromEntries(
    manifest.inputs.map((spec, i) => {
      const t = inputs.find((x) => x.name === spec.name) ?? inputs[i];
      if (!t) throw new Error(`the test data has no value for the model input "${spec.name}"`);
      return [spec.name, nestArray(t.data, t.shape)];
    }),
  );
}

/**
 * The test's inputs as a one-sample calibration file (README's `{"<input name>": [sample]}`)
 * in `tmp`, or undefined (the compiler's default samples) when the data cannot be read.
 */
async function calibrationFile(data: TestData | ZkInferError, frozen: readonly string[], tmp: string): Promise<string | undefined> {
  if (data instanceof ZkInferError) return undefined;
  const file = path.join(tmp, 'calibration.json');
  const inputs = data.inputs.filter((t) => !frozen.includes(t.name));
  await writeFile(file, JSON.stringify(Object.fromEntries(inputs.map((t) => [t.name, [nestArray(t.data, t.shape)]]))));
  return file;
}

/** The model to compile (constant operands frozen when the data can be read) and its calibration file. */
async function prepare(test: NodeTest, data: TestData | ZkInferError, tmp: string): Promise<FrozenModel & { calibration: string | undefined }> {
  const frozen = data instanceof ZkInferError ? { model: test.model, frozen: [], seenModel: test.model } : await freezeConstantOperands(test, data, tmp);
  return { ...frozen, calibration: await calibrationFile(data, frozen.frozen, tmp) };
}

/**
 * Compile only (no circom): the compiler's refusal for a test, or undefined when it
 * compiles. Errors that are not refusals are thrown.
 */
export async function refusalAtCompile(test: NodeTest): Promise<ZkInferError | undefined> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-conformance-'));
  try {
    const { model, calibration } = await prepare(test, tryReadTestData(test), tmp);
    await compileModel(model, path.join(tmp, 'build'), { calibration });
    return undefined;
  } catch (err) {
    if (isRefusal(err)) return err;
    throw err;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * max |f(x̂; ŵ) − f(x; w)| per float output, onnxruntime as f: x̂ are the float inputs as the
 * circuit takes them (quantized with the manifest's input scale, then dequantized), ŵ the
 * frozen weights as the compiler quantizes them (freeze.ts `seenModel`).
 */
async function inputErrors(model: Pick<FrozenModel, 'model' | 'seenModel'>, manifest: Manifest, data: TestData): Promise<Map<string, number>> {
  const feeds = (quantized: boolean) =>
    Object.fromEntries(
      data.inputs.filter((t, i) => manifest.inputs.some((s) => s.name === t.name) || (t.name === '' && i < manifest.inputs.length)).map((t) => {
        const type = ORT_TYPES[t.dtype];
        if (!type) throw new Error(`onnxruntime-node cannot feed input "${t.name}" of type ${t.dtype}`);
        const spec = manifest.inputs.find((s) => s.name === t.name);
        const values = quantized && spec && !t.integer ? dequantizeOutput(spec, quantizeTensor(t.data, spec).values).values : t.data;
        return [t.name, { data: values, shape: t.shape, type }];
      }),
    );
  const [exact, seen] = await Promise.all([runOnnxruntime(model.model, feeds(false)), runOnnxruntime(model.seenModel, feeds(true))]);
  const errors = new Map<string, number>();
  for (const out of data.outputs.filter((o) => !o.integer)) {
    const a = exact.get(out.name);
    const b = seen.get(out.name);
    if (!a || !b) throw new Error(`onnxruntime did not return the output "${out.name}"`);
    errors.set(out.name, a.reduce((m, v, i) => Math.max(m, Math.abs(b[i]! - v)), 0));
  }
  return errors;
}

/** Compares each expected output with the verified proof's, by name (else by position). */
async function compareOutputs(model: Pick<FrozenModel, 'model' | 'seenModel'>, manifest: Manifest, data: TestData, proved: readonly DecodedTensor[]): Promise<OutputComparison[] | string> {
  const errors = data.outputs.some((o) => !o.integer) ? await inputErrors(model, manifest, data) : new Map<string, number>();
  const comparisons: OutputComparison[] = [];
  for (const [i, expected] of data.outputs.entries()) {
    const index = manifest.outputs.findIndex((o) => o.name === expected.name);
    const at = index >= 0 ? index : i;
    const got = proved[at];
    const spec = manifest.outputs[at];
    if (!got || !spec) return `the proof has no output "${expected.name}" (it has ${proved.map((o) => `"${o.name}"`).join(', ')})`;
    if (got.shape.join(',') !== expected.shape.join(',')) {
      return `output "${expected.name}" has shape [${got.shape}], expected [${expected.shape}]`;
    }
    const parts = expected.integer ? undefined : floatTolerance(spec, manifest.quantization.multiplierBits, errors.get(expected.name)!, expected.data);
    comparisons.push(compareOutput(expected, spec, got.values, parts));
  }
  return comparisons;
}

function describeMismatch(c: OutputComparison): string {
  const off = `${c.mismatches} of ${c.size} elements`;
  return c.exact
    ? `output "${c.name}" (${c.dtype}) differs from the expected integers in ${off}, by up to ${c.maxError.toPrecision(3)} (the proof's output has scale ${c.scale.toPrecision(3)}, zero point ${c.zeroPoint})`
    : `output "${c.name}" is off by up to ${c.maxError.toPrecision(3)}, beyond the tolerance ${c.tolerance.toPrecision(3)}, in ${off}`;
}

export interface NodeTestOptions {
  /**
   * Also compile through circom (`--via circom`) and require the fast path's circuit to be
   * circom's (test/support/equivalence.ts) before proving with the fast path's artifacts.
   */
  equivalence?: boolean;
}

/**
 * Runs one node test through compile → setup (development) → prove → verify → compare,
 * in a temp directory removed afterwards.
 *
 * @example
 * const result = await runNodeTest(listNodeTests(nodeTestsDir()!, 'test_relu')[0]!);
 * console.log(result.status, result.reason ?? result.outputs);
 */
export async function runNodeTest(test: NodeTest, options: NodeTestOptions = {}): Promise<ConformanceResult> {
  const started = performance.now();
  const result = (r: Omit<ConformanceResult, 'test' | 'ops' | 'inputDtypes' | 'outputDtypes' | 'seconds'>): ConformanceResult => ({
    test: test.name,
    ops: test.ops,
    inputDtypes: test.inputDtypes,
    outputDtypes: test.outputDtypes,
    ...r,
    seconds: (performance.now() - started) / 1000,
  });
  const fail = (stage: Stage, reason: string, extra: Partial<ConformanceResult> = {}) => result({ status: 'fail', stage, reason, ...extra });
  const crash = (stage: Stage, err: unknown, extra: Partial<ConformanceResult> = {}) => result({ status: 'fail', stage, ...describeError(err), ...extra });

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'zkinfer-conformance-'));
  const dir = path.join(tmp, 'build');
  try {
    const data = tryReadTestData(test);
    const prepared = await prepare(test, data, tmp);
    const { model, frozen, calibration } = prepared;
    const withFrozen = frozen.length > 0 ? { frozen } : {};
    let manifest: Manifest;
    const circomDir = path.join(tmp, 'circom');
    try {
      manifest = (await build(model, options.equivalence ? circomDir : dir, { calibration, ...(options.equivalence ? { via: 'circom' as const } : {}) })).manifest;
    } catch (err) {
      return isRefusal(err) ? result({ status: 'unsupported', stage: 'compile', errorType: err.name, reason: err.message, ...withFrozen }) : crash('compile', err, withFrozen);
    }
    const constraints = manifest.circuit.constraints;
    if (data instanceof ZkInferError) {
      return fail('read', `compiled, but zkinfer cannot read the test's data (${data.message}): the compiler accepted a model whose tensors it cannot take`, { constraints });
    }

    let stage: Stage = options.equivalence ? 'equivalence' : 'setup';
    try {
      if (options.equivalence) {
        await rename(await fastPathCopy(circomDir), dir);
        manifest = await readManifest(dir);
        const problems = await fastPathProblems(circomDir, dir, inputJson(manifest, data.inputs), `${test.name}/test_data_set_0`);
        if (problems.length > 0) return fail('equivalence', `the fast path's circuit differs from circom's: ${problems.join('; ')}`, { constraints });
        stage = 'setup';
      }
      await setup(dir, { dev: true });
      stage = 'prove';
      const input = inputJson(manifest, data.inputs);
      await prove(dir, input, { source: `${test.name}/test_data_set_0` });
      stage = 'verify';
      const verified = await verifyProof(dir);
      if (!verified.valid) return fail('verify', `the proof does not verify: ${verified.reason ?? 'no reason given'}`, { constraints });

      stage = 'compare';
      const { ir } = await loadCompiled(dir);
      const reference = predictWith(manifest, ir, input, test.name);
      const differs = reference.outputs.findIndex((o, i) => o.integers.join(',') !== verified.outputs[i]?.integers.join(','));
      if (differs >= 0) {
        return fail('compare', `the circuit's output "${reference.outputs[differs]!.name}" differs from the reference evaluator's (a circuit/evaluator mismatch)`, { constraints });
      }
      const outputs = await compareOutputs(prepared, manifest, data, verified.outputs);
      if (typeof outputs === 'string') return fail('compare', outputs, { constraints });
      const bad = outputs.filter((c) => !c.ok);
      if (bad.length > 0) return fail('compare', bad.map(describeMismatch).join('; '), { constraints, outputs });
      return result({ status: 'pass', constraints, outputs, ...withFrozen });
    } catch (err) {
      return crash(stage, err, { constraints });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
