"""Route blinding (BOLT #4 "Route Blinding") for payments.

- The recipient builds a blinded path: :func:`blind_hop` for one hop (so paths from different
  creators can be concatenated with `next_path_key_override`), :func:`create_blinded_path`
  for a whole path from one session key.
- A node inside a blinded route decrypts its `encrypted_recipient_data`
  (:func:`decrypt_recipient_data`) and applies the reader requirements
  (:func:`read_blinded_hop`): where to forward, with which amount and expiry (from
  `payment_relay`), or what the final node receives.

``peel_onion`` already tweaks the node key with the `path_key` of `update_add_htlc`; it
returns a ``BlindedHop`` payload whose encrypted data :func:`read_blinded_hop` interprets.
Every refusal here is a ``PayloadRejection`` with ``blinded=True``: BOLT #4 hides the reason
behind `invalid_onion_blinding`.
"""

from __future__ import annotations

import hmac as _hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from amiko.crypto.hashes import sha256
from amiko.crypto.keys import (
    InvalidKeyError,
    ecdh,
    pubkey_of,
    tweak_mul_pubkey,
    tweak_mul_secret,
)
from amiko.payments.onion.exceptions import OnionEncodeError
from amiko.payments.onion.keys import RHO, generate_key
from amiko.payments.onion.payload import BlindedHop, PayloadRejection
from amiko.wire.errors import DecodeError
from amiko.wire.messages import EncryptedDataTlv
from amiko.wire.types import Msat, ShortChannelId

__all__ = [
    "BlindedForward",
    "BlindedPath",
    "BlindedPathHop",
    "BlindedReceive",
    "DecryptedRecipientData",
    "blind_hop",
    "blinded_forward_amount",
    "create_blinded_path",
    "decrypt_recipient_data",
    "read_blinded_hop",
]

_BLINDED_NODE_ID: Final = b"blinded_node_id"
_ZERO_NONCE: Final = bytes(12)
T_ENCRYPTED_RECIPIENT_DATA: Final = 10


@dataclass(frozen=True, slots=True)
class BlindedPathHop:
    """`blinded_path_hop`: a blinded node id and the data encrypted for that node."""

    blinded_node_id: bytes
    encrypted_recipient_data: bytes


@dataclass(frozen=True, slots=True)
class BlindedPath:
    """`blinded_path`: the introduction node, its path key, and the blinded hops."""

    first_node_id: bytes
    first_path_key: bytes
    hops: tuple[BlindedPathHop, ...]


def blind_hop(
    path_privkey: bytes, node_id: bytes, encrypted_data_tlv: bytes
) -> tuple[BlindedPathHop, bytes]:
    """One hop of a blinded path; returns it and the next ephemeral private key e_{i+1}.

    # BOLT #4: "ss_i = SHA256(e_i * N_i)" ... "rho_i = HMAC256("rho", ss_i)" ...
    # "e_{i+1} = SHA256(E_i || ss_i) * e_i" ... "B_i = HMAC256("blinded_node_id", ss_i) *
    # N_i" ... "MUST encrypt each `encrypted_data_tlv[i]` with ChaCha20-Poly1305 using the
    # corresponding rho_i key and an all-zero nonce to produce `encrypted_recipient_data[i]`"
    """
    try:
        path_key = pubkey_of(path_privkey)
        ss = ecdh(path_privkey, node_id)
        blinded = tweak_mul_pubkey(node_id, _hmac.digest(_BLINDED_NODE_ID, ss, "sha256"))
        next_privkey = tweak_mul_secret(path_privkey, sha256(path_key + ss))
    except InvalidKeyError as exc:
        raise OnionEncodeError(f"blinded hop: {exc}") from None
    encrypted = ChaCha20Poly1305(generate_key(RHO, ss)).encrypt(
        _ZERO_NONCE, encrypted_data_tlv, None
    )
    return BlindedPathHop(blinded, encrypted), next_privkey


def create_blinded_path(
    session_key: bytes, node_ids: Sequence[bytes], encrypted_data_tlvs: Sequence[bytes]
) -> BlindedPath:
    """A blinded path through ``node_ids`` (the introduction node first, the recipient last),
    each hop's encoded `encrypted_data_tlv` encrypted for it. ``session_key``: e_0, random.

    # BOLT #4: "MUST set `first_node_id` to N_0" ... "MUST set `first_path_key` to E_0"
    """
    if not node_ids or len(node_ids) != len(encrypted_data_tlvs):
        raise OnionEncodeError("a blinded path needs one encrypted_data_tlv per node (at least 1)")
    try:
        first_path_key = pubkey_of(session_key)
    except InvalidKeyError as exc:
        raise OnionEncodeError(f"session key: {exc}") from None
    hops = []
    e = session_key
    for node_id, data in zip(node_ids, encrypted_data_tlvs, strict=True):
        hop, e = blind_hop(e, node_id, data)
        hops.append(hop)
    return BlindedPath(node_ids[0], first_path_key, tuple(hops))


@dataclass(frozen=True, slots=True)
class DecryptedRecipientData:
    """The decrypted `encrypted_data_tlv` and the `path_key` to hand to the next node."""

    data: EncryptedDataTlv
    next_path_key: bytes


def decrypt_recipient_data(
    node_secret: bytes, path_key: bytes, encrypted_recipient_data: bytes
) -> DecryptedRecipientData | None:
    """Decrypt this node's `encrypted_recipient_data`; ``None`` if it does not decrypt, does
    not parse, or holds unknown even records.

    # BOLT #4: "MUST decrypt the `encrypted_recipient_data` field using rho_i as a key using
    # ChaCha20-Poly1305 and an all-zero nonce key. If the `encrypted_recipient_data` field is
    # missing, cannot be decrypted into an `encrypted_data_tlv` or contains unknown even
    # fields: MUST return an error. If the `encrypted_data_tlv` contains a
    # `next_path_key_override`: MUST use it as the next `path_key`. Otherwise: MUST use
    # E_{i+1} = SHA256(E_i || ss_i) * E_i as the next `path_key`"
    """
    try:
        ss = ecdh(node_secret, path_key)
        plain = ChaCha20Poly1305(generate_key(RHO, ss)).decrypt(
            _ZERO_NONCE, encrypted_recipient_data, None
        )
        data = EncryptedDataTlv.decode(plain)
        next_path_key = data.next_path_key_override
        if next_path_key is None:
            next_path_key = tweak_mul_pubkey(path_key, sha256(path_key + ss))
    except (InvalidKeyError, InvalidTag, DecodeError):
        return None
    return DecryptedRecipientData(data, next_path_key)


@dataclass(frozen=True, slots=True)
class BlindedForward:
    """Forward inside the blinded route: to ``short_channel_id`` or to the peer
    ``next_node_id``, with `path_key` ``next_path_key`` in the outgoing `update_add_htlc`."""

    short_channel_id: ShortChannelId | None
    next_node_id: bytes | None
    amt_to_forward: Msat
    outgoing_cltv_value: int
    next_path_key: bytes
    data: EncryptedDataTlv


@dataclass(frozen=True, slots=True)
class BlindedReceive:
    """This node is the recipient of the blinded route. The payee still checks ``path_id``
    ("MUST ignore the message if the `path_id` does not match the blinded route it created for
    this purpose"), the amount it expects and the final CLTV delta."""

    amt_to_forward: Msat
    outgoing_cltv_value: int
    total_amount_msat: Msat
    path_id: bytes | None
    data: EncryptedDataTlv


def blinded_forward_amount(amount_msat: int, fee_base_msat: int, fee_proportional: int) -> int:
    """# BOLT #4: "`amt_to_forward = ((amount_msat - fee_base_msat) * 1000000 + 1000000 +
    # fee_proportional_millionths - 1) / (1000000 + fee_proportional_millionths)`" """
    return ((amount_msat - fee_base_msat) * 1_000_000 + 1_000_000 + fee_proportional - 1) // (
        1_000_000 + fee_proportional
    )


def _reject(why: str) -> PayloadRejection:
    return PayloadRejection(T_ENCRYPTED_RECIPIENT_DATA, 0, why, blinded=True)


def read_blinded_hop(
    node_secret: bytes,
    hop: BlindedHop,
    htlc_path_key: bytes | None,
    amount_msat: int,
    cltv_expiry: int,
) -> BlindedForward | BlindedReceive | PayloadRejection:
    """The reader requirements for a payload inside a blinded route.

    ``hop``: from ``peel_onion``; ``htlc_path_key``: the `path_key` of the incoming
    `update_add_htlc` (``None`` at the introduction node, which uses `current_path_key`);
    ``amount_msat``, ``cltv_expiry``: of the incoming HTLC. Turn a rejection into the reply
    with ``sphinx.reject_payload``.
    """
    # BOLT #4: "If `path_key` is set in the incoming `update_add_htlc`: ... MUST use that
    # `path_key` as `path_key` for decryption. Otherwise: ... MUST use that
    # `current_path_key` as the `path_key` for decryption."
    path_key = htlc_path_key if htlc_path_key is not None else hop.current_path_key
    if path_key is None:
        return _reject("no path_key")
    decrypted = decrypt_recipient_data(node_secret, path_key, hop.encrypted_recipient_data)
    if decrypted is None:
        return _reject("encrypted_recipient_data does not decrypt")
    data = decrypted.data
    constraints = data.payment_constraints
    if constraints is not None:
        # BOLT #4: "If `payment_constraints` is present: MUST return an error if: the expiry
        # is greater than `encrypted_recipient_data.payment_constraints.max_cltv_expiry`. the
        # amount is below `encrypted_recipient_data.payment_constraints.htlc_minimum_msat`."
        if cltv_expiry > constraints.max_cltv_expiry:
            return _reject("expiry above max_cltv_expiry")
        if amount_msat < constraints.htlc_minimum_msat:
            return _reject("amount below htlc_minimum_msat")
    # BOLT #4: "If `allowed_features` is missing: MUST process the message as if it were
    # present and contained an empty array. MUST return an error if:
    # `encrypted_recipient_data.allowed_features.features` contains an unknown feature bit
    # (even if it is odd)." No feature is defined for blinded payments yet: any set bit is
    # unknown.
    if data.allowed_features is not None and any(data.allowed_features):
        return _reject("unknown feature in allowed_features")
    # "`encrypted_recipient_data` contains both `short_channel_id` and `next_node_id`."
    if data.short_channel_id is not None and data.next_node_id is not None:
        return _reject("both short_channel_id and next_node_id")
    if hop.is_final:
        assert hop.amt_to_forward is not None and hop.outgoing_cltv_value is not None
        assert hop.total_amount_msat is not None  # checked by read_hop_payload
        # BOLT #4: "MUST return an error if incoming `cltv_expiry` < `outgoing_cltv_value`."
        # "MUST return an error if: incoming `amount_msat` < `amt_to_forward`."
        if cltv_expiry < hop.outgoing_cltv_value:
            return _reject("cltv_expiry below outgoing_cltv_value")
        if amount_msat < hop.amt_to_forward:
            return _reject("amount below amt_to_forward")
        return BlindedReceive(
            hop.amt_to_forward, hop.outgoing_cltv_value, hop.total_amount_msat, data.path_id, data
        )
    # BOLT #4: "If it is not the final node: ... MUST return an error if
    # `encrypted_recipient_data` does not contain either `short_channel_id` or
    # `next_node_id`. MUST return an error if `encrypted_recipient_data` does not contain
    # `payment_relay`."
    if data.short_channel_id is None and data.next_node_id is None:
        return _reject("neither short_channel_id nor next_node_id")
    relay = data.payment_relay
    if relay is None:
        return _reject("payment_relay missing")
    # BOLT #4: "MUST use values from `encrypted_recipient_data.payment_relay` to calculate
    # `amt_to_forward` and `outgoing_cltv_value`" ... "`outgoing_cltv_value = cltv_expiry -
    # payment_relay.cltv_expiry_delta`"
    amount = blinded_forward_amount(
        amount_msat, relay.fee_base_msat, relay.fee_proportional_millionths
    )
    outgoing_cltv = cltv_expiry - relay.cltv_expiry_delta
    if amount < 0 or outgoing_cltv < 0:
        return _reject("amount or expiry too small for payment_relay")
    return BlindedForward(
        data.short_channel_id,
        data.next_node_id,
        Msat(amount),
        outgoing_cltv,
        decrypted.next_path_key,
        data,
    )
