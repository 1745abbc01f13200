/**
 * The header of a circom .r1cs file (iden3 container, magic "r1cs", version 1).
 *
 * Sections: 1 header, 2 constraints, 3 wire → label map, 4/5 custom gates (PLONK only).
 * The header section:
 *
 * | size    | field                                       |
 * |---------|---------------------------------------------|
 * | 4       | n8: bytes per field element                 |
 * | n8      | prime (little-endian)                       |
 * | 4       | wires (including the constant-1 wire 0)     |
 * | 4       | public outputs                              |
 * | 4       | public inputs                               |
 * | 4       | private inputs                              |
 * | 8       | labels                                      |
 * | 4       | constraints                                 |
 */
import { ArtifactError } from '../errors.ts';
import { binFileBytes, openBinFile, type BinFile, readBigUIntLE, uniqueSection, writeBigUIntLE } from './binfile.ts';

const R1CS_MAGIC = 'r1cs';
const SECTION_HEADER = 1;
const SECTION_CONSTRAINTS = 2;
const SECTION_WIRE_LABELS = 3;

export interface R1csHeader {
  prime: bigint;
  wires: number;
  publicOutputs: number;
  publicInputs: number;
  privateInputs: number;
  labels: number;
  constraints: number;
}

/** The header section, and the bytes of a field element the constraints use. */
async function headerOf(file: BinFile, path: string): Promise<{ header: R1csHeader; n8: number }> {
  const section = uniqueSection(file, SECTION_HEADER, 'header');
  const n8 = (await file.read(section, 0, 4)).readUInt32LE(0);
  const expected = 4 + n8 + 4 * 4 + 8 + 4;
  if (section.size !== expected) {
    throw new ArtifactError(`${path}: r1cs header is ${section.size} bytes, expected ${expected} for ${n8}-byte field elements`);
  }
  const b = await file.read(section, 0, expected);
  let at = 4;
  const prime = readBigUIntLE(b, at, n8);
  at += n8;
  const wires = b.readUInt32LE(at);
  const publicOutputs = b.readUInt32LE(at + 4);
  const publicInputs = b.readUInt32LE(at + 8);
  const privateInputs = b.readUInt32LE(at + 12);
  const labels = Number(b.readBigUInt64LE(at + 16));
  const constraints = b.readUInt32LE(at + 24);
  return { n8, header: { prime, wires, publicOutputs, publicInputs, privateInputs, labels, constraints } };
}

export async function readR1csHeader(path: string): Promise<R1csHeader> {
  const file = await openBinFile(path, R1CS_MAGIC);
  try {
    return (await headerOf(file, path)).header;
  } finally {
    await file.close();
  }
}

type LinearCombination = Map<number, bigint>;

/**
 * The header and every constraint A·B − C = 0 (each a map wire → coefficient), the constraint
 * section read at once: for the circuits of tests and equivalence checks, not for streaming.
 */
export async function readR1cs(path: string): Promise<{ header: R1csHeader; constraints: { a: LinearCombination; b: LinearCombination; c: LinearCombination }[] }> {
  const file = await openBinFile(path, R1CS_MAGIC);
  try {
    const { n8, header } = await headerOf(file, path);
    const section = uniqueSection(file, SECTION_CONSTRAINTS, 'constraints');
    const body = await file.read(section, 0, section.size);
    let at = 0;
    const lc = (): LinearCombination => {
      const m: LinearCombination = new Map();
      const terms = body.readUInt32LE(at);
      at += 4;
      for (let i = 0; i < terms; i++) {
        m.set(body.readUInt32LE(at), readBigUIntLE(body, at + 4, n8));
        at += 4 + n8;
      }
      return m;
    };
    const constraints = Array.from({ length: header.constraints }, () => ({ a: lc(), b: lc(), c: lc() }));
    return { header, constraints };
  } finally {
    await file.close();
  }
}

/** What an .r1cs file holds: counts, constraints A·B − C = 0 over wires, and each wire's label. */
export interface R1csContent {
  prime: bigint;
  publicOutputs: number;
  publicInputs: number;
  privateInputs: number;
  labels: number;
  /** Wire → label (circom's signal number). */
  wireLabels: ArrayLike<number>;
  /** Each a map wire → coefficient in [0, prime), or signal → coefficient when `wireOf` is given. */
  constraints: readonly { a: ReadonlyMap<number, bigint>; b: ReadonlyMap<number, bigint>; c: ReadonlyMap<number, bigint> }[];
  /** Signal → wire, for constraints over signals. */
  wireOf?: ArrayLike<number>;
}

const FIELD_BYTES = 32;

/** The .r1cs bytes (version 1, sections header, constraints, wire → label map), as circom writes them. */
export function r1csBytes(content: R1csContent): Buffer {
  const header = Buffer.alloc(4 + FIELD_BYTES + 4 * 4 + 8 + 4);
  header.writeUInt32LE(FIELD_BYTES, 0);
  writeBigUIntLE(header, 4, FIELD_BYTES, content.prime);
  let at = 4 + FIELD_BYTES;
  header.writeUInt32LE(content.wireLabels.length, at);
  header.writeUInt32LE(content.publicOutputs, at + 4);
  header.writeUInt32LE(content.publicInputs, at + 8);
  header.writeUInt32LE(content.privateInputs, at + 12);
  header.writeBigUInt64LE(BigInt(content.labels), at + 16);
  header.writeUInt32LE(content.constraints.length, at + 24);

  let size = 0;
  for (const { a, b, c } of content.constraints) size += 12 + (a.size + b.size + c.size) * (4 + FIELD_BYTES);
  const body = Buffer.alloc(size);
  // Coefficients repeat (powers of two, weights, −1): encode each distinct one once.
  const encoded = new Map<bigint, Buffer>();
  at = 0;
  for (const constraint of content.constraints) {
    for (const lc of [constraint.a, constraint.b, constraint.c]) {
      body.writeUInt32LE(lc.size, at);
      at += 4;
      for (const [key, k] of lc) {
        body.writeUInt32LE(content.wireOf ? content.wireOf[key]! : key, at);
        let bytes = encoded.get(k);
        if (!bytes) {
          bytes = Buffer.alloc(FIELD_BYTES);
          writeBigUIntLE(bytes, 0, FIELD_BYTES, k);
          encoded.set(k, bytes);
        }
        body.set(bytes, at + 4);
        at += 4 + FIELD_BYTES;
      }
    }
  }
  const map = Buffer.alloc(8 * content.wireLabels.length);
  for (let w = 0; w < content.wireLabels.length; w++) map.writeBigUInt64LE(BigInt(content.wireLabels[w]!), 8 * w);
  return binFileBytes(R1CS_MAGIC, 1, [
    [SECTION_HEADER, header],
    [SECTION_CONSTRAINTS, body],
    [SECTION_WIRE_LABELS, map],
  ]);
}
