/**
 * The compiler's public API: `zkinfer compile` (ONNX → IR → Circom, then the r1cs through the
 * fast path or circom2), `predict` (the reference evaluator on an artifact directory), and
 * what the prover needs to compute witnesses of the circuits it wrote.
 */
export { build, CIRCUIT_ROUTES, CIRCOM2_MAX_CONSTRAINTS, type BuildOptions, type BuildResult, type CircuitRoute } from './build.ts';
export { compileModel, type CompileOptions, type CompileResult } from './compile.ts';
export { compileCircuit, type CompileCircuitOptions, type CompileCircuitResult } from './backends/circom.ts';
export { buildFastCircuit, wtnsOf } from './backends/r1cs.ts';
export { buildSystem } from './lowering/lower.ts';
export { predict, predictWith, type Prediction } from './predict.ts';
export { loadCompiled } from './ir/serialize.ts';
export { evaluate } from './evaluate.ts';
export { modelCommitment } from './hashes.ts';
export type { IrModel } from './ir/types.ts';
