/** Off-chain verification of zkinfer proofs: the public API of verifier/. */
export { releaseCurves } from '../core/curves.ts';
export { decodeOutputs, type DecodedSignals, type DecodedTensor } from '../core/decode.ts';
export { BN254_BASE_MODULUS, BN254_SCALAR_MODULUS, toField, toSigned } from '../core/field.ts';
export { parseProof } from '../core/proof-json.ts';
export { parseFieldElement, parsePublicSignals, publicSignalCount } from '../core/public-signals.ts';
export { DEVELOPMENT_SETUP_WARNING, readVerificationKey, verifyProof, type VerifyOptions, type VerifyResult } from './verify.ts';
export { connect, type Chain, type ChainOptions } from './chain.ts';
export { attestFromDir, deployModel, readDeployment, verifyOnchain, type AttestOptions, type AttestResult, type Deployment, type DeployOptions, type DeployResult, type OnchainVerifyResult } from './deploy.ts';
export { exportVerifier, type ExportedVerifier } from './onchain.ts';
