"""BOLT #4 onion routing, sans-IO.

Modules:

- ``sphinx``: :func:`construct_onion` (origin) and :func:`peel_onion` (each hop), with the
  results :class:`PeeledOnion`, :class:`MalformedOnion` (send `update_fail_malformed_htlc`)
  and :class:`RejectedOnion` (send `update_fail_htlc`); the size-generic layer under them.
- ``payload``: build hop payloads; read them with the reader requirements
  (:class:`ForwardHop`, :class:`FinalHop`, :class:`BlindedHop`); the final node's HTLC checks.
- ``failures``: failure codes and flags, one typed dataclass per failure message.
- ``errors``: the failure onion: create, obfuscate at each hop, decode and attribute at the
  origin (also with `attribution_data`).
- ``attribution``: `attribution_data` (hold times and truncated HMACs).
- ``blinding``: route blinding: build blinded paths, decrypt `encrypted_recipient_data`, the
  reader requirements inside a blinded route.
- ``keys``: BOLT #4 key generation and the ChaCha20 stream.
- ``exceptions``: the exceptions raised here.
"""

from __future__ import annotations

from amiko.payments.onion.blinding import (
    BlindedForward,
    BlindedPath,
    BlindedReceive,
    create_blinded_path,
    read_blinded_hop,
)
from amiko.payments.onion.errors import (
    AttributedFailure,
    DecodedFailure,
    create_failure,
    create_failure_from_malformed,
    create_failure_with_attribution,
    decode_attributed_failure,
    decode_failure,
    obfuscate_failure,
    obfuscate_failure_with_attribution,
)
from amiko.payments.onion.exceptions import (
    FailureDecodeError,
    OnionDecodeError,
    OnionEncodeError,
    OnionError,
)
from amiko.payments.onion.failures import (
    BADONION,
    NODE,
    PERM,
    UPDATE,
    FailureCode,
    FailureMessage,
    UnknownFailure,
    decode_failure_message,
)
from amiko.payments.onion.payload import (
    KEYSEND_PREIMAGE_TYPE,
    BlindedHop,
    FinalHop,
    ForwardHop,
    HopPayload,
    build_final_payload,
    build_forward_payload,
    check_final_htlc,
)
from amiko.payments.onion.sphinx import (
    HopSpec,
    MalformedOnion,
    OnionSession,
    PeeledOnion,
    PeelResult,
    RejectedOnion,
    construct_onion,
    peel_onion,
    prepare_session,
    reject_payload,
    shared_start,
)

__all__ = [
    "BADONION",
    "KEYSEND_PREIMAGE_TYPE",
    "NODE",
    "PERM",
    "UPDATE",
    "AttributedFailure",
    "BlindedForward",
    "BlindedHop",
    "BlindedPath",
    "BlindedReceive",
    "DecodedFailure",
    "FailureCode",
    "FailureDecodeError",
    "FailureMessage",
    "FinalHop",
    "ForwardHop",
    "HopPayload",
    "HopSpec",
    "MalformedOnion",
    "OnionDecodeError",
    "OnionEncodeError",
    "OnionError",
    "OnionSession",
    "PeelResult",
    "PeeledOnion",
    "RejectedOnion",
    "UnknownFailure",
    "build_final_payload",
    "build_forward_payload",
    "check_final_htlc",
    "construct_onion",
    "create_blinded_path",
    "create_failure",
    "create_failure_from_malformed",
    "create_failure_with_attribution",
    "decode_attributed_failure",
    "decode_failure",
    "decode_failure_message",
    "obfuscate_failure",
    "obfuscate_failure_with_attribution",
    "peel_onion",
    "prepare_session",
    "read_blinded_hop",
    "reject_payload",
    "shared_start",
]
