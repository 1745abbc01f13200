/**
 * The layering of docs/architecture.md, checked on the sources: core/ at the bottom; the
 * compiler (circuits/), the prover and the verifier on top of it, prover/ and verifier/ meeting
 * only in files; cli/ on top of all, through each library's façade (index.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.ts';

const LIBRARIES = ['core', 'circuits', 'prover', 'verifier'] as const;
const LAYERS = [...LIBRARIES, 'cli'] as const;
type Layer = (typeof LAYERS)[number];

function sources(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(REPO_ROOT, path.join(e.parentPath, e.name)));
}

/** Relative specifiers of static imports, re-exports and dynamic imports, resolved to repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)|(?:^|\n)import\s+'(\.{1,2}\/[^']+)'/g)];
  return found.map((m) => path.relative(REPO_ROOT, path.resolve(path.dirname(path.join(REPO_ROOT, file)), m[1] ?? m[2] ?? m[3]!)));
}

const layerOf = (file: string): Layer | undefined => LAYERS.find((l) => file.startsWith(`${l}/`));
const files = LAYERS.flatMap(sources);
const edges = new Map(files.map((f) => [f, importsOf(f)]));

/** Every import from a file of layer `from` into layer `to`, as "file → target". */
function crossings(from: Layer, to: Layer, allowed: (target: string) => boolean = () => false): string[] {
  return files.filter((f) => layerOf(f) === from).flatMap((f) => edges.get(f)!.filter((t) => layerOf(t) === to && !allowed(t)).map((t) => `${f} → ${t}`));
}

describe('import rules', () => {
  it('finds the sources and their imports', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.get('cli/main.ts')).toContain('circuits/index.ts');
  });

  it('core/ imports nothing of the layers above it', () => {
    for (const to of ['circuits', 'prover', 'verifier', 'cli'] as const) expect(crossings('core', to)).toEqual([]);
  });

  it('the compiler imports neither prover/ nor verifier/', () => {
    expect([...crossings('circuits', 'prover'), ...crossings('circuits', 'verifier')]).toEqual([]);
  });

  it('prover/ and verifier/ do not import each other', () => {
    expect([...crossings('prover', 'verifier'), ...crossings('verifier', 'prover')]).toEqual([]);
  });

  it('no library imports cli/', () => {
    for (const from of LIBRARIES) expect(crossings(from, 'cli')).toEqual([]);
  });

  it('outside the compiler, its files are reached only through circuits/index.ts', () => {
    for (const from of ['prover', 'verifier', 'cli'] as const) expect(crossings(from, 'circuits', (t) => t === 'circuits/index.ts')).toEqual([]);
  });

  it('cli/ imports each library through its façade', () => {
    for (const to of LIBRARIES) expect(crossings('cli', to, (t) => t === `${to}/index.ts`)).toEqual([]);
  });

  it('the constraint-system builder is a ground floor: circuits/constraints/ imports only core/ and itself', () => {
    const inside = (t: string) => t.startsWith('circuits/constraints/') || t.startsWith('core/');
    expect(files.filter((f) => f.startsWith('circuits/constraints/')).flatMap((f) => edges.get(f)!.filter((t) => !inside(t)).map((t) => `${f} → ${t}`))).toEqual([]);
  });

  it('a gadget stands on the builder: circuits/gadgets/ imports only core/, circuits/constraints/ and other gadgets', () => {
    const below = (t: string) => t.startsWith('circuits/gadgets/') || t.startsWith('circuits/constraints/') || t.startsWith('core/');
    expect(files.filter((f) => f.startsWith('circuits/gadgets/')).flatMap((f) => edges.get(f)!.filter((t) => !below(t)).map((t) => `${f} → ${t}`))).toEqual([]);
  });

  it("verifier/'s import closure holds no compiler file", () => {
    const seen = new Set<string>();
    const stack = files.filter((f) => layerOf(f) === 'verifier');
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      stack.push(...(edges.get(f) ?? []).filter((t) => edges.has(t)));
    }
    expect([...seen].filter((f) => layerOf(f) === 'circuits')).toEqual([]);
    expect([...seen].some((f) => f.startsWith('core/'))).toBe(true);
  });
});
