import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Circuit compiles and proofs take seconds to minutes on 2 cores.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    env: {
      // circom_tester runs `circom` from PATH: our shim forwards to circom2 (WebAssembly).
      PATH: `${path.join(root, 'test/bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    },
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
