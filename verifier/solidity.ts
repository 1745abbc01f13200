/**
 * Solidity compilation with the npm `solc` package (solc-js, no download), cached per
 * user by a hash of compiler, settings and sources. hardhat.config.cjs compiles
 * contracts/ with the same compiler and settings.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolError } from '../core/errors.ts';
import { cacheDir, writeJsonAtomic } from '../core/files.ts';

interface Solc {
  version(): string;
  compile(input: string): string;
}
const solc = createRequire(import.meta.url)('solc') as Solc;

export const SOLIDITY_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

/** The package's own contracts (interfaces, registry, examples). */
export const CONTRACTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'contracts');

export interface CompiledContract {
  abi: unknown[];
  /** Creation code, 0x-hex. */
  bytecode: string;
  /** Runtime code, 0x-hex. */
  deployedBytecode: string;
}

/** Compiled contracts by name ("Registry"), and by "file:Name" when names repeat. */
export type CompiledContracts = Record<string, CompiledContract>;

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string; sourceLocation?: { file: string } }[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>;
}

/**
 * Compiles `sources` (source unit name → Solidity text; imports resolve among them).
 *
 * @example
 * const { ZkInferenceVerifier } = await compileSolidity({ 'Verifier.sol': source });
 */
export async function compileSolidity(sources: Record<string, string>): Promise<CompiledContracts> {
  const input = { language: 'Solidity', sources: Object.fromEntries(Object.entries(sources).map(([k, content]) => [k, { content }])), settings: SOLIDITY_SETTINGS };
  const text = JSON.stringify(input);
  const key = createHash('sha256').update(solc.version()).update(text).digest('hex').slice(0, 32);
  const cached = path.join(cacheDir('solc'), `${key}.json`);
  try {
    return JSON.parse(await readFile(cached, 'utf8')) as CompiledContracts;
  } catch {
    // Not cached (or unreadable): compile.
  }
  const output = JSON.parse(solc.compile(text)) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new ToolError(`solc ${solc.version()} failed on ${errors[0]!.sourceLocation?.file ?? 'the sources'}`, {
      context: errors.map((e) => e.formattedMessage.trim()),
    });
  }
  const contracts: CompiledContracts = {};
  const seen = new Map<string, number>();
  for (const [file, byName] of Object.entries(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(byName)) {
      const compiled = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, deployedBytecode: `0x${c.evm.deployedBytecode.object}` };
      contracts[`${file}:${name}`] = compiled;
      seen.set(name, (seen.get(name) ?? 0) + 1);
      contracts[name] = compiled;
    }
  }
  for (const [name, count] of seen) if (count > 1) delete contracts[name];
  await mkdir(path.dirname(cached), { recursive: true });
  await writeJsonAtomic(cached, contracts);
  return contracts;
}

async function solidityFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) files.push(...(await solidityFiles(path.join(dir, e.name), `${prefix}${e.name}/`)));
    else if (e.name.endsWith('.sol')) files.push(`${prefix}${e.name}`);
  }
  return files;
}

/** The Solidity sources of contracts/, by path relative to it. */
export async function projectSources(): Promise<Record<string, string>> {
  const files = await solidityFiles(CONTRACTS_DIR);
  return Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(path.join(CONTRACTS_DIR, f), 'utf8')] as const)));
}

/** contracts/ compiled (registry, interfaces, examples). */
export async function projectContracts(): Promise<CompiledContracts> {
  return compileSolidity(await projectSources());
}
