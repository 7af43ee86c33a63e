"""Reading a BOLT 11 invoice: every reader requirement of the spec, then the signature.

`decode_invoice` returns an `Invoice` or raises `InvoiceError` naming the rule that failed;
it raises nothing else, whatever the input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from coincurve import PublicKey

from amiko.bitcoin import bech32
from amiko.bitcoin.networks import Network
from amiko.crypto.keys import is_valid_pubkey, verify
from amiko.link.features import Features, feature_info
from amiko.payments.bolt11.amount import parse_hrp
from amiko.payments.bolt11.fields import (
    KNOWN_TAGS,
    SIGNATURE_GROUPS,
    TAG_9,
    TAG_C,
    TAG_D,
    TAG_F,
    TAG_H,
    TAG_M,
    TAG_N,
    TAG_P,
    TAG_R,
    TAG_S,
    TAG_X,
    TIMESTAMP_GROUPS,
    TaggedField,
    int_from_5bit,
    signing_hash,
)
from amiko.payments.bolt11.model import (
    DEFAULT_EXPIRY,
    DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA,
    Fallback,
    Invoice,
    InvoiceError,
    RouteHint,
    RouteHop,
)
from amiko.wire.types import ShortChannelId

__all__ = ["INVOICE_FEATURES", "KNOWN_TAGS", "check_invoice_features", "decode_invoice"]

# BOLT #9 features a BOLT 11 reader understands in the `9` field: those of context `9`, and
# the ASSUMED var_onion_optin and payment_secret that every invoice still sets.
INVOICE_FEATURES = frozenset({
    "var_onion_optin",
    "payment_secret",
    "basic_mpp",
    "option_route_blinding",
    "option_attribution_data",
    "option_payment_metadata",
})

# BOLT #11: `p` (1): `data_length` 52 ... `s` (16): `data_length` 52 ... `n` (19):
# `data_length` 53 ... `h` (23): `data_length` 52.
_FIXED_LENGTH = {TAG_P: 52, TAG_S: 52, TAG_N: 53, TAG_H: 52}
_HOP_BYTES = 33 + 8 + 4 + 4 + 2
_SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_URI_SCHEME = "lightning:"


def decode_invoice(
    text: str,
    *,
    expected_network: Network | None = None,
    description: str | None = None,
) -> Invoice:
    """Decode and verify a BOLT 11 invoice.

    `expected_network`: fail unless the invoice is for that chain. `description`: the
    description the payer was given; it must be the invoice's `d`, or hash to its `h`.
    A `lightning:` URI prefix and surrounding whitespace are accepted.
    """
    if not isinstance(text, str):
        raise InvoiceError("an invoice is a string")
    text = text.strip()
    if text[: len(_URI_SCHEME)].lower() == _URI_SCHEME:
        text = text[len(_URI_SCHEME):]
    # BOLT #11: A reader MUST parse the address as Bech32, as specified in BIP-0173 (also
    # without the character limit) [this includes handling uppercase]; if the checksum is
    # incorrect: MUST fail the payment.
    try:
        hrp, data, encoding = bech32.decode(text, max_length=None)
    except bech32.Bech32Error as e:
        raise InvoiceError(f"not a bech32 string: {e}") from None
    if encoding is not bech32.Encoding.BECH32:
        raise InvoiceError("not a bech32 string: invalid checksum (bech32m, not BIP-0173 bech32)")
    if not hrp.startswith("ln"):
        raise InvoiceError(f"unknown currency prefix: human-readable part {hrp!r} does not start with 'ln'")
    network, amount_msat = parse_hrp(hrp)
    if expected_network is not None and network != expected_network:
        raise InvoiceError(f"invoice is for {network.name} ({network.bolt11_prefix}), not {expected_network.name}")

    if len(data) < TIMESTAMP_GROUPS + SIGNATURE_GROUPS:
        raise InvoiceError(
            f"data part too short: {len(data)} groups, a timestamp and a signature need "
            f"{TIMESTAMP_GROUPS + SIGNATURE_GROUPS}"
        )
    signed, sig_groups = data[:-SIGNATURE_GROUPS], data[-SIGNATURE_GROUPS:]
    timestamp = int_from_5bit(signed[:TIMESTAMP_GROUPS])
    fields = _split_fields(signed[TIMESTAMP_GROUPS:])
    parsed = _Parsed(fields)

    signature65 = bech32.five_bit_to_bytes(sig_groups)  # 520 bits exactly
    signature, recovery_id = signature65[:64], signature65[64]
    payee = _check_signature(signature, recovery_id, parsed.payee, signing_hash(hrp, signed))

    # BOLT #11: if a valid `s` field is not provided: MUST fail the payment.
    if parsed.payment_secret is None:
        raise InvoiceError("no valid s field (payment_secret): BOLT 11 requires one")
    if parsed.payment_hash is None:
        # BOLT #11 (writer): MUST include exactly one `p` field.
        raise InvoiceError("no valid p field (payment_hash)")
    # BOLT #11: MUST fail the payment if neither a `d` field nor a `h` field is present, or
    # if both are present.
    if parsed.description is None and parsed.description_hash is None:
        raise InvoiceError("neither a d field (description) nor an h field (description hash)")
    if parsed.description is not None and parsed.description_hash is not None:
        raise InvoiceError("both a d field (description) and an h field (description hash)")
    if description is not None:
        _check_description(description, parsed.description, parsed.description_hash)
    check_invoice_features(parsed.features)

    return Invoice(
        network=network,
        amount_msat=amount_msat,
        timestamp=timestamp,
        payment_hash=parsed.payment_hash,
        payment_secret=parsed.payment_secret,
        description=parsed.description,
        description_hash=parsed.description_hash,
        payee=payee,
        expiry=DEFAULT_EXPIRY if parsed.expiry is None else parsed.expiry,
        # BOLT #11: if the `c` field is not provided: MUST use an expiry delta of at least
        # 18 when making the payment
        min_final_cltv_expiry_delta=(
            DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA if parsed.min_final_cltv is None else parsed.min_final_cltv
        ),
        fallbacks=tuple(parsed.fallbacks),
        route_hints=tuple(parsed.route_hints),
        features=parsed.features,
        metadata=parsed.metadata,
        signature=signature,
        recovery_id=recovery_id,
        hrp=hrp,
        fields=fields,
    )


def _split_fields(data: Sequence[int]) -> tuple[TaggedField, ...]:
    """Cut the groups between timestamp and signature into tagged fields."""
    fields: list[TaggedField] = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < 3:
            raise InvoiceError("truncated tagged field: fewer than 3 groups for type and data_length")
        tag, length = data[pos], data[pos + 1] * 32 + data[pos + 2]
        start = pos + 3
        if start + length > len(data):
            raise InvoiceError(
                f"{bech32.CHARSET[tag]} field has data_length {length}, but only "
                f"{len(data) - start} groups remain before the signature"
            )
        fields.append(TaggedField(tag, tuple(data[start:start + length])))
        pos = start + length
    return tuple(fields)


def _field_bytes(field: TaggedField) -> bytes:
    """A field's data as bytes. BOLT #11: "MUST pad field data to a multiple of 5 bits,
    using 0s": so the padding is zero and shorter than one 5-bit group."""
    try:
        return bech32.five_bit_to_bytes(field.data)
    except bech32.Bech32Error as e:
        raise InvoiceError(f"{field.letter} field: invalid padding of its data to bytes ({e})") from None


def _minimal_int(field: TaggedField, name: str, max_bits: int) -> int:
    # BOLT #11: if a `c`, `x`, or `9` field is provided which has a non-minimal
    # `data_length` (i.e. begins with 0 field elements): SHOULD treat the invoice as invalid.
    if field.data and field.data[0] == 0:
        raise InvoiceError(f"{field.letter} field ({name}) is not minimally encoded: it begins with a 0 group")
    value = int_from_5bit(field.data)
    if value >> max_bits:
        raise InvoiceError(f"{field.letter} field ({name}) does not fit in {max_bits} bits")
    return value


class _Parsed:
    """The meaning of the tagged fields. Where a field that should appear once appears
    again, the first one counts: BOLT #11 (writer) "if a writer offers more than one of any
    field type, it: MUST specify the most-preferred field first"."""

    def __init__(self, fields: Sequence[TaggedField]) -> None:
        self.payment_hash: bytes | None = None
        self.payment_secret: bytes | None = None
        self.description: str | None = None
        self.description_hash: bytes | None = None
        self.payee: bytes | None = None
        self.expiry: int | None = None
        self.min_final_cltv: int | None = None
        self.metadata: bytes | None = None
        self.features = Features()
        self.fallbacks: list[Fallback] = []
        self.route_hints: list[RouteHint] = []
        seen_features = False
        for field in fields:
            tag = field.tag
            if tag not in KNOWN_TAGS:
                continue  # unknown field: skipped (kept in Invoice.fields)
            want = _FIXED_LENGTH.get(tag)
            if want is not None and len(field.data) != want:
                # BOLT #11: MUST fail the payment if any field with fixed `data_length`
                # (`p`, `h`, `s`, `n`) does not have the correct length (52, 52, 52, 53).
                raise InvoiceError(f"{field.letter} field has data_length {len(field.data)}, expected {want}")
            if tag == TAG_P:
                value = _field_bytes(field)
                # BOLT #11 (payer): SHOULD use the first `p` field as the payment hash.
                if self.payment_hash is None:
                    self.payment_hash = value
            elif tag == TAG_S:
                value = _field_bytes(field)
                # BOLT #11: otherwise: MUST use the `s` field as `payment_secret`
                if self.payment_secret is None:
                    self.payment_secret = value
            elif tag == TAG_H:
                value = _field_bytes(field)
                if self.description_hash is None:
                    self.description_hash = value
            elif tag == TAG_N:
                value = _field_bytes(field)
                if not is_valid_pubkey(value):
                    raise InvoiceError("n field is not a valid compressed secp256k1 public key")
                if self.payee is None:
                    self.payee = value
            elif tag == TAG_D:
                try:
                    text = _field_bytes(field).decode("utf-8")
                except UnicodeDecodeError:
                    # BOLT #11 (writer): if `d` is included: MUST set `d` to a valid UTF-8 string.
                    raise InvoiceError("d field (description) is not valid UTF-8") from None
                if self.description is None:
                    self.description = text
            elif tag == TAG_X:
                expiry = _minimal_int(field, "expiry", 64)
                if self.expiry is None:
                    self.expiry = expiry
            elif tag == TAG_C:
                cltv = _minimal_int(field, "min_final_cltv_expiry_delta", 64)
                if self.min_final_cltv is None:
                    self.min_final_cltv = cltv
            elif tag == TAG_9:
                bits = _minimal_int(field, "features", len(field.data) * 5)
                if not seen_features:
                    self.features, seen_features = Features(bits), True
            elif tag == TAG_M:
                metadata = _field_bytes(field)
                # BOLT #11: if an `m` field is provided: MUST use that as `payment_metadata`
                if self.metadata is None:
                    self.metadata = metadata
            elif tag == TAG_F:
                fallback = _parse_fallback(field)
                if fallback is not None:
                    self.fallbacks.append(fallback)
            elif tag == TAG_R:
                self.route_hints.append(_parse_route(field))


def _parse_fallback(field: TaggedField) -> Fallback | None:
    if not field.data:
        raise InvoiceError("f field is empty: it must start with a 5-bit version")
    version = field.data[0]
    if version > 18:
        # BOLT #11: MUST skip over `f` fields that use an unknown `version`.
        return None
    try:
        program = bech32.five_bit_to_bytes(field.data[1:])
    except bech32.Bech32Error as e:
        raise InvoiceError(f"f field: invalid padding of the version {version} program ({e})") from None
    try:
        return Fallback(version, program)
    except ValueError as e:
        # BOLT #11 (writer): MUST set an `f` field to a valid witness version and program,
        # OR to `17` followed by a public key hash, OR to `18` followed by a script hash.
        raise InvoiceError(f"f field: {e}") from None


def _parse_route(field: TaggedField) -> RouteHint:
    # BOLT #11: `r` field MUST contain one or more ordered entries ... `pubkey` (264 bits),
    # `short_channel_id` (64 bits), `fee_base_msat` (32 bits, big-endian),
    # `fee_proportional_millionths` (32 bits, big-endian), `cltv_expiry_delta` (16 bits,
    # big-endian)
    raw = _field_bytes(field)
    if not raw or len(raw) % _HOP_BYTES:
        raise InvoiceError(
            f"r field holds {len(raw)} bytes: it must be one or more {_HOP_BYTES}-byte entries"
        )
    hops: list[RouteHop] = []
    for i in range(0, len(raw), _HOP_BYTES):
        entry = raw[i:i + _HOP_BYTES]
        hops.append(
            RouteHop(
                pubkey=entry[:33],
                short_channel_id=ShortChannelId(int.from_bytes(entry[33:41], "big")),
                fee_base_msat=int.from_bytes(entry[41:45], "big"),
                fee_proportional_millionths=int.from_bytes(entry[45:49], "big"),
                cltv_expiry_delta=int.from_bytes(entry[49:51], "big"),
            )
        )
    return tuple(hops)


def _check_signature(signature: bytes, recovery_id: int, n_field: bytes | None, msg_hash: bytes) -> bytes:
    """The payee's node id, once the signature is known to be valid.

    BOLT #11: A reader MUST check that the `signature` is valid.
    """
    # BOLT #11: a trailing 1-byte recovery id in {0,1,2,3}.
    if recovery_id > 3:
        raise InvoiceError(f"signature recovery id {recovery_id} is not in 0..3")
    if n_field is not None:
        # BOLT #11: if a valid `n` field is provided: MUST use the `n` field to validate the
        # signature instead of performing public-key recovery. If the signature is not
        # compliant with the low-S standard rule: MUST fail the payment
        s = int.from_bytes(signature[32:], "big")
        if s > _SECP256K1_ORDER // 2:
            raise InvoiceError("signature is high-S (non-canonical) and the invoice has an n field")
        if not verify(n_field, msg_hash, signature):
            raise InvoiceError("signature does not verify against the n field (payee node id)")
        return n_field
    # BOLT #11: otherwise: MUST perform ECDSA public-key recovery and accept both high-S
    # and low-S signatures.
    try:
        key = PublicKey.from_signature_and_message(signature + bytes((recovery_id,)), msg_hash, hasher=None)
        return bytes(key.format(compressed=True))
    except (ValueError, TypeError):
        raise InvoiceError("signature is not recoverable: no public key matches it") from None


def _check_description(given: str, description: str | None, description_hash: bytes | None) -> None:
    if description_hash is not None:
        # BOLT #11: MUST check that the SHA2 256-bit hash in the `h` field exactly matches
        # the hashed description.
        if hashlib.sha256(given.encode()).digest() != description_hash:
            raise InvoiceError("the description does not hash to the h field")
    elif given != description:
        raise InvoiceError("the description differs from the invoice's d field")


def check_invoice_features(features: Features) -> None:
    """The `9` field rules (BOLT 11 "Feature Bits", BOLT 9)."""
    for bit in features.set_bits():
        if bit % 2:
            # BOLT #11: if the `9` field contains unknown _odd_ bits that are non-zero:
            # MUST ignore the bit.
            continue
        info = feature_info(bit)
        if info is None or info.name not in INVOICE_FEATURES:
            # BOLT #11: if the `9` field contains unknown _even_ bits that are non-zero:
            # MUST fail the payment. SHOULD indicate the unknown bit to the user.
            what = f" ({info.name} has no meaning in an invoice)" if info else ""
            raise InvoiceError(f"unknown required feature bit {bit} in the 9 field{what}")
    for bit in features.set_bits():
        info = feature_info(bit)
        if info is None:
            continue
        for dep in info.depends:
            # BOLT #11: if the feature vector does not set all known, transitive feature
            # dependencies: MUST NOT attempt the payment.
            if not features.has(dep):
                raise InvoiceError(f"feature {info.name} (bit {bit}) is set without its dependency {dep}")
