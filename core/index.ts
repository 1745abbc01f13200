/**
 * The artifact contract every step shares: errors, atomic files, artifact paths and the
 * manifest, the BN254 fields, input quantization and output decoding, public signals and
 * proof JSON, the content hash and the off-chain Poseidon hashes, and the r1cs/wtns/ptau
 * binary formats. circuits/, prover/ and verifier/ stand on it and on nothing of each other's.
 */
export { ARTIFACT_FILES, missingArtifact, readArtifact, readJsonArtifact, readManifest, readUserJson, writeManifest, type Step } from './artifacts.ts';
export { contentHashHex, contentHashOf, contentHashOfJson, parseContentHash } from './content-hash.ts';
export { releaseCurves } from './curves.ts';
export { claimedOutputs, decodeOutputs, type DecodedSignals, type DecodedTensor } from './decode.ts';
export { ArtifactError, InputError, OnnxFormatError, ShapeError, ToolError, UnsupportedError, VerificationError, ZkInferError, type ZkInferErrorOptions } from './errors.ts';
export { BN254_BASE_MODULUS, BN254_SCALAR_MODULUS, bitLength, toField, toSigned } from './field.ts';
export { cacheDir, readUserJsonFile, replacePath, tempPathFor, toJson, writeFileAtomic, writeJsonAtomic } from './files.ts';
export { hashInput, inputContentHash, type InputHashResult } from './input-hash.ts';
export { dequantize, parseInputs, quantizeInputs, sizeOf, type QuantizedTensor } from './input.ts';
export * from './manifest.ts';
export { argmaxOf, decodeTensor } from './output.ts';
export { packedHash, packedTensor, poseidonSponge, type PackedTensor } from './poseidon.ts';
export { parseProof } from './proof-json.ts';
export { contentHashIndex, parseFieldElement, parsePublicSignals, publicSignalCount } from './public-signals.ts';
export { readPtauHeader, type PtauHeader } from './formats/ptau.ts';
export { r1csBytes, readR1csHeader, type R1csContent, type R1csHeader } from './formats/r1cs.ts';
export { readWitness, wtnsBytes, type WitnessSlice } from './formats/wtns.ts';
