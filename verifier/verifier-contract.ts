/**
 * The Solidity Groth16 verifier of one compiled model, generated from its verification
 * key and manifest. Leaner than snarkjs's template where it matters for gas: the IC
 * points are one byte string walked in a loop (zero public signals skip their
 * multiplication), and the checks a caller needs are done in the contract itself:
 * the signal count, every signal below r, and every public model input inside the
 * range the circuit assumes (the circuit does not range-check public inputs).
 *
 * Contract size is capped at 24,576 bytes (EIP-170), 64 bytes per public signal. Keys
 * with more IC points than fit are stored in data contracts ("IC chunks": runtime code =
 * STOP byte + raw points), deployed first; the verifier's constructor takes their
 * addresses and checks each chunk's code hash against a constant, so the verifier's own
 * code still commits to the whole key.
 */
import type { Groth16VerificationKey } from 'snarkjs';
import { concat, getBytes, keccak256, toBeHex } from 'ethers';
import type { Manifest } from '../core/manifest.ts';
import { ArtifactError } from '../core/errors.ts';
import { PROOF_BYTES, verificationKeyHash, verificationKeyWords } from './calldata.ts';
import { BN254_BASE_MODULUS, BN254_SCALAR_MODULUS } from '../core/field.ts';
import { contentHashIndex, publicSignalCount } from '../core/public-signals.ts';

export const VERIFIER_CONTRACT = 'ZkInferenceVerifier';

/** IC bytes kept inside the verifier's own code; more go to chunk contracts. */
const EMBEDDED_IC_LIMIT = 16_384;
/** Points per chunk contract: 383 · 64 bytes + the STOP byte ≤ 24,576 bytes. */
const POINTS_PER_CHUNK = 383;

export interface GeneratedVerifier {
  contractName: string;
  source: string;
  /** Runtime code of each IC chunk contract (empty when the points are embedded). */
  chunks: string[];
  /** Where things sit in the public signals: [outputs | output hash][content hash][model commitment][public inputs]; modelCommitmentIndex 0: none. */
  layout: { publicSignals: number; outputs: number; contentHashIndex: number; modelCommitmentIndex: number };
  verificationKeyHash: string;
}

const word = (v: bigint) => toBeHex(v, 32);

/** Creation code that deploys `runtime` as a contract's code unchanged. */
export function dataContractInitCode(runtime: string): string {
  const length = getBytes(runtime).length;
  if (length > 0xffff) throw new RangeError('data contract too large');
  // PUSH2 len, DUP1, PUSH1 12, PUSH1 0, CODECOPY, PUSH1 0, RETURN: 12 bytes, then the code.
  return concat(['0x61', toBeHex(length, 2), '0x80600c6000396000f3', runtime]);
}

interface InputRange {
  start: number;
  end: number;
  min: bigint;
  max: bigint;
  tensor: string;
}

function inputRanges(manifest: Manifest): InputRange[] {
  return manifest.publicSignals
    .filter((r) => r.kind === 'input')
    .map((r) => {
      const spec = manifest.inputs.find((t) => t.name === r.tensor);
      if (!spec) throw new ArtifactError(`manifest.json: public input run "${r.tensor}" names no input tensor`);
      return { start: r.offset, end: r.offset + r.length, min: BigInt(spec.min), max: BigInt(spec.max), tensor: r.tensor };
    });
}

/**
 * One assembly loop per public input tensor. Inputs are quantized with 0 representable
 * (min ≤ 0 ≤ max), so in field terms a value is in range when s ≤ max or s ≥ r + min;
 * a value ≥ r passes here and is caught by the field check in _pairing.
 */
function rangeCheck(r: InputRange): string {
  if (r.min > 0n || r.max < 0n) throw new ArtifactError(`input "${r.tensor}" has range [${r.min}, ${r.max}], which does not hold 0`);
  const lowest = r.min < 0n ? BN254_SCALAR_MODULUS + r.min : BN254_SCALAR_MODULUS;
  return [
    `        // input "${r.tensor.replace(/[^\x20-\x7e]/g, '?')}": signals ${r.start}..${r.end - 1} in [${r.min}, ${r.max}]`,
    '        assembly ("memory-safe") {',
    `            for { let i := ${r.start} } lt(i, ${r.end}) { i := add(i, 1) } {`,
    '                let s := calldataload(add(publicSignals.offset, shl(5, i)))',
    `                if and(gt(s, ${r.max}), lt(s, ${lowest})) {`,
    '                    mstore(0, outOfRange)',
    '                    mstore(4, i)',
    '                    revert(0, 0x24)',
    '                }',
    '            }',
    '        }',
  ].join('\n');
}

/**
 * Generates the verifier. `origin` names the model in the header comment.
 *
 * @example
 * const { source, chunks } = generateVerifier(vk, manifest);
 */
export function generateVerifier(vk: Groth16VerificationKey, manifest: Manifest): GeneratedVerifier {
  const n = publicSignalCount(manifest);
  if (vk.nPublic !== n) throw new ArtifactError(`verification key has ${vk.nPublic} public signals, manifest.json ${n}`, { hint: 'run zkinfer setup again' });
  const contentIndex = contentHashIndex(manifest);
  const outputs = manifest.publicSignals.filter((r) => r.kind === 'output' || r.kind === 'output-hash').reduce((a, r) => a + r.length, 0);
  // 0 for none: the content hash always comes before the commitment, so 0 is never its index.
  const commitmentIndex = manifest.publicSignals.find((r) => r.kind === 'model')?.offset ?? 0;
  const w = verificationKeyWords(vk);
  const icBytes = concat(w.ic.map(word));
  const icLength = getBytes(icBytes).length;
  const embedded = icLength <= EMBEDDED_IC_LIMIT;

  const chunks: string[] = [];
  if (!embedded) {
    for (let p = 0; p < vk.IC.length; p += POINTS_PER_CHUNK) {
      chunks.push(concat(['0x00', ...w.ic.slice(2 * p, 2 * Math.min(p + POINTS_PER_CHUNK, vk.IC.length)).map(word)]));
    }
  }
  const g2 = (name: string, v: bigint[]) =>
    [`    uint256 internal constant ${name}_X1 = ${v[0]};`, `    uint256 internal constant ${name}_X0 = ${v[1]};`, `    uint256 internal constant ${name}_Y1 = ${v[2]};`, `    uint256 internal constant ${name}_Y0 = ${v[3]};`].join('\n');

  const icStorage = embedded
    ? `    bytes internal constant IC = hex"${icBytes.slice(2)}";`
    : [
        ...chunks.map((_, i) => `    address internal immutable IC_CHUNK_${i};`),
        ...chunks.map((c, i) => `    bytes32 internal constant IC_CHUNK_${i}_HASH = ${keccak256(c)};`),
        '',
        `    constructor(address[${chunks.length}] memory icChunks) {`,
        ...chunks.map((_, i) => `        if (icChunks[${i}].codehash != IC_CHUNK_${i}_HASH) revert ICChunkMismatch(${i});`),
        ...chunks.map((_, i) => `        IC_CHUNK_${i} = icChunks[${i}];`),
        '    }',
      ].join('\n');
  const icLoad = embedded
    ? '        bytes memory ic = IC;'
    : [
        `        bytes memory ic = new bytes(${icLength});`,
        ...chunks.map((c, i) => {
          const size = getBytes(c).length - 1;
          const at = i * POINTS_PER_CHUNK * 64;
          return `        { address chunk = IC_CHUNK_${i}; assembly { extcodecopy(chunk, add(ic, ${0x20 + at}), 1, ${size}) } }`;
        }),
      ].join('\n');
  const ranges = inputRanges(manifest);

  const source = `// SPDX-License-Identifier: MIT
// Generated by zkinfer for ${manifest.model.file.replace(/[^\x20-\x7e]/g, '?')} (sha256 ${manifest.model.sha256}).
// Groth16 verifier over BN254; do not edit: run zkinfer export-verifier again instead.
// Public signals (${n}): ${manifest.publicSignals.some((r) => r.kind === 'output-hash') ? 'output hash' : 'outputs'} 0..${outputs - 1}, content hash at ${contentIndex}${commitmentIndex ? `, model commitment at ${commitmentIndex}` : ''}${ranges.length ? `, public inputs ${ranges[0]!.start}..${n - 1}` : ''}.
pragma solidity ^0.8.24;

contract ${VERIFIER_CONTRACT} {
    error PublicSignalCount(uint256 expected, uint256 given);
    error ProofLength(uint256 expected, uint256 given);
    error SignalNotInField(uint256 index);
    error InputOutOfRange(uint256 index);${embedded ? '' : '\n    error ICChunkMismatch(uint256 chunk);'}

    uint256 public constant publicSignalCount = ${n};
    uint256 public constant outputCount = ${outputs};
    uint256 public constant contentHashIndex = ${contentIndex};
    uint256 public constant modelCommitmentIndex = ${commitmentIndex};
    bytes32 public constant verificationKeyHash = ${verificationKeyHash(vk)};

    uint256 internal constant R = ${BN254_SCALAR_MODULUS};
    uint256 internal constant Q = ${BN254_BASE_MODULUS};

    uint256 internal constant ALPHA_X = ${w.alpha[0]};
    uint256 internal constant ALPHA_Y = ${w.alpha[1]};
${g2('BETA', w.beta)}
${g2('GAMMA', w.gamma)}
${g2('DELTA', w.delta)}

    // IC points (x, y), 64 bytes each: IC[0] then one per public signal.
${icStorage}

    /// Reverts on malformed input; returns whether the proof verifies for these signals.
    function verifyProof(bytes calldata proof, uint256[] calldata publicSignals) external view returns (bool) {
        if (publicSignals.length != ${n}) revert PublicSignalCount(${n}, publicSignals.length);
        if (proof.length != ${PROOF_BYTES}) revert ProofLength(${PROOF_BYTES}, proof.length);${ranges.length ? '\n        bytes4 outOfRange = InputOutOfRange.selector;' : ''}
${ranges.map(rangeCheck).join('\n')}
${icLoad}
        return _pairing(proof, publicSignals, ic);
    }

    /// e(−A, B) · e(α, β) · e(vk_x, γ) · e(C, δ) = 1, with vk_x = IC[0] + Σ signal_i · IC[i+1].
    /// Reverts with SignalNotInField for a signal ≥ r (a precompile would reduce it mod r).
    function _pairing(bytes calldata proof, uint256[] calldata publicSignals, bytes memory ic) private view returns (bool valid) {
        bytes4 notInField = SignalNotInField.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            let ok := 1
            // vk_x accumulates at m; ecMul's input and output use m + 0x40.
            mstore(m, mload(add(ic, 0x20)))
            mstore(add(m, 0x20), mload(add(ic, 0x40)))
            for { let i := 0 } lt(i, ${n}) { i := add(i, 1) } {
                let s := calldataload(add(publicSignals.offset, shl(5, i)))
                if iszero(lt(s, R)) {
                    mstore(0, notInField)
                    mstore(4, i)
                    revert(0, 0x24)
                }
                if s {
                    let p := add(ic, add(0x60, shl(6, i)))
                    mstore(add(m, 0x40), mload(p))
                    mstore(add(m, 0x60), mload(add(p, 0x20)))
                    mstore(add(m, 0x80), s)
                    ok := and(ok, staticcall(gas(), 0x07, add(m, 0x40), 0x60, add(m, 0x40), 0x40))
                    ok := and(ok, staticcall(gas(), 0x06, m, 0x80, m, 0x40))
                }
            }
            let vkx := mload(m)
            let vky := mload(add(m, 0x20))

            // −A: negate y (a y ≥ q is rejected rather than reduced).
            let ay := calldataload(add(proof.offset, 0x20))
            ok := and(ok, lt(ay, Q))
            mstore(m, calldataload(proof.offset))
            mstore(add(m, 0x20), mod(sub(Q, ay), Q))
            calldatacopy(add(m, 0x40), add(proof.offset, 0x40), 0x80)
            mstore(add(m, 0xc0), ALPHA_X)
            mstore(add(m, 0xe0), ALPHA_Y)
            mstore(add(m, 0x100), BETA_X1)
            mstore(add(m, 0x120), BETA_X0)
            mstore(add(m, 0x140), BETA_Y1)
            mstore(add(m, 0x160), BETA_Y0)
            mstore(add(m, 0x180), vkx)
            mstore(add(m, 0x1a0), vky)
            mstore(add(m, 0x1c0), GAMMA_X1)
            mstore(add(m, 0x1e0), GAMMA_X0)
            mstore(add(m, 0x200), GAMMA_Y1)
            mstore(add(m, 0x220), GAMMA_Y0)
            calldatacopy(add(m, 0x240), add(proof.offset, 0xc0), 0x40)
            mstore(add(m, 0x280), DELTA_X1)
            mstore(add(m, 0x2a0), DELTA_X0)
            mstore(add(m, 0x2c0), DELTA_Y1)
            mstore(add(m, 0x2e0), DELTA_Y0)
            ok := and(ok, staticcall(gas(), 0x08, m, 0x300, m, 0x20))
            valid := and(ok, mload(m))
        }
    }
}
`;
  return {
    contractName: VERIFIER_CONTRACT,
    source,
    chunks,
    layout: { publicSignals: n, outputs, contentHashIndex: contentIndex, modelCommitmentIndex: commitmentIndex },
    verificationKeyHash: verificationKeyHash(vk),
  };
}
