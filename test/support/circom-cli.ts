/** `circom ARGS…` through circom2 with absolute paths made usable: the shim circom_tester calls. */
import { ZkInferError } from '../../core/errors.ts';
import { runCircom } from '../../circuits/backends/circom-runner.ts';

try {
  const { stdout, stderr } = await runCircom(process.argv.slice(2));
  process.stdout.write(stdout);
  process.stderr.write(stderr);
} catch (err) {
  process.stderr.write(`${err instanceof ZkInferError ? err.describe() : String(err)}\n`);
  process.exitCode = 1;
}
