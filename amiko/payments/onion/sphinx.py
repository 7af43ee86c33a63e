"""The BOLT #4 Sphinx packet: construction at the origin node, peeling at each hop.

Sans-IO and deterministic: the session key is an argument (the caller draws it from a
CSPRNG), nothing here reads a clock or the network.

- :func:`construct_onion` builds the 1366-byte `onion_routing_packet` of a payment and
  returns the shared secret of every hop (the origin keeps them to decrypt a failure).
- :func:`peel_onion` processes the packet at one hop: it returns a :class:`PeeledOnion`
  (the validated payload, the packet for the next hop or ``None`` at the final node), a
  :class:`MalformedOnion` (send `update_fail_malformed_htlc`: a BADONION code and the
  `sha256_of_onion`), or a :class:`RejectedOnion` (the payload is refused: send
  `update_fail_htlc` with the failure encrypted under the shared secret).
- :func:`construct_packet` and :func:`unwrap_packet` are the generic layer under those two:
  any `hop_payloads` size (onion messages use other sizes) and no payload semantics.
"""

from __future__ import annotations

import hmac as _hmac
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

from amiko.crypto.hashes import sha256
from amiko.crypto.keys import (
    InvalidKeyError,
    ecdh,
    pubkey_of,
    tweak_mul_pubkey,
    tweak_mul_secret,
)
from amiko.payments.onion.exceptions import OnionDecodeError, OnionEncodeError
from amiko.payments.onion.failures import (
    FailureCode,
    FailureMessage,
    InvalidOnionBlinding,
    InvalidOnionPayload,
    bad_onion_failure,
)
from amiko.payments.onion.keys import MU, PAD, RHO, chacha20_stream, chacha20_xor, generate_key
from amiko.payments.onion.payload import (
    HopPayload,
    PayloadRejection,
    RecordValidator,
    read_hop_payload,
)
from amiko.wire.primitives import encode_bigsize

__all__ = [
    "HOP_PAYLOADS_SIZE",
    "ONION_PACKET_SIZE",
    "HopSpec",
    "MalformedOnion",
    "OnionConstruction",
    "OnionSession",
    "PeelResult",
    "PeeledOnion",
    "RejectedOnion",
    "UnwrappedPacket",
    "blinded_node_tweak",
    "construct_onion",
    "construct_packet",
    "peel_onion",
    "prepare_session",
    "reject_payload",
    "shared_start",
    "unwrap_packet",
]

# BOLT #4: "a 1300-byte `hop_payloads`"; packet = version 1 + public_key 33 + 1300 + hmac 32.
HOP_PAYLOADS_SIZE: Final = 1300
ONION_PACKET_SIZE: Final = 1366
_HMAC_SIZE: Final = 32
_ZERO_HMAC: Final = bytes(32)
_VERSION: Final = 0
_BLINDED_NODE_ID: Final = b"blinded_node_id"


@dataclass(frozen=True, slots=True)
class HopSpec:
    """One hop of the route: its node id (or blinded node id) and its payload, the encoded
    TLV stream *without* the bigsize length prefix (this module adds it)."""

    pubkey: bytes
    payload: bytes


class OnionConstruction(NamedTuple):
    """The packet, and the shared secret of each hop (in route order)."""

    packet: bytes
    shared_secrets: list[bytes]


# ---------------------------------------------------------------------------------------
# Construction
# ---------------------------------------------------------------------------------------


class OnionSession(NamedTuple):
    """A session key with what follows from it alone: its public key (the packet's first
    ephemeral key) and the packet's initial filling (the _pad_ stream), which a node can
    compute ahead of the payment that will use it (`prepare_session`)."""

    key: bytes
    pubkey: bytes
    pad: bytes
    # Prepared for a route's nodes too: the route's first hop is a peer of ours, and a
    # payer often pays along a route it took before. The secret shared with each node of
    # `path` follows from the key and the nodes before it; `ephemeral` holds the
    # ephemeral key pair (private, public) the packet carries to each of them.
    path: tuple[bytes, ...] = ()
    secrets: tuple[bytes, ...] = ()
    ephemeral: tuple[tuple[bytes, bytes], ...] = ()


def prepare_session(session_key: bytes, payloads_size: int = HOP_PAYLOADS_SIZE, *,
                    path: Sequence[bytes] = ()) -> OnionSession:
    """Raises :class:`OnionEncodeError` for a key that is not a valid secp256k1 scalar, or
    a node of `path` whose id is not a valid public key."""
    try:
        pubkey = pubkey_of(session_key)
    except InvalidKeyError as exc:
        raise OnionEncodeError(f"session key: {exc}") from None
    chain = list(_along(session_key, pubkey, path, 0))
    # BOLT #4: "The packet is initialized with 1300 _random_ bytes derived from a CSPRNG
    # (ChaCha20). The _pad_ key referenced above is used" ... from the session key.
    return OnionSession(session_key, pubkey, chacha20_stream(generate_key(PAD, session_key), payloads_size),
                        tuple(path), tuple(ss for _ek, _epk, ss in chain),
                        tuple((ek, epk) for ek, epk, _ss in chain))


def _along(ek: bytes, epk: bytes, pubkeys: Sequence[bytes], start: int) -> Iterator[tuple[bytes, bytes, bytes]]:
    """BOLT #4 "Packet Construction" from hop `start` on, whose ephemeral key pair is
    (`ek`, `epk`): for each hop, that pair and the secret shared with it (ECDH, then blind).

    # BOLT #4: "The blinding factor is the `SHA256` hash of the concatenation between the
    # ephemeral public key `epk_k` and the shared secret `ss_k`. The ephemeral private key for
    # the next hop `ek_{k+1}` is computed by multiplying the current ephemeral private key
    # `ek_k` by the blinding factor."
    """
    ss = b""
    for i in range(start, len(pubkeys)):
        if i != start:
            ek, epk = _blind(ek, epk, ss)
        try:
            ss = ecdh(ek, pubkeys[i])
        except InvalidKeyError as exc:
            raise OnionEncodeError(f"hop {i}: {exc}") from None
        yield ek, epk, ss


def _blind(ek: bytes, epk: bytes, ss: bytes) -> tuple[bytes, bytes]:
    """The next hop's ephemeral key pair."""
    ek = tweak_mul_secret(ek, sha256(epk + ss))
    return ek, pubkey_of(ek)


def shared_start(a: Sequence[bytes], b: Sequence[bytes]) -> int:
    """How many nodes two paths share from their start."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _hop_shared_secrets(session: OnionSession, pubkeys: Sequence[bytes]) -> list[bytes]:
    """The secret shared with each hop: those prepared with the session for as long as
    the route follows its path, the rest computed now."""
    same = shared_start(pubkeys, session.path)
    secrets = list(session.secrets[:same])
    if same == len(pubkeys):
        return secrets
    if same == 0:
        ek, epk, start = session.key, session.pubkey, 0
    elif same < len(session.path):  # the route leaves the path: its pair for that hop is prepared
        (ek, epk), start = session.ephemeral[same], same
    else:  # the route goes on past the path
        (ek, epk), start = _blind(*session.ephemeral[-1], secrets[-1]), same
    secrets.extend(ss for _ek, _epk, ss in _along(ek, epk, pubkeys, start))
    return secrets


def _filler(shared_secrets: Sequence[bytes], shifts: Sequence[int], size: int) -> bytes:
    """BOLT #4 "Filler Generation", computed directly (no 20-hop scratch buffer).

    The packet hop ``i+1`` receives ends with the filler of hops ``0..i``: hop ``i`` appends
    ``shift_i`` zero bytes and XORs its `rho` stream over positions ``size - len(filler)``
    to ``size + shift_i`` of its unwrapped payloads. "The last hop need not obfuscate the
    `filler`".
    """
    filler = b""
    for ss, shift in zip(shared_secrets[:-1], shifts[:-1], strict=True):
        offset = size - len(filler)
        filler = chacha20_xor(generate_key(RHO, ss), filler + bytes(shift), offset)
    return filler


def construct_packet(
    session: bytes | OnionSession,
    hops: Sequence[HopSpec],
    associated_data: bytes,
    payloads_size: int = HOP_PAYLOADS_SIZE,
) -> OnionConstruction:
    """A Sphinx packet of ``payloads_size`` bytes of `hop_payloads` (see :func:`construct_onion`).

    Unlike payment payloads, a payload here may be shorter than 2 bytes (onion messages).
    """
    if not hops:
        raise OnionEncodeError("a route needs at least one hop")
    if not isinstance(session, OnionSession) or len(session.pad) != payloads_size:
        session = prepare_session(session if isinstance(session, bytes) else session.key, payloads_size)
    shared_secrets = _hop_shared_secrets(session, [h.pubkey for h in hops])
    # BOLT #4: "`shift_size` is defined as the length of the `hop_payload` plus the bigsize
    # encoding of the length and the length of that HMAC."
    frames = [encode_bigsize(len(h.payload)) + h.payload for h in hops]
    shifts = [len(f) + _HMAC_SIZE for f in frames]
    if sum(shifts) > payloads_size:
        raise OnionEncodeError(
            f"hop payloads take {sum(shifts)} bytes, more than the {payloads_size} available"
        )
    filler = _filler(shared_secrets, shifts, payloads_size)
    mix = session.pad
    next_hmac = _ZERO_HMAC
    for i in range(len(hops) - 1, -1, -1):
        ss = shared_secrets[i]
        # BOLT #4: "The `hop_payload` field is right-shifted by `shift_size` bytes, discarding
        # the last `shift_size` bytes that exceed its 1300-byte size. The bigsize-serialized
        # length, serialized `hop_payload` and `hmac` are copied into the following
        # `shift_size` bytes. The _rho_-key is used to generate 1300 bytes of pseudo-random
        # byte stream which is then applied, with `XOR`, to the `hop_payloads` field."
        mix = chacha20_xor(
            generate_key(RHO, ss), frames[i] + next_hmac + mix[: payloads_size - shifts[i]]
        )
        if i == len(hops) - 1 and filler:
            # BOLT #4: "If this is the last hop, i.e. the first iteration, then the tail of
            # the `hop_payloads` field is overwritten with the routing information `filler`."
            mix = mix[: payloads_size - len(filler)] + filler
        # BOLT #4: "The next HMAC is computed (with the _mu_-key as HMAC-key) over the
        # concatenated `hop_payloads` and associated data."
        next_hmac = _hmac.digest(generate_key(MU, ss), mix + associated_data, "sha256")
    packet = bytes((_VERSION,)) + session.pubkey + mix + next_hmac
    return OnionConstruction(packet, shared_secrets)


def construct_onion(
    session_key: bytes | OnionSession, hops: Sequence[HopSpec], associated_data: bytes
) -> OnionConstruction:
    """The 1366-byte `onion_routing_packet` for a payment along ``hops``.

    ``session_key``: 32 random bytes (a valid secp256k1 scalar), drawn by the caller, or
    that key prepared ahead (`prepare_session`).
    ``associated_data``: the `payment_hash` (BOLT #2: "MUST use `payment_hash` as
    `associated_data`"). Each payload must be at least 2 bytes:
    # BOLT #4: "Since no `payload` TLV value can ever be shorter than 2 bytes, `length`
    # values of 0 and 1 are reserved."
    Raises :class:`OnionEncodeError` for an invalid key or payloads that do not fit.
    """
    for i, h in enumerate(hops):
        if len(h.payload) < 2:
            raise OnionEncodeError(f"hop {i}: payload of {len(h.payload)} bytes (minimum 2)")
    return construct_packet(session_key, hops, associated_data, HOP_PAYLOADS_SIZE)


# ---------------------------------------------------------------------------------------
# Peeling
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MalformedOnion:
    """The onion could not be processed: reply `update_fail_malformed_htlc` with
    ``failure_code`` (BADONION set) and ``sha256_of_onion`` of the packet received."""

    failure_code: int
    sha256_of_onion: bytes
    reason: str

    @property
    def failure(self) -> FailureMessage:
        """The failure message the upstream node builds from it (BOLT #2)."""
        return bad_onion_failure(self.failure_code, self.sha256_of_onion)


@dataclass(frozen=True, slots=True)
class UnwrappedPacket:
    """One layer removed: the raw payload and what to forward (``None`` at the end)."""

    payload: bytes
    next_packet: bytes | None
    shared_secret: bytes


@dataclass(frozen=True, slots=True)
class _FramingError:
    """The HMAC was valid but the decrypted payloads are malformed (the origin's fault)."""

    shared_secret: bytes
    reason: str


def blinded_node_tweak(node_secret: bytes, path_key: bytes) -> bytes:
    """The factor ``HMAC256("blinded_node_id", ECDH(path_key, node_privkey))`` by which a node
    inside a blinded route tweaks its key (raises InvalidKeyError for a bad path_key)."""
    return _hmac.digest(_BLINDED_NODE_ID, ecdh(node_secret, path_key), "sha256")


def unwrap_packet(
    node_secret: bytes,
    packet: bytes,
    associated_data: bytes,
    path_key: bytes | None = None,
) -> UnwrappedPacket | MalformedOnion | _FramingError:
    """BOLT #4 "Onion Decryption" for a packet of any `hop_payloads` size.

    Raises :class:`OnionDecodeError` only if ``packet`` is too short to hold a header and an
    HMAC (a caller bug: the wire codec fixes the size).
    """
    n = len(packet) - 66
    if n < 0:
        raise OnionDecodeError(f"onion packet of {len(packet)} bytes (at least 66 needed)")
    packet = bytes(packet)
    # BOLT #4: "if `version` is not 0: MUST abort processing the packet and fail."
    if packet[0] != _VERSION:
        return MalformedOnion(
            FailureCode.INVALID_ONION_VERSION, sha256(packet), f"onion version {packet[0]}"
        )
    public_key = packet[1:34]
    key = node_secret
    if path_key is not None:
        # BOLT #4: "if `path_key` is specified: Calculate the `blinding_ss` as
        # ECDH(`path_key`, `node_privkey`). Either: Tweak `public_key` by multiplying by
        # HMAC256("blinded_node_id", blinding_ss). or (equivalently): Tweak its own
        # `node_privkey` below by multiplying by HMAC256("blinded_node_id", blinding_ss)."
        try:
            key = tweak_mul_secret(node_secret, blinded_node_tweak(node_secret, path_key))
        except InvalidKeyError:
            return MalformedOnion(
                FailureCode.INVALID_ONION_BLINDING, sha256(packet), "invalid path_key"
            )
    # BOLT #4: "if `public_key` is not a valid pubkey: MUST abort processing the packet and
    # fail." ... "Derive the shared secret `ss` as ECDH(`public_key`, `node_privkey`)"
    try:
        ss = ecdh(key, public_key)
    except InvalidKeyError:
        return MalformedOnion(FailureCode.INVALID_ONION_KEY, sha256(packet), "invalid public_key")
    hop_payloads = packet[34 : 34 + n]
    # BOLT #4: "Derive the HMAC as HMAC256(mu, hop_payloads || associated_data). MUST use a
    # constant time comparison of the computed HMAC and `hmac`. If the computed HMAC and
    # `hmac` differ: MUST abort processing the packet and fail."
    expected = _hmac.digest(generate_key(MU, ss), hop_payloads + associated_data, "sha256")
    if not _hmac.compare_digest(expected, packet[34 + n :]):
        return MalformedOnion(FailureCode.INVALID_ONION_HMAC, sha256(packet), "HMAC mismatch")
    # BOLT #4: "Derive `bytestream` of twice the length of `hop_payloads` using `rho`. Set
    # `unwrapped_payloads` to the XOR of `hop_payloads` and `bytestream`."
    unwrapped = chacha20_xor(generate_key(RHO, ss), hop_payloads + bytes(n))
    # BOLT #4: "Remove a `bigsize` from the front of `unwrapped_payloads` as
    # `payload_length`. If that is malformed: MUST abort processing the packet and fail."
    first = unwrapped[0] if n else 0
    if first < 0xFD:
        length, pos = first, 1
    elif first == 0xFD:
        length, pos = int.from_bytes(unwrapped[1:3], "big"), 3
        if length < 0xFD:
            return _FramingError(ss, "payload length is not a minimal bigsize")
    else:  # a 4- or 8-byte length can never fit
        return _FramingError(ss, "payload length does not fit the packet")
    # BOLT #4: "If there are fewer than `payload_length` bytes remaining ... If there are
    # fewer than 32 bytes remaining in `unwrapped_payloads` ... If `unwrapped_payloads` is
    # smaller than `hop_payloads`: MUST abort processing the packet and fail."
    shift = pos + length + _HMAC_SIZE
    if shift > n:
        return _FramingError(ss, f"payload of {length} bytes does not fit the packet")
    payload = unwrapped[pos : pos + length]
    next_hmac = unwrapped[pos + length : shift]
    if next_hmac == _ZERO_HMAC:
        # BOLT #4: "Otherwise (all-zero `next_hmac`): This is the final destination of the
        # onion."
        return UnwrappedPacket(payload, None, ss)
    # BOLT #4: "If `next_hmac` is not all-zero (not the final node): Derive `blinding_tweak`
    # as SHA256(public_key || ss) ... forward an onion to the next peer with: `version` set
    # to 0. `public_key` set to the incoming `public_key` multiplied by `blinding_tweak`.
    # `hop_payloads` set to the `unwrapped_payloads`, truncated to the incoming
    # `hop_payloads` size. `hmac` set to `next_hmac`."
    next_pubkey = tweak_mul_pubkey(public_key, sha256(public_key + ss))
    next_packet = b"\x00" + next_pubkey + unwrapped[shift : shift + n] + next_hmac
    return UnwrappedPacket(payload, next_packet, ss)


@dataclass(frozen=True, slots=True)
class PeeledOnion:
    """This hop's layer, processed and valid.

    ``payload``: the raw TLV payload; ``hop``: it, read with BOLT #4's requirements;
    ``next_packet``: the 1366 bytes to put in the outgoing `update_add_htlc` (``None`` at the
    final node); ``shared_secret``: keep it with the HTLC to encrypt a failure later.
    """

    payload: bytes
    hop: HopPayload
    next_packet: bytes | None
    shared_secret: bytes

    @property
    def is_final(self) -> bool:
        return self.next_packet is None


@dataclass(frozen=True, slots=True)
class RejectedOnion:
    """The onion decrypted, but its payload is refused: fail the HTLC with `update_fail_htlc`,
    ``create_failure(shared_secret, failure.encode())``."""

    shared_secret: bytes
    failure: FailureMessage
    reason: str


PeelResult = PeeledOnion | MalformedOnion | RejectedOnion


def peel_onion(
    node_secret: bytes,
    packet: bytes,
    associated_data: bytes,
    path_key: bytes | None = None,
    accept: Mapping[int, RecordValidator] | None = None,
) -> PeelResult:
    """Process an incoming `onion_routing_packet` with this node's secret.

    ``associated_data``: the HTLC's `payment_hash`. ``path_key``: from the `update_add_htlc`
    TLV, if any (the HTLC comes from inside a blinded route). ``accept``: even custom payload
    records understood (default: the keysend preimage).

    Never raises for a peer's bad packet. The replay rule ("if `hmac` has previously been
    received ... MUST abort processing the packet and fail") needs storage: the caller keeps
    the incoming HMACs (``packet[-32:]``).
    """
    if len(packet) != ONION_PACKET_SIZE:
        raise OnionDecodeError(f"onion_routing_packet must be 1366 bytes, got {len(packet)}")
    result = unwrap_packet(node_secret, packet, associated_data, path_key)
    blinded_htlc = path_key is not None
    if isinstance(result, MalformedOnion):
        if blinded_htlc and result.failure_code != FailureCode.INVALID_ONION_BLINDING:
            # BOLT #2: "If `path_key` is set in the incoming `update_add_htlc`: MUST send an
            # `update_fail_malformed_htlc` error using the `invalid_onion_blinding` failure
            # code for any local or downstream errors."
            return MalformedOnion(
                FailureCode.INVALID_ONION_BLINDING, result.sha256_of_onion, result.reason
            )
        return result
    if isinstance(result, _FramingError):
        rejection = PayloadRejection(0, 0, result.reason, blinded_htlc)
        return reject_payload(result.shared_secret, packet, rejection, blinded_htlc)
    if len(result.payload) < 2:
        # BOLT #4: "If the `payload_length` is less than two: MUST abort processing the
        # packet and fail."
        rejection = PayloadRejection(0, 0, "payload_length below 2", blinded_htlc)
        return reject_payload(result.shared_secret, packet, rejection, blinded_htlc)
    hop = read_hop_payload(
        result.payload,
        is_final=result.next_packet is None,
        htlc_path_key=blinded_htlc,
        accept=accept,
    )
    if isinstance(hop, PayloadRejection):
        return reject_payload(result.shared_secret, packet, hop, blinded_htlc)
    return PeeledOnion(result.payload, hop, result.next_packet, result.shared_secret)


def reject_payload(
    ss: bytes, packet: bytes, rejection: PayloadRejection, blinded_htlc: bool
) -> MalformedOnion | RejectedOnion:
    """What to send back for a refused payload: ``ss`` is the hop's shared secret, ``packet``
    the onion received, ``blinded_htlc`` whether `update_add_htlc` carried a `path_key`.
    (Also for a ``PayloadRejection`` from ``blinding.read_blinded_hop``.)"""
    if blinded_htlc:
        # BOLT #2: "If `path_key` is set in the incoming `update_add_htlc`: MUST send an
        # `update_fail_malformed_htlc` error using the `invalid_onion_blinding` failure code
        # for any local or downstream errors. SHOULD use the `sha256_of_onion` of the onion
        # it received."
        return MalformedOnion(FailureCode.INVALID_ONION_BLINDING, sha256(packet), rejection.reason)
    if rejection.blinded:
        # BOLT #2: "If `current_path_key` is set in the onion payload and it is not the final
        # node: MUST send an `update_fail_htlc` error using the `invalid_onion_blinding`
        # failure code" ... "SHOULD use the `sha256_of_onion` of the onion it received."
        return RejectedOnion(ss, InvalidOnionBlinding(sha256(packet)), rejection.reason)
    # BOLT #4: "if the per-hop payload in the onion is invalid (e.g. it is not a valid tlv
    # stream) or is missing required information (e.g. the amount was not specified): return
    # an `invalid_onion_payload` error."
    offset = rejection.offset if rejection.offset <= 0xFFFF else 0
    return RejectedOnion(ss, InvalidOnionPayload(rejection.tlv_type, offset), rejection.reason)
