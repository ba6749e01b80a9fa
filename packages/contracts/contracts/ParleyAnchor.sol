// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title ParleyAnchor: timestamps the heads of Parley relay logs (docs/spec/anchoring.md).
/// @notice A relay anchors its Merkle log (RFC 9162) by writing the log's size and root hash. The
/// first account that anchors a log id owns it; only the owner may anchor it again, and only with
/// a larger size, so the anchored heads of one log form a growing sequence. Every anchor emits one
/// event; a proof bundle proves that event's receipt is in a block, and so that the root existed
/// before that block.
contract ParleyAnchor {
    /// @notice The latest head anchored for a log id.
    struct Head {
        address owner;
        uint64 size;
        bytes32 root;
    }

    /// @notice One anchor of `logId` at `size` with Merkle root `root`.
    event Anchored(bytes32 indexed logId, uint64 size, bytes32 root);

    /// @notice The caller is not the account that first anchored this log id.
    error NotLogOwner(bytes32 logId, address owner);
    /// @notice The new size is not larger than the size already anchored.
    error SizeMustGrow(bytes32 logId, uint64 anchoredSize, uint64 size);

    mapping(bytes32 => Head) private heads;

    /// @notice Anchors the head (`size`, `root`) of the log `logId`.
    /// @dev The first caller for a log id becomes its owner. Reverts with NotLogOwner for any
    /// other caller and with SizeMustGrow unless `size` is larger than the anchored size.
    function anchor(bytes32 logId, uint64 size, bytes32 root) external {
        Head storage head = heads[logId];
        if (head.owner == address(0)) {
            head.owner = msg.sender;
        } else if (head.owner != msg.sender) {
            revert NotLogOwner(logId, head.owner);
        }
        if (size <= head.size) {
            revert SizeMustGrow(logId, head.size, size);
        }
        head.size = size;
        head.root = root;
        emit Anchored(logId, size, root);
    }

    /// @notice The latest anchored head of `logId` (owner zero and size 0 if never anchored).
    function latest(bytes32 logId) external view returns (address owner, uint64 size, bytes32 root) {
        Head storage head = heads[logId];
        return (head.owner, head.size, head.root);
    }
}
