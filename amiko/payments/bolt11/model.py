"""What a BOLT 11 invoice says: `Invoice`, its route hints and fallback addresses.

Amounts are integer millisatoshis. An `Invoice` comes from `decode_invoice`, which checked
every reader rule of BOLT 11 and the signature; it keeps the tagged fields in the order they
were written (unknown and skipped ones too) and the signature, so `Invoice.encode()` gives
back the string it was decoded from.
"""

from __future__ import annotations

from dataclasses import dataclass

from amiko.bitcoin.address import (
    AddressError,
    address_to_script,
    b58check_encode,
    encode_segwit,
    segwit_script,
)
from amiko.bitcoin.networks import Network
from amiko.bitcoin.script import (
    OP_CHECKSIG,
    OP_DUP,
    OP_EQUAL,
    OP_EQUALVERIFY,
    OP_HASH160,
    witness_program,
)
from amiko.link.features import Features
from amiko.payments.bolt11.fields import KNOWN_TAGS, TAG_N, TaggedField, serialize
from amiko.wire.errors import DecodeError, EncodeError
from amiko.wire.types import ShortChannelId, scid_to_str

# BOLT #11: `x` ... "Default is 3600 (1 hour) if not specified."
DEFAULT_EXPIRY = 3600
# BOLT #11: `c` ... "Default is 18 if not specified."
DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA = 18

# BOLT #11: `f` ... "for Bitcoin payments: MUST set an `f` field to a valid witness version
# and program, OR to `17` followed by a public key hash, OR to `18` followed by a script hash."
FALLBACK_P2PKH = 17
FALLBACK_P2SH = 18


class InvoiceError(DecodeError):
    """An invoice string breaks a rule of BOLT 11 (the message names the rule); the payment
    must fail. A `ValueError`, like every `DecodeError`."""


class InvoiceEncodeError(EncodeError):
    """The values given to the writer cannot make a valid BOLT 11 invoice."""


@dataclass(frozen=True, slots=True)
class Fallback:
    """An on-chain fallback (`f`): a witness program (version 0..16), or version 17 with
    a public key hash (P2PKH) or 18 with a script hash (P2SH)."""

    version: int
    program: bytes

    def __post_init__(self) -> None:
        if self.version in (FALLBACK_P2PKH, FALLBACK_P2SH):
            if len(self.program) != 20:
                kind = "public key hash" if self.version == FALLBACK_P2PKH else "script hash"
                raise ValueError(f"a version {self.version} fallback holds a 20-byte {kind}, got {len(self.program)} bytes")
        elif 0 <= self.version <= 16:
            try:
                segwit_script(self.version, self.program)  # BIP 141 program length rules
            except AddressError as e:
                raise ValueError(f"invalid witness program: {e}") from None
        else:
            raise ValueError(f"unknown fallback version {self.version}")

    def script_pubkey(self) -> bytes:
        if self.version == FALLBACK_P2PKH:
            return bytes((OP_DUP, OP_HASH160, 20)) + self.program + bytes((OP_EQUALVERIFY, OP_CHECKSIG))
        if self.version == FALLBACK_P2SH:
            return bytes((OP_HASH160, 20)) + self.program + bytes((OP_EQUAL,))
        return segwit_script(self.version, self.program)

    def address(self, network: Network) -> str:
        """The address string on `network` (base58check for 17/18, bech32/bech32m else)."""
        if self.version == FALLBACK_P2PKH:
            return b58check_encode(bytes((network.p2pkh_prefix,)) + self.program)
        if self.version == FALLBACK_P2SH:
            return b58check_encode(bytes((network.p2sh_prefix,)) + self.program)
        return encode_segwit(network.bech32_hrp, self.version, self.program)

    @classmethod
    def from_address(cls, address: str, network: Network) -> Fallback:
        """The fallback paying to `address` (AddressError if it is not valid on `network`)."""
        script = address_to_script(address, network)
        wp = witness_program(script)
        if wp is not None:
            return cls(wp[0], wp[1])
        if len(script) == 25:
            return cls(FALLBACK_P2PKH, script[3:23])
        return cls(FALLBACK_P2SH, script[2:22])


@dataclass(frozen=True, slots=True)
class RouteHop:
    """One entry of an `r` field: the channel from `pubkey` towards the payee, and the fee
    and delta that node charges for it (as in its BOLT 7 `channel_update`)."""

    pubkey: bytes  # 33 bytes: the node at the start of the channel
    short_channel_id: ShortChannelId
    fee_base_msat: int  # u32
    fee_proportional_millionths: int  # u32
    cltv_expiry_delta: int  # u16

    def __post_init__(self) -> None:
        if len(self.pubkey) != 33:
            raise ValueError(f"route hop pubkey must be 33 bytes, got {len(self.pubkey)}")
        for name, value, bits in (
            ("short_channel_id", self.short_channel_id, 64),
            ("fee_base_msat", self.fee_base_msat, 32),
            ("fee_proportional_millionths", self.fee_proportional_millionths, 32),
            ("cltv_expiry_delta", self.cltv_expiry_delta, 16),
        ):
            if not 0 <= value < 1 << bits:
                raise ValueError(f"route hop {name} {value} does not fit in {bits} bits")

    def to_json(self) -> dict[str, object]:
        return {
            "pubkey": self.pubkey.hex(),
            "short_channel_id": scid_to_str(self.short_channel_id),
            "fee_base_msat": self.fee_base_msat,
            "fee_proportional_millionths": self.fee_proportional_millionths,
            "cltv_expiry_delta": self.cltv_expiry_delta,
        }


RouteHint = tuple[RouteHop, ...]


@dataclass(frozen=True, slots=True)
class Invoice:
    """A decoded, verified BOLT 11 invoice."""

    network: Network
    amount_msat: int | None  # None: the payer chooses ("any amount")
    timestamp: int  # seconds since 1970
    payment_hash: bytes  # `p`
    payment_secret: bytes  # `s`
    description: str | None  # `d` (exactly one of description / description_hash is set)
    description_hash: bytes | None  # `h`
    payee: bytes  # `n`, or the key recovered from the signature
    expiry: int  # `x`, seconds after timestamp
    min_final_cltv_expiry_delta: int  # `c`
    fallbacks: tuple[Fallback, ...]  # `f` fields of known versions, most preferred first
    route_hints: tuple[RouteHint, ...]  # one per `r` field, each a route to the payee
    features: Features  # `9`
    metadata: bytes | None  # `m`
    signature: bytes  # 64 bytes R || S (possibly high-S, when the payee was recovered)
    recovery_id: int  # 0..3
    hrp: str  # e.g. "lnbc2500u": kept as written so that encode() gives the same string
    fields: tuple[TaggedField, ...]  # every tagged field in order, as signed

    # -- convenience

    @property
    def currency_prefix(self) -> str:
        return self.network.bolt11_prefix

    @property
    def expires_at(self) -> int:
        return self.timestamp + self.expiry

    def is_expired(self, now: int) -> bool:
        """BOLT #11: "after the `timestamp` plus `expiry` has passed: SHOULD NOT attempt a
        payment" (and the payee SHOULD NOT accept one). `now` is seconds since 1970."""
        return now > self.expires_at

    @property
    def payee_in_invoice(self) -> bool:
        """True if the invoice names its payee in an `n` field (else it was recovered)."""
        return any(f.tag == TAG_N for f in self.fields)

    @property
    def unknown_fields(self) -> tuple[TaggedField, ...]:
        return tuple(f for f in self.fields if f.tag not in KNOWN_TAGS)

    def encode(self, *, uppercase: bool = False) -> str:
        """The invoice string, with the signature it carries (no key needed).

        BOLT #11: a writer "SHOULD use upper case for QR codes".
        """
        text = serialize(self.hrp, self.timestamp, self.fields, self.signature + bytes((self.recovery_id,)))
        return text.upper() if uppercase else text

    def to_json(self) -> dict[str, object]:
        """The RPC `decode` view: hex strings and integers."""
        return {
            "currency": self.currency_prefix,
            "network": self.network.name,
            "amount_msat": self.amount_msat,
            "timestamp": self.timestamp,
            "expiry": self.expiry,
            "expires_at": self.expires_at,
            "payment_hash": self.payment_hash.hex(),
            "payment_secret": self.payment_secret.hex(),
            "description": self.description,
            "description_hash": None if self.description_hash is None else self.description_hash.hex(),
            "payee": self.payee.hex(),
            "min_final_cltv_expiry_delta": self.min_final_cltv_expiry_delta,
            "fallbacks": [
                {"version": f.version, "program": f.program.hex(), "address": f.address(self.network)}
                for f in self.fallbacks
            ],
            "route_hints": [[hop.to_json() for hop in hint] for hint in self.route_hints],
            "features": self.features.to_json(),
            "metadata": None if self.metadata is None else self.metadata.hex(),
            "unknown_fields": [
                {"type": f.tag, "letter": f.letter, "data_length": len(f.data), "data": list(f.data)}
                for f in self.unknown_fields
            ],
            "signature": self.signature.hex(),
            "recovery_id": self.recovery_id,
        }
