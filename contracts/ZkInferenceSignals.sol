// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Decoding of zkinfer public signals
/// @notice Circuit values are signed integers carried as BN254 field elements: x >= 0 as x, x < 0 as r + x.
library ZkInferenceSignals {
    /// @dev The BN254 scalar field modulus r.
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @dev Largest non-negative value; everything above it is r + x for some negative x.
    uint256 private constant MAX_POSITIVE = (SCALAR_FIELD - 1) / 2;

    error NotAFieldElement(uint256 value);
    error EmptyOutputs();

    function toInt(uint256 signal) internal pure returns (int256) {
        if (signal >= SCALAR_FIELD) revert NotAFieldElement(signal);
        // r < 2^254, so both casts are exact.
        return signal > MAX_POSITIVE ? -int256(SCALAR_FIELD - signal) : int256(signal);
    }

    /// @notice Index of the largest output, the first one on ties (as ONNX ArgMax and the circuit's gadget do).
    function argmax(uint256[] calldata outputs) internal pure returns (uint256 index) {
        if (outputs.length == 0) revert EmptyOutputs();
        int256 best = toInt(outputs[0]);
        for (uint256 i = 1; i < outputs.length; ++i) {
            int256 value = toInt(outputs[i]);
            if (value > best) (best, index) = (value, i);
        }
    }

    /// @notice The content hash a circuit takes as public signal: keccak256 shifted right 8 bits,
    /// so it is always below r and survives the round trip through the field (Semaphore's convention).
    function contentHashOf(bytes memory content) internal pure returns (bytes32) {
        return bytes32(uint256(keccak256(content)) >> 8);
    }
}
