// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title One-call check that a registered model produced some public signals
interface IZkInferenceVerifier {
    /// @notice True when `proof` is a valid proof, for the registered and active model `modelId`, of `publicSignals`.
    /// Never reverts for bad proofs/signals/unknown models: returns false.
    function verifyInference(bytes32 modelId, uint256[] calldata publicSignals, bytes calldata proof)
        external
        view
        returns (bool);
}
