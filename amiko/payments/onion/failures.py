"""BOLT #4 failure messages: codes, flags, and one typed frozen dataclass per failure type.

# BOLT #4: "The failure message encapsulated in `failuremsg` has an identical format as a
# normal message: a 2-byte type `failure_code` followed by data applicable to that type. The
# message data is followed by an optional TLV stream."

The classes are written by hand (so that mypy sees their fields); the test suite checks
every code and every field against the `failtype`/`faildata` rows of
``amiko/wire/bolt_catalogue.csv``, which is extracted from the spec text. A length field
(`len` before `channel_update`) is not an attribute: encoding derives it.

Whatever follows the known fields (the optional TLV stream, or bytes a newer version adds)
is kept raw in ``extension``: BOLT #4 says the origin node "MUST ignore any extra bytes in
`failuremsg`", and keeping them makes ``decode(encode(x)) == x`` and
``encode(decode(b)) == b``. A code this module does not know decodes to
:class:`UnknownFailure`, which keeps the code and the raw data.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum, IntFlag
from typing import ClassVar, Final

from amiko.payments.onion.exceptions import FailureDecodeError, OnionEncodeError
from amiko.wire.errors import DecodeError
from amiko.wire.primitives import decode_bigsize, encode_bigsize
from amiko.wire.types import Msat

__all__ = [
    "BADONION",
    "FAILURE_CLASSES",
    "NODE",
    "PERM",
    "UPDATE",
    "AmountBelowMinimum",
    "ChannelDisabled",
    "ExpiryTooFar",
    "ExpiryTooSoon",
    "FailureCode",
    "FailureFlag",
    "FailureMessage",
    "FeeInsufficient",
    "FinalIncorrectCltvExpiry",
    "FinalIncorrectHtlcAmount",
    "IncorrectCltvExpiry",
    "IncorrectOrUnknownPaymentDetails",
    "InvalidOnionBlinding",
    "InvalidOnionHmac",
    "InvalidOnionKey",
    "InvalidOnionPayload",
    "InvalidOnionVersion",
    "MppTimeout",
    "PermanentChannelFailure",
    "PermanentNodeFailure",
    "RequiredChannelFeatureMissing",
    "RequiredNodeFeatureMissing",
    "TemporaryChannelFailure",
    "TemporaryNodeFailure",
    "UnknownFailure",
    "UnknownNextPeer",
    "bad_onion_failure",
    "decode_failure_message",
]


# BOLT #4: "The top byte of `failure_code` can be read as a set of flags:"
BADONION: Final = 0x8000  # "unparsable onion encrypted by sending peer"
PERM: Final = 0x4000  # "permanent failure (otherwise transient)"
NODE: Final = 0x2000  # "node failure (otherwise channel)"
UPDATE: Final = 0x1000  # "channel forwarding parameter was violated"


class FailureFlag(IntFlag):
    """The flag bits of a `failure_code` (its top nibble), as an ``IntFlag``."""

    UPDATE = 0x1000
    NODE = 0x2000
    PERM = 0x4000
    BADONION = 0x8000


class FailureCode(IntEnum):
    """The `failure_code`s BOLT #4 defines (flags included)."""

    TEMPORARY_NODE_FAILURE = NODE | 2
    PERMANENT_NODE_FAILURE = PERM | NODE | 2
    REQUIRED_NODE_FEATURE_MISSING = PERM | NODE | 3
    INVALID_ONION_VERSION = BADONION | PERM | 4
    INVALID_ONION_HMAC = BADONION | PERM | 5
    INVALID_ONION_KEY = BADONION | PERM | 6
    TEMPORARY_CHANNEL_FAILURE = UPDATE | 7
    PERMANENT_CHANNEL_FAILURE = PERM | 8
    REQUIRED_CHANNEL_FEATURE_MISSING = PERM | 9
    UNKNOWN_NEXT_PEER = PERM | 10
    AMOUNT_BELOW_MINIMUM = UPDATE | 11
    FEE_INSUFFICIENT = UPDATE | 12
    INCORRECT_CLTV_EXPIRY = UPDATE | 13
    EXPIRY_TOO_SOON = UPDATE | 14
    INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS = PERM | 15
    FINAL_INCORRECT_CLTV_EXPIRY = 18
    FINAL_INCORRECT_HTLC_AMOUNT = 19
    CHANNEL_DISABLED = UPDATE | 20
    EXPIRY_TOO_FAR = 21
    INVALID_ONION_PAYLOAD = PERM | 22
    MPP_TIMEOUT = 23
    INVALID_ONION_BLINDING = BADONION | PERM | 24


# Field kinds of the generic codec.
_U16: Final = "u16"
_U32: Final = "u32"
_U64: Final = "u64"
_SHA256: Final = "sha256"
_BIGSIZE: Final = "bigsize"
_LEN_BYTES: Final = "u16 len + bytes"  # [`u16`:`len`] [`len*byte`:`channel_update`]

_STRUCTS: Final = {_U16: struct.Struct(">H"), _U32: struct.Struct(">I"), _U64: struct.Struct(">Q")}
_CODE: Final = struct.Struct(">H")


class _Failure:
    """Behaviour shared by the typed failure messages (each one a frozen dataclass)."""

    __slots__ = ()

    CODE: ClassVar[int]
    NAME: ClassVar[str]
    # (attribute, kind) in wire order
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = ()
    extension: bytes  # declared by each subclass, always its last field

    @property
    def code(self) -> int:
        """The 16-bit `failure_code`, flags included."""
        return self.CODE

    @property
    def flags(self) -> FailureFlag:
        return FailureFlag(self.code & 0xF000)

    @property
    def is_badonion(self) -> bool:
        return bool(self.code & BADONION)

    @property
    def is_permanent(self) -> bool:
        return bool(self.code & PERM)

    @property
    def is_node(self) -> bool:
        return bool(self.code & NODE)

    @property
    def is_update(self) -> bool:
        return bool(self.code & UPDATE)

    def encode(self) -> bytes:
        """`failuremsg`: the 2-byte `failure_code`, the data, then ``extension``."""
        parts = [_CODE.pack(self.CODE)]
        for name, kind in self.LAYOUT:
            value = getattr(self, name)
            parts.append(_encode_field(f"{self.NAME}.{name}", kind, value))
        parts.append(_check_bytes(f"{self.NAME}.extension", self.extension))
        return b"".join(parts)

    @classmethod
    def _decode_fields(cls, data: bytes) -> tuple[list[object], bytes]:
        values: list[object] = []
        pos = 2
        end = len(data)
        for name, kind in cls.LAYOUT:
            value, pos = _decode_field(f"{cls.NAME}.{name}", kind, data, pos, end)
            values.append(value)
        return values, data[pos:]


def _check_bytes(ctx: str, value: object) -> bytes:
    if not isinstance(value, bytes):
        raise OnionEncodeError(f"{ctx}: expected bytes, got {type(value).__name__}")
    return value


def _encode_field(ctx: str, kind: str, value: object) -> bytes:
    if kind in _STRUCTS:
        st = _STRUCTS[kind]
        if not isinstance(value, int) or not 0 <= value < 1 << (8 * st.size):
            raise OnionEncodeError(f"{ctx}: {value!r} is not a {kind}")
        return st.pack(value)
    if kind == _SHA256:
        raw = _check_bytes(ctx, value)
        if len(raw) != 32:
            raise OnionEncodeError(f"{ctx}: must be 32 bytes, got {len(raw)}")
        return raw
    if kind == _BIGSIZE:
        if not isinstance(value, int) or not 0 <= value < 1 << 64:
            raise OnionEncodeError(f"{ctx}: {value!r} is not a bigsize")
        return encode_bigsize(value)
    raw = _check_bytes(ctx, value)  # _LEN_BYTES
    if len(raw) > 0xFFFF:
        raise OnionEncodeError(f"{ctx}: {len(raw)} bytes do not fit a u16 length")
    return _CODE.pack(len(raw)) + raw


def _decode_field(ctx: str, kind: str, data: bytes, pos: int, end: int) -> tuple[object, int]:
    if kind in _STRUCTS:
        st = _STRUCTS[kind]
        if pos + st.size > end:
            raise FailureDecodeError(f"{ctx}: truncated (need {st.size} bytes, have {end - pos})")
        return st.unpack_from(data, pos)[0], pos + st.size
    if kind == _SHA256:
        if pos + 32 > end:
            raise FailureDecodeError(f"{ctx}: truncated (need 32 bytes, have {end - pos})")
        return data[pos : pos + 32], pos + 32
    if kind == _BIGSIZE:
        try:
            return decode_bigsize(data, pos, end, ctx)
        except DecodeError as exc:
            raise FailureDecodeError(str(exc)) from None
    if pos + 2 > end:  # _LEN_BYTES
        raise FailureDecodeError(f"{ctx}: truncated length (have {end - pos} bytes)")
    (n,) = _CODE.unpack_from(data, pos)
    pos += 2
    if pos + n > end:
        raise FailureDecodeError(f"{ctx}: truncated (length {n}, have {end - pos} bytes)")
    return data[pos : pos + n], pos + n


# ---------------------------------------------------------------------------------------
# The failure types, in the order BOLT #4 lists them
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemporaryNodeFailure(_Failure):
    """NODE|2: "General temporary failure of the processing node." """

    CODE: ClassVar[int] = FailureCode.TEMPORARY_NODE_FAILURE
    NAME: ClassVar[str] = "temporary_node_failure"
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class PermanentNodeFailure(_Failure):
    """PERM|NODE|2: "General permanent failure of the processing node." """

    CODE: ClassVar[int] = FailureCode.PERMANENT_NODE_FAILURE
    NAME: ClassVar[str] = "permanent_node_failure"
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class RequiredNodeFeatureMissing(_Failure):
    """PERM|NODE|3: "The processing node has a required feature which was not in this onion." """

    CODE: ClassVar[int] = FailureCode.REQUIRED_NODE_FEATURE_MISSING
    NAME: ClassVar[str] = "required_node_feature_missing"
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class InvalidOnionVersion(_Failure):
    """BADONION|PERM|4: "The `version` byte was not understood by the processing node." """

    CODE: ClassVar[int] = FailureCode.INVALID_ONION_VERSION
    NAME: ClassVar[str] = "invalid_onion_version"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (("sha256_of_onion", _SHA256),)
    sha256_of_onion: bytes
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class InvalidOnionHmac(_Failure):
    """BADONION|PERM|5: "The HMAC of the onion was incorrect when it reached the processing
    node." """

    CODE: ClassVar[int] = FailureCode.INVALID_ONION_HMAC
    NAME: ClassVar[str] = "invalid_onion_hmac"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (("sha256_of_onion", _SHA256),)
    sha256_of_onion: bytes
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class InvalidOnionKey(_Failure):
    """BADONION|PERM|6: "The ephemeral key was unparsable by the processing node." """

    CODE: ClassVar[int] = FailureCode.INVALID_ONION_KEY
    NAME: ClassVar[str] = "invalid_onion_key"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (("sha256_of_onion", _SHA256),)
    sha256_of_onion: bytes
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class TemporaryChannelFailure(_Failure):
    """UPDATE|7: "The channel from the processing node was unable to handle this HTLC, but
    may be able to handle it, or others, later." """

    CODE: ClassVar[int] = FailureCode.TEMPORARY_CHANNEL_FAILURE
    NAME: ClassVar[str] = "temporary_channel_failure"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (("channel_update", _LEN_BYTES),)
    channel_update: bytes = b""
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class PermanentChannelFailure(_Failure):
    """PERM|8: "The channel from the processing node is unable to handle any HTLCs." """

    CODE: ClassVar[int] = FailureCode.PERMANENT_CHANNEL_FAILURE
    NAME: ClassVar[str] = "permanent_channel_failure"
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class RequiredChannelFeatureMissing(_Failure):
    """PERM|9: "The channel from the processing node requires features not present in the
    onion." """

    CODE: ClassVar[int] = FailureCode.REQUIRED_CHANNEL_FEATURE_MISSING
    NAME: ClassVar[str] = "required_channel_feature_missing"
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class UnknownNextPeer(_Failure):
    """PERM|10: "The onion specified a `short_channel_id` which doesn't match any leading from
    the processing node." """

    CODE: ClassVar[int] = FailureCode.UNKNOWN_NEXT_PEER
    NAME: ClassVar[str] = "unknown_next_peer"
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class AmountBelowMinimum(_Failure):
    """UPDATE|11: "The HTLC amount was below the `htlc_minimum_msat` of the channel from the
    processing node." """

    CODE: ClassVar[int] = FailureCode.AMOUNT_BELOW_MINIMUM
    NAME: ClassVar[str] = "amount_below_minimum"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (
        ("htlc_msat", _U64),
        ("channel_update", _LEN_BYTES),
    )
    htlc_msat: Msat
    channel_update: bytes = b""
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class FeeInsufficient(_Failure):
    """UPDATE|12: "The fee amount was below that required by the channel from the processing
    node." """

    CODE: ClassVar[int] = FailureCode.FEE_INSUFFICIENT
    NAME: ClassVar[str] = "fee_insufficient"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (
        ("htlc_msat", _U64),
        ("channel_update", _LEN_BYTES),
    )
    htlc_msat: Msat
    channel_update: bytes = b""
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class IncorrectCltvExpiry(_Failure):
    """UPDATE|13: "The `cltv_expiry` does not comply with the `cltv_expiry_delta` required by
    the channel from the processing node" """

    CODE: ClassVar[int] = FailureCode.INCORRECT_CLTV_EXPIRY
    NAME: ClassVar[str] = "incorrect_cltv_expiry"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (
        ("cltv_expiry", _U32),
        ("channel_update", _LEN_BYTES),
    )
    cltv_expiry: int
    channel_update: bytes = b""
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class ExpiryTooSoon(_Failure):
    """UPDATE|14: "The CLTV expiry is too close to the current block height for safe handling
    by the processing node." """

    CODE: ClassVar[int] = FailureCode.EXPIRY_TOO_SOON
    NAME: ClassVar[str] = "expiry_too_soon"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (("channel_update", _LEN_BYTES),)
    channel_update: bytes = b""
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class IncorrectOrUnknownPaymentDetails(_Failure):
    """PERM|15: "The `payment_hash` is unknown to the final node, the `payment_secret` doesn't
    match the `payment_hash`, the amount for that `payment_hash` is too low, the CLTV expiry
    of the htlc is too close to the current block height for safe handling or
    `payment_metadata` isn't present while it should be." """

    CODE: ClassVar[int] = FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS
    NAME: ClassVar[str] = "incorrect_or_unknown_payment_details"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (("htlc_msat", _U64), ("height", _U32))
    htlc_msat: Msat
    height: int
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class FinalIncorrectCltvExpiry(_Failure):
    """18: "The CLTV expiry in the HTLC is less than the value in the onion." """

    CODE: ClassVar[int] = FailureCode.FINAL_INCORRECT_CLTV_EXPIRY
    NAME: ClassVar[str] = "final_incorrect_cltv_expiry"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (("cltv_expiry", _U32),)
    cltv_expiry: int
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class FinalIncorrectHtlcAmount(_Failure):
    """19: "The amount in the HTLC is less than the value in the onion." """

    CODE: ClassVar[int] = FailureCode.FINAL_INCORRECT_HTLC_AMOUNT
    NAME: ClassVar[str] = "final_incorrect_htlc_amount"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (("incoming_htlc_amt", _U64),)
    incoming_htlc_amt: Msat
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class ChannelDisabled(_Failure):
    """UPDATE|20: "The channel from the processing node has been disabled." (No
    `disabled_flags` are defined: "it is currently always two zero bytes".)"""

    CODE: ClassVar[int] = FailureCode.CHANNEL_DISABLED
    NAME: ClassVar[str] = "channel_disabled"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (
        ("disabled_flags", _U16),
        ("channel_update", _LEN_BYTES),
    )
    disabled_flags: int = 0
    channel_update: bytes = b""
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class ExpiryTooFar(_Failure):
    """21: "The CLTV expiry in the HTLC is too far in the future." """

    CODE: ClassVar[int] = FailureCode.EXPIRY_TOO_FAR
    NAME: ClassVar[str] = "expiry_too_far"
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class InvalidOnionPayload(_Failure):
    """PERM|22: "The decrypted onion per-hop payload was not understood by the processing node
    or is incomplete. If the failure can be narrowed down to a specific tlv type in the
    payload, the erring node may include that `type` and its byte `offset` in the decrypted
    byte stream." (The spec's field `type` is the attribute ``tlv_type``.)"""

    CODE: ClassVar[int] = FailureCode.INVALID_ONION_PAYLOAD
    NAME: ClassVar[str] = "invalid_onion_payload"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (("tlv_type", _BIGSIZE), ("offset", _U16))
    tlv_type: int = 0
    offset: int = 0
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class MppTimeout(_Failure):
    """23: "The complete amount of the multi-part payment was not received within a reasonable
    time." """

    CODE: ClassVar[int] = FailureCode.MPP_TIMEOUT
    NAME: ClassVar[str] = "mpp_timeout"
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class InvalidOnionBlinding(_Failure):
    """BADONION|PERM|24: "An error occurred within the blinded path." """

    CODE: ClassVar[int] = FailureCode.INVALID_ONION_BLINDING
    NAME: ClassVar[str] = "invalid_onion_blinding"
    LAYOUT: ClassVar[tuple[tuple[str, str], ...]] = (("sha256_of_onion", _SHA256),)
    sha256_of_onion: bytes
    extension: bytes = b""


@dataclass(frozen=True, slots=True)
class UnknownFailure:
    """A `failure_code` this module does not define: the code and the data after it, raw."""

    failure_code: int
    data: bytes = b""

    NAME: ClassVar[str] = "unknown"

    @property
    def code(self) -> int:
        return self.failure_code

    @property
    def flags(self) -> FailureFlag:
        return FailureFlag(self.failure_code & 0xF000)

    @property
    def is_badonion(self) -> bool:
        return bool(self.failure_code & BADONION)

    @property
    def is_permanent(self) -> bool:
        return bool(self.failure_code & PERM)

    @property
    def is_node(self) -> bool:
        return bool(self.failure_code & NODE)

    @property
    def is_update(self) -> bool:
        return bool(self.failure_code & UPDATE)

    def encode(self) -> bytes:
        if not 0 <= self.failure_code <= 0xFFFF:
            raise OnionEncodeError(f"failure_code {self.failure_code} is not a u16")
        return _CODE.pack(self.failure_code) + _check_bytes("unknown.data", self.data)


FailureMessage = (
    TemporaryNodeFailure
    | PermanentNodeFailure
    | RequiredNodeFeatureMissing
    | InvalidOnionVersion
    | InvalidOnionHmac
    | InvalidOnionKey
    | TemporaryChannelFailure
    | PermanentChannelFailure
    | RequiredChannelFeatureMissing
    | UnknownNextPeer
    | AmountBelowMinimum
    | FeeInsufficient
    | IncorrectCltvExpiry
    | ExpiryTooSoon
    | IncorrectOrUnknownPaymentDetails
    | FinalIncorrectCltvExpiry
    | FinalIncorrectHtlcAmount
    | ChannelDisabled
    | ExpiryTooFar
    | InvalidOnionPayload
    | MppTimeout
    | InvalidOnionBlinding
    | UnknownFailure
)

_KNOWN: Final[tuple[type[_Failure], ...]] = (
    TemporaryNodeFailure,
    PermanentNodeFailure,
    RequiredNodeFeatureMissing,
    InvalidOnionVersion,
    InvalidOnionHmac,
    InvalidOnionKey,
    TemporaryChannelFailure,
    PermanentChannelFailure,
    RequiredChannelFeatureMissing,
    UnknownNextPeer,
    AmountBelowMinimum,
    FeeInsufficient,
    IncorrectCltvExpiry,
    ExpiryTooSoon,
    IncorrectOrUnknownPaymentDetails,
    FinalIncorrectCltvExpiry,
    FinalIncorrectHtlcAmount,
    ChannelDisabled,
    ExpiryTooFar,
    InvalidOnionPayload,
    MppTimeout,
    InvalidOnionBlinding,
)

FAILURE_CLASSES: Final[dict[int, type[_Failure]]] = {cls.CODE: cls for cls in _KNOWN}
"""failure_code -> class, for every code BOLT #4 defines."""


def decode_failure_message(data: bytes) -> FailureMessage:
    """Parse a `failuremsg`. Raises :class:`FailureDecodeError` if it is shorter than its
    code's fields; bytes after the fields go to ``extension`` (an unknown code keeps all its
    data in :class:`UnknownFailure`)."""
    if len(data) < 2:
        raise FailureDecodeError(f"failure message of {len(data)} bytes has no failure_code")
    (code,) = _CODE.unpack_from(data, 0)
    cls = FAILURE_CLASSES.get(code)
    if cls is None:
        return UnknownFailure(code, bytes(data[2:]))
    values, extension = cls._decode_fields(bytes(data))
    msg: FailureMessage = cls(*values, extension=extension)  # type: ignore[call-arg,assignment]
    return msg


_BADONION_CLASSES: Final = {
    FailureCode.INVALID_ONION_VERSION: InvalidOnionVersion,
    FailureCode.INVALID_ONION_HMAC: InvalidOnionHmac,
    FailureCode.INVALID_ONION_KEY: InvalidOnionKey,
    FailureCode.INVALID_ONION_BLINDING: InvalidOnionBlinding,
}


def bad_onion_failure(failure_code: int, sha256_of_onion: bytes) -> FailureMessage:
    """The failure message for an `update_fail_malformed_htlc` received from downstream.

    # BOLT #2: "a receiving node which has an outgoing HTLC canceled by
    # `update_fail_malformed_htlc`: MUST return an error in the `update_fail_htlc` sent to the
    # link which originally sent the HTLC, using the `failure_code` given and setting the data
    # to `sha256_of_onion`."

    A BADONION code this module does not know becomes an :class:`UnknownFailure` with the hash
    as data. The caller checks the BADONION bit first (BOLT #2: without it the channel fails).
    """
    cls = _BADONION_CLASSES.get(failure_code)  # type: ignore[call-overload]
    if cls is not None:
        known: FailureMessage = cls(sha256_of_onion)
        return known
    return UnknownFailure(failure_code, sha256_of_onion)
