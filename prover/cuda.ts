/**
 * The CUDA engine (prover/native, `make cuda`): the native prover's Groth16 with its MSMs
 * and FFTs on an NVIDIA GPU. Never chosen by default (`--prover cuda`): it is built only
 * where nvcc is (`npm run build:cuda`) and runs only where a GPU is.
 *
 * Two ways to prove: `cudaProve` runs `gpu-prove` once (load the key, upload it, prove);
 * `CudaServer` keeps one `gpu-serve` process with the key resident on the device, so a
 * batch pays the key load and upload once:
 *
 *   gpu-serve <zkey>  → stdout {"ready":true,"uploadSeconds":s}
 *   stdin  <wtns>\t<proof.json>\t<public.json>\n
 *   stdout {"ok":true,"seconds":s} | {"ok":false,"error":"…"}   (one line per job)
 *   stdin EOF → exit 0
 *
 * `ZKINFER_CUDA_BINARY` points at another binary with the same commands: the tests use
 * zkinfer-gpu-emu (`make gpu-emu`: the same kernels run on the CPU).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ArtifactError, InputError, ToolError, type ZkInferError } from '../core/errors.ts';
import { engineError, runEngine } from './native.ts';

export const CUDA_BINARY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'native', 'build', 'zkinfer-cuda');

const NO_DEVICE_HINT = 'the CUDA prover needs an NVIDIA GPU of compute capability 9.0 (H100, H200) and its driver; prove on the CPU with --prover native';

/** The CUDA binary's path: $ZKINFER_CUDA_BINARY, else prover/native/build/zkinfer-cuda (built or not). */
export function cudaBinaryPath(): string {
  return process.env.ZKINFER_CUDA_BINARY || CUDA_BINARY;
}

/** The CUDA binary's path; a ToolError saying how to build it when it is missing. */
export function requireCudaBinary(): string {
  const binary = cudaBinaryPath();
  if (existsSync(binary)) return binary;
  if (process.env.ZKINFER_CUDA_BINARY) {
    throw new ToolError(`ZKINFER_CUDA_BINARY is ${binary}, which does not exist`, { hint: 'point it at a built zkinfer-cuda (or zkinfer-gpu-emu), or unset it' });
  }
  throw new ToolError('the CUDA prover is not built', {
    context: [binary],
    hint: 'run `npm run build:cuda` (needs nvcc, the CUDA toolkit), or use --prover native',
  });
}

/** The engine's "no CUDA device" is the machine's lack, not a bad file: a ToolError with what to do instead. */
function cudaError<T>(err: T): T | ToolError {
  if (err instanceof ArtifactError && /^no CUDA device\b/.test(err.message)) {
    return new ToolError(err.message, { context: err.context, hint: NO_DEVICE_HINT, cause: err });
  }
  return err;
}

async function runCuda(args: string[]): Promise<string> {
  return runEngine(requireCudaBinary(), args).catch((err: unknown) => {
    throw cudaError(err);
  });
}

export interface CudaDeviceInfo {
  /** "cuda" on a GPU; "host-emulation" for zkinfer-gpu-emu (the kernels on the CPU). */
  backend: 'cuda' | 'host-emulation';
  device: string;
  computeCapability: string;
  memoryMiB: number;
}

/** A line of engine output as a JSON object, or undefined when it is not one. */
function jsonObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not JSON: undefined
  }
  return undefined;
}

/** The last non-empty stdout line as a JSON object; a ToolError naming the command when it is not one. */
function jsonLine(stdout: string, label: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').pop() ?? '';
  const value = jsonObject(line);
  if (value) return value;
  throw new ToolError(`${label} printed ${JSON.stringify(line.slice(0, 200))}, not a JSON object`, { context: [cudaBinaryPath()] });
}

/**
 * The GPU the CUDA prover would use (`gpu-info`). Throws a ToolError when the binary is
 * not built or there is no usable device, with the hint to prove with `--prover native`.
 *
 * @example
 * const gpu = await cudaDevice().catch(() => undefined);
 * console.log(gpu ? `${gpu.device} (${gpu.memoryMiB} MiB)` : 'no GPU');
 */
export async function cudaDevice(): Promise<CudaDeviceInfo> {
  const info = jsonLine(await runCuda(['gpu-info']), 'gpu-info');
  const { backend, device, computeCapability, memoryMiB } = info;
  if ((backend !== 'cuda' && backend !== 'host-emulation') || typeof device !== 'string' || typeof computeCapability !== 'string' || typeof memoryMiB !== 'number') {
    throw new ToolError(`gpu-info printed ${JSON.stringify(info)}: expected backend, device, computeCapability and memoryMiB`, { context: [cudaBinaryPath()] });
  }
  return { backend, device, computeCapability, memoryMiB };
}

/** One proof by `gpu-prove`: key loaded and uploaded, proof.json and public.json written as `zkinfer-native prove` writes them. */
export async function cudaProve(zkey: string, witness: string, proofFile: string, publicFile: string): Promise<void> {
  await runCuda(['gpu-prove', zkey, witness, proofFile, publicFile]);
}

/**
 * A `gpu-serve` process holding one proving key on the device. Jobs run one at a time
 * (calls made together wait their turn); a bad witness fails its own job only. `close()`
 * when done; `kill()` on the way out of an error.
 *
 * @example
 * const server = await CudaServer.start('build/mnist/model.zkey');
 * try {
 *   for (const w of witnesses) await server.prove(w, `${w}.proof.json`, `${w}.public.json`);
 *   await server.close();
 * } finally {
 *   server.kill();
 * }
 */
export class CudaServer {
  private readonly label: string;
  private dead: ZkInferError | undefined;
  private upload = 0;
  private readonly lines: string[] = [];
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private stdoutEnded = false;
  private stderr = '';
  private turn: Promise<unknown> = Promise.resolve();
  private closing = false;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    binary: string,
  ) {
    this.label = `${path.basename(binary)} gpu-serve`;
    this.exited = new Promise((resolve) => {
      child.on('error', (error) => resolve({ code: null, signal: null, error }));
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    // A write after the process died fails with EPIPE; the failure is reported from its exit instead.
    child.stdin.on('error', () => {});
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-64_000);
    });
    const reader = createInterface({ input: child.stdout, crlfDelay: Infinity });
    reader.on('line', (line) => {
      if (line.trim() === '') return;
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    reader.on('close', () => {
      this.stdoutEnded = true;
      for (const waiter of this.waiting.splice(0)) waiter(undefined);
    });
  }

  /** Starts `gpu-serve zkey` and waits until the key is on the device. */
  static async start(zkey: string): Promise<CudaServer> {
    const binary = requireCudaBinary();
    const child = spawn(binary, ['gpu-serve', path.resolve(zkey)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const server = new CudaServer(child, binary);
    const line = await server.nextLine();
    if (line === undefined) {
      server.kill();
      throw await server.died('before it was ready');
    }
    const ready = server.answer(line);
    if (ready.ready !== true || typeof ready.uploadSeconds !== 'number') {
      server.kill();
      throw new ToolError(`${server.label} started with ${JSON.stringify(ready)} instead of {"ready":true,"uploadSeconds":…}`, { context: [zkey] });
    }
    server.upload = ready.uploadSeconds;
    return server;
  }

  /** Seconds gpu-serve took to load the key and copy it to the device. */
  get uploadSeconds(): number {
    return this.upload;
  }

  /** Why the process ended unexpectedly (it takes no more jobs); undefined while it runs. */
  get failure(): ZkInferError | undefined {
    return this.dead;
  }

  /**
   * Proves one witness with the resident key, writing proof.json and public.json;
   * resolves with the engine's proof seconds. A witness the engine refuses is an
   * ArtifactError (the server keeps running); a dead server a ToolError.
   */
  prove(witness: string, proofFile: string, publicFile: string): Promise<{ seconds: number }> {
    if (this.closing) return Promise.reject(new ToolError(`${this.label} is closed`, { context: [witness] }));
    const job = this.turn.then(() => this.job(witness, proofFile, publicFile));
    this.turn = job.catch(() => {});
    return job;
  }

  /** Ends stdin and waits for the process to exit; a clean server exits 0. */
  async close(): Promise<void> {
    this.closing = true; // jobs asked for before this still run
    await this.turn;
    this.child.stdin.end();
    const exit = await this.exited;
    if (this.dead) return; // already reported by the job that found it
    if (exit.code !== 0) throw (this.dead = this.failureFrom(exit, 'when asked to exit'));
  }

  /** Stops the process if it still runs (after an error; a no-op after close()). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }

  private async job(witness: string, proofFile: string, publicFile: string): Promise<{ seconds: number }> {
    if (this.dead) throw this.dead;
    const paths = [witness, proofFile, publicFile].map((p) => path.resolve(p));
    const odd = paths.find((p) => /[\t\r\n]/.test(p));
    if (odd) throw new InputError(`${JSON.stringify(odd)} holds a tab or line break, which the gpu-serve protocol cannot carry`, { hint: 'rename the file or folder' });
    this.child.stdin.write(`${paths.join('\t')}\n`);
    const line = await this.nextLine();
    if (line === undefined) throw await this.died(`while proving ${witness}`);
    const answer = this.answer(line);
    if (answer.ok === true && typeof answer.seconds === 'number') return { seconds: answer.seconds };
    if (answer.ok === false && typeof answer.error === 'string') {
      throw cudaError(new ArtifactError(answer.error, { context: [this.label, witness] }));
    }
    throw new ToolError(`${this.label} answered ${JSON.stringify(answer)} instead of {"ok":…}`, { context: [witness] });
  }

  private nextLine(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.stdoutEnded) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private answer(line: string): Record<string, unknown> {
    const value = jsonObject(line);
    if (value) return value;
    this.kill();
    throw (this.dead = new ToolError(`${this.label} printed ${JSON.stringify(line.slice(0, 200))}, not a JSON line`));
  }

  /** The error for a process that ended with stdout: its `error:` line, or how it ended. */
  private async died(when: string): Promise<ZkInferError> {
    const exit = await this.exited;
    return (this.dead = this.failureFrom(exit, when));
  }

  private failureFrom(exit: { code: number | null; signal: NodeJS.Signals | null; error?: Error }, when: string): ZkInferError {
    const how = exit.error ? exit.error.message : exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    return cudaError(engineError(this.label, this.stderr, `${how} ${when}`, exit.error));
  }
}
