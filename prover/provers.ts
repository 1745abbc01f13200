/**
 * The Groth16 provers behind `zkinfer prove`, behind one interface: a session holds one
 * proving key and proves witnesses with it, one at a time. snarkjs runs in-process; the
 * native and CUDA engines are child processes that write proof.json and public.json
 * beside the witness, read back here. A resident CUDA session is one `gpu-serve`
 * process: the key is loaded and copied to the GPU once for a whole batch.
 */
import { readFile, rm } from 'node:fs/promises';
import * as snarkjs from 'snarkjs';
import type { Groth16Proof } from 'snarkjs';
import { ToolError, type ZkInferError } from '../core/errors.ts';
import { tempPathFor } from '../core/files.ts';
import { parseProof } from '../core/proof-json.ts';
import { CudaServer, cudaProve, requireCudaBinary } from './cuda.ts';
import { nativeBinary, requireNativeBinary, runNative } from './native.ts';

export const PROVER_NAMES = ['native', 'snarkjs', 'cuda'] as const;
export type ProverName = (typeof PROVER_NAMES)[number];

/** The native engine when `npm ci` could build it (it is several times faster), else snarkjs; never cuda (it needs a GPU: ask for it). */
export function defaultProver(): ProverName {
  return nativeBinary() ? 'native' : 'snarkjs';
}

export interface Proved {
  proof: Groth16Proof;
  publicSignals: string[];
  /** The engine's own proof seconds, where it reports them (gpu-serve: the key already on the GPU). */
  engineSeconds?: number;
}

export interface ProverSession {
  readonly name: ProverName;
  /** Seconds gpu-serve took to load the key onto the GPU (resident cuda sessions only). */
  readonly uploadSeconds?: number;
  /** Set once the prover can take no more work (its gpu-serve process died); undefined while it can. */
  readonly failure?: ZkInferError;
  prove(witness: string): Promise<Proved>;
  /** Releases the prover (ends gpu-serve); throws only when it fails on the way out. */
  close(): Promise<void>;
  /** Stops it without waiting, on the way out of an error (a no-op after close). */
  abort(): void;
}

export interface OpenProverOptions {
  /** Keep the key loaded between proofs (cuda: one gpu-serve process, one upload). Default: one process per proof. */
  resident?: boolean;
}

/** An engine run that writes proof.json and public.json: both read back, then removed. */
async function proveViaFiles(witness: string, who: string, run: (proofFile: string, publicFile: string) => Promise<number | void>): Promise<Proved> {
  const proofFile = tempPathFor(witness, 'proof.json');
  const publicFile = tempPathFor(witness, 'public.json');
  try {
    const engineSeconds = await run(proofFile, publicFile);
    return {
      proof: parseProof(JSON.parse(await readFile(proofFile, 'utf8')), `the ${who} prover's proof.json`),
      publicSignals: JSON.parse(await readFile(publicFile, 'utf8')) as string[],
      ...(typeof engineSeconds === 'number' ? { engineSeconds } : {}),
    };
  } finally {
    await Promise.all([rm(proofFile, { force: true }), rm(publicFile, { force: true })]);
  }
}

/** A session whose every proof is one self-contained call. */
function perProof(name: ProverName, prove: (witness: string) => Promise<Proved>): ProverSession {
  return { name, prove, close: async () => {}, abort: () => {} };
}

/** The snarkjs Groth16 prover, in-process. */
async function proveWithSnarkjs(zkey: string, witness: string): Promise<Proved> {
  return snarkjs.groth16.prove(zkey, witness).catch((err: unknown) => {
    throw new ToolError(`snarkjs groth16 prove failed: ${err instanceof Error ? err.message : String(err)}`, {
      context: [zkey, witness],
      hint: 'if the witness length does not match, the zkey is from another circuit: run zkinfer setup again',
      cause: err,
    });
  });
}

/** A gpu-serve process as a session: jobs go to the resident key. */
function residentCuda(server: CudaServer): ProverSession {
  return {
    name: 'cuda',
    uploadSeconds: server.uploadSeconds,
    get failure() {
      return server.failure;
    },
    prove: (witness) => proveViaFiles(witness, 'cuda', async (proofFile, publicFile) => (await server.prove(witness, proofFile, publicFile)).seconds),
    close: () => server.close(),
    abort: () => server.kill(),
  };
}

/**
 * A prover for `zkey`. A missing engine binary fails here, before any witness is
 * computed; a resident cuda session also fails here when there is no GPU or the key is bad.
 *
 * @example
 * const session = await openProver('cuda', 'build/mnist/model.zkey', { resident: true });
 * try {
 *   const { proof, publicSignals } = await session.prove('build/mnist/witness.wtns');
 *   await session.close();
 * } finally {
 *   session.abort();
 * }
 */
export async function openProver(name: ProverName, zkey: string, options: OpenProverOptions = {}): Promise<ProverSession> {
  switch (name) {
    case 'snarkjs':
      return perProof(name, (witness) => proveWithSnarkjs(zkey, witness));
    case 'native':
      requireNativeBinary();
      return perProof(name, (witness) => proveViaFiles(witness, 'native', (proofFile, publicFile) => runNative(['prove', zkey, witness, proofFile, publicFile]).then(() => {})));
    case 'cuda':
      if (options.resident) return residentCuda(await CudaServer.start(zkey));
      requireCudaBinary();
      return perProof(name, (witness) => proveViaFiles(witness, 'cuda', (proofFile, publicFile) => cudaProve(zkey, witness, proofFile, publicFile)));
  }
}
