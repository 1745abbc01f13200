/**
 * The iden3 binary container shared by .r1cs, .ptau, .zkey and .wtns files.
 *
 * | offset | size | field                                   |
 * |--------|------|-----------------------------------------|
 * | 0      | 4    | magic: "r1cs", "ptau", "zkey", "wtns"   |
 * | 4      | 4    | version (u32 LE)                        |
 * | 8      | 4    | number of sections (u32 LE)             |
 * | 12     | …    | sections, each: type (u32 LE), size (u64 LE), `size` bytes of data |
 *
 * We only ever need a few small sections, so we read the section table and then
 * exactly the bytes asked for: a multi-gigabyte zkey or ptau is never loaded.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ArtifactError } from '../errors.ts';

export interface Section {
  type: number;
  /** File offset of the section's data (after its 12-byte header). */
  offset: number;
  size: number;
}

export interface BinFile {
  path: string;
  magic: string;
  version: number;
  sections: Section[];
  /** Reads `length` bytes of a section's data starting `at` bytes into it. */
  read(section: Section, at: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

const CONTAINER_HEADER_BYTES = 12;
const SECTION_HEADER_BYTES = 12;

async function readExactly(fh: FileHandle, position: number, length: number, path: string): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buffer, 0, length, position);
  if (bytesRead !== length) {
    throw new ArtifactError(`${path} is truncated: expected ${length} bytes at offset ${position}, found ${bytesRead}`);
  }
  return buffer;
}

/** Opens a container file and reads its section table, checking the magic. Close it when done. */
export async function openBinFile(path: string, expectedMagic: string): Promise<BinFile> {
  const fh = await open(path, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    if (fileSize < CONTAINER_HEADER_BYTES) {
      throw new ArtifactError(`${path} is not a ${expectedMagic} file: only ${fileSize} bytes long`);
    }
    const head = await readExactly(fh, 0, CONTAINER_HEADER_BYTES, path);
    const magic = head.toString('latin1', 0, 4);
    if (magic !== expectedMagic) {
      throw new ArtifactError(`${path} is not a ${expectedMagic} file: it starts with ${JSON.stringify(magic)}`);
    }
    const version = head.readUInt32LE(4);
    const count = head.readUInt32LE(8);
    const sections: Section[] = [];
    let position = CONTAINER_HEADER_BYTES;
    for (let i = 0; i < count; i++) {
      const sh = await readExactly(fh, position, SECTION_HEADER_BYTES, path);
      const type = sh.readUInt32LE(0);
      const size = Number(sh.readBigUInt64LE(4));
      const offset = position + SECTION_HEADER_BYTES;
      if (offset + size > fileSize) {
        throw new ArtifactError(`${path} is truncated: section ${type} needs ${size} bytes at offset ${offset}, the file has ${fileSize}`);
      }
      sections.push({ type, offset, size });
      position = offset + size;
    }
    return {
      path,
      magic,
      version,
      sections,
      read: (section, at, length) => {
        if (at + length > section.size) {
          throw new ArtifactError(`${path}: section ${section.type} is ${section.size} bytes, cannot read ${length} at ${at}`);
        }
        return readExactly(fh, section.offset + at, length, path);
      },
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** The one section of a type, or an ArtifactError naming what is missing. */
export function uniqueSection(file: BinFile, type: number, name: string): Section {
  const found = file.sections.filter((s) => s.type === type);
  if (found.length !== 1) {
    throw new ArtifactError(`${file.path}: expected one ${name} section (type ${type}), found ${found.length}`);
  }
  return found[0]!;
}

/** Little-endian unsigned integer of any byte length. */
export function readBigUIntLE(buffer: Buffer, offset: number, length: number): bigint {
  let value = 0n;
  for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(buffer[offset + i]!);
  return value;
}

/** A container file's bytes: magic, version, then each section as (type, size, data). */
export function binFileBytes(magic: string, version: number, sections: readonly (readonly [number, Uint8Array])[]): Buffer {
  const head = Buffer.alloc(CONTAINER_HEADER_BYTES);
  head.write(magic, 0, 'latin1');
  head.writeUInt32LE(version, 4);
  head.writeUInt32LE(sections.length, 8);
  const parts: Uint8Array[] = [head];
  for (const [type, data] of sections) {
    const sh = Buffer.alloc(SECTION_HEADER_BYTES);
    sh.writeUInt32LE(type, 0);
    sh.writeBigUInt64LE(BigInt(data.length), 4);
    parts.push(sh, data);
  }
  return Buffer.concat(parts);
}

/** `value` as `n8` little-endian bytes written into `buffer` at `at`. */
export function writeBigUIntLE(buffer: Buffer, at: number, n8: number, value: bigint): void {
  // Most coefficients and witness values are small: one write instead of n8 bigint shifts.
  if (value >= 0n && value <= 0xffffffffffffn && n8 >= 6) {
    buffer.fill(0, at, at + n8);
    buffer.writeUIntLE(Number(value), at, 6);
    return;
  }
  let v = value;
  for (let i = 0; i < n8; i++) {
    buffer[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}
