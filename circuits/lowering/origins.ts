/**
 * What each constraint is counted under (CircuitBuilder.origin, set by circuits/lowering/lower.ts):
 * an IR node by its output tensor, an input's range check, a hash, or the public outputs'
 * bindings. The manifest's per-layer counts and model.circom's comments are what circom's
 * --O1 leaves of each.
 */
import type { SimplifiedSystem } from '../constraints/simplify.ts';

export const ORIGINS = {
  node: (output: string) => `node ${output}`,
  inputRange: (input: string) => `input-range ${input}`,
  inputHash: 'input-hash',
  modelCommitment: 'model-commitment',
  outputHash: 'output-hash',
  outputs: 'outputs',
} as const;

/** Constraints of the simplified system by origin; an origin with none is absent (count 0). */
export type OriginCounts = ReadonlyMap<string, number>;

export function constraintsByOrigin(system: Pick<SimplifiedSystem, 'constraints'>): OriginCounts {
  const counts = new Map<string, number>();
  for (const { origin = '' } of system.constraints) counts.set(origin, (counts.get(origin) ?? 0) + 1);
  return counts;
}
