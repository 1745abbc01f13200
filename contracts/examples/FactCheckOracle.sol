// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {InferenceRegistry} from "../InferenceRegistry.sol";
import {IZkInferenceVerifier} from "../IZkInferenceVerifier.sol";
import {ZkInferenceSignals} from "../ZkInferenceSignals.sol";

/// @title Example: acting on a proven model verdict
/// @notice Accepts a claim once a zkinfer model has classified it as `supportedVerdict`.
contract FactCheckOracle {
    InferenceRegistry public immutable registry;
    bytes32 public immutable modelId;
    uint256 public immutable supportedVerdict;
    // A registered model's layout never changes, so it is safe to cache.
    uint256 private immutable _outputCount;
    uint256 private immutable _contentHashIndex;

    mapping(bytes32 contentHash => bool) public accepted;

    event ClaimAccepted(bytes32 indexed contentHash, string claim, uint256 verdict);

    error VerdictOutOfRange(uint256 verdict, uint256 outputCount);
    error NotAttested(bytes32 contentHash);
    error InvalidInference();
    error ContentHashMismatch(bytes32 contentHash, uint256 signal);
    error VerdictNotSupported(uint256 verdict);
    error AlreadyAccepted(bytes32 contentHash);

    constructor(InferenceRegistry registry_, bytes32 modelId_, uint256 supportedVerdict_) {
        InferenceRegistry.Model memory m = registry_.model(modelId_);
        // Also rejects an unknown model, whose outputCount reads as zero.
        if (supportedVerdict_ >= m.outputCount) revert VerdictOutOfRange(supportedVerdict_, m.outputCount);
        registry = registry_;
        modelId = modelId_;
        supportedVerdict = supportedVerdict_;
        _outputCount = m.outputCount;
        _contentHashIndex = m.contentHashIndex;
    }

    /// @notice Accepts `claim` on the strength of an attestation someone already recorded in the registry.
    function acceptClaim(string calldata claim, uint256[] calldata outputs) external {
        bytes32 contentHash = ZkInferenceSignals.contentHashOf(bytes(claim));
        if (!registry.isAttested(modelId, contentHash, outputs)) revert NotAttested(contentHash);
        _accept(contentHash, claim, outputs);
    }

    /// @notice Accepts `claim` by checking the proof directly, without an attestation in the registry.
    function acceptClaimWithProof(string calldata claim, uint256[] calldata publicSignals, bytes calldata proof)
        external
    {
        if (!IZkInferenceVerifier(address(registry)).verifyInference(modelId, publicSignals, proof)) {
            revert InvalidInference();
        }
        // The proof is about whatever content hash is in the signals: bind it to this claim.
        bytes32 contentHash = ZkInferenceSignals.contentHashOf(bytes(claim));
        uint256 signal = publicSignals[_contentHashIndex];
        if (signal != uint256(contentHash)) revert ContentHashMismatch(contentHash, signal);
        _accept(contentHash, claim, publicSignals[:_outputCount]);
    }

    function _accept(bytes32 contentHash, string calldata claim, uint256[] calldata outputs) private {
        if (accepted[contentHash]) revert AlreadyAccepted(contentHash);
        uint256 verdict = ZkInferenceSignals.argmax(outputs);
        if (verdict != supportedVerdict) revert VerdictNotSupported(verdict);
        accepted[contentHash] = true;
        emit ClaimAccepted(contentHash, claim, verdict);
    }
}
