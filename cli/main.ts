/**
 * The `zkinfer` command. Thin by design: each command parses its flags, makes one
 * library call and prints the result (a table on a terminal, JSON with --json).
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ZkInferError, InputError, readUserJsonFile, toJson, INPUT_VISIBILITIES, OUTPUT_VISIBILITIES, WEIGHT_VISIBILITIES, type InputVisibility, type OutputVisibility, type WeightVisibility, readManifest, releaseCurves, contentHashHex, contentHashOf, parseContentHash, toSigned, hashInput } from '../core/index.ts';
import { build, CIRCUIT_ROUTES, predict, type CircuitRoute } from '../circuits/index.ts';
import { prove, proveBatch, PROVER_NAMES, setup, type ProverName } from '../prover/index.ts';
import { attestFromDir, connect, deployModel, DEVELOPMENT_SETUP_WARNING, exportVerifier, verifyOnchain, verifyProof, type Chain, type DeployResult } from '../verifier/index.ts';
import { formatBatch, formatInspect, formatStatement, formatTensors } from './format.ts';
import { progressFor } from './progress.ts';

interface JsonFlag {
  json?: boolean;
}

function weightVisibility(value: string): WeightVisibility {
  if (value === 'private') {
    throw new InvalidArgumentError('private weights without a commitment would let a prover use any weights, and a proof would not say which model answered: use hashed (private weights under a public Poseidon model commitment)');
  }
  if (!(WEIGHT_VISIBILITIES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${WEIGHT_VISIBILITIES.join(', ')}`);
  return value as WeightVisibility;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Runs a command body with progress on a terminal, printing its result as text or JSON. */
async function run<T>(opts: JsonFlag, body: (progress: (m: string) => void) => Promise<T>, render: (result: T) => string): Promise<T> {
  const progress = progressFor(!opts.json);
  try {
    const result = await body((m) => progress.update(m));
    progress.done();
    process.stdout.write(opts.json ? toJson(result) : `${render(result)}\n`);
    return result;
  } finally {
    progress.done();
  }
}

function warn(opts: JsonFlag, warnings: readonly string[]): void {
  if (!opts.json) for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
}

/** Every command that uses a model's keys says so when they come from a development setup. */
async function warnIfDevelopmentSetup(opts: JsonFlag, dir: string): Promise<void> {
  if (!opts.json && (await readManifest(dir)).setup?.development) warn(opts, [DEVELOPMENT_SETUP_WARNING]);
}

export function buildProgram(): Command {
  const program = new Command('zkinfer')
    .description('Verifiable ML inference: compile ONNX models to Circom, prove with Groth16, verify off-chain and on-chain')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('compile')
    .description('compile an ONNX model into a circuit (model.circom, model.r1cs, model.sym, manifest.json; model_js/model.wasm with --via circom)')
    .argument('<model>', 'the ONNX file')
    .requiredOption('-o, --out <dir>', 'artifact directory to write')
    .option('--calibration <file>', 'JSON file of sample inputs for quantization ranges')
    .option('--bits <n>', 'activation and weight bits', positiveInt, 8)
    .option('--input-range-check', 'range-check inputs inside the circuit (otherwise verifiers check public inputs)')
    .addOption(new Option('--input <visibility>', 'what the proof reveals of the input: public; private (range-checked in the circuit); hashed (private, and the content hash is its Poseidon hash, computed in the circuit)').choices([...INPUT_VISIBILITIES]).default('public'))
    .option('--weights <visibility>', 'the weights: constant (in the circuit, free multiply-accumulates), or hashed (private signals under a public Poseidon model commitment, one constraint per multiply-accumulate)', weightVisibility, 'constant')
    .addOption(new Option('--output <visibility>', 'what it reveals of the output: logits (every element), argmax (only the class index), or hashed (a Poseidon hash of the outputs)').choices([...OUTPUT_VISIBILITIES]).default('logits'))
    .addOption(new Option('--via <route>', 'who writes model.r1cs and computes witnesses: zkinfer (straight from the IR, seconds) or circom (circom2 compiles model.circom, the reference route, minutes for CNNs)').choices([...CIRCUIT_ROUTES]).default('zkinfer'))
    .option('--json', 'machine-readable output')
    .action(async (model: string, opts: JsonFlag & { out: string; calibration?: string; bits: number; inputRangeCheck?: boolean; input: InputVisibility; weights: WeightVisibility; output: OutputVisibility; via: CircuitRoute }) => {
      await run(
        opts,
        (onProgress) =>
          build(model, opts.out, { calibration: opts.calibration, bits: opts.bits, inputRangeCheck: opts.inputRangeCheck, input: opts.input, weights: opts.weights, output: opts.output, via: opts.via, onProgress }),
        (r) =>
          [
            `compiled ${model} → ${opts.out}`,
            `constraints ${r.manifest.circuit.constraints} (compiler's count ${r.predictedConstraints}), ptau 2^${r.manifest.circuit.ptauPower}`,
            `time: compiler ${r.seconds.compile.toFixed(2)}s, ${r.via === 'circom' ? 'circom' : 'constraint system'} ${r.seconds.circuit.toFixed(2)}s`,
          ].join('\n'),
      );
    });

  program
    .command('inspect')
    .description('constraints per layer, public signal layout and ptau size of a compiled model')
    .argument('<dir>', 'artifact directory')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag) => {
      await run(opts, () => readManifest(dir), formatInspect);
    });

  program
    .command('setup')
    .description('Groth16 trusted setup: proving key (model.zkey) and verification_key.json')
    .argument('<dir>', 'artifact directory')
    .option('--ptau <file>', 'powers of tau from a public ceremony (default: a local development ptau)')
    .addOption(new Option('--dev', 'development setup by the native engine: no ptau, fast, NOT trustworthy').conflicts('ptau'))
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag & { ptau?: string; dev?: boolean }) => {
      const r = await run(
        opts,
        (onProgress) => setup(dir, { ptau: opts.ptau, dev: opts.dev, onProgress }),
        (r) =>
          `setup done in ${r.seconds.toFixed(1)}s: ${r.zkey}, ${r.verificationKey} ` +
          (r.method === 'dev' ? '(native development setup, 2^' + r.ptauPower + ')' : `(ptau 2^${r.ptauPower}${r.development ? ', development' : ''})`),
      );
      warn(opts, r.warnings);
    });

  program
    .command('predict')
    .description('run the reference integer evaluator (what the circuit outputs), no proof')
    .argument('<dir>', 'artifact directory')
    .requiredOption('--input <file>', 'input JSON: {"<input name>": nested array} or a bare array')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag & { input: string }) => {
      const r = await run(opts, async () => predict(dir, await readUserJsonFile(opts.input, 'input file'), opts.input), (r) => formatTensors(r.outputs));
      if (r.clamped > 0) warn(opts, [`${r.clamped} input values were outside the calibrated range and were clamped`]);
    });

  program
    .command('prove')
    .description('prove an inference: proof.json, public.json, output.json (--batch: one proof per input file, one key load)')
    .argument('<dir>', 'artifact directory')
    .option('--input <file>', 'input JSON: {"<input name>": nested array} or a bare array')
    .option('--batch <inputs>', 'prove every *.json in this folder (sorted by name): OUT/<name>/ for each, OUT/batch.json')
    .option('--out <dir>', 'where to write the proof files (default: the artifact directory; with --batch DIR/batch)')
    .option('--content <file>', 'the content the model judged (bound to the proof by its hash; default: the input JSON)')
    .option('--content-hash <hash>', 'bind this content hash instead (0x-hex or decimal)')
    .addOption(
      new Option('--prover <name>', 'Groth16 prover (default: native when built, else snarkjs; cuda: the GPU engine, only when asked for)').choices([...PROVER_NAMES]),
    )
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag & ContentFlags & { input?: string; batch?: string; out?: string; prover?: ProverName }) => {
      if (opts.input !== undefined && opts.batch !== undefined) {
        throw new InputError('--input and --batch are mutually exclusive: --input FILE proves one input, --batch DIR every *.json in DIR');
      }
      if (opts.batch !== undefined) return proveBatchCommand(dir, opts.batch, opts);
      if (opts.input === undefined) throw new InputError('give --input FILE (one proof) or --batch DIR (a proof for every *.json in DIR)');
      const inputFile = opts.input;
      const r = await run(
        opts,
        async (onProgress) => {
          const contentHash = await contentHashFrom(opts);
          const input = await readUserJsonFile(inputFile, 'input file');
          return (await prove(dir, input, { out: opts.out, source: inputFile, contentHash, prover: opts.prover, onProgress })).output;
        },
        (o) =>
          [
            formatStatement(o),
            `witness ${o.timings.witnessSeconds.toFixed(2)}s, proof ${o.timings.proveSeconds.toFixed(2)}s (${o.prover}) → ${opts.out ?? dir}/proof.json`,
          ].join('\n'),
      );
      if (r.clampedInputs > 0) warn(opts, [`${r.clampedInputs} input values were outside the calibrated range and were clamped`]);
      if (r.developmentSetup) warn(opts, [DEVELOPMENT_SETUP_WARNING]);
    });

  program
    .command('verify')
    .description('verify a proof off-chain; exit code 0 only for a valid proof')
    .argument('<dir>', 'artifact directory')
    .option('--proof <file>', 'proof.json (default: DIR/proof.json)')
    .option('--public <file>', 'public.json (default: DIR/public.json)')
    .option('--outputs <file>', 'a model with hashed outputs: the claimed outputs, checked against the output hash (default: output.json next to public.json)')
    .option('--onchain', "check with the EVM: the registry of DIR/deployment.json with --rpc, else a verifier deployed in-process")
    .option('--rpc <url>', 'JSON-RPC endpoint (with --onchain)')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag & ChainFlags & { proof?: string; public?: string; outputs?: string; onchain?: boolean }) => {
      if (opts.onchain) {
        const r = await run(
          opts,
          (onProgress) => withChain({ ...opts, readOnly: true }, (chain) => verifyOnchain(chain, dir, { proof: opts.proof, public: opts.public, onProgress })),
          (r) => `${r.valid ? 'valid proof' : 'INVALID proof'} (on-chain, ${r.via} ${r.address}; ${r.gas} gas as a transaction)`,
        );
        await warnIfDevelopmentSetup(opts, dir);
        if (!r.valid) process.exitCode = 1;
        return;
      }
      if (opts.rpc) throw new InputError('--rpc goes with --onchain');
      const r = await run(
        opts,
        (onProgress) => verifyProof(dir, { proof: opts.proof, public: opts.public, outputs: opts.outputs, onProgress }),
        (r) => (r.valid ? `valid proof\n${formatStatement(r)}` : `INVALID proof: ${r.reason}`),
      );
      warn(opts, r.warnings);
      if (!r.valid) process.exitCode = 1;
    });

  program
    .command('hash-content')
    .description('the content hash a proof binds and a contract sees: keccak256(file) >> 8')
    .argument('<file>', 'the content (any bytes)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: JsonFlag) => {
      await run(opts, async () => ({ file, contentHash: contentHashHex(contentHashOf(await readContent(file))) }), (r) => r.contentHash);
    });

  program
    .command('hash-input')
    .description('the content hash a proof of a --input hashed model carries for an input: Poseidon of the quantized input')
    .argument('<dir>', 'artifact directory (compiled with --input hashed)')
    .requiredOption('--input <file>', 'input JSON, as for prove')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag & { input: string }) => {
      await run(opts, async () => ({ input: opts.input, ...(await hashInput(dir, await readUserJsonFile(opts.input, 'input file'), opts.input)) }), (r) => r.contentHash);
    });

  program
    .command('export-verifier')
    .description('write the Solidity Groth16 verifier of a set-up model')
    .argument('<dir>', 'artifact directory (after zkinfer setup)')
    .requiredOption('-o, --out <file>', 'the .sol file to write')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts: JsonFlag & { out: string }) => {
      await run(
        opts,
        () => exportVerifier(dir, opts.out),
        (r) =>
          [
            `wrote ${r.file} (contract ${r.contractName}, ${r.codeSize} bytes of code)`,
            `public signals ${r.layout.publicSignals}: outputs 0..${r.layout.outputs - 1}, content hash at ${r.layout.contentHashIndex}`,
            `verification key hash ${r.verificationKeyHash}`,
            ...(r.chunksFile ? [`the key's IC points are in ${r.chunksFile}: deploy those contracts first, then the verifier with their addresses`] : []),
          ].join('\n'),
      );
      await warnIfDevelopmentSetup(opts, dir);
    });

  chainOptions(
    program
      .command('deploy')
      .description('deploy the verifier and an InferenceRegistry (or use --registry) and register the model')
      .argument('<dir>', 'artifact directory (after zkinfer setup)')
      .option('--registry <address>', 'register in this existing InferenceRegistry instead of deploying one')
      .option('--metadata-uri <uri>', 'metadata URI recorded with the model'),
  ).action(async (dir: string, opts: JsonFlag & ChainFlags & { registry?: string; metadataUri?: string }) => {
    await run(
      opts,
      (onProgress) => withChain(opts, (chain) => deployModel(chain, dir, { registry: opts.registry, metadataURI: opts.metadataUri, onProgress })),
      formatDeploy,
    );
    await warnIfDevelopmentSetup(opts, dir);
  });

  chainOptions(
    program
      .command('attest')
      .description('record a proven verdict in the registry (deployment.json with --rpc; a fresh in-process deployment without)')
      .argument('<dir>', 'artifact directory')
      .option('--proof <file>', 'proof.json (default: DIR/proof.json)')
      .option('--public <file>', 'public.json (default: DIR/public.json)')
      .option('--content <file>', 'check that the proof is about this content before sending')
      .option('--content-hash <hash>', 'check that the proof is about this content hash'),
  ).action(async (dir: string, opts: JsonFlag & ChainFlags & ContentFlags & { proof?: string; public?: string }) => {
    await run(
      opts,
      async (onProgress) => {
        const contentHash = await contentHashFrom(opts);
        return withChain(opts, (chain) => attestFromDir(chain, dir, { proof: opts.proof, public: opts.public, contentHash, onProgress }));
      },
      (r) =>
        [
          ...(r.deployed ? [formatDeploy(r.deployed)] : []),
          `attested in ${r.registry}: model ${r.attestation.modelId}, content ${r.attestation.contentHash}`,
          `outputs [${r.attestation.outputs.map((o) => toSigned(o)).join(', ')}], block ${r.attestation.blockNumber}, ${r.attestation.gasUsed} gas (tx ${r.attestation.txHash})`,
        ].join('\n'),
    );
    await warnIfDevelopmentSetup(opts, dir);
  });

  return program;
}

interface ContentFlags {
  content?: string;
  contentHash?: string;
}

interface ChainFlags {
  rpc?: string;
  privateKey?: string;
  readOnly?: boolean;
}

function chainOptions(command: Command): Command {
  return command
    .option('--rpc <url>', "JSON-RPC endpoint (default: Hardhat's in-process network, gone when the command exits)")
    .option('--private-key <key>', 'hex key of the sending account (or set ZKINFER_PRIVATE_KEY; default: the node\'s first account)')
    .option('--json', 'machine-readable output');
}

async function withChain<T>(opts: ChainFlags, body: (chain: Chain) => Promise<T>): Promise<T> {
  // $ZKINFER_PRIVATE_KEY is for endpoints: the in-process chain has its own accounts.
  const privateKey = opts.privateKey ?? (opts.rpc && !opts.readOnly ? process.env.ZKINFER_PRIVATE_KEY : undefined);
  const chain = await connect({ rpc: opts.rpc, privateKey, readOnly: opts.readOnly });
  try {
    return await body(chain);
  } finally {
    chain.close();
  }
}

/** `prove DIR --batch INPUTS`: the summary as a table (or batch.json's content with --json); exit code 1 when an input failed. */
async function proveBatchCommand(dir: string, inputsDir: string, opts: JsonFlag & ContentFlags & { out?: string; prover?: ProverName }): Promise<void> {
  if (opts.content !== undefined || opts.contentHash !== undefined) {
    throw new InputError('--content and --content-hash bind one content to one proof: with --batch each proof binds the hash of its own input JSON');
  }
  const r = await run(opts, (onProgress) => proveBatch(dir, inputsDir, { out: opts.out, prover: opts.prover, onProgress }), formatBatch);
  const clamped = r.inputs.reduce((n, e) => n + (e.clampedInputs ?? 0), 0);
  if (clamped > 0) warn(opts, [`${clamped} input values were outside the calibrated range and were clamped`]);
  if (r.developmentSetup) warn(opts, [DEVELOPMENT_SETUP_WARNING]);
  if (r.failed > 0) {
    if (!opts.json) process.stderr.write(`error: ${r.failed} of ${r.inputs.length} inputs failed (see ${r.summaryFile})\n`);
    process.exitCode = 1;
  }
}

async function readContent(file: string): Promise<Buffer> {
  return readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read the content file ${file}: ${err.code ?? err.message}`, { cause: err });
  });
}

async function contentHashFrom(opts: ContentFlags): Promise<bigint | undefined> {
  if (opts.content && opts.contentHash) throw new InputError('give --content or --content-hash, not both');
  if (opts.content) return contentHashOf(await readContent(opts.content));
  return opts.contentHash === undefined ? undefined : parseContentHash(opts.contentHash);
}

function formatDeploy(r: DeployResult): string {
  const d = r.deployment;
  const chunks = r.gas.icChunks.length ? ` + ${r.gas.icChunks.length} IC chunk contracts (${r.gas.icChunks.reduce((a, b) => a + b, 0n)} gas)` : '';
  return [
    `verifier ${d.verifier} (${r.verifierCodeSize} bytes, ${r.gas.verifier} gas${chunks})`,
    `registry ${d.registry}${r.gas.registry !== undefined ? ` (deployed, ${r.gas.registry} gas)` : ''}`,
    `model id ${d.modelId} (register: ${r.gas.register} gas)`,
    ...(d.modelCommitment ? [`model commitment ${d.modelCommitment}: the registry attests only proofs that carry it`] : []),
    r.file ? `recorded in ${r.file}` : `on ${d.rpc}: gone when this command exits (use --rpc for a lasting chain)`,
  ].join('\n');
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const json = argv.includes('--json');
    if (err instanceof ZkInferError) {
      if (json) process.stdout.write(toJson({ error: { type: err.name, message: err.message, context: err.context, hint: err.hint } }));
      else process.stderr.write(`error: ${err.describe()}\n`);
      return 1;
    }
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 1;
    }
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  } finally {
    await releaseCurves();
  }
}
