/** Trusted setup, witness generation and proving: the public API of prover/. */
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
export { releaseCurves, readPtauHeader, readWitness, readR1csHeader, r1csBytes, wtnsBytes, type PtauHeader, type R1csContent, type R1csHeader, type WitnessSlice } from '../core/index.ts';
