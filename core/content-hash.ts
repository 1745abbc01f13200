/**
 * The content hash: which piece of content (an article, a claim, an image) a proof
 * speaks about. keccak256 of the content's bytes shifted right by 8 bits, so that it is
 * below the BN254 scalar modulus and fits a public signal (Semaphore's convention);
 * Solidity computes the same value as `bytes32(uint256(keccak256(content)) >> 8)`.
 */
import { keccak256 } from 'ethers';
import { InputError } from './errors.ts';
import { BN254_SCALAR_MODULUS } from './field.ts';

export function contentHashOf(content: Uint8Array): bigint {
  return BigInt(keccak256(content)) >> 8n;
}

/** The hash of an input given as JSON (the default content when none is named): its compact JSON text. */
export function contentHashOfJson(value: unknown): bigint {
  return contentHashOf(new TextEncoder().encode(JSON.stringify(value)));
}

/** A content hash as the 32-byte hex a contract sees as `bytes32`. */
export function contentHashHex(hash: bigint): string {
  return `0x${hash.toString(16).padStart(64, '0')}`;
}

/** Parses a content hash given by a user: 0x-prefixed hex or a decimal, below the scalar modulus. */
export function parseContentHash(text: string, source = '--content-hash'): bigint {
  const ok = /^0x[0-9a-fA-F]{1,64}$/.test(text) || /^(0|[1-9][0-9]*)$/.test(text);
  const value = ok ? BigInt(text) : -1n;
  if (value < 0n || value >= BN254_SCALAR_MODULUS) {
    throw new InputError(`${source}: ${JSON.stringify(text)} is not a content hash`, {
      hint: 'give 0x-prefixed hex or a decimal below the BN254 scalar modulus, e.g. the output of `zkinfer hash-content FILE`',
    });
  }
  return value;
}
