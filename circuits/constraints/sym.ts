/**
 * circom's .sym file: one line per signal (the constant 1 excepted), `label,wire,component,name`,
 * wire −1 for a signal --O1 removed. Names tie the fast path's system to circom's
 * (test/system/equivalence.test.ts).
 */
import type { CircuitBuilder } from './builder.ts';
import type { SimplifiedSystem } from './simplify.ts';

export function symText(b: CircuitBuilder, system: SimplifiedSystem): string {
  const lines: string[] = [];
  for (let label = 1; label < system.idOfLabel.length; label++) {
    const id = system.idOfLabel[label]!;
    lines.push(`${label},${system.wireOf[id]},${system.componentOfLabel[label]},${b.names[id]}`);
  }
  return lines.join('\n') + '\n';
}

export interface SymEntry {
  label: number;
  wire: number;
  name: string;
}

/** Parses a .sym file's text. */
export function parseSym(text: string): SymEntry[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [label, wire, , ...name] = line.split(',');
      return { label: Number(label), wire: Number(wire), name: name.join(',') };
    });
}
