"""Hop payloads: build them (origin node) and read them with BOLT #4's reader requirements.

The TLV codec is the generated ``amiko.wire.messages.Payload``. This module adds:

- builders for the payload of an intermediate hop, of the final hop (MPP `payment_data`,
  `payment_metadata`, keysend preimage, custom records) and of hops inside a blinded route;
- :func:`decode_payload`, which also accepts the even custom records this node understands
  (the keysend preimage, type 5482373484) without touching the global TLV registry, and
  which, when the stream is invalid, names the offending record: BOLT #4's
  `invalid_onion_payload` carries "that `type` and its byte `offset`";
- :func:`read_hop_payload`, the reader requirements, giving a typed :class:`ForwardHop`,
  :class:`FinalHop` or :class:`BlindedHop`, or a :class:`PayloadRejection`;
- :func:`check_final_htlc`, the final node's checks of the HTLC against its payload.

Offsets are byte offsets into the payload (the TLV stream after the `length` prefix) of the
start of the offending record; 0 when a required record is missing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from amiko.payments.onion.exceptions import OnionEncodeError
from amiko.payments.onion.failures import (
    FailureMessage,
    FinalIncorrectCltvExpiry,
    FinalIncorrectHtlcAmount,
    IncorrectOrUnknownPaymentDetails,
)
from amiko.wire.errors import DecodeError, EncodeError, UnknownEvenTypeError
from amiko.wire.messages import Payload, PaymentData
from amiko.wire.primitives import decode_bigsize
from amiko.wire.types import Msat, ShortChannelId

__all__ = [
    "CUSTOM_RECORD_MIN",
    "KEYSEND_PREIMAGE_TYPE",
    "BlindedHop",
    "FinalHop",
    "ForwardHop",
    "HopPayload",
    "PayloadRejection",
    "RecordValidator",
    "build_blinded_final_payload",
    "build_blinded_forward_payload",
    "build_final_payload",
    "build_forward_payload",
    "check_final_htlc",
    "decode_payload",
    "read_hop_payload",
]

# Payload record types (BOLT #4 `payload` tlv_stream).
T_AMT_TO_FORWARD: Final = 2
T_OUTGOING_CLTV_VALUE: Final = 4
T_SHORT_CHANNEL_ID: Final = 6
T_PAYMENT_DATA: Final = 8
T_ENCRYPTED_RECIPIENT_DATA: Final = 10
T_CURRENT_PATH_KEY: Final = 12
T_PAYMENT_METADATA: Final = 16
T_TOTAL_AMOUNT_MSAT: Final = 18

KEYSEND_PREIMAGE_TYPE: Final = 5482373484
"""The keysend custom record (bLIP-3): the 32-byte payment preimage, chosen by the payer."""

CUSTOM_RECORD_MIN: Final = 1 << 16
"""BOLT #1: "`type` identifiers greater than or equal to 2^16 are available for custom
records." """


def _check_keysend(value: bytes) -> str | None:
    return None if len(value) == 32 else f"keysend preimage must be 32 bytes, got {len(value)}"


RecordValidator = Callable[[bytes], str | None]
"""Checks the value of a custom record: None if valid, else what is wrong."""

# Even custom records this node understands, with their validators.
_DEFAULT_ACCEPT: Final[Mapping[int, RecordValidator]] = {KEYSEND_PREIMAGE_TYPE: _check_keysend}


# ---------------------------------------------------------------------------------------
# Builders (origin node)
# ---------------------------------------------------------------------------------------


def _custom(records: Iterable[tuple[int, bytes]]) -> tuple[tuple[int, bytes], ...]:
    out = tuple(sorted(records))
    for t, v in out:
        if not CUSTOM_RECORD_MIN <= t < 1 << 64:
            raise OnionEncodeError(f"custom record type {t} is not in [2^16, 2^64)")
        if not isinstance(v, bytes):
            raise OnionEncodeError(f"custom record {t}: value is not bytes")
    return out


def _encode(p: Payload) -> bytes:
    try:
        return p.encode()
    except EncodeError as exc:
        raise OnionEncodeError(str(exc)) from None


def build_forward_payload(
    amt_to_forward: int,
    outgoing_cltv_value: int,
    short_channel_id: int,
    custom_records: Iterable[tuple[int, bytes]] = (),
) -> bytes:
    """The payload of an intermediate hop (not inside a blinded route).

    # BOLT #4: "For every node outside of a blinded route: MUST include `amt_to_forward` and
    # `outgoing_cltv_value`. For every non-final node: MUST include `short_channel_id`; MUST
    # NOT include `payment_data`"
    """
    return _encode(
        Payload(
            amt_to_forward=amt_to_forward,
            outgoing_cltv_value=outgoing_cltv_value,
            short_channel_id=ShortChannelId(short_channel_id),
            unknown=_custom(custom_records),
        )
    )


def build_final_payload(
    amt_to_forward: int,
    outgoing_cltv_value: int,
    *,
    payment_secret: bytes | None = None,
    total_msat: int | None = None,
    payment_metadata: bytes | None = None,
    keysend_preimage: bytes | None = None,
    custom_records: Iterable[tuple[int, bytes]] = (),
) -> bytes:
    """The payload of the final hop (not inside a blinded route).

    # BOLT #4: "For the final node: MUST NOT include `short_channel_id`; if the recipient
    # provided `payment_secret`: MUST include `payment_data`, MUST set `payment_secret` to the
    # one provided, MUST set `total_msat` to the total amount it will send; if the recipient
    # provided `payment_metadata`: MUST include `payment_metadata` with every HTLC"
    # BOLT #4 (basic MPP): "otherwise: MUST set `total_msat` equal to `amt_to_forward`."

    ``total_msat`` defaults to ``amt_to_forward`` (a single-part payment). It needs a
    ``payment_secret``: `payment_data` carries both.
    """
    payment_data = None
    if payment_secret is not None:
        total = amt_to_forward if total_msat is None else total_msat
        payment_data = PaymentData(payment_secret, Msat(total))
    elif total_msat is not None:
        raise OnionEncodeError("total_msat travels in payment_data: it needs a payment_secret")
    records = list(custom_records)
    if keysend_preimage is not None:
        if len(keysend_preimage) != 32:
            raise OnionEncodeError("keysend preimage must be 32 bytes")
        records.append((KEYSEND_PREIMAGE_TYPE, keysend_preimage))
    return _encode(
        Payload(
            amt_to_forward=amt_to_forward,
            outgoing_cltv_value=outgoing_cltv_value,
            payment_data=payment_data,
            payment_metadata=payment_metadata,
            unknown=_custom(records),
        )
    )


def build_blinded_forward_payload(
    encrypted_recipient_data: bytes, current_path_key: bytes | None = None
) -> bytes:
    """The payload of a non-final node inside a blinded route.

    # BOLT #4: "For every node inside a blinded route: MUST include the
    # `encrypted_recipient_data` provided by the recipient. For the first node in the blinded
    # route: MUST include the `path_key` provided by the recipient in `current_path_key`" ...
    # "MUST NOT include any other tlv field."
    """
    return _encode(
        Payload(
            encrypted_recipient_data=encrypted_recipient_data, current_path_key=current_path_key
        )
    )


def build_blinded_final_payload(
    encrypted_recipient_data: bytes,
    amt_to_forward: int,
    outgoing_cltv_value: int,
    total_amount_msat: int,
    current_path_key: bytes | None = None,
) -> bytes:
    """The payload of the final node of a blinded route.

    # BOLT #4: "If it is the final node: MUST include `amt_to_forward`, `outgoing_cltv_value`
    # and `total_amount_msat`." ... "MUST NOT include any other tlv field."
    """
    return _encode(
        Payload(
            amt_to_forward=amt_to_forward,
            outgoing_cltv_value=outgoing_cltv_value,
            encrypted_recipient_data=encrypted_recipient_data,
            current_path_key=current_path_key,
            total_amount_msat=Msat(total_amount_msat),
        )
    )


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PayloadRejection:
    """A hop payload this node refuses.

    ``tlv_type`` and ``offset`` are the data of `invalid_onion_payload`; ``blinded`` says the
    error arose inside a blinded route, where BOLT #4 requires `invalid_onion_blinding`
    instead. ``reason`` is for logs only.
    """

    tlv_type: int
    offset: int
    reason: str
    blinded: bool = False


@dataclass(frozen=True, slots=True)
class ForwardHop:
    """A valid payload of an intermediate hop: forward to ``short_channel_id``."""

    amt_to_forward: Msat
    outgoing_cltv_value: int
    short_channel_id: ShortChannelId
    tlv: Payload


@dataclass(frozen=True, slots=True)
class FinalHop:
    """A valid payload of the final node.

    # BOLT #4: "MUST treat `total_msat` as if it were equal to `amt_to_forward` if it is not
    # present."
    """

    amt_to_forward: Msat
    outgoing_cltv_value: int
    total_msat: Msat
    payment_secret: bytes | None
    payment_metadata: bytes | None
    keysend_preimage: bytes | None
    custom_records: tuple[tuple[int, bytes], ...]  # every record of type >= 2^16
    tlv: Payload


@dataclass(frozen=True, slots=True)
class BlindedHop:
    """A payload inside a blinded route, structurally valid; ``encrypted_recipient_data``
    still has to be decrypted (with the `path_key` of `update_add_htlc`, or
    ``current_path_key`` at the introduction node) to learn where to forward or what the
    payment is. Amount fields are set only for the final node."""

    is_final: bool
    encrypted_recipient_data: bytes
    current_path_key: bytes | None
    amt_to_forward: Msat | None
    outgoing_cltv_value: int | None
    total_amount_msat: Msat | None
    tlv: Payload


HopPayload = ForwardHop | FinalHop | BlindedHop


def _scan(
    data: bytes, accept: Mapping[int, RecordValidator]
) -> list[tuple[int, int, int]] | PayloadRejection:
    """Split ``data`` into records (type, start, end), checking each one on its own."""
    records: list[tuple[int, int, int]] = []
    pos = 0
    end = len(data)
    last = -1
    while pos < end:
        start = pos
        try:
            t, pos = decode_bigsize(data, pos, end, "payload: type")
        except DecodeError as exc:
            return PayloadRejection(max(last, 0), start, str(exc))
        if t <= last:
            return PayloadRejection(t, start, f"TLV type {t} after {last}")
        try:
            length, pos = decode_bigsize(data, pos, end, "payload: length")
        except DecodeError as exc:
            return PayloadRejection(t, start, str(exc))
        if pos + length > end:
            return PayloadRejection(t, start, f"TLV type {t}: value truncated")
        stop = pos + length
        check = accept.get(t)
        if check is not None:
            problem = check(data[pos:stop])
            if problem is not None:
                return PayloadRejection(t, start, problem)
        else:
            try:
                Payload.decode(data[start:stop])
            except DecodeError as exc:
                return PayloadRejection(t, start, str(exc))
        records.append((t, start, stop))
        pos = stop
        last = t
    return records


def decode_payload(
    data: bytes, accept: Mapping[int, RecordValidator] = _DEFAULT_ACCEPT
) -> Payload | PayloadRejection:
    """Decode a hop payload; a :class:`PayloadRejection` names the first bad record.

    ``accept`` maps the even custom record types this node understands to a validator
    (``value -> None | problem``); they end up in ``Payload.unknown`` like odd ones.
    # BOLT #1: "if `type` is even: MUST fail to parse the `tlv_stream`" (for an unknown type).
    """
    try:
        payload = Payload.decode(data)
    except UnknownEvenTypeError as exc:
        if exc.tlv_type not in accept:
            return _locate(data, accept)
    except DecodeError:
        return _locate(data, accept)
    else:
        if not payload.unknown or not any(t in accept for t, _ in payload.unknown):
            return payload
    # Accepted custom even records (or accepted odd ones that need validating): split them
    # off, decode the rest with the generated codec, then put them back in `unknown`.
    scanned = _scan(data, accept)
    if isinstance(scanned, PayloadRejection):
        return scanned
    extra = tuple((t, data[s:e]) for t, s, e in scanned if t in accept)
    rest = b"".join(data[s:e] for t, s, e in scanned if t not in accept)
    try:
        payload = Payload.decode(rest)
    except DecodeError:  # cannot happen: every record was checked on its own
        return _locate(data, accept)
    values = tuple((t, _value_of(raw)) for t, raw in extra)
    return dataclasses.replace(payload, unknown=tuple(sorted(payload.unknown + values)))


def _value_of(record: bytes) -> bytes:
    _, pos = decode_bigsize(record, 0)
    _, pos = decode_bigsize(record, pos)
    return record[pos:]


def _locate(data: bytes, accept: Mapping[int, RecordValidator]) -> PayloadRejection:
    scanned = _scan(data, accept)
    if isinstance(scanned, PayloadRejection):
        return scanned
    return PayloadRejection(0, 0, "invalid payload")  # defensive: _scan found nothing


def _offset_of(data: bytes, tlv_type: int) -> int:
    """Byte offset of record ``tlv_type`` in a stream already known to be valid."""
    pos = 0
    end = len(data)
    while pos < end:
        start = pos
        t, pos = decode_bigsize(data, pos, end)
        length, pos = decode_bigsize(data, pos, end)
        if t == tlv_type:
            return start
        pos += length
    return 0


def read_hop_payload(
    data: bytes,
    *,
    is_final: bool,
    htlc_path_key: bool = False,
    accept: Mapping[int, RecordValidator] | None = None,
) -> HopPayload | PayloadRejection:
    """Apply BOLT #4's reader requirements to the payload of this hop.

    ``is_final``: the onion's `next_hmac` was all zero. ``htlc_path_key``: the incoming
    `update_add_htlc` carried a `path_key` (we are inside a blinded route). ``accept``: the
    even custom records understood (default: the keysend preimage).
    """
    p = decode_payload(data, _DEFAULT_ACCEPT if accept is None else accept)
    if isinstance(p, PayloadRejection):
        if htlc_path_key:
            return dataclasses.replace(p, blinded=True)
        return p
    if p.encrypted_recipient_data is not None:
        return _read_blinded(p, is_final=is_final, htlc_path_key=htlc_path_key)
    # BOLT #4: "Otherwise (it is not part of a blinded route): MUST return an error if
    # `path_key` is set in the incoming `update_add_htlc` or `current_path_key` is present."
    if htlc_path_key:
        return PayloadRejection(
            T_ENCRYPTED_RECIPIENT_DATA, 0, "path_key without encrypted_recipient_data", True
        )
    if p.current_path_key is not None:
        # BOLT #4: "if `current_path_key` is set in the onion payload and it is not the final
        # node: MUST return an `invalid_onion_blinding` error."
        return PayloadRejection(
            T_CURRENT_PATH_KEY,
            _offset_of(data, T_CURRENT_PATH_KEY),
            "current_path_key without encrypted_recipient_data",
            not is_final,
        )
    # BOLT #4: "MUST return an error if `amt_to_forward` or `outgoing_cltv_value` are not
    # present."
    if p.amt_to_forward is None:
        return PayloadRejection(T_AMT_TO_FORWARD, 0, "amt_to_forward missing")
    if p.outgoing_cltv_value is None:
        return PayloadRejection(T_OUTGOING_CLTV_VALUE, 0, "outgoing_cltv_value missing")
    if not is_final:
        # BOLT #4: "if it is not the final node: MUST return an error if: `short_channel_id`
        # is not present"
        if p.short_channel_id is None:
            return PayloadRejection(T_SHORT_CHANNEL_ID, 0, "short_channel_id missing")
        # BOLT #4 (writer): "For every non-final node: ... MUST NOT include `payment_data`".
        # Refused: at a forwarding hop it can only be a sender bug or a probe.
        if p.payment_data is not None:
            return PayloadRejection(
                T_PAYMENT_DATA, _offset_of(data, T_PAYMENT_DATA), "payment_data at a forwarding hop"
            )
        return ForwardHop(Msat(p.amt_to_forward), p.outgoing_cltv_value, p.short_channel_id, p)
    # BOLT #4 (writer): "For the final node: MUST NOT include `short_channel_id`".
    if p.short_channel_id is not None:
        return PayloadRejection(
            T_SHORT_CHANNEL_ID,
            _offset_of(data, T_SHORT_CHANNEL_ID),
            "short_channel_id at the final node",
        )
    if p.total_amount_msat is not None:
        # Only blinded payloads carry `total_amount_msat`.
        return PayloadRejection(
            T_TOTAL_AMOUNT_MSAT,
            _offset_of(data, T_TOTAL_AMOUNT_MSAT),
            "total_amount_msat outside a blinded route",
        )
    keysend = None
    custom = []
    for t, v in p.unknown:
        if t >= CUSTOM_RECORD_MIN:
            custom.append((t, v))
        if t == KEYSEND_PREIMAGE_TYPE:
            keysend = v
    amount = Msat(p.amt_to_forward)
    pd = p.payment_data
    return FinalHop(
        amt_to_forward=amount,
        outgoing_cltv_value=p.outgoing_cltv_value,
        total_msat=amount if pd is None else pd.total_msat,
        payment_secret=None if pd is None else pd.payment_secret,
        payment_metadata=p.payment_metadata,
        keysend_preimage=keysend,
        custom_records=tuple(custom),
        tlv=p,
    )


_BLINDED_FORWARD_ALLOWED: Final = frozenset({T_ENCRYPTED_RECIPIENT_DATA, T_CURRENT_PATH_KEY})
_BLINDED_FINAL_ALLOWED: Final = frozenset(
    {
        T_AMT_TO_FORWARD,
        T_OUTGOING_CLTV_VALUE,
        T_ENCRYPTED_RECIPIENT_DATA,
        T_CURRENT_PATH_KEY,
        T_TOTAL_AMOUNT_MSAT,
    }
)


def _present_types(p: Payload) -> list[int]:
    types = [f.tlv_type for f in Payload.FIELDS if getattr(p, f.name) is not None]
    return [t for t in types if t is not None] + [t for t, _ in p.unknown]


def _read_blinded(
    p: Payload, *, is_final: bool, htlc_path_key: bool
) -> BlindedHop | PayloadRejection:
    def reject(t: int, why: str) -> PayloadRejection:
        return PayloadRejection(t, 0, why, blinded=True)

    # BOLT #4: "If `path_key` is set in the incoming `update_add_htlc`: MUST return an error
    # if `current_path_key` is present." "Otherwise: MUST return an error if
    # `current_path_key` is not present."
    if htlc_path_key and p.current_path_key is not None:
        return reject(T_CURRENT_PATH_KEY, "current_path_key and an update_add_htlc path_key")
    if not htlc_path_key and p.current_path_key is None:
        return reject(T_CURRENT_PATH_KEY, "blinded payload without any path_key")
    allowed = _BLINDED_FINAL_ALLOWED if is_final else _BLINDED_FORWARD_ALLOWED
    for t in _present_types(p):
        if t not in allowed:
            # BOLT #4: "If it is not the final node: MUST return an error if the payload
            # contains other tlv fields than `encrypted_recipient_data` and
            # `current_path_key`." / "If it is the final node: MUST return an error if the
            # payload contains other tlv fields than `encrypted_recipient_data`,
            # `current_path_key`, `amt_to_forward`, `outgoing_cltv_value` and
            # `total_amount_msat`."
            return reject(t, f"TLV type {t} not allowed in a blinded payload")
    if is_final:
        # BOLT #4: "MUST return an error if `amt_to_forward`, `outgoing_cltv_value` or
        # `total_amount_msat` are not present."
        if p.amt_to_forward is None:
            return reject(T_AMT_TO_FORWARD, "amt_to_forward missing")
        if p.outgoing_cltv_value is None:
            return reject(T_OUTGOING_CLTV_VALUE, "outgoing_cltv_value missing")
        if p.total_amount_msat is None:
            return reject(T_TOTAL_AMOUNT_MSAT, "total_amount_msat missing")
    assert p.encrypted_recipient_data is not None
    return BlindedHop(
        is_final=is_final,
        encrypted_recipient_data=p.encrypted_recipient_data,
        current_path_key=p.current_path_key,
        amt_to_forward=None if p.amt_to_forward is None else Msat(p.amt_to_forward),
        outgoing_cltv_value=p.outgoing_cltv_value,
        total_amount_msat=p.total_amount_msat,
        tlv=p,
    )


def check_final_htlc(
    hop: FinalHop,
    amount_msat: int,
    cltv_expiry: int,
    current_block_height: int,
    min_final_cltv_expiry_delta: int,
    *,
    require_payment_secret: bool = True,
) -> FailureMessage | None:
    """The final node's checks of an incoming HTLC against its onion payload, in the order of
    BOLT #4's list of failure codes ("if there is more than one error: SHOULD select the
    first error it encounters from the list above"). ``None``: nothing wrong so far; the payee
    still checks the payment hash, secret, amount expected and MPP totals.
    """
    height = current_block_height
    # BOLT #4: "if the `payment_secret` doesn't match the expected value for that
    # `payment_hash`, or the `payment_secret` is required and is not present: MUST fail the
    # HTLC. MUST return an `incorrect_or_unknown_payment_details` error."
    # (A keysend payment has no secret: its preimage is in the onion.)
    if require_payment_secret and hop.payment_secret is None and hop.keysend_preimage is None:
        return IncorrectOrUnknownPaymentDetails(Msat(amount_msat), height)
    # BOLT #4: "MUST return an error if: ... incoming `cltv_expiry` < `current_block_height` +
    # `min_final_cltv_expiry_delta`." / "if the `cltv_expiry` value is unreasonably near the
    # present: MUST fail the HTLC. MUST return an `incorrect_or_unknown_payment_details`
    # error."
    if cltv_expiry < current_block_height + min_final_cltv_expiry_delta:
        return IncorrectOrUnknownPaymentDetails(Msat(amount_msat), height)
    # BOLT #4: "if the `cltv_expiry` from the final node's HTLC is below
    # `outgoing_cltv_value`: MUST return `final_incorrect_cltv_expiry` error."
    if cltv_expiry < hop.outgoing_cltv_value:
        return FinalIncorrectCltvExpiry(cltv_expiry)
    # BOLT #4: "if `amount_msat` from the final node's HTLC is below `amt_to_forward`: MUST
    # return a `final_incorrect_htlc_amount` error."
    if amount_msat < hop.amt_to_forward:
        return FinalIncorrectHtlcAmount(Msat(amount_msat))
    return None
