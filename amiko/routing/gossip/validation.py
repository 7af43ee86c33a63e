"""What a gossip message must satisfy on its own: signatures over the right bytes, field
rules, and the conversion of valid messages to the graph's records.

The signed hash of each message is the double-SHA256 of its encoding after the signature
fields (the 2-byte type is not part of it):

# BOLT #7 (channel_announcement): MUST compute the double-SHA256 hash `h` of the message,
# beginning at offset 256, up to the end of the message. Note: the hash skips the 4
# signatures but hashes the rest of the message, including any future fields appended to
# the end.
# BOLT #7 (node_announcement, channel_update): MUST set `signature` to the signature of the
# double-SHA256 of the entire remaining packet after `signature`.

Every function here takes `raw`, the full encoding (type included) exactly as received:
the generated codecs keep unknown trailing bytes in `extension`, so `msg.encode()` gives
the same bytes back when the caller has no raw copy.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass

from amiko.crypto.hashes import double_sha256
from amiko.crypto.keys import verify
from amiko.link.features import feature_info
from amiko.routing.gossip.addresses import ParsedAddresses
from amiko.routing.graph import NodeInfo, Policy
from amiko.wire.messages import ChannelAnnouncement, ChannelUpdate, NodeAnnouncement

# Offsets in the full encoding (2-byte type first).
CHANNEL_ANNOUNCEMENT_SIGNED_FROM = 2 + 4 * 64
NODE_ANNOUNCEMENT_SIGNED_FROM = 2 + 64
CHANNEL_UPDATE_SIGNED_FROM = 2 + 64
# channel_update: type(2) signature(64) chain_hash(32) short_channel_id(8) timestamp(4)
CHANNEL_UPDATE_TIMESTAMP_AT = 2 + 64 + 32 + 8

# BOLT #7 channel_flags: bit 0 `direction`, bit 1 `disable`.
DIRECTION_BIT = 1
DISABLE_BIT = 2
# BOLT #7 message_flags: bit 0 `must_be_one`, bit 1 `dont_forward`.
MUST_BE_ONE_BIT = 1
DONT_FORWARD_BIT = 2


class Action(enum.Enum):
    ACCEPTED = "accepted"  # applied to the graph, queued for relay where allowed
    PENDING = "pending"  # waits for its funding output, or for its channel_announcement
    IGNORED = "ignored"  # dropped without blame: duplicate, outdated, unknown, rate limited...
    REJECTED = "rejected"  # invalid: dropped, and the peer was sent a `warning`


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Action
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.action is Action.ACCEPTED


# Verdicts are immutable: the common ones are made once (the flood path allocates nothing).
@functools.lru_cache(maxsize=512)
def accepted(reason: str = "") -> Verdict:
    return Verdict(Action.ACCEPTED, reason)


@functools.lru_cache(maxsize=512)
def pending(reason: str) -> Verdict:
    return Verdict(Action.PENDING, reason)


@functools.lru_cache(maxsize=512)
def ignored(reason: str) -> Verdict:
    return Verdict(Action.IGNORED, reason)


@functools.lru_cache(maxsize=512)
def rejected(reason: str) -> Verdict:
    return Verdict(Action.REJECTED, reason)


# A signature check: (public key, 32-byte hash, 64-byte signature) -> valid. The gossiper
# passes one that may take a result made ahead (`ahead.ChecksAhead.verify`).
Verify = Callable[[bytes, bytes, bytes], bool]


# -- hashes ----------------------------------------------------------------------------------

def channel_announcement_hash(raw: bytes) -> bytes:
    return double_sha256(raw[CHANNEL_ANNOUNCEMENT_SIGNED_FROM:])


def node_announcement_hash(raw: bytes) -> bytes:
    return double_sha256(raw[NODE_ANNOUNCEMENT_SIGNED_FROM:])


def channel_update_hash(raw: bytes) -> bytes:
    return double_sha256(raw[CHANNEL_UPDATE_SIGNED_FROM:])


# -- features --------------------------------------------------------------------------------

def unknown_even_bits(features: bytes, *, node_context: bool) -> list[int]:
    """Even (required) bits we do not know. BOLT #9 assigns no feature to the
    `channel_announcement` context, so there every even bit is unknown; for nodes, a bit is
    known when the link layer knows its feature."""
    n = int.from_bytes(features, "big")
    out = []
    bit = 0
    while n >> bit:
        if (n >> bit) & 1 and (not node_context or feature_info(bit) is None):
            out.append(bit)
        bit += 2
    return out


# -- channel_announcement --------------------------------------------------------------------

def check_channel_announcement(msg: ChannelAnnouncement, raw: bytes, verify: Verify = verify) -> str | None:
    """The four signatures and the key order; returns what is wrong, or None.

    # BOLT #7: MUST verify the integrity AND authenticity of the message by verifying the
    # signatures. ... if `bitcoin_signature_1`, `bitcoin_signature_2`, `node_signature_1`
    # OR `node_signature_2` are invalid OR NOT correct: SHOULD send a `warning`. MAY close
    # the connection. MUST ignore the message.
    """
    # BOLT #7: MUST set `node_id_1` and `node_id_2` to the public keys of the two nodes
    # operating the channel, such that `node_id_1` is the lexicographically-lesser of the
    # two compressed keys sorted in ascending lexicographic order.
    if not msg.node_id_1 < msg.node_id_2:
        return "node_id_1 is not the lesser of the two node ids"
    h = channel_announcement_hash(raw)
    for name, key, sig in (
        ("node_signature_1", msg.node_id_1, msg.node_signature_1),
        ("node_signature_2", msg.node_id_2, msg.node_signature_2),
        ("bitcoin_signature_1", msg.bitcoin_key_1, msg.bitcoin_signature_1),
        ("bitcoin_signature_2", msg.bitcoin_key_2, msg.bitcoin_signature_2),
    ):
        if not verify(key, h, sig):
            return f"bad {name}"
    return None


# -- channel_update --------------------------------------------------------------------------

def update_direction(msg: ChannelUpdate) -> int:
    # BOLT #7: The `node_id` for the signature verification is taken from the corresponding
    # `channel_announcement`: `node_id_1` if the least-significant bit of flags is 0 or
    # `node_id_2` otherwise.
    return msg.channel_flags & DIRECTION_BIT


def check_channel_update_signature(msg: ChannelUpdate, raw: bytes, node_id: bytes,
                                   verify: Verify = verify) -> bool:
    """# BOLT #7: if `signature` is not a valid signature, using `node_id` of the
    # double-SHA256 of the entire message following the `signature` field (including
    # unknown fields following `fee_proportional_millionths`): SHOULD send a `warning` and
    # close the connection. MUST NOT process the message further."""
    return verify(node_id, channel_update_hash(raw), msg.signature)


def policy_of(msg: ChannelUpdate) -> Policy:
    return Policy(
        fee_base_msat=msg.fee_base_msat,
        fee_proportional_millionths=msg.fee_proportional_millionths,
        cltv_expiry_delta=msg.cltv_expiry_delta,
        htlc_minimum_msat=msg.htlc_minimum_msat,
        htlc_maximum_msat=msg.htlc_maximum_msat,
        disabled=bool(msg.channel_flags & DISABLE_BIT),
        timestamp=msg.timestamp,
    )


def same_fields(msg: ChannelUpdate, old: Policy) -> bool:
    """The fields below `timestamp` that the graph keeps are equal (a re-signed copy)."""
    return (
        msg.fee_base_msat == old.fee_base_msat
        and msg.fee_proportional_millionths == old.fee_proportional_millionths
        and msg.cltv_expiry_delta == old.cltv_expiry_delta
        and msg.htlc_minimum_msat == old.htlc_minimum_msat
        and msg.htlc_maximum_msat == old.htlc_maximum_msat
        and bool(msg.channel_flags & DISABLE_BIT) == old.disabled
    )


# -- node_announcement -----------------------------------------------------------------------

def check_node_announcement_signature(msg: NodeAnnouncement, raw: bytes, verify: Verify = verify) -> bool:
    """# BOLT #7: if `signature` is NOT a valid signature (using `node_id` of the
    # double-SHA256 of the entire message following the `signature` field, including any
    # future fields appended to the end): SHOULD send a `warning`. MAY close the
    # connection. MUST NOT process the message further."""
    return verify(msg.node_id, node_announcement_hash(raw), msg.signature)


def decode_alias(alias: bytes) -> str:
    """# BOLT #7: MUST set `alias` to a valid UTF-8 string, with any `alias` trailing-bytes
    # equal to 0.
    A peer's alias is shown, never interpreted: invalid UTF-8 is replaced, control
    characters dropped (BOLT #7 Security Considerations for Node Aliases)."""
    text = alias.rstrip(b"\x00").decode("utf-8", errors="replace")
    return "".join(c for c in text if c.isprintable())


def node_info_of(msg: NodeAnnouncement, addresses: ParsedAddresses) -> NodeInfo:
    return NodeInfo(
        node_id=msg.node_id,
        timestamp=msg.timestamp,
        features=msg.features,
        alias=decode_alias(msg.alias),
        rgb_color=msg.rgb_color,
        addresses=tuple(str(a) for a in addresses.addresses),
    )
