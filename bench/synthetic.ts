/**
 * Synthetic Groth16 workloads of any size without circom: an .r1cs and a matching .wtns
 * for prover benchmarks and tests, written by the native engine's `synthetic` command
 * (prover/native/src/cmd_synthetic.cpp, which also serves scripts/gpu-device.sh where no
 * Node is installed): a chain over a private input x, public output y,
 *   t1 = x·x,  t_i = t_{i−1}·x + i (i = 2 … n−1),  y = t_{n−1}·x
 * one constraint each, so n constraints and n + 2 wires (1, y, x, t1 … t_{n−1}); the
 * witness values are full-size field elements, as in real circuits.
 */
import { runNative } from '../prover/native.ts';

/** Writes `<base>.r1cs` and `<base>.wtns` for a chain of `constraints` (≥ 2) constraints. */
export async function writeSyntheticCircuit(base: string, constraints: number, x = 7n): Promise<{ r1cs: string; wtns: string; wires: number }> {
  if (!Number.isInteger(constraints) || constraints < 2) throw new RangeError('a synthetic circuit needs at least 2 constraints');
  await runNative(['synthetic', String(constraints), base, String(x)]);
  return { r1cs: `${base}.r1cs`, wtns: `${base}.wtns`, wires: constraints + 2 };
}
