/** Off-chain verification of zkinfer proofs: the public API of verifier/. */
export { ARTIFACT_FILES, missingArtifact, readManifest, type Step } from '../circuits/artifacts.ts';
export { releaseCurves } from './curves.ts';
export { decodeOutputs, type DecodedSignals, type DecodedTensor } from './decode.ts';
export { BN254_BASE_MODULUS, BN254_SCALAR_MODULUS, toField, toSigned } from '../circuits/field.ts';
export { parseProof } from './proof-json.ts';
export { parseFieldElement, parsePublicSignals, publicSignalCount } from './public-signals.ts';
export { DEVELOPMENT_SETUP_WARNING, readVerificationKey, verifyProof, type VerifyOptions, type VerifyResult } from './verify.ts';
