/**
 * The ONNX backend node tests in CI (the full run is `npm run conformance`, see
 * docs/conformance.md):
 * - every test whose model uses an op outside the compiler's registry (circuits/ops OPS)
 *   is refused at compile with a clear zkinfer error, before circom runs;
 * - a fast selection of small tests that pass today goes the whole way: compile through
 *   circom and through the fast path, whose circuits must be the same (test/support/
 *   equivalence.ts), then with the fast path's artifacts development setup, proof,
 *   verification, comparison with the expected outputs (bit for bit for the integer
 *   QOperator tests).
 * Skips with a message when ../shared/onnx-node-tests is absent.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { OPS } from '../../circuits/ops/index.ts';
import { releaseCurves } from '../../core/curves.ts';
import { listNodeTests, nodeTestsDir } from './node-tests.ts';
import { refusalAtCompile, runNodeTest } from './suite.ts';

/** Small tests that pass: a few seconds each on 2 cores. */
const FAST = [
  'test_relu',
  'test_add',
  'test_add_bcast',
  'test_argmax_default_axis_example',
  'test_argmax_keepdims_random',
  'test_argmax_negative_axis_keepdims_example',
  'test_argmax_no_keepdims_random',
  'test_flatten_axis0',
  'test_flatten_default_axis',
  'test_flatten_negative_axis2',
  'test_clip_default_inbounds',
  'test_clip_default_inbounds_expanded',
  'test_averagepool_2d_precomputed_strides',
  'test_maxpool_2d_precomputed_strides',
  // Integer (QOperator) tests: bit-exact, their scales, zero points and weights frozen (freeze.ts).
  'test_qlinearmatmul_2D_uint8_float32',
  'test_qlinearmatmul_3D_int8_float16',
  'test_qlinearconv',
  'test_matmulinteger',
  'test_convinteger_with_padding',
  'test_quantizelinear',
  'test_quantizelinear_axis',
  'test_dequantizelinear',
  'test_dequantizelinear_axis',
  'test_maxpool_2d_uint8',
];

/** Of FAST, the tests whose outputs are integers: every element must match exactly. */
const EXACT = new Set(['test_qlinearmatmul_2D_uint8_float32', 'test_qlinearmatmul_3D_int8_float16', 'test_qlinearconv', 'test_matmulinteger', 'test_convinteger_with_padding', 'test_quantizelinear', 'test_quantizelinear_axis', 'test_maxpool_2d_uint8']);

const root = nodeTestsDir();
const tests = root ? listNodeTests(root) : [];
const outsideRegistry = tests.filter((t) => t.ops.some((op) => !Object.hasOwn(OPS, op)));

describe.skipIf(!root)('ONNX backend node tests', () => {
  afterAll(releaseCurves);

  test.each(outsideRegistry.map((t) => [t.name, t] as const))('%s uses an op outside the registry: compile refuses it', async (_name, t) => {
    const refusal = await refusalAtCompile(t);
    expect(refusal, `compile accepted ${t.name} (ops ${t.ops.join(', ')})`).toBeDefined();
    expect(refusal!.message).not.toBe('');
  });

  test.each(FAST)('%s: compile (circom and the fast path, equivalent) → setup → prove → verify → compare', async (name) => {
    const t = tests.find((x) => x.name === name);
    expect(t, `${name} is not in MANIFEST.tsv`).toBeDefined();
    const result = await runNodeTest(t!, { equivalence: true });
    const detail = `${result.stage ?? ''} ${result.errorType ?? ''} ${result.reason ?? ''}`;
    expect(result.status, detail).not.toBe('fail');
    expect(result.status, detail).toBe('pass');
    for (const c of result.outputs!) expect(c.maxError).toBeLessThanOrEqual(c.tolerance);
    if (EXACT.has(name)) for (const c of result.outputs!) expect([c.exact, c.maxError]).toEqual([true, 0]);
  });
});
