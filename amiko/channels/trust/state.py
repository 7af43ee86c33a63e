"""The signed state of a trust channel: its canonical encoding, the signing rule, proofs.

Both parties sign the same bytes. The two nodes are named by the order of their ids, as in
BOLT 7: `node_1` is the one whose 33-byte id is lexicographically smaller. A state says:

- `limit_1`: the credit node_1 extends to node_2 (node_2's balance may fall to -limit_1),
  `limit_2` likewise the other way;
- `balance_1`, `balance_2`: each node's claim in msat, signed (negative: it owes), not
  counting the locks in flight; always `balance_1 + balance_2 + sum(htlc amounts) == 0`;
- the pending locks (offerer, id, amount, payment hash, deadline), sorted by (offerer, id);
- the next lock id each side may use, the state number and whether it is the final state.

Signing rule (docs/trust-channel.md):

    digest    = SHA256("amiko trust state v1" || encode_state(state))
    signature = compact 64-byte ECDSA (low-S) by the node's identity key over `digest`

A proof is a state with both signatures; `verify_trust_proof` lets any third party check
one from its JSON form with nothing but the two node ids it names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from amiko.crypto.hashes import sha256
from amiko.crypto.keys import is_valid_pubkey, sign, verify
from amiko.wire.errors import DecodeError, InvalidValueError
from amiko.wire.primitives import (
    MAX_MSAT,
    Reader,
    encode_s64,
    encode_u8,
    encode_u16,
    encode_u32,
    encode_u64,
)

__all__ = [
    "MAX_HTLCS_PER_SIDE",
    "PROOF_FORMAT",
    "STATE_TAG",
    "SignedState",
    "StateError",
    "TrustHtlc",
    "TrustState",
    "alias_scid",
    "check_state",
    "decode_state",
    "encode_state",
    "initial_state",
    "state_digest",
    "verify_trust_proof",
]

STATE_TAG = b"amiko trust state v1"
PROOF_FORMAT = "amiko-trust-proof"
# Like BOLT 2's `max_accepted_htlcs` cap of 483: keeps states and proofs small.
MAX_HTLCS_PER_SIDE = 483


class StateError(ValueError):
    """A state breaks one of the rules every signed state keeps."""


@dataclass(frozen=True, slots=True)
class TrustHtlc:
    offerer: int  # 1 or 2
    htlc_id: int
    amount_msat: int
    payment_hash: bytes
    cltv_expiry: int

    @property
    def key(self) -> tuple[int, int]:
        return (self.offerer, self.htlc_id)


@dataclass(frozen=True, slots=True)
class TrustState:
    chain_hash: bytes
    channel_id: bytes
    node_1: bytes
    node_2: bytes
    number: int
    limit_1: int  # credit node_1 extends to node_2
    limit_2: int  # credit node_2 extends to node_1
    balance_1: int
    balance_2: int
    next_htlc_id_1: int
    next_htlc_id_2: int
    htlcs: tuple[TrustHtlc, ...] = ()
    final: bool = False

    def node(self, side: int) -> bytes:
        return self.node_1 if side == 1 else self.node_2

    def balance(self, side: int) -> int:
        return self.balance_1 if side == 1 else self.balance_2

    def limit(self, side: int) -> int:
        """The credit `side` extends to the other side."""
        return self.limit_1 if side == 1 else self.limit_2

    def next_htlc_id(self, side: int) -> int:
        return self.next_htlc_id_1 if side == 1 else self.next_htlc_id_2

    def htlc(self, offerer: int, htlc_id: int) -> TrustHtlc | None:
        for h in self.htlcs:
            if h.offerer == offerer and h.htlc_id == htlc_id:
                return h
        return None

    def htlcs_of(self, offerer: int) -> list[TrustHtlc]:
        return [h for h in self.htlcs if h.offerer == offerer]


def initial_state(chain_hash: bytes, channel_id: bytes, node_a: bytes, node_b: bytes,
                  limit_a: int, limit_b: int) -> TrustState:
    """State 0: zero balances, no locks; `limit_a` is the credit node_a extends."""
    if node_a < node_b:
        n1, n2, l1, l2 = node_a, node_b, limit_a, limit_b
    else:
        n1, n2, l1, l2 = node_b, node_a, limit_b, limit_a
    state = TrustState(chain_hash, channel_id, n1, n2, 0, l1, l2, 0, 0, 0, 0)
    check_state(state)
    return state


def alias_scid(channel_id: bytes) -> int:
    """The channel's short channel id: both nodes derive the same one from the channel id,
    in block heights 2^23 .. 2^23 + 2^22 - 1 (far above any real block, and below the
    16 000 000 range other implementations use for BOLT 2 aliases), so route hints name
    it and the switch finds the channel by it. Never gossiped."""
    h = int.from_bytes(sha256(b"amiko trust scid" + channel_id)[:8], "big")
    block = (1 << 23) | (h >> 42 & ((1 << 22) - 1))
    return (block << 40) | (h & ((1 << 40) - 1))


def check_state(s: TrustState) -> None:
    """Raise StateError unless `s` keeps every rule of a signed state."""
    if len(s.chain_hash) != 32 or len(s.channel_id) != 32:
        raise StateError("chain_hash and channel_id are 32 bytes")
    if len(s.node_1) != 33 or len(s.node_2) != 33 or not s.node_1 < s.node_2:
        raise StateError("node_1 must sort before node_2 (33-byte ids)")
    if not 0 <= s.number < 1 << 64:
        raise StateError("state number out of range")
    for lim in (s.limit_1, s.limit_2):
        if not 0 <= lim <= MAX_MSAT:
            raise StateError(f"credit limit {lim} out of range")
    if s.balance_2 < -s.limit_1 or s.balance_1 < -s.limit_2:
        raise StateError("a balance is beyond the credit the other side extends")
    if s.balance_1 + s.balance_2 + sum(h.amount_msat for h in s.htlcs) != 0:
        raise StateError("balances and locks do not sum to zero")
    last: tuple[int, int] | None = None
    for h in s.htlcs:
        if h.offerer not in (1, 2):
            raise StateError("HTLC offerer must be 1 or 2")
        if last is not None and h.key <= last:
            raise StateError("HTLCs must be sorted by (offerer, id) without repeats")
        last = h.key
        if not 0 < h.amount_msat <= MAX_MSAT:
            raise StateError(f"HTLC amount {h.amount_msat} out of range")
        if len(h.payment_hash) != 32 or not 0 <= h.cltv_expiry < 1 << 32:
            raise StateError("bad HTLC payment hash or deadline")
        if h.htlc_id >= s.next_htlc_id(h.offerer):
            raise StateError("HTLC id not below the offerer's next id")
    for side in (1, 2):
        if len(s.htlcs_of(side)) > MAX_HTLCS_PER_SIDE:
            raise StateError("too many HTLCs")
        if not 0 <= s.next_htlc_id(side) < 1 << 64:
            raise StateError("next HTLC id out of range")
    if s.final and s.htlcs:
        raise StateError("a final state has no pending HTLC")


def encode_state(s: TrustState) -> bytes:
    """The canonical bytes both nodes sign (see the module doc and the spec)."""
    parts = [
        s.chain_hash, s.channel_id, s.node_1, s.node_2, encode_u64(s.number),
        encode_u64(s.limit_1), encode_u64(s.limit_2), encode_s64(s.balance_1), encode_s64(s.balance_2),
        encode_u64(s.next_htlc_id_1), encode_u64(s.next_htlc_id_2), encode_u8(int(s.final)),
        encode_u16(len(s.htlcs)),
    ]
    for h in s.htlcs:
        parts += [encode_u8(h.offerer), encode_u64(h.htlc_id), encode_u64(h.amount_msat),
                  h.payment_hash, encode_u32(h.cltv_expiry)]
    return b"".join(parts)


def decode_state(data: bytes) -> TrustState:
    """Decode canonical bytes exactly and check the state's rules (DecodeError if not)."""
    r = Reader(data, "trust state")
    chain_hash, channel_id, node_1, node_2 = r.read(32), r.read(32), r.read(33), r.read(33)
    number, limit_1, limit_2 = r.u64(), r.u64(), r.u64()
    balance_1, balance_2 = r.s64(), r.s64()
    next_1, next_2 = r.u64(), r.u64()
    final = r.u8()
    if final > 1:
        raise InvalidValueError("trust state: final flag must be 0 or 1")
    htlcs = tuple(TrustHtlc(r.u8(), r.u64(), r.u64(), r.read(32), r.u32()) for _ in range(r.u16()))
    r.finish()
    state = TrustState(chain_hash, channel_id, node_1, node_2, number, limit_1, limit_2, balance_1,
                       balance_2, next_1, next_2, htlcs, bool(final))
    try:
        check_state(state)
    except StateError as e:
        raise InvalidValueError(f"trust state: {e}") from None
    return state


def state_digest(s: TrustState) -> bytes:
    return sha256(STATE_TAG + encode_state(s))


def sign_state(secret: bytes, s: TrustState) -> bytes:
    return sign(secret, state_digest(s))


def verify_state(s: TrustState, side: int, signature: bytes) -> bool:
    return verify(s.node(side), state_digest(s), signature)


@dataclass(frozen=True, slots=True)
class SignedState:
    """A state with the signatures we hold (both, once it is co-signed)."""

    state: TrustState
    sig_1: bytes | None = None
    sig_2: bytes | None = None

    def sig(self, side: int) -> bytes | None:
        return self.sig_1 if side == 1 else self.sig_2

    def with_sig(self, side: int, signature: bytes) -> SignedState:
        if side == 1:
            return SignedState(self.state, signature, self.sig_2)
        return SignedState(self.state, self.sig_1, signature)

    @property
    def cosigned(self) -> bool:
        return self.sig_1 is not None and self.sig_2 is not None

    def verify(self) -> bool:
        return (self.sig_1 is not None and self.sig_2 is not None
                and verify_state(self.state, 1, self.sig_1) and verify_state(self.state, 2, self.sig_2))

    def to_proof(self) -> dict[str, Any]:
        """The JSON proof a third party checks with `verify_trust_proof`."""
        s = self.state
        return {
            "format": PROOF_FORMAT,
            "version": 1,
            "chain_hash": s.chain_hash.hex(),
            "channel_id": s.channel_id.hex(),
            "node_1": s.node_1.hex(),
            "node_2": s.node_2.hex(),
            "state_number": s.number,
            "final": s.final,
            "limit_1_msat": s.limit_1,
            "limit_2_msat": s.limit_2,
            "balance_1_msat": s.balance_1,
            "balance_2_msat": s.balance_2,
            "next_htlc_id_1": s.next_htlc_id_1,
            "next_htlc_id_2": s.next_htlc_id_2,
            "htlcs": [{"offerer": h.offerer, "htlc_id": h.htlc_id, "amount_msat": h.amount_msat,
                       "payment_hash": h.payment_hash.hex(), "cltv_expiry": h.cltv_expiry}
                      for h in s.htlcs],
            "state": encode_state(s).hex(),
            "digest": state_digest(s).hex(),
            "signature_1": None if self.sig_1 is None else self.sig_1.hex(),
            "signature_2": None if self.sig_2 is None else self.sig_2.hex(),
        }


@dataclass(frozen=True, slots=True)
class _ProofCheck:
    ok: bool
    why: str = ""
    state: TrustState | None = field(default=None)


def check_trust_proof(proof: str | bytes | Mapping[str, Any]) -> _ProofCheck:
    """Check a proof: the `state` bytes decode to a valid state, every readable field
    matches them, and both signatures verify against the node ids in the state."""
    try:
        doc = json.loads(proof) if isinstance(proof, str | bytes) else proof
        if not isinstance(doc, Mapping) or doc.get("format") != PROOF_FORMAT or doc.get("version") != 1:
            return _ProofCheck(False, "not an amiko trust proof (version 1)")
        state = decode_state(bytes.fromhex(doc["state"]))
        expected = SignedState(state).to_proof()
        for key, value in expected.items():
            if key.startswith("signature_"):
                continue
            if key in doc and doc[key] != value:
                return _ProofCheck(False, f"field {key} does not match the signed state")
        if not (is_valid_pubkey(state.node_1) and is_valid_pubkey(state.node_2)):
            return _ProofCheck(False, "a node id is not a valid public key")
        sig_1, sig_2 = doc.get("signature_1"), doc.get("signature_2")
        if not isinstance(sig_1, str) or not isinstance(sig_2, str):
            return _ProofCheck(False, "both signatures are needed")
        signed = SignedState(state, bytes.fromhex(sig_1), bytes.fromhex(sig_2))
        if not signed.verify():
            return _ProofCheck(False, "a signature does not verify")
        return _ProofCheck(True, "", state)
    except (DecodeError, ValueError, TypeError, KeyError, AttributeError) as e:
        return _ProofCheck(False, f"malformed proof: {e}")


def verify_trust_proof(proof: str | bytes | Mapping[str, Any]) -> bool:
    """True if `proof` (JSON text or its parsed dict) is a state both nodes signed.
    Never raises."""
    return check_trust_proof(proof).ok
