// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16Verifier} from "./IGroth16Verifier.sol";
import {IZkInferenceVerifier} from "./IZkInferenceVerifier.sol";
import {ZkInferenceSignals} from "./ZkInferenceSignals.sol";

/// @title zkinfer inference registry
/// @notice Records, with a Groth16 proof, that "model M said outputs O about content C".
/// A model is a verifier (circuit and setup) and, for circuits whose weights are private, the model
/// commitment (Poseidon hash of the weights) every proof must carry: one verifier can serve several
/// committed weight sets, each its own model.
/// Models and attestations are append-only: a model can be retired but never edited or revived,
/// so an attestation always refers to the exact verifier it was checked against.
contract InferenceRegistry is IZkInferenceVerifier {
    /// @notice A registered model as `model()` returns it.
    struct Model {
        address verifier;
        address owner;
        bool active;
        uint16 publicSignalCount;
        uint16 outputCount;
        uint16 contentHashIndex;
        /// 0 when the model's weights are circuit constants.
        uint16 modelCommitmentIndex;
        bytes32 verificationKeyHash;
        /// 0 when the model's weights are circuit constants.
        bytes32 modelCommitment;
        string metadataURI;
    }

    /// @dev Only a hash of the outputs is stored: they are in the Attested event, and readers pass them back in.
    struct Attestation {
        address attester;
        uint64 blockNumber;
        bytes32 outputsHash;
    }

    /// @dev How a model is stored: the same fields as Model, reordered so that everything attest and
    /// verifyInference read (verifier, active, layout) shares one slot, saving a cold SLOAD per call.
    /// Model keeps its own order because it is part of the published ABI.
    struct ModelRecord {
        address verifier;
        bool active;
        uint16 publicSignalCount;
        uint16 outputCount;
        uint16 contentHashIndex;
        uint16 modelCommitmentIndex;
        address owner;
        bytes32 verificationKeyHash;
        bytes32 modelCommitment;
        string metadataURI;
    }

    uint256 public constant SCALAR_FIELD = ZkInferenceSignals.SCALAR_FIELD;

    mapping(bytes32 modelId => ModelRecord) private _models;
    bytes32[] private _modelIds;
    mapping(bytes32 modelId => mapping(bytes32 contentHash => Attestation)) private _attestations;

    event ModelRegistered(
        bytes32 indexed modelId,
        address indexed owner,
        address indexed verifier,
        bytes32 verificationKeyHash,
        bytes32 modelCommitment,
        string metadataURI
    );
    event ModelDeactivated(bytes32 indexed modelId);
    event Attested(bytes32 indexed modelId, bytes32 indexed contentHash, address indexed attester, uint256[] outputs);

    error NotAVerifier(address verifier);
    error ModelExists(bytes32 modelId);
    error UnknownModel(bytes32 modelId);
    error NotModelOwner(bytes32 modelId, address caller);
    error ModelInactive(bytes32 modelId);
    error PublicSignalCount(uint256 expected, uint256 given);
    error SignalNotInField(uint256 index);
    error ContentHashMismatch(bytes32 contentHash, uint256 signal);
    error ModelCommitmentRequired(address verifier);
    error NoModelCommitment(address verifier);
    error ModelCommitmentMismatch(bytes32 modelCommitment, uint256 signal);
    error AlreadyAttested(bytes32 modelId, bytes32 contentHash);
    error InvalidProof(bytes32 modelId);

    /// @notice Registers `verifier` under an id derived from the caller, so nobody can squat another owner's id.
    /// @param modelCommitment For a verifier of committed weights (modelCommitmentIndex != 0): the commitment every
    /// proof of this model must carry (`zkinfer inspect` prints it); 0 for a verifier whose weights are constants.
    function register(address verifier, bytes32 modelCommitment, string calldata metadataURI)
        external
        returns (bytes32 modelId)
    {
        modelId = modelIdFor(msg.sender, verifier, modelCommitment);
        if (_models[modelId].verifier != address(0)) revert ModelExists(modelId);

        uint256 signalCount = _readWord(verifier, IGroth16Verifier.publicSignalCount.selector);
        uint256 outputCount = _readWord(verifier, IGroth16Verifier.outputCount.selector);
        uint256 hashIndex = _readWord(verifier, IGroth16Verifier.contentHashIndex.selector);
        uint256 commitmentIndex = _readWord(verifier, IGroth16Verifier.modelCommitmentIndex.selector);
        bytes32 vkHash = bytes32(_readWord(verifier, IGroth16Verifier.verificationKeyHash.selector));
        // outputCount <= hashIndex < signalCount <= 2^16 - 1, so all three fit in uint16; a commitment lies
        // after the content hash and before the end.
        if (
            signalCount > type(uint16).max || hashIndex >= signalCount || outputCount > hashIndex
                || (commitmentIndex != 0 && (commitmentIndex <= hashIndex || commitmentIndex >= signalCount))
        ) {
            revert NotAVerifier(verifier);
        }
        if (commitmentIndex != 0 && (modelCommitment == 0 || uint256(modelCommitment) >= SCALAR_FIELD)) {
            revert ModelCommitmentRequired(verifier);
        }
        if (commitmentIndex == 0 && modelCommitment != 0) revert NoModelCommitment(verifier);

        _models[modelId] = ModelRecord({
            verifier: verifier,
            active: true,
            publicSignalCount: uint16(signalCount),
            outputCount: uint16(outputCount),
            contentHashIndex: uint16(hashIndex),
            modelCommitmentIndex: uint16(commitmentIndex),
            owner: msg.sender,
            verificationKeyHash: vkHash,
            modelCommitment: modelCommitment,
            metadataURI: metadataURI
        });
        _modelIds.push(modelId);
        emit ModelRegistered(modelId, msg.sender, verifier, vkHash, modelCommitment, metadataURI);
    }

    /// @notice Retires a model for good (e.g. a flawed circuit or a leaked setup); its past attestations stay on record.
    function deactivate(bytes32 modelId) external {
        ModelRecord storage m = _models[modelId];
        if (m.verifier == address(0)) revert UnknownModel(modelId);
        if (m.owner != msg.sender) revert NotModelOwner(modelId, msg.sender);
        if (!m.active) revert ModelInactive(modelId);
        m.active = false;
        emit ModelDeactivated(modelId);
    }

    /// @notice Records that model `modelId` produced `publicSignals[0:outputCount]` for `contentHash`.
    /// @dev For a model of committed weights, the proof's model commitment must be the registered one.
    /// One attestation per (model, content): replay is keyed on the statement, never on the proof bytes,
    /// because Groth16 proofs are malleable and a re-randomised proof would pass a proof-keyed check.
    function attest(bytes32 modelId, bytes32 contentHash, uint256[] calldata publicSignals, bytes calldata proof)
        external
    {
        (address verifier, uint256 outputCount) = _checkStatement(modelId, contentHash, publicSignals);

        Attestation storage a = _attestations[modelId][contentHash];
        if (a.attester != address(0)) revert AlreadyAttested(modelId, contentHash);

        // Writing state after an external call is safe here: a view call is a STATICCALL, which
        // cannot re-enter anything that modifies state. A verifier revert keeps its own revert data.
        if (!IGroth16Verifier(verifier).verifyProof(proof, publicSignals)) revert InvalidProof(modelId);

        uint256[] calldata outputs = publicSignals[:outputCount];
        a.attester = msg.sender;
        a.blockNumber = uint64(block.number);
        a.outputsHash = keccak256(abi.encodePacked(outputs));
        emit Attested(modelId, contentHash, msg.sender, outputs);
    }

    /// @inheritdoc IZkInferenceVerifier
    function verifyInference(bytes32 modelId, uint256[] calldata publicSignals, bytes calldata proof)
        external
        view
        returns (bool)
    {
        ModelRecord storage m = _models[modelId];
        // An unknown model reads as inactive.
        if (!m.active || publicSignals.length != m.publicSignalCount) return false;
        if (_firstNotInField(publicSignals) < publicSignals.length) return false;
        uint256 commitmentIndex = m.modelCommitmentIndex;
        if (commitmentIndex != 0 && publicSignals[commitmentIndex] != uint256(m.modelCommitment)) return false;

        // Low-level call rather than try/catch: try/catch still reverts when a call succeeds with
        // malformed return data, and copying only 32 bytes back keeps a huge reply from draining gas.
        bytes memory data = abi.encodeCall(IGroth16Verifier.verifyProof, (proof, publicSignals));
        address verifier = m.verifier;
        bool ok;
        uint256 result;
        assembly ("memory-safe") {
            ok := staticcall(gas(), verifier, add(data, 0x20), mload(data), 0x00, 0x20)
            ok := and(ok, eq(returndatasize(), 0x20))
            result := mload(0x00)
        }
        return ok && result == 1;
    }

    /// @notice The attestation for (model, content), or a zero struct when there is none.
    function attestation(bytes32 modelId, bytes32 contentHash) external view returns (Attestation memory) {
        return _attestations[modelId][contentHash];
    }

    /// @notice True iff (model, content) was attested with exactly these outputs.
    function isAttested(bytes32 modelId, bytes32 contentHash, uint256[] calldata outputs) external view returns (bool) {
        Attestation storage a = _attestations[modelId][contentHash];
        return a.attester != address(0) && a.outputsHash == keccak256(abi.encodePacked(outputs));
    }

    /// @notice The model record, or a zero struct (verifier == address(0)) for an unknown id.
    function model(bytes32 modelId) external view returns (Model memory) {
        ModelRecord storage m = _models[modelId];
        return Model({
            verifier: m.verifier,
            owner: m.owner,
            active: m.active,
            publicSignalCount: m.publicSignalCount,
            outputCount: m.outputCount,
            contentHashIndex: m.contentHashIndex,
            modelCommitmentIndex: m.modelCommitmentIndex,
            verificationKeyHash: m.verificationKeyHash,
            modelCommitment: m.modelCommitment,
            metadataURI: m.metadataURI
        });
    }

    function modelCount() external view returns (uint256) {
        return _modelIds.length;
    }

    function modelIdAt(uint256 index) external view returns (bytes32) {
        return _modelIds[index];
    }

    /// @notice The id `register` gives: one per owner, verifier and model commitment (0 for constant weights).
    function modelIdFor(address owner, address verifier, bytes32 modelCommitment) public pure returns (bytes32) {
        return keccak256(abi.encode(owner, verifier, modelCommitment));
    }

    /// @dev The cheap checks of attest, in its documented order; returns what the rest of attest needs.
    function _checkStatement(bytes32 modelId, bytes32 contentHash, uint256[] calldata publicSignals)
        private
        view
        returns (address verifier, uint256 outputCount)
    {
        ModelRecord storage m = _models[modelId];
        // Read together, before any branch, so the optimizer loads the packed slot once.
        verifier = m.verifier;
        bool active = m.active;
        uint256 signalCount = m.publicSignalCount;
        outputCount = m.outputCount;
        uint256 hashIndex = m.contentHashIndex;
        uint256 commitmentIndex = m.modelCommitmentIndex;

        if (verifier == address(0)) revert UnknownModel(modelId);
        if (!active) revert ModelInactive(modelId);
        if (publicSignals.length != signalCount) revert PublicSignalCount(signalCount, publicSignals.length);
        uint256 outOfField = _firstNotInField(publicSignals);
        if (outOfField < signalCount) revert SignalNotInField(outOfField);
        uint256 hashSignal = publicSignals[hashIndex];
        if (hashSignal != uint256(contentHash)) revert ContentHashMismatch(contentHash, hashSignal);
        if (commitmentIndex != 0) {
            bytes32 commitment = m.modelCommitment;
            uint256 commitmentSignal = publicSignals[commitmentIndex];
            if (commitmentSignal != uint256(commitment)) revert ModelCommitmentMismatch(commitment, commitmentSignal);
        }
    }

    /// @dev Index of the first signal >= r, or signals.length when all are field elements.
    /// Checked here rather than trusted to each verifier: one that reduced signals mod r would accept
    /// both s and s + r, and the same statement could then be recorded under two encodings.
    function _firstNotInField(uint256[] calldata signals) private pure returns (uint256) {
        // Since 0.8.22 the compiler drops the overflow check on this loop counter by itself.
        for (uint256 i; i < signals.length; ++i) {
            if (signals[i] >= SCALAR_FIELD) return i;
        }
        return signals.length;
    }

    /// @dev Reads one word-sized getter. No code, a revert or a reply that is not one word all mean
    /// "not a verifier" (an account without code answers every call with success and no data).
    function _readWord(address verifier, bytes4 selector) private view returns (uint256) {
        (bool ok, bytes memory ret) = verifier.staticcall(abi.encodeWithSelector(selector));
        if (!ok || ret.length != 32) revert NotAVerifier(verifier);
        return uint256(bytes32(ret));
    }
}
