/**
 * The on-chain commands against a real JSON-RPC server: `npx hardhat node` started on a
 * free loopback port, then `zkinfer deploy`, `attest` and `verify --onchain` with --rpc,
 * through the CLI in child processes (deployment.json carries the addresses between them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHashHex, contentHashOf } from '../../core/content-hash.ts';
import { releaseCurves } from '../../core/curves.ts';
import { buildVerdictModel, type VerdictModel } from '../contracts/verdict-model.ts';
import { zkinfer, zkinferJson } from '../support/cli.ts';
import { REPO_ROOT } from '../support/shared.ts';

/** Hardhat node's second default account (a well-known development key, worthless on any real chain). */
const SECOND_ACCOUNT = { key: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d', address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `hardhat node` and resolves once it listens. */
async function startNode(port: number): Promise<ChildProcess> {
  const node = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules/hardhat/internal/cli/cli.js'), 'node', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: REPO_ROOT,
    env: { ...process.env, HARDHAT_CONFIG: path.join(REPO_ROOT, 'hardhat.config.cjs') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start in 60 s:\n${log}`)), 60_000);
    node.stdout!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Started HTTP and WebSocket JSON-RPC server')) {
        clearTimeout(timer);
        resolve();
      }
    });
    node.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    node.once('exit', (code) => reject(new Error(`hardhat node exited with ${code}:\n${log}`)));
  });
  node.stdout!.resume();
  return node;
}

let model: VerdictModel;
let node: ChildProcess | undefined;
let rpc: string;
const claim = 'Honey never spoils when sealed.';

beforeAll(async () => {
  model = await buildVerdictModel();
  const port = await freePort();
  rpc = `http://127.0.0.1:${port}`;
  node = await startNode(port);
  await writeFile(path.join(model.dir, 'claim.txt'), claim);
  await writeFile(path.join(model.dir, 'input.json'), JSON.stringify({ score: [[0.6]] }));
}, 300_000);

afterAll(async () => {
  node?.kill();
  await releaseCurves();
  await model?.cleanup();
});

interface DeployJson {
  deployment: { chainId: string; registry: string; verifier: string; modelId: string; owner: string };
  gas: { verifier: string; register: string; registry?: string };
  file: string;
}

describe('zkinfer deploy / attest / verify --onchain with --rpc (hardhat node)', () => {
  it('deploys with a private key, records deployment.json, attests once, verifies through the registry', async () => {
    const dir = model.dir;
    const content = path.join(dir, 'claim.txt');
    await zkinferJson(['prove', dir, '--input', path.join(dir, 'input.json'), '--content', content]);

    const deployed = await zkinferJson<DeployJson>(['deploy', dir, '--rpc', rpc, '--private-key', SECOND_ACCOUNT.key]);
    expect(deployed.deployment.chainId).toBe('31337');
    expect(deployed.deployment.owner).toBe(SECOND_ACCOUNT.address);
    expect(deployed.file).toBe(path.join(dir, 'deployment.json'));

    // attest sends from the node's first account; the deployment comes from deployment.json.
    const attested = await zkinferJson<{ attestation: { modelId: string; contentHash: string; attester: string; gasUsed: string }; registry: string }>([
      'attest', dir, '--rpc', rpc, '--content', content,
    ]);
    expect(attested.registry).toBe(deployed.deployment.registry);
    expect(attested.attestation.modelId).toBe(deployed.deployment.modelId);
    expect(attested.attestation.contentHash).toBe(contentHashHex(contentHashOf(new TextEncoder().encode(claim))));
    expect(Number(attested.attestation.gasUsed)).toBeLessThanOrEqual(300_000);

    const verified = await zkinferJson<{ valid: boolean; via: string; address: string }>(['verify', dir, '--onchain', '--rpc', rpc]);
    expect(verified).toMatchObject({ valid: true, via: 'registry', address: deployed.deployment.registry });

    const replay = await zkinfer(['attest', dir, '--rpc', rpc]);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toMatch(/attest reverted: AlreadyAttested\(0x[0-9a-f]{64}, 0x[0-9a-f]{64}\)/);
  });

  it('registers into an existing registry with --registry', async () => {
    const first = await zkinferJson<DeployJson>(['deploy', model.dir, '--rpc', rpc]);
    const second = await zkinferJson<DeployJson>(['deploy', model.dir, '--rpc', rpc, '--registry', first.deployment.registry]);
    expect(second.deployment.registry).toBe(first.deployment.registry);
    expect(second.gas.registry).toBeUndefined();
    expect(second.deployment.modelId).not.toBe(first.deployment.modelId);
  });

  it('clear errors: an unreachable endpoint, a key without --rpc, content the proof is not about', async () => {
    const down = await zkinfer(['deploy', model.dir, '--rpc', `http://127.0.0.1:${await freePort()}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the JSON-RPC endpoint http:\/\/127\.0\.0\.1:\d+\/: ECONNREFUSED/);
    const keyOnly = await zkinfer(['deploy', model.dir, '--private-key', SECOND_ACCOUNT.key]);
    expect(keyOnly.stderr).toMatch(/--private-key needs --rpc/);
    const other = await zkinfer(['attest', model.dir, '--rpc', rpc, '--content-hash', '0x1234']);
    expect(other.stderr).toMatch(/the proof is about content 0x[0-9a-f]{64}, the given content hashes to 0x0{60}1234/);
  });
});
