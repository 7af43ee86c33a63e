"""The human-readable part of a BOLT 11 invoice: currency prefix and amount.

BOLT #11: "The human-readable part of a Lightning invoice consists of two sections:
1. `prefix`: `ln` + BIP-0173 currency prefix ... 1. `amount`: optional number in that
currency, followed by an optional `multiplier` letter. The unit encoded here is the 'social'
convention of a payment unit -- in the case of Bitcoin the unit is 'bitcoin' NOT satoshis."
"""

from __future__ import annotations

from amiko.bitcoin.networks import NETWORKS, Network
from amiko.payments.bolt11.model import InvoiceEncodeError, InvoiceError

MSAT_PER_BTC = 100_000_000_000
# 21 million bitcoin: no payment can be larger (and it fits a u64, as BOLT 4 amounts must).
MAX_AMOUNT_MSAT = 21_000_000 * MSAT_PER_BTC

# Millisatoshis per unit, for each multiplier; `p` (pico-bitcoin) is a tenth of a msat and
# handled apart. BOLT #11: `m` (milli): multiply by 0.001, `u` (micro): multiply by
# 0.000001, `n` (nano): multiply by 0.000000001, `p` (pico): multiply by 0.000000000001
_MSAT_PER_UNIT = {"": MSAT_PER_BTC, "m": 100_000_000, "u": 100_000, "n": 100}
_DIGITS = frozenset("0123456789")
_MAX_DIGITS = 25  # more cannot be below MAX_AMOUNT_MSAT in any unit

_BY_PREFIX: dict[str, Network] = {n.bolt11_prefix: n for n in NETWORKS.values()}


def parse_hrp(hrp: str) -> tuple[Network, int | None]:
    """(network, amount in msat or None) of a lowercase human-readable part."""
    # The currency prefix is letters only and the amount starts with a digit.
    split = next((i for i, c in enumerate(hrp) if c in _DIGITS), len(hrp))
    prefix, amount = hrp[:split], hrp[split:]
    network = _BY_PREFIX.get(prefix)
    if network is None:
        # BOLT #11: if it does NOT understand the `prefix`: MUST fail the payment.
        known = ", ".join(sorted(_BY_PREFIX))
        raise InvoiceError(f"unknown currency prefix {prefix!r} (known: {known})")
    # BOLT #11: if the `amount` is empty: SHOULD indicate to the payer that amount is
    # unspecified.
    return network, (parse_amount(amount) if amount else None)


def parse_amount(text: str) -> int:
    """Millisatoshis of a non-empty `amount` + optional `multiplier`, e.g. "2500u"."""
    digits, multiplier = (text[:-1], text[-1]) if text[-1] not in _DIGITS else (text, "")
    # BOLT #11: if `amount` contains a non-digit OR is followed by anything except a
    # `multiplier` (see table above): MUST fail the payment.
    if not digits or any(c not in _DIGITS for c in digits):
        raise InvoiceError(f"invalid amount {text!r}: not a decimal number and a multiplier")
    if multiplier not in _MSAT_PER_UNIT and multiplier != "p":
        raise InvoiceError(f"invalid multiplier {multiplier!r} in amount {text!r} (m, u, n or p)")
    # BOLT #11 (writer): MUST encode `amount` as a positive decimal integer with no leading 0s.
    if digits[0] == "0":
        raise InvoiceError(f"invalid amount {text!r}: zero or with leading zeros")
    if len(digits) > _MAX_DIGITS:
        raise InvoiceError(f"amount {text!r} is larger than 21 million bitcoin")
    value = int(digits)
    if multiplier == "p":
        # BOLT #11: if multiplier is `p` and the last decimal of `amount` is not 0: MUST fail
        # the payment.
        if value % 10:
            raise InvoiceError(
                f"amount {text!r}: with the p multiplier the last decimal must be 0 "
                "(no sub-millisatoshi amounts)"
            )
        msat = value // 10
    else:
        # BOLT #11: if the `multiplier` is present: MUST multiply `amount` by the
        # `multiplier` value to derive the amount required for payment.
        msat = value * _MSAT_PER_UNIT[multiplier]
    if msat > MAX_AMOUNT_MSAT:
        raise InvoiceError(f"amount {text!r} is larger than 21 million bitcoin")
    return msat


def format_amount(amount_msat: int) -> str:
    """The shortest `amount` + `multiplier` for a positive msat amount.

    BOLT #11: "SHOULD use the shortest representation possible, by using the largest
    multiplier or omitting the multiplier", and "If the `p` multiplier is used the last
    decimal of `amount` MUST be `0`."
    """
    if not 0 < amount_msat <= MAX_AMOUNT_MSAT:
        raise InvoiceEncodeError(
            f"amount {amount_msat} msat: BOLT 11 amounts are positive (and at most 21M BTC)"
        )
    for multiplier, unit in _MSAT_PER_UNIT.items():
        if amount_msat % unit == 0:
            return f"{amount_msat // unit}{multiplier}"
    return f"{amount_msat * 10}p"


def format_hrp(network: Network, amount_msat: int | None) -> str:
    """BOLT #11 (writer): MUST encode `prefix` using the currency required for successful
    payment; if a specific minimum `amount` is required: MUST include that `amount`."""
    return network.bolt11_prefix + ("" if amount_msat is None else format_amount(amount_msat))
