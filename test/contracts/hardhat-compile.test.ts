/**
 * `npx hardhat compile` works offline: hardhat.config.cjs hands Hardhat the npm solc
 * package's soljson.js instead of a download, and compiles contracts/ to the same ABI
 * as zkinfer's own solc-js path (verifier/solidity.ts).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectContracts } from '../../verifier/solidity.ts';
import { REPO_ROOT } from '../support/shared.ts';

describe('hardhat compile', () => {
  it('compiles contracts/ with the bundled solc, no download', async () => {
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [path.join(REPO_ROOT, 'node_modules/hardhat/internal/cli/cli.js'), 'compile', '--force'], { cwd: REPO_ROOT }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, out: stdout + stderr }),
      );
    });
    expect(result.out).not.toMatch(/download/i);
    expect(result.code, result.out).toBe(0);
    const artifact = JSON.parse(await readFile(path.join(REPO_ROOT, '.cache/hardhat/artifacts/contracts/InferenceRegistry.sol/InferenceRegistry.json'), 'utf8')) as { abi: unknown };
    expect(artifact.abi).toEqual((await projectContracts()).InferenceRegistry!.abi);
  });
});
