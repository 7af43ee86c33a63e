"""Writing a BOLT 11 invoice: the writer requirements, the tagged fields, the signature.

Signatures are RFC 6979 deterministic (libsecp256k1's default nonce), so the same fields
and key always give the same string, as the spec's examples assume.
"""

from __future__ import annotations

from collections.abc import Sequence

from coincurve import PrivateKey

from amiko.bitcoin.networks import Network
from amiko.crypto.keys import is_valid_secret, pubkey_of
from amiko.link.features import Features
from amiko.payments.bolt11.amount import format_hrp
from amiko.payments.bolt11.decode import check_invoice_features
from amiko.payments.bolt11.fields import (
    MAX_DATA_BYTES,
    MAX_TIMESTAMP,
    TaggedField,
    bytes_to_5bit,
    data_without_signature,
    int_to_5bit,
    serialize,
    signing_hash,
)
from amiko.payments.bolt11.model import Fallback, InvoiceEncodeError, InvoiceError, RouteHop

__all__ = ["DEFAULT_FIELD_ORDER", "encode_invoice", "sign_invoice"]

# The order encode_invoice writes the fields in, by letter; repeated `f` and `r` fields keep
# the order they were given in (BOLT #11: "MUST specify the most-preferred field first").
DEFAULT_FIELD_ORDER = "spdhmnxcfr9"
_MAX_U64 = (1 << 64) - 1


def encode_invoice(
    *,
    network: Network,
    amount_msat: int | None,
    timestamp: int,
    payment_hash: bytes,
    payment_secret: bytes,
    node_secret: bytes,
    description: str | None = None,
    description_hash: bytes | None = None,
    expiry: int | None = None,
    min_final_cltv_expiry_delta: int | None = None,
    fallbacks: Sequence[Fallback] = (),
    route_hints: Sequence[Sequence[RouteHop]] = (),
    features: Features = Features(),
    metadata: bytes | None = None,
    include_payee: bool = False,
    extra_fields: Sequence[TaggedField] = (),
    field_order: str = DEFAULT_FIELD_ORDER,
) -> str:
    """A signed invoice string (lowercase; `.upper()` it for QR codes).

    `expiry` / `min_final_cltv_expiry_delta` of None leave the field out (readers then use
    3600 s / 18 blocks); `include_payee` writes the `n` field. `extra_fields` are written
    as given after the others (e.g. fields of types this module does not know).
    `field_order` is the order of the field letters.
    """
    if not is_valid_secret(node_secret):
        raise InvoiceEncodeError("node_secret is not a valid secp256k1 secret")
    by_letter: dict[str, list[TaggedField]] = {}

    def add(letter: str, data: Sequence[int]) -> None:
        by_letter.setdefault(letter, []).append(TaggedField.of(letter, data))

    # BOLT #11 (writer): MUST include exactly one `p` field. MUST include exactly one `s`
    # field.
    add("s", _bytes32("payment_secret", payment_secret))
    add("p", _bytes32("payment_hash", payment_hash))
    # BOLT #11 (writer): MUST include either exactly one `d` or exactly one `h` field.
    if (description is None) == (description_hash is None):
        raise InvoiceEncodeError("give exactly one of description (d) and description_hash (h)")
    if description is not None:
        # BOLT #11: if `d` is included: MUST set `d` to a valid UTF-8 string.
        add("d", _data_bytes("description", description.encode("utf-8")))
    if description_hash is not None:
        add("h", _bytes32("description_hash", description_hash))
    if metadata is not None:
        add("m", _data_bytes("metadata", metadata))
    if include_payee:
        # BOLT #11: MAY include one `n` field. MUST set `n` to the public key used to
        # create the `signature`.
        add("n", bytes_to_5bit(pubkey_of(node_secret)))
    if expiry is not None:
        # BOLT #11: if `x` is included: MUST use the minimum `data_length` possible
        add("x", int_to_5bit(_u64("expiry", expiry)))
    if min_final_cltv_expiry_delta is not None:
        # BOLT #11: SHOULD include one `c` field ... MUST use the minimum `data_length`
        # possible
        add("c", int_to_5bit(_u64("min_final_cltv_expiry_delta", min_final_cltv_expiry_delta)))
    for fallback in fallbacks:
        add("f", [fallback.version, *bytes_to_5bit(fallback.program)])
    for hint in route_hints:
        add("r", _route_data(hint))
    if features.bits:
        try:
            check_invoice_features(features)
        except InvoiceError as e:
            raise InvoiceEncodeError(str(e)) from None
        # BOLT #11: if `9` contains non-zero bits: MUST use the minimum `data_length`
        # possible to encode the non-zero bits with no 0 field-elements at the start.
        # otherwise: MUST omit the `9` field altogether.
        add("9", int_to_5bit(features.bits))

    if len(set(field_order)) != len(field_order):
        raise InvoiceEncodeError(f"field_order {field_order!r} repeats a letter")
    missing = set(by_letter) - set(field_order)
    if missing:
        raise InvoiceEncodeError(f"field_order {field_order!r} lacks {''.join(sorted(missing))!r}")
    fields = [f for letter in field_order for f in by_letter.get(letter, ())]
    fields.extend(extra_fields)
    return sign_invoice(format_hrp(network, amount_msat), timestamp, fields, node_secret)


def sign_invoice(hrp: str, timestamp: int, fields: Sequence[TaggedField], node_secret: bytes) -> str:
    """Sign raw parts (as in a decoded `Invoice`: `hrp`, `timestamp`, `fields`) and return
    the invoice string. No BOLT 11 rule is checked here: `encode_invoice` does that.

    BOLT #11: MUST set `signature` to a valid compact ECDSA signature over secp256k1 of the
    SHA-256 hash of: the human-readable part (as UTF-8 bytes) concatenated with the data
    part (excluding the signature), with 0 bits appended to pad to a byte boundary. The
    signature is encoded as 64 bytes (R || S), followed by a trailing 1-byte recovery id.
    """
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        # BOLT #11: MUST set `timestamp` to the number of seconds since Midnight 1 January
        # 1970, UTC in big-endian. (35 bits)
        raise InvoiceEncodeError(f"timestamp {timestamp} does not fit in 35 bits")
    if not is_valid_secret(node_secret):
        raise InvoiceEncodeError("node_secret is not a valid secp256k1 secret")
    msg_hash = signing_hash(hrp, data_without_signature(timestamp, fields))
    signature65 = bytes(PrivateKey(node_secret).sign_recoverable(msg_hash, hasher=None))
    return serialize(hrp, timestamp, fields, signature65)


def _bytes32(name: str, value: bytes) -> list[int]:
    if len(value) != 32:
        raise InvoiceEncodeError(f"{name} must be 32 bytes, got {len(value)}")
    return bytes_to_5bit(value)


def _data_bytes(name: str, value: bytes) -> list[int]:
    if len(value) > MAX_DATA_BYTES:
        raise InvoiceEncodeError(f"{name} is {len(value)} bytes; a tagged field holds at most {MAX_DATA_BYTES}")
    return bytes_to_5bit(value)


def _u64(name: str, value: int) -> int:
    if not 0 <= value <= _MAX_U64:
        raise InvoiceEncodeError(f"{name} {value} is not a 64-bit unsigned integer")
    return value


def _route_data(hint: Sequence[RouteHop]) -> list[int]:
    # BOLT #11: `r` field MUST contain one or more ordered entries, indicating the forward
    # route from a public node to the final destination.
    if not hint:
        raise InvoiceEncodeError("a route hint (r field) needs at least one hop")
    raw = b"".join(
        hop.pubkey
        + hop.short_channel_id.to_bytes(8, "big")
        + hop.fee_base_msat.to_bytes(4, "big")
        + hop.fee_proportional_millionths.to_bytes(4, "big")
        + hop.cltv_expiry_delta.to_bytes(2, "big")
        for hop in hint
    )
    return _data_bytes(f"route hint of {len(hint)} hops", raw)
