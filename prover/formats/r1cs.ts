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
import { ArtifactError } from '../../circuits/errors.ts';
import { openBinFile, readBigUIntLE, uniqueSection } from './binfile.ts';

const R1CS_MAGIC = 'r1cs';
const SECTION_HEADER = 1;

export interface R1csHeader {
  prime: bigint;
  wires: number;
  publicOutputs: number;
  publicInputs: number;
  privateInputs: number;
  labels: number;
  constraints: number;
}

export async function readR1csHeader(path: string): Promise<R1csHeader> {
  const file = await openBinFile(path, R1CS_MAGIC);
  try {
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
    return { prime, wires, publicOutputs, publicInputs, privateInputs, labels, constraints };
  } finally {
    await file.close();
  }
}
