/** Trusted setup, witness generation and proving: the public API of prover/. */
export { build, CIRCUIT_ROUTES, CIRCOM2_MAX_CONSTRAINTS, type BuildOptions, type BuildResult, type CircuitRoute } from './build.ts';
export { compileCircuit, ptauPowerFor, type CompileCircuitOptions, type CompileCircuitResult } from './compile-circuit.ts';
export { buildFastCircuit } from './fast-circuit.ts';
export { readPtauHeader, type PtauHeader } from './formats/ptau.ts';
export { r1csBytes, readR1csHeader, type R1csContent, type R1csHeader } from './formats/r1cs.ts';
export { readWitness, wtnsBytes, type WitnessSlice } from './formats/wtns.ts';
export { prove, type ProofOutput, type ProveOptions, type ProveResult } from './prove.ts';
export { proveBatch, BATCH_SUMMARY_FILE, type BatchEntry, type BatchOptions, type BatchResult, type BatchSummary } from './batch.ts';
export { defaultProver, openProver, PROVER_NAMES, type ProverName, type ProverSession } from './provers.ts';
export { CudaServer, cudaDevice, cudaBinaryPath, type CudaDeviceInfo } from './cuda.ts';
export {
  createDevPtau,
  DEV_PTAU_WARNING,
  devPtauFileName,
  ensureDevPtau,
  isDevPtau,
  MIN_DEV_PTAU_POWER,
  ptauCacheDir,
  type DevPtau,
  type DevPtauOptions,
} from './ptau.ts';
export { setup, type SetupOptions, type SetupResult } from './setup.ts';
export { computeWitness, type WitnessOptions, type WitnessResult, type WitnessTensor } from './witness.ts';
export { releaseCurves } from '../verifier/curves.ts';
