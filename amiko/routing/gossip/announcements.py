"""Our own gossip: the `channel_announcement` both ends sign (through
`announcement_signatures`), our `channel_update`s and our `node_announcement`.

The channel calls these with what it knows; nothing here keeps state:

    keys = ChannelKeys(chain_hash, scid, our_node_id, their_node_id, our_funding_pubkey,
                       their_funding_pubkey)
    ours = sign_announcement(keys, node_secret, funding_secret)      # -> LocalSignatures
    send(announcement_signatures(keys, channel_id, ours))
    ... their announcement_signatures arrive ...
    problem = check_announcement_signatures(keys, theirs_msg)        # None when valid
    ann = announcement_if_ready(keys, ours, remote_signatures(theirs_msg), confirmations)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from amiko.crypto.keys import pubkey_of, sign, verify
from amiko.routing.gossip.addresses import Address, encode_addresses
from amiko.routing.gossip.validation import (
    DISABLE_BIT,
    DONT_FORWARD_BIT,
    MUST_BE_ONE_BIT,
    channel_announcement_hash,
    channel_update_hash,
    node_announcement_hash,
)
from amiko.routing.graph import direction_of
from amiko.wire.messages import (
    AnnouncementSignatures,
    ChannelAnnouncement,
    ChannelUpdate,
    NodeAnnouncement,
)
from amiko.wire.types import ChannelId, Msat, ShortChannelId

_NO_SIG = bytes(64)

# BOLT #7: If the funding transaction has less than 6 confirmations: MUST NOT send
# `channel_announcement`.
ANNOUNCE_MIN_CONFIRMATIONS = 6


@dataclass(frozen=True, slots=True)
class ChannelKeys:
    """The data of an announceable channel, from our side."""

    chain_hash: bytes
    scid: int
    local_node_id: bytes
    remote_node_id: bytes
    local_funding_pubkey: bytes
    remote_funding_pubkey: bytes
    features: bytes = b""

    @property
    def local_is_node_1(self) -> bool:
        return self.local_node_id < self.remote_node_id

    def unsigned(self) -> ChannelAnnouncement:
        """The announcement with zero signatures (the signed hash does not cover them).

        # BOLT #7: MUST set `node_id_1` and `node_id_2` to the public keys of the two
        # nodes operating the channel, such that `node_id_1` is the lexicographically-lesser
        # of the two compressed keys ... MUST set `bitcoin_key_1` and `bitcoin_key_2` to
        # `node_id_1` and `node_id_2`'s respective `funding_pubkey`s.
        """
        if self.local_node_id == self.remote_node_id:
            raise ValueError("a channel needs two distinct nodes")
        if self.local_is_node_1:
            n1, n2 = self.local_node_id, self.remote_node_id
            b1, b2 = self.local_funding_pubkey, self.remote_funding_pubkey
        else:
            n1, n2 = self.remote_node_id, self.local_node_id
            b1, b2 = self.remote_funding_pubkey, self.local_funding_pubkey
        return ChannelAnnouncement(
            node_signature_1=_NO_SIG,
            node_signature_2=_NO_SIG,
            bitcoin_signature_1=_NO_SIG,
            bitcoin_signature_2=_NO_SIG,
            features=self.features,
            chain_hash=self.chain_hash,
            short_channel_id=ShortChannelId(self.scid),
            node_id_1=n1,
            node_id_2=n2,
            bitcoin_key_1=b1,
            bitcoin_key_2=b2,
        )

    def signed_hash(self) -> bytes:
        return channel_announcement_hash(self.unsigned().encode())


@dataclass(frozen=True, slots=True)
class LocalSignatures:
    node_signature: bytes
    bitcoin_signature: bytes


def sign_announcement(keys: ChannelKeys, node_secret: bytes, funding_secret: bytes) -> LocalSignatures:
    """Our `node_signature` and `bitcoin_signature` over the channel's announcement.

    # BOLT #7: The `announcement_signatures` message is created by constructing a
    # `channel_announcement` message, corresponding to the newly confirmed channel funding
    # transaction, and signing it with the secrets matching an endpoint's `node_id` and
    # `bitcoin_key`.
    """
    if pubkey_of(node_secret) != keys.local_node_id:
        raise ValueError("node secret does not match the local node id")
    if pubkey_of(funding_secret) != keys.local_funding_pubkey:
        raise ValueError("funding secret does not match the local funding pubkey")
    h = keys.signed_hash()
    return LocalSignatures(sign(node_secret, h), sign(funding_secret, h))


def announcement_signatures(keys: ChannelKeys, channel_id: bytes, ours: LocalSignatures) -> AnnouncementSignatures:
    return AnnouncementSignatures(
        channel_id=ChannelId(channel_id),
        short_channel_id=ShortChannelId(keys.scid),
        node_signature=ours.node_signature,
        bitcoin_signature=ours.bitcoin_signature,
    )


def remote_signatures(msg: AnnouncementSignatures) -> LocalSignatures:
    """The peer's two signatures (from its point of view they are its local ones)."""
    return LocalSignatures(msg.node_signature, msg.bitcoin_signature)


def check_announcement_signatures(keys: ChannelKeys, msg: AnnouncementSignatures) -> str | None:
    """What is wrong with the peer's `announcement_signatures`, or None.

    # BOLT #7: A recipient node: If the `short_channel_id` doesn't match one of its funding
    # transactions: SHOULD send a `warning`. If the `node_signature` OR the
    # `bitcoin_signature` is NOT correct: MAY send a `warning` and close the connection, or
    # send an `error` and fail the channel.
    """
    if msg.short_channel_id != keys.scid:
        return "short_channel_id does not match the funding transaction"
    h = keys.signed_hash()
    if not verify(keys.remote_node_id, h, msg.node_signature):
        return "bad node_signature"
    if not verify(keys.remote_funding_pubkey, h, msg.bitcoin_signature):
        return "bad bitcoin_signature"
    return None


def combine_announcement(keys: ChannelKeys, ours: LocalSignatures, theirs: LocalSignatures) -> ChannelAnnouncement:
    """The full `channel_announcement`, each signature in its node's slot."""
    if keys.local_is_node_1:
        s1, s2 = ours, theirs
    else:
        s1, s2 = theirs, ours
    return replace(
        keys.unsigned(),
        node_signature_1=s1.node_signature,
        node_signature_2=s2.node_signature,
        bitcoin_signature_1=s1.bitcoin_signature,
        bitcoin_signature_2=s2.bitcoin_signature,
    )


def announcement_if_ready(
    keys: ChannelKeys,
    ours: LocalSignatures | None,
    theirs: LocalSignatures | None,
    confirmations: int,
) -> ChannelAnnouncement | None:
    """The announcement to queue for our peers once it may be sent, else None.

    # BOLT #7: If it has sent AND received a valid `announcement_signatures` message: If
    # the funding transaction has at least 6 confirmations: SHOULD queue the
    # `channel_announcement` message for its peers.
    """
    if ours is None or theirs is None or confirmations < ANNOUNCE_MIN_CONFIRMATIONS:
        return None
    return combine_announcement(keys, ours, theirs)


def make_channel_update(
    node_secret: bytes,
    chain_hash: bytes,
    scid: int,
    remote_node_id: bytes,
    timestamp: int,
    *,
    cltv_expiry_delta: int,
    htlc_minimum_msat: int,
    htlc_maximum_msat: int,
    fee_base_msat: int,
    fee_proportional_millionths: int,
    disabled: bool = False,
    dont_forward: bool = False,
    local_node_id: bytes | None = None,
) -> ChannelUpdate:
    """Our signed `channel_update` for forwarding out over `scid` towards `remote_node_id`
    (`local_node_id`, when given, saves deriving our public key from the secret).

    # BOLT #7: if the origin node is `node_id_1` in the message: MUST set the `direction`
    # bit of `channel_flags` to 0. otherwise: MUST set the `direction` bit to 1.
    # MUST set `must_be_one` in `message_flags` to 1. MUST set bits in `channel_flags` and
    # `message_flags` that are not assigned a meaning to 0.
    # MUST set `timestamp` to greater than 0, AND to greater than any previously-sent
    # `channel_update` for this `short_channel_id`.
    # MUST set this [htlc_maximum_msat] to greater than or equal to `htlc_minimum_msat`.
    """
    if timestamp <= 0:
        raise ValueError("timestamp must be greater than 0")
    if htlc_maximum_msat < htlc_minimum_msat:
        raise ValueError("htlc_maximum_msat must be at least htlc_minimum_msat")
    local = pubkey_of(node_secret) if local_node_id is None else local_node_id
    channel_flags = direction_of(local, remote_node_id) | (DISABLE_BIT if disabled else 0)
    message_flags = MUST_BE_ONE_BIT | (DONT_FORWARD_BIT if dont_forward else 0)
    unsigned = ChannelUpdate(
        signature=_NO_SIG,
        chain_hash=chain_hash,
        short_channel_id=ShortChannelId(scid),
        timestamp=timestamp,
        message_flags=message_flags,
        channel_flags=channel_flags,
        cltv_expiry_delta=cltv_expiry_delta,
        htlc_minimum_msat=Msat(htlc_minimum_msat),
        fee_base_msat=Msat(fee_base_msat),
        fee_proportional_millionths=fee_proportional_millionths,
        htlc_maximum_msat=Msat(htlc_maximum_msat),
    )
    return replace(unsigned, signature=sign(node_secret, channel_update_hash(unsigned.encode())))


def encode_alias(alias: str) -> bytes:
    """UTF-8, cut on a character boundary to 32 bytes, zero padded."""
    out = b""
    for ch in alias:
        b = ch.encode("utf-8")
        if len(out) + len(b) > 32:
            break
        out += b
    return out.ljust(32, b"\x00")


def make_node_announcement(
    node_secret: bytes,
    timestamp: int,
    *,
    features: bytes = b"",
    alias: str = "",
    rgb_color: bytes = b"\x00\x00\x00",
    addresses: Sequence[Address] = (),
) -> NodeAnnouncement:
    """Our signed `node_announcement`.

    # BOLT #7: MUST set `timestamp` to be greater than that of any previous
    # `node_announcement` it has previously created. MUST set `signature` to the signature
    # of the double-SHA256 of the entire remaining packet after `signature` (using the key
    # given by `node_id`). MUST set `alias` to a valid UTF-8 string, with any `alias`
    # trailing-bytes equal to 0.
    """
    if len(rgb_color) != 3:
        raise ValueError("rgb_color is 3 bytes")
    # BOLT #7: SHOULD set `flen` to the minimum length required to hold the `features`
    # bits it sets.
    features = features.lstrip(b"\x00")
    unsigned = NodeAnnouncement(
        signature=_NO_SIG,
        features=features,
        timestamp=timestamp,
        node_id=pubkey_of(node_secret),
        rgb_color=rgb_color,
        alias=encode_alias(alias),
        addresses=encode_addresses(addresses),
    )
    return replace(unsigned, signature=sign(node_secret, node_announcement_hash(unsigned.encode())))
