/**
 * Which chain the on-chain commands talk to: Hardhat's in-process network by default
 * (a fresh chain that lives as long as the process, so the demo needs no node), or any
 * JSON-RPC endpoint with `--rpc` (a key from `--private-key` / $ZKINFER_PRIVATE_KEY, or
 * the node's first unlocked account, as `npx hardhat node` has).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserProvider, JsonRpcProvider, Network, NonceManager, VoidSigner, Wallet, ZeroAddress, type Provider, type Signer } from 'ethers';
import { InputError, ToolError } from '../core/errors.ts';

export interface ChainOptions {
  /** A JSON-RPC endpoint URL; without it, Hardhat's in-process network. */
  rpc?: string;
  /** Hex private key of the sending account (default: the node's first account). */
  privateKey?: string;
  /** Only view calls will be made: no account needed (public endpoints have none unlocked). */
  readOnly?: boolean;
}

export interface Chain {
  provider: Provider;
  signer: Signer;
  chainId: bigint;
  /** "hardhat (in-process)" or the RPC URL. */
  name: string;
  /** True for the in-process network: whatever is deployed there ends with the process. */
  ephemeral: boolean;
  close(): void;
}

const HARDHAT_CONFIG = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'hardhat.config.cjs');
const RPC_TIMEOUT_MS = 10_000;

async function inProcess(): Promise<Chain> {
  process.env.HARDHAT_CONFIG ??= HARDHAT_CONFIG;
  const { default: hre } = await import('hardhat');
  const provider = new BrowserProvider(hre.network.provider);
  const signer = await provider.getSigner(0);
  return { provider, signer, chainId: (await provider.getNetwork()).chainId, name: 'hardhat (in-process)', ephemeral: true, close: () => provider.destroy() };
}

/** eth_chainId with a timeout: a clear error for an endpoint that is down, instead of ethers' endless retries. */
async function chainIdOf(url: string): Promise<bigint> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
    });
  } catch (err) {
    const why = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new ToolError(`cannot reach the JSON-RPC endpoint ${url}: ${why}`, { hint: 'is the node running? (e.g. npx hardhat node)', cause: err });
  }
  const body = (await response.json().catch(() => undefined)) as { result?: string } | undefined;
  if (!response.ok || typeof body?.result !== 'string') {
    throw new ToolError(`${url} answered eth_chainId with HTTP ${response.status}${body ? ` ${JSON.stringify(body).slice(0, 200)}` : ''}`, {
      hint: 'give the URL of an Ethereum JSON-RPC endpoint',
    });
  }
  return BigInt(body.result);
}

/**
 * Connects to the chain `options` names.
 *
 * @example
 * const chain = await connect({ rpc: 'http://127.0.0.1:8545' });
 * try { ... } finally { chain.close(); }
 */
export async function connect(options: ChainOptions = {}): Promise<Chain> {
  if (!options.rpc) {
    if (options.privateKey) throw new InputError('--private-key needs --rpc: the in-process chain has its own funded accounts');
    return inProcess();
  }
  let url: URL;
  try {
    url = new URL(options.rpc);
  } catch {
    throw new InputError(`--rpc ${JSON.stringify(options.rpc)} is not a URL`, { hint: 'e.g. --rpc http://127.0.0.1:8545' });
  }
  const chainId = await chainIdOf(url.href);
  const provider = new JsonRpcProvider(url.href, Network.from(chainId), { staticNetwork: true, pollingInterval: 250 });
  let signer: Signer;
  if (options.privateKey) {
    try {
      // The nonce is counted locally: a node can answer the pending count from before the last mined tx.
      signer = new NonceManager(new Wallet(options.privateKey, provider));
    } catch (err) {
      provider.destroy();
      throw new InputError('the private key is not a 32-byte hex key', { hint: 'give 0x followed by 64 hex digits', cause: err });
    }
  } else if (options.readOnly) {
    signer = new VoidSigner(ZeroAddress, provider);
  } else {
    signer = await provider.getSigner(0).catch((err: unknown) => {
      provider.destroy();
      throw new InputError(`${url.href} has no unlocked account to send from`, { hint: 'give --private-key (or set ZKINFER_PRIVATE_KEY)', cause: err });
    });
  }
  return { provider, signer, chainId, name: url.href, ephemeral: false, close: () => provider.destroy() };
}
