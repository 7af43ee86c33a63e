"""The failure onion ("Returning Errors" of BOLT #4): the `reason` of `update_fail_htlc`.

- :func:`create_failure` at the erring node: `hmac || failure_len || failuremsg || pad_len ||
  pad`, authenticated with `um` and encrypted with `ammag`.
- :func:`obfuscate_failure` at every hop the failure passes on its way back.
- :func:`decode_failure` at the origin node: peel the layers with each hop's shared secret
  until the `um` HMAC matches; that hop sent the failure.

The optional `attribution_data` (`option_attribution_data`) lives in
``amiko.payments.onion.attribution``; :func:`decode_attributed_failure` uses both.
"""

from __future__ import annotations

import hmac as _hmac
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from amiko.payments.onion.attribution import (
    ATTRIBUTION_DATA_SIZE,
    add_attribution,
    unwrap_attribution,
)
from amiko.payments.onion.exceptions import FailureDecodeError, OnionEncodeError
from amiko.payments.onion.failures import (
    FailureMessage,
    bad_onion_failure,
    decode_failure_message,
)
from amiko.payments.onion.keys import AMMAG, UM, chacha20_xor, generate_key

__all__ = [
    "DEFAULT_PAD_TO",
    "MAX_DECRYPTION_ROUNDS",
    "AttributedFailure",
    "DecodedFailure",
    "create_failure",
    "create_failure_from_malformed",
    "create_failure_with_attribution",
    "decode_attributed_failure",
    "decode_failure",
    "obfuscate_failure",
    "obfuscate_failure_with_attribution",
]

DEFAULT_PAD_TO: Final = 256
"""# BOLT #4: "MUST set `pad` such that the `failure_len` plus `pad_len` is at least 256.
SHOULD set `pad` such that the `failure_len` plus `pad_len` is equal to 256." """

MAX_DECRYPTION_ROUNDS: Final = 27
"""# BOLT #4: "SHOULD continue decrypting, until the loop has been repeated 27 times (maximum
route length of tlv payload type)." """

_U16: Final = struct.Struct(">H")
_DUMMY_SECRET: Final = bytes(32)  # "SHOULD use constant `ammag` and `um` keys"


def _raw_failure(shared_secret: bytes, failure_message: bytes, pad_to: int) -> bytes:
    """The return packet before encryption: `hmac || failure_len || failuremsg || pad_len ||
    pad`."""
    if pad_to < DEFAULT_PAD_TO:
        # BOLT #4: "MUST set `pad` such that the `failure_len` plus `pad_len` is at least 256."
        raise OnionEncodeError(f"pad_to {pad_to} is below the minimum of 256")
    n = len(failure_message)
    if n > 0xFFFF:
        raise OnionEncodeError(f"failure message of {n} bytes does not fit failure_len")
    pad_len = max(pad_to - n, 0)
    if pad_len > 0xFFFF:
        raise OnionEncodeError(f"pad of {pad_len} bytes does not fit pad_len")
    body = b"".join((_U16.pack(n), failure_message, _U16.pack(pad_len), bytes(pad_len)))
    # BOLT #4: "`hmac` is an HMAC authenticating the remainder of the packet, with a key
    # generated using the above process, with key type `um`"
    return _hmac.digest(generate_key(UM, shared_secret), body, "sha256") + body


def create_failure(
    shared_secret: bytes, failure_message: bytes, pad_to: int = DEFAULT_PAD_TO
) -> bytes:
    """The `reason` the erring node puts in `update_fail_htlc`.

    ``shared_secret``: the one ``peel_onion`` returned for the HTLC. ``failure_message``: an
    encoded `failuremsg` (``FailureMessage.encode()``). ``pad_to``: `failure_len` +
    `pad_len` when the message is shorter (a longer message gets no padding).
    # BOLT #4: "The erring node then generates a new key, using the key type `ammag`. This
    # key is then used to generate a pseudo-random stream, which is in turn applied to the
    # packet using `XOR`."
    """
    return obfuscate_failure(shared_secret, _raw_failure(shared_secret, failure_message, pad_to))


def obfuscate_failure(shared_secret: bytes, packet: bytes) -> bytes:
    """Add this hop's layer to a failure coming back from downstream.

    # BOLT #4: "Generate the node's `ammag` key, generate the pseudo-random byte streams, and
    # apply the result to obfuscate the return packet." (Also the origin's decryption step.)
    """
    return chacha20_xor(generate_key(AMMAG, shared_secret), packet)


def create_failure_from_malformed(
    shared_secret: bytes, failure_code: int, sha256_of_onion: bytes
) -> bytes:
    """The `update_fail_htlc` reason to send upstream when downstream replied
    `update_fail_malformed_htlc`.

    # BOLT #2: "MUST return an error in the `update_fail_htlc` sent to the link which
    # originally sent the HTLC, using the `failure_code` given and setting the data to
    # `sha256_of_onion`."
    """
    return create_failure(shared_secret, bad_onion_failure(failure_code, sha256_of_onion).encode())


@dataclass(frozen=True, slots=True)
class DecodedFailure:
    """A failure attributed by its HMAC to ``hop_index`` (0 = the first hop of the route).

    ``failure`` is ``None`` if the authenticated `failuremsg` does not parse (the hop sent
    garbage: blame it). ``failure_message``: the raw `failuremsg`.
    """

    hop_index: int
    failure: FailureMessage | None
    failure_message: bytes


def _parse_body(packet: bytes) -> tuple[FailureMessage | None, bytes]:
    body = packet[32:]
    if len(body) < 2:
        return None, b""
    (n,) = _U16.unpack_from(body, 0)
    if 2 + n > len(body):
        return None, body[2:]
    raw = body[2 : 2 + n]
    try:
        return decode_failure_message(raw), raw
    except FailureDecodeError:
        return None, raw


def _hmac_ok(shared_secret: bytes, packet: bytes) -> bool:
    expected = _hmac.digest(generate_key(UM, shared_secret), packet[32:], "sha256")
    return _hmac.compare_digest(expected, packet[:32])


def decode_failure(shared_secrets: Sequence[bytes], packet: bytes) -> DecodedFailure | None:
    """At the origin: which hop sent this failure, and what it says. ``None``: no hop's HMAC
    matches (the packet was corrupted on the way: unattributable).

    # BOLT #4: "It then iteratively decrypts the message, using each hop's `ammag` ... keys"
    # ... "When the computed HMAC matches `hmac` in the return packet, the origin node will
    # know that the current hop is the sender of the failure. They can then parse
    # `failuremsg`."
    The loop always runs :data:`MAX_DECRYPTION_ROUNDS` times (dummy rounds with a constant
    key after the route ends), so the time taken does not reveal the erring hop's position.
    """
    found: tuple[int, bytes] | None = None
    packet = bytes(packet)
    rounds = max(MAX_DECRYPTION_ROUNDS, len(shared_secrets))
    for i in range(rounds):
        ss = shared_secrets[i] if i < len(shared_secrets) else _DUMMY_SECRET
        packet = obfuscate_failure(ss, packet)
        ok = _hmac_ok(ss, packet)  # computed on every round: constant work
        if ok and found is None and i < len(shared_secrets):
            found = (i, packet)
    if found is None:
        return None
    index, plain = found
    failure, raw = _parse_body(plain)
    return DecodedFailure(index, failure, raw)


# ---------------------------------------------------------------------------------------
# With attribution data (option_attribution_data)
# ---------------------------------------------------------------------------------------


def create_failure_with_attribution(
    shared_secret: bytes,
    failure_message: bytes,
    hold_time: int,
    pad_to: int = DEFAULT_PAD_TO,
) -> tuple[bytes, bytes]:
    """:func:`create_failure` plus the `attribution_data` for `update_fail_htlc`.

    ``hold_time``: how long this node held the HTLC, in units of 100 ms.
    # BOLT #4: "if `option_attribution_data` is advertised: if `path_key` is not set in the
    # incoming `update_add_htlc`: MUST initialize `attribution_data` and include it in
    # `update_fail_htlc`"
    """
    raw = _raw_failure(shared_secret, failure_message, pad_to)
    attribution = add_attribution(shared_secret, raw, hold_time, None)
    return obfuscate_failure(shared_secret, raw), attribution


def obfuscate_failure_with_attribution(
    shared_secret: bytes, packet: bytes, attribution_data: bytes | None, hold_time: int
) -> tuple[bytes, bytes]:
    """:func:`obfuscate_failure` plus this hop's update of the `attribution_data`.

    # BOLT #4: "if `attribution_data` is received from downstream: MUST transform
    # `attribution_data` as described above; otherwise: MUST instantiate an all-zeroes
    # `attribution_data` block; MUST update `attribution_data` as described above"
    """
    if attribution_data is not None and len(attribution_data) != ATTRIBUTION_DATA_SIZE:
        attribution_data = None  # malformed from downstream: start afresh
    attribution = add_attribution(shared_secret, packet, hold_time, attribution_data)
    return obfuscate_failure(shared_secret, packet), attribution


@dataclass(frozen=True, slots=True)
class AttributedFailure:
    """What the origin learns from a failure and its `attribution_data`.

    ``decoded``: as :func:`decode_failure` (``None`` if no `um` HMAC matched).
    ``hold_times``: the hold time (units of 100 ms) each hop reported, from the first hop on,
    as far as the attribution HMACs are valid. ``blame_hop``: when the failure itself is
    unattributable, the first hop whose attribution HMAC failed (it, or the link between it
    and the hop before it, corrupted the failure); ``None`` if the HMACs were all valid or
    there was no attribution data. Blame falls on a pair: hop ``blame_hop`` or the hop
    before it ("Blame is still only assignable to a pair of nodes").
    """

    decoded: DecodedFailure | None
    hold_times: tuple[int, ...]
    blame_hop: int | None


def decode_attributed_failure(
    shared_secrets: Sequence[bytes], packet: bytes, attribution_data: bytes | None
) -> AttributedFailure:
    """:func:`decode_failure`, checking the `attribution_data` of each hop on the way.

    # BOLT #4: "Verify the HMAC in `attribution_data` that corresponds to the hop's position
    # in the path using the hop's `um` key. If the HMAC is invalid, processing of the message
    # can stop and the node should penalize this hop" ... "When the failure source cannot be
    # identified from the return packet AND `attribution_data` is present: SHOULD use
    # `attribution_data` to identify the failure source"
    """
    decoded = decode_failure(shared_secrets, packet)
    if attribution_data is None or len(attribution_data) != ATTRIBUTION_DATA_SIZE:
        return AttributedFailure(decoded, (), None)
    hold_times: list[int] = []
    blame: int | None = None
    n = len(shared_secrets)
    last = n - 1 if decoded is None else decoded.hop_index
    attribution = bytes(attribution_data)
    packet = bytes(packet)
    for i, ss in enumerate(shared_secrets[: last + 1]):
        packet = obfuscate_failure(ss, packet)
        unwrapped = unwrap_attribution(ss, attribution, packet, n - i)
        if unwrapped is None:
            blame = i
            break
        hold, attribution = unwrapped
        hold_times.append(hold)
    if decoded is not None:
        blame = None
    elif blame is None and n:
        blame = n - 1  # every hop's attribution holds: the last hop sent a bad failure
    return AttributedFailure(decoded, tuple(hold_times), blame)
