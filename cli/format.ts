/** Human-readable rendering of results for the terminal (the --json output is the raw result). */
import { contentHashHex, DEFAULT_VISIBILITY, sizeOf, type DecodedTensor, type Manifest } from '../core/index.ts';
import type { BatchResult } from '../prover/index.ts';

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function preview(values: readonly (string | number)[], limit = 10): string {
  const shown = values.slice(0, limit).map((v) => (typeof v === 'number' ? Number(v.toPrecision(5)) : v));
  return `[${shown.join(', ')}${values.length > limit ? `, … ${values.length - limit} more` : ''}]`;
}

export function formatTensors(tensors: readonly DecodedTensor[]): string {
  return tensors
    .map((t) => [`${t.name} [${t.shape}]: argmax ${t.argmax}`, `  values   ${preview(t.values)}`, `  integers ${preview(t.integers)}`].join('\n'))
    .join('\n');
}

/** What a proof says: its outputs (or their hash and the claimed outputs), the content hash and any model commitment. */
export function formatStatement(s: { outputs: readonly DecodedTensor[]; contentHash: string; outputHash?: string; modelCommitment?: string }): string {
  return [
    ...(s.outputs.length > 0 ? [formatTensors(s.outputs)] : []),
    ...(s.outputHash ? [`output hash ${s.outputHash}${s.outputs.length > 0 ? ' (the outputs above hash to it)' : ''}`] : []),
    `content hash ${s.contentHash}`,
    ...(s.modelCommitment ? [`model commitment ${s.modelCommitment}`] : []),
  ].join('\n');
}

function setupKind(setup: NonNullable<Manifest['setup']>): string {
  if (!setup.development) return `ptau ${setup.ptau}`;
  return setup.method === 'dev' ? 'DEVELOPMENT (setup --dev: secrets made on this machine, not trustworthy)' : 'DEVELOPMENT (local ptau: not trustworthy)';
}

/** Constraints per hashed element of a hash layer, for the reveals line. */
function perElement(m: Manifest, node: string, elements: number): string {
  const layer = m.layers.find((l) => l.node === node);
  return layer && elements > 0 ? (layer.constraints / elements).toFixed(2) : '?';
}

/** What a proof of this model makes public, in words. */
function revealed(m: Manifest): string {
  const v = { ...DEFAULT_VISIBILITY, ...m.visibility };
  const count = m.publicSignals.reduce((a, r) => a + r.length, 0);
  const inputElements = m.inputs.reduce((a, t) => a + sizeOf(t.shape), 0);
  const input = {
    public: 'the input',
    private: 'not the input (private, range-checked in the circuit)',
    hashed: `not the input, whose Poseidon hash the circuit computes as the content hash (${perElement(m, '(input hash)', inputElements)} constraints per input element; zkinfer hash-input)`,
  }[v.input];
  const output = {
    logits: 'every output element',
    argmax: 'the class index only (--output argmax)',
    hashed: `a Poseidon hash of the outputs (${perElement(m, '(output hash)', m.outputs.reduce((a, t) => a + sizeOf(t.shape), 0))} constraints per output element)`,
  }[v.output];
  const weights = m.modelCommitment
    ? `, the model commitment (the weights stay private: ${perElement(m, '(model commitment)', m.modelCommitment.tensors.reduce((a, t) => a + t.length, 0))} constraints per weight to commit, plus one per multiply-accumulate)`
    : '';
  return `${output}, the content hash${weights} and ${input}: ${count} public signal${count === 1 ? '' : 's'}`;
}

/** A public signal run's row of the inspect table. */
function signalRow(m: Manifest, r: Manifest['publicSignals'][number]): (string | number)[] {
  const indices = `${r.offset}..${r.offset + r.length - 1}`;
  switch (r.kind) {
    case 'content':
      return [indices, r.kind, r.tensor, '', '', m.visibility?.input === 'hashed' ? 'Poseidon of the input' : 'keccak256(content) >> 8'];
    case 'model':
      return [indices, r.kind, r.tensor, '', '', `= ${m.modelCommitment?.value ?? '?'}`];
    case 'output-hash':
      return [indices, r.kind, r.tensor, '', '', 'Poseidon of the outputs'];
    case 'output':
    case 'input': {
      const t = (r.kind === 'output' ? m.outputs : m.inputs).find((x) => x.name === r.tensor)!;
      return [indices, r.kind, r.tensor, t.scale.toPrecision(6), t.zeroPoint, `[${t.min}, ${t.max}]`];
    }
  }
}

export function formatInspect(m: Manifest): string {
  const lines = [
    `model      ${m.model.file} (opset ${m.model.opset}, sha256 ${m.model.sha256.slice(0, 16)}…)`,
    `circuit    ${m.circuit.constraints} constraints${m.circuit.compiled ? ` (written by ${m.circuit.via ?? 'circom'}), ${m.circuit.wires} wires` : ' (counted by the compiler; no r1cs yet)'}`,
    `ptau       2^${m.circuit.ptauPower} needed`,
    m.quantization.calibration.used === false
      ? 'quantized  by the model itself (QDQ/QOperator): every scale and zero point is the model\'s own; calibration not used'
      : `quantized  ${m.quantization.bits}-bit activations and weights, ${m.quantization.multiplierBits}-bit multipliers; calibration: ${m.quantization.calibration.source}`,
    `setup      ${m.setup ? `${setupKind(m.setup)} 2^${m.setup.ptauPower}, ${m.setup.createdAt}` : 'none (run zkinfer setup)'}`,
    `reveals    ${revealed(m)}`,
    ...(m.modelCommitment ? [`commitment ${contentHashHex(BigInt(m.modelCommitment.value))} (model commitment: Poseidon of the weights in ir.json, which stay with the prover)`] : []),
    '',
    'layers',
    table(
      ['node', 'op', 'output shape', 'kind', 'bits', 'constraints'],
      m.layers.map((l) => [l.node, l.op, `[${l.shape}]`, l.note ?? '', l.bits, l.constraints]),
    ),
    '',
    'public signals (public.json order)',
    table(
      ['indices', 'kind', 'tensor', 'scale', 'zero point', 'range'],
      m.publicSignals.map((r) => signalRow(m, r)),
    ),
  ];
  if (m.inputs.some((i) => !i.rangeCheckedInCircuit)) {
    lines.push('', 'note: public inputs are not range-checked in the circuit; verifiers check them against the ranges above (zkinfer verify and the exported Solidity verifier do).');
  }
  return lines.join('\n');
}

/** A batch's summary: one row per input (its error in place of the figures when it failed), then the totals. */
export function formatBatch(r: BatchResult): string {
  const seconds = (s: number | undefined) => (s === undefined ? '' : s.toFixed(2));
  const rows = r.inputs.map((e) => [e.file, e.prediction ?? '', seconds(e.witnessSeconds), seconds(e.proveSeconds), e.error ? 'FAILED' : 'proved']);
  const upload = r.keyUploadSeconds === undefined ? '' : `; key loaded onto the GPU once in ${r.keyUploadSeconds.toFixed(2)}s`;
  return [
    table(['input', 'prediction', 'witness s', 'prove s', 'result'], rows),
    ...r.inputs.flatMap((e) => (e.error ? [`${e.file}: ${e.error.message}`] : [])),
    `${r.proved} of ${r.inputs.length} proved in ${r.totalSeconds.toFixed(1)}s (${r.prover}${upload}) → ${r.out}/<input>/proof.json, summary ${r.summaryFile}`,
  ].join('\n');
}
