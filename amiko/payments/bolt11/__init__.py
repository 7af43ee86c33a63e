"""BOLT 11 invoices: `decode_invoice` (every reader rule, then the signature) and
`encode_invoice` (the writer rules, RFC 6979 deterministic signing).

Modules: `model` (Invoice, RouteHop, Fallback, errors), `fields` (tagged fields as 5-bit
groups, signing data), `amount` (the human-readable part), `decode`, `encode`.
"""

from amiko.payments.bolt11.amount import MAX_AMOUNT_MSAT, format_amount, parse_amount
from amiko.payments.bolt11.decode import INVOICE_FEATURES, check_invoice_features, decode_invoice
from amiko.payments.bolt11.encode import DEFAULT_FIELD_ORDER, encode_invoice, sign_invoice
from amiko.payments.bolt11.fields import TaggedField, signing_data, signing_hash
from amiko.payments.bolt11.model import (
    DEFAULT_EXPIRY,
    DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA,
    Fallback,
    Invoice,
    InvoiceEncodeError,
    InvoiceError,
    RouteHint,
    RouteHop,
)

__all__ = [
    "DEFAULT_EXPIRY",
    "DEFAULT_FIELD_ORDER",
    "DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA",
    "INVOICE_FEATURES",
    "MAX_AMOUNT_MSAT",
    "Fallback",
    "Invoice",
    "InvoiceEncodeError",
    "InvoiceError",
    "RouteHint",
    "RouteHop",
    "TaggedField",
    "check_invoice_features",
    "decode_invoice",
    "encode_invoice",
    "format_amount",
    "parse_amount",
    "sign_invoice",
    "signing_data",
    "signing_hash",
]
