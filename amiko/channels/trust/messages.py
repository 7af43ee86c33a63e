"""The trust channel's wire messages (custom, odd types: peers that do not know them ignore
them, BOLT 1's "it's ok to be odd").

Every message is `u16 type || [32] channel_id || tlv_stream`. Record types follow BOLT 1:
even records are required (a missing one, or an unknown even one, fails the message), odd
ones optional (unknown odd ones are kept, so a message re-encodes byte for byte).

| type  | name              | records                                                  |
|-------|-------------------|----------------------------------------------------------|
| 44101 | trust_open        | 0 chain_hash[32], 2 nonce[32], 4 limit_msat tu64,        |
|       |                   | 6 requested_msat tu64                                    |
| 44103 | trust_accept      | 0 limit_msat tu64, 2 signature[64] (over state 0)        |
| 44105 | trust_refuse      | 1 reason (utf-8)                                         |
| 44107 | trust_update      | 0 base_number tu64, 2 changes (see `changes.py`)         |
| 44109 | trust_sign        | 0 number tu64, 2 signature[64]                           |
| 44111 | trust_ack         | 0 number tu64, 2 signature[64]                           |
| 44113 | trust_reestablish | 0 next_number tu64                                       |
| 44115 | trust_settle      | 1 address (utf-8), 3 amount_sat tu64, 5 txid[32]         |

Decoding raises only `amiko.wire.errors.DecodeError` subclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from amiko.channels.trust.changes import Change, decode_changes, encode_changes
from amiko.wire.errors import EncodeError, InvalidValueError, TruncatedError, UnknownEvenTypeError
from amiko.wire.primitives import Reader, encode_tu64, encode_u16
from amiko.wire.registry import DEFAULT_REGISTRY, register_message
from amiko.wire.tlv import encode_tlv_records, split_tlv_stream

__all__ = [
    "TRUST_MESSAGES",
    "MissingFieldError",
    "TrustAccept",
    "TrustAck",
    "TrustOpen",
    "TrustReestablish",
    "TrustRefuse",
    "TrustSettle",
    "TrustSign",
    "TrustUpdate",
]


class MissingFieldError(InvalidValueError):
    """A required (even) record is absent."""


Extra = tuple[tuple[int, bytes], ...]


# -- record codecs: (encode value -> bytes, decode bytes -> value) ------------------------


def _enc_fixed(n: int) -> Callable[[Any], bytes]:
    def enc(v: Any) -> bytes:
        if not isinstance(v, bytes) or len(v) != n:
            raise EncodeError(f"expected {n} bytes")
        return v
    return enc


def _dec_fixed(n: int) -> Callable[[bytes, str], Any]:
    def dec(b: bytes, ctx: str) -> Any:
        r = Reader(b, ctx)
        v = r.read(n)
        r.finish()
        return v
    return dec


def _dec_tu64(b: bytes, ctx: str) -> Any:
    return Reader(b, ctx).tu(8)


def _enc_text(v: Any) -> bytes:
    if not isinstance(v, str):
        raise EncodeError("expected text")
    return v.encode()


def _dec_text(b: bytes, ctx: str) -> Any:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidValueError(f"{ctx}: not UTF-8") from None


def _dec_changes(b: bytes, ctx: str) -> Any:
    return decode_changes(b, ctx)


def _enc_changes(v: Any) -> bytes:
    return encode_changes(v)


_CODECS: dict[str, tuple[Callable[[Any], bytes], Callable[[bytes, str], Any]]] = {
    "b32": (_enc_fixed(32), _dec_fixed(32)),
    "sig": (_enc_fixed(64), _dec_fixed(64)),
    "tu64": (encode_tu64, _dec_tu64),
    "text": (_enc_text, _dec_text),
    "changes": (_enc_changes, _dec_changes),
}


class _TlvMessage:
    """Shared codec: `[32] channel_id` then a TLV stream described by `RECORDS`
    ((tlv type, attribute, codec name), in increasing type order). Subclasses are frozen
    dataclasses with `channel_id` first and `extra` (unknown odd records) last."""

    __slots__ = ()

    TYPE: ClassVar[int]
    NAME: ClassVar[str]
    CHANNEL_ID_FIELD: ClassVar[str] = "channel_id"
    RECORDS: ClassVar[tuple[tuple[int, str, str], ...]]

    def encode(self) -> bytes:
        cid = getattr(self, "channel_id")  # noqa: B009 - set by the dataclass subclass
        if not isinstance(cid, bytes) or len(cid) != 32:
            raise EncodeError(f"{self.NAME}: channel_id must be 32 bytes")
        known: list[tuple[int, bytes]] = []
        for tlv_type, attr, codec in self.RECORDS:
            value = getattr(self, attr)
            if value is None:
                if tlv_type % 2 == 0:
                    raise EncodeError(f"{self.NAME}: {attr} is required")
                continue
            known.append((tlv_type, _CODECS[codec][0](value)))
        extra: Extra = getattr(self, "extra")  # noqa: B009
        for t, _ in extra:
            if t % 2 == 0 or any(t == k for k, _, _ in self.RECORDS):
                raise EncodeError(f"{self.NAME}: extra record {t} must be odd and unknown")
        body = encode_tlv_records(known, extra, self.NAME)
        return encode_u16(self.TYPE) + cid + body

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        if len(payload) < 32:
            raise TruncatedError(f"{cls.NAME}: need a 32-byte channel_id, got {len(payload)} bytes")
        records = split_tlv_stream(payload[32:], cls.NAME)
        spec = {t: (attr, codec) for t, attr, codec in cls.RECORDS}
        values: dict[str, Any] = {}
        extra: list[tuple[int, bytes]] = []
        for tlv_type, value in records:
            found = spec.get(tlv_type)
            if found is None:
                # BOLT #1: if `type` is unknown: if `type` is even: MUST fail to parse the
                # `tlv_stream`. otherwise, if `type` is odd: MUST discard the next `length` bytes.
                if tlv_type % 2 == 0:
                    raise UnknownEvenTypeError(cls.NAME, tlv_type)
                extra.append((tlv_type, value))
                continue
            attr, codec = found
            values[attr] = _CODECS[codec][1](value, f"{cls.NAME}.{attr}")
        for tlv_type, attr, _ in cls.RECORDS:
            if tlv_type % 2 == 0 and attr not in values:
                raise MissingFieldError(f"{cls.NAME}: required record {tlv_type} ({attr}) is missing")
        return cls(payload[:32], **values, extra=tuple(extra))  # type: ignore[call-arg]


@dataclass(frozen=True, slots=True)
class TrustOpen(_TlvMessage):
    """The opener asks for a trust line: it extends `limit_msat` of credit to the peer and
    asks for `requested_msat` back. `channel_id` = SHA256(opener node id || nonce)."""

    TYPE: ClassVar[int] = 44101
    NAME: ClassVar[str] = "trust_open"
    RECORDS: ClassVar[tuple[tuple[int, str, str], ...]] = (
        (0, "chain_hash", "b32"), (2, "nonce", "b32"), (4, "limit_msat", "tu64"),
        (6, "requested_msat", "tu64"))

    channel_id: bytes
    chain_hash: bytes
    nonce: bytes
    limit_msat: int
    requested_msat: int
    extra: Extra = ()


@dataclass(frozen=True, slots=True)
class TrustAccept(_TlvMessage):
    """The peer accepts, extends `limit_msat` back, and signs state 0."""

    TYPE: ClassVar[int] = 44103
    NAME: ClassVar[str] = "trust_accept"
    RECORDS: ClassVar[tuple[tuple[int, str, str], ...]] = ((0, "limit_msat", "tu64"), (2, "signature", "sig"))

    channel_id: bytes
    limit_msat: int
    signature: bytes
    extra: Extra = ()


@dataclass(frozen=True, slots=True)
class TrustRefuse(_TlvMessage):
    TYPE: ClassVar[int] = 44105
    NAME: ClassVar[str] = "trust_refuse"
    RECORDS: ClassVar[tuple[tuple[int, str, str], ...]] = ((1, "reason", "text"),)

    channel_id: bytes
    reason: str | None = None
    extra: Extra = ()


@dataclass(frozen=True, slots=True)
class TrustUpdate(_TlvMessage):
    """A proposal: the sender's `changes` applied to co-signed state `base_number` give
    state `base_number + 1`. Unsigned: the receiver signs first (`trust_sign`)."""

    TYPE: ClassVar[int] = 44107
    NAME: ClassVar[str] = "trust_update"
    RECORDS: ClassVar[tuple[tuple[int, str, str], ...]] = ((0, "base_number", "tu64"), (2, "changes", "changes"))

    channel_id: bytes
    base_number: int
    changes: tuple[Change, ...]
    extra: Extra = ()


@dataclass(frozen=True, slots=True)
class TrustSign(_TlvMessage):
    """The receiver of a proposal signs the state it leads to."""

    TYPE: ClassVar[int] = 44109
    NAME: ClassVar[str] = "trust_sign"
    RECORDS: ClassVar[tuple[tuple[int, str, str], ...]] = ((0, "number", "tu64"), (2, "signature", "sig"))

    channel_id: bytes
    number: int
    signature: bytes
    extra: Extra = ()


@dataclass(frozen=True, slots=True)
class TrustAck(_TlvMessage):
    """The proposer counter-signs: state `number` is co-signed by both."""

    TYPE: ClassVar[int] = 44111
    NAME: ClassVar[str] = "trust_ack"
    RECORDS: ClassVar[tuple[tuple[int, str, str], ...]] = ((0, "number", "tu64"), (2, "signature", "sig"))

    channel_id: bytes
    number: int
    signature: bytes
    extra: Extra = ()


@dataclass(frozen=True, slots=True)
class TrustReestablish(_TlvMessage):
    """After (re)connecting: `next_number` = 1 + the number of the latest state the sender
    holds with both signatures (0: none yet)."""

    TYPE: ClassVar[int] = 44113
    NAME: ClassVar[str] = "trust_reestablish"
    RECORDS: ClassVar[tuple[tuple[int, str, str], ...]] = ((0, "next_number", "tu64"),)

    channel_id: bytes
    next_number: int
    extra: Extra = ()


@dataclass(frozen=True, slots=True)
class TrustSettle(_TlvMessage):
    """After the final state: the creditor names `address` and `amount_sat`; the debtor
    reports `txid` (and `amount_sat`) of its on-chain payment; an empty one just says
    "I hold the final state"."""

    TYPE: ClassVar[int] = 44115
    NAME: ClassVar[str] = "trust_settle"
    RECORDS: ClassVar[tuple[tuple[int, str, str], ...]] = (
        (1, "address", "text"), (3, "amount_sat", "tu64"), (5, "txid", "b32"))

    channel_id: bytes
    address: str | None = None
    amount_sat: int | None = None
    txid: bytes | None = None
    extra: Extra = ()


TRUST_MESSAGES: tuple[type[_TlvMessage], ...] = (
    TrustOpen, TrustAccept, TrustRefuse, TrustUpdate, TrustSign, TrustAck, TrustReestablish, TrustSettle)


def _register() -> None:
    for cls in TRUST_MESSAGES:
        existing = DEFAULT_REGISTRY.get(cls.TYPE)
        if existing is None:
            register_message(cls)
        elif existing is not cls:
            raise RuntimeError(f"message type {cls.TYPE} is taken by {existing.__name__}")


_register()
