#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so the package needs no build step.
import { register } from 'tsx/esm/api';

register();
// `zkinfer … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
