"""The BOLT 3 commitment transaction: building it, signing it, and witnessing it.

`build_commitment(spec)` follows BOLT 3 "Commitment Transaction Construction" step by step
for one side's commitment transaction (the *owner*, "local" in BOLT 3 terms):

# BOLT #3:
# 1. Initialize the commitment transaction input and locktime, as specified
#    in [Commitment Transaction](#commitment-transaction).
# 1. Calculate which committed HTLCs need to be trimmed (see [Trimmed Outputs](#trimmed-outputs)).
# 2. Calculate the base [commitment transaction fee](#fee-calculation).
# 3. Subtract this base fee from the funder (either `to_local` or `to_remote`).
# If `option_anchors` applies to the commitment transaction,
# also subtract two times the fixed anchor size of 330 sats from the funder
# (either `to_local` or `to_remote`).
# 4. For every offered HTLC, if it is not trimmed, add an
#    [offered HTLC output](#offered-htlc-outputs).
# 5. For every received HTLC, if it is not trimmed, add an
#    [received HTLC output](#received-htlc-outputs).
# 6. If the `to_local` amount is greater or equal to `dust_limit_satoshis`,
#    add a [`to_local` output](#to_local-output).
# 7. If the `to_remote` amount is greater or equal to `dust_limit_satoshis`,
#    add a [`to_remote` output](#to_remote-output).
# 8. If `option_anchors` applies to the commitment transaction:
#    * if `to_local` exists or there are untrimmed HTLCs, add a [`to_local_anchor` output]
#    * if `to_remote` exists or there are untrimmed HTLCs, add a [`to_remote_anchor` output]
# 9. Sort the outputs into [BIP 69+CLTV order](#transaction-output-ordering).

Our node builds both commitments: its own (which the peer signs, and which it checks the
peer's signatures against) and the peer's (which it signs).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from amiko.bitcoin.script import p2wsh
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.channels.bolt.fees import (
    ANCHOR_OUTPUT_SAT,
    CommitmentType,
    HtlcDirection,
    commitment_fee,
    is_htlc_trimmed,
)
from amiko.channels.bolt.keys import CommitmentKeys
from amiko.channels.bolt.scripts import (
    anchor_script,
    funding_script,
    offered_htlc_script,
    received_htlc_script,
    to_local_script,
    to_remote_anchor_script,
    to_remote_script_pubkey,
)
from amiko.channels.bolt.signatures import (
    funding_witness,
    input_sighash,
    sign_input,
    verify_input,
)
from amiko.crypto.hashes import sha256
from amiko.wire.types import Msat, Sat

__all__ = [
    "Commitment",
    "CommitmentError",
    "CommitmentHtlc",
    "CommitmentOutput",
    "CommitmentSpec",
    "OutputKind",
    "build_commitment",
    "commitment_number_from_tx",
    "obscuring_factor",
    "output_sort_key",
]

_MAX_COMMITMENT_NUMBER = (1 << 48) - 1


class CommitmentError(ValueError):
    """The described commitment is inconsistent (amounts do not add up to the funding, or
    the funder cannot pay for the anchors)."""


def obscuring_factor(opener_payment_basepoint: bytes, acceptor_payment_basepoint: bytes) -> int:
    """# BOLT #3: The 48-bit commitment number is obscured by `XOR` with the lower 48 bits of:
    #     SHA256(payment_basepoint from open_channel || payment_basepoint from accept_channel)
    """
    digest = sha256(opener_payment_basepoint + acceptor_payment_basepoint)
    return int.from_bytes(digest[-6:], "big")


def _locktime_and_sequence(commitment_number: int, factor: int) -> tuple[int, int]:
    """# BOLT #3: locktime: upper 8 bits are 0x20, lower 24 bits are the lower 24 bits of the
    # obscured commitment number
    # BOLT #3: `txin[0]` sequence: upper 8 bits are 0x80, lower 24 bits are upper 24 bits of
    # the obscured commitment number
    """
    obscured = (commitment_number ^ factor) & _MAX_COMMITMENT_NUMBER
    return 0x20 << 24 | obscured & 0xFFFFFF, 0x80 << 24 | obscured >> 24


def commitment_number_from_tx(tx: Transaction, factor: int) -> int | None:
    """The commitment number of a transaction spending the funding output, or None if its
    locktime and sequence do not have the commitment transaction's form."""
    if len(tx.inputs) != 1 or tx.locktime >> 24 != 0x20 or tx.inputs[0].sequence >> 24 != 0x80:
        return None
    obscured = (tx.inputs[0].sequence & 0xFFFFFF) << 24 | tx.locktime & 0xFFFFFF
    return obscured ^ (factor & _MAX_COMMITMENT_NUMBER)


@dataclass(frozen=True, slots=True)
class CommitmentHtlc:
    """An HTLC committed to, seen from the commitment's owner."""

    direction: HtlcDirection
    amount_msat: Msat
    payment_hash: bytes
    cltv_expiry: int


@dataclass(frozen=True, slots=True)
class CommitmentSpec:
    """Everything one commitment transaction depends on, from its owner's side.

    - `to_local_msat` / `to_remote_msat`: the owner's and the other node's balances, not
      counting HTLCs and before the fee (and anchors) are taken from the funder; with the
      HTLCs they add up to the funding amount.
    - `owner_is_funder`: whether the owner opened the channel (and pays the fee).
    - `dust_limit_sat`: the owner's `dust_limit_satoshis`.
    - `to_self_delay`: the delay on the owner's outputs, i.e. the `to_self_delay` the *other*
      node asked for in its open/accept message.
    - `obscuring_factor`: see `obscuring_factor()`, computed once per channel.
    """

    commitment_type: CommitmentType
    funding_outpoint: OutPoint
    funding_sat: Sat
    commitment_number: int
    obscuring_factor: int
    owner_is_funder: bool
    to_local_msat: Msat
    to_remote_msat: Msat
    htlcs: tuple[CommitmentHtlc, ...]
    feerate_per_kw: int
    dust_limit_sat: Sat
    to_self_delay: int
    keys: CommitmentKeys


class OutputKind(enum.Enum):
    TO_LOCAL = "to_local"
    TO_REMOTE = "to_remote"
    LOCAL_ANCHOR = "to_local_anchor"
    REMOTE_ANCHOR = "to_remote_anchor"
    OFFERED_HTLC = "offered_htlc"
    RECEIVED_HTLC = "received_htlc"


@dataclass(frozen=True, slots=True)
class CommitmentOutput:
    """One output of a commitment transaction and what it is.

    `witness_script` is None only for a static_remotekey `to_remote` (P2WPKH). `htlc_index`
    is the position of the HTLC in `CommitmentSpec.htlcs` for HTLC outputs.
    """

    kind: OutputKind
    txout: TxOut
    witness_script: bytes | None
    htlc_index: int | None = None
    cltv_expiry: int = 0

    @property
    def value(self) -> int:
        return self.txout.value


def output_sort_key(value: int, script_pubkey: bytes, cltv_expiry: int = 0) -> tuple[int, bytes, int]:
    """# BOLT #3: Outputs in transactions are always sorted according to:
    #  * first according to their value, smallest first (in whole satoshis, note that for
    #    HTLC outputs, the millisatoshi part must be ignored)
    #  * followed by `scriptpubkey`, comparing the common-length prefix lexicographically as
    #    if by `memcmp`, then selecting the shorter script (if they differ in length),
    #  * finally, for HTLC outputs, in increasing `cltv_expiry` order.
    (Python's bytes order is exactly that memcmp-then-shorter order.)
    """
    return (value, script_pubkey, cltv_expiry)


@dataclass(frozen=True)
class Commitment:
    """A built (unsigned) commitment transaction and what its outputs are."""

    spec: CommitmentSpec
    tx: Transaction
    outputs: tuple[CommitmentOutput, ...]  # in transaction order
    funding_script: bytes
    base_fee_sat: Sat  # what the fee formula asks of the funder
    fee_sat: Sat  # what the transaction actually pays: funding amount minus outputs

    @property
    def txid(self) -> bytes:
        return self.tx.txid

    # -- outputs

    def output_index(self, kind: OutputKind) -> int | None:
        """Index of the to_local, to_remote or an anchor output, or None if absent."""
        for i, out in enumerate(self.outputs):
            if out.kind is kind:
                return i
        return None

    @property
    def htlc_output_indices(self) -> tuple[int | None, ...]:
        """For each HTLC of the spec (same order), its output index, None if trimmed."""
        where: list[int | None] = [None] * len(self.spec.htlcs)
        for i, out in enumerate(self.outputs):
            if out.htlc_index is not None:
                where[out.htlc_index] = i
        return tuple(where)

    @property
    def htlc_outputs(self) -> tuple[tuple[int, CommitmentOutput], ...]:
        """(output index, output) of every HTLC output in transaction order: the order of
        `htlc_signatures` in `commitment_signed`."""
        return tuple((i, out) for i, out in enumerate(self.outputs) if out.htlc_index is not None)

    @property
    def trimmed_htlcs(self) -> tuple[int, ...]:
        """Indices (in the spec) of the HTLCs that have no output."""
        return tuple(i for i, where in enumerate(self.htlc_output_indices) if where is None)

    # -- signatures on the funding input (SIGHASH_ALL, BIP 143 with the funding script)

    def sighash(self) -> bytes:
        return input_sighash(self.tx, 0, self.funding_script, self.spec.funding_sat)

    def sign(self, funding_secret: bytes) -> bytes:
        """Compact signature with a funding key: what `commitment_signed` carries."""
        return sign_input(self.tx, 0, self.funding_script, self.spec.funding_sat, funding_secret)

    def verify(self, funding_pubkey: bytes, sig64: bytes) -> bool:
        """Check a compact signature by a funding key (e.g. the peer's on our commitment)."""
        return verify_input(self.tx, 0, self.funding_script, self.spec.funding_sat,
                            funding_pubkey, sig64)

    def signed_tx(self, local_sig: bytes, remote_sig: bytes) -> Transaction:
        """The transaction with its witness, from the owner's (`local_sig`) and the other
        node's (`remote_sig`) compact signatures."""
        keys = self.spec.keys
        witness = funding_witness(self.funding_script, keys.local_funding_pubkey, local_sig,
                                  keys.remote_funding_pubkey, remote_sig)
        return self.tx.with_witness(0, witness)


def _check_spec(spec: CommitmentSpec) -> None:
    if not 0 <= spec.commitment_number <= _MAX_COMMITMENT_NUMBER:
        raise CommitmentError(f"commitment number {spec.commitment_number} is not 48 bits")
    if spec.to_local_msat < 0 or spec.to_remote_msat < 0:
        raise CommitmentError("negative balance")
    if spec.feerate_per_kw < 0 or spec.dust_limit_sat < 0:
        raise CommitmentError("negative feerate or dust limit")
    if any(h.amount_msat <= 0 for h in spec.htlcs):
        raise CommitmentError("HTLC amount must be positive")
    total = spec.to_local_msat + spec.to_remote_msat + sum(h.amount_msat for h in spec.htlcs)
    if total != spec.funding_sat * 1000:
        raise CommitmentError(f"balances and HTLCs add up to {total} msat, "
                              f"not the funding amount {spec.funding_sat} sat")


def build_commitment(spec: CommitmentSpec) -> Commitment:
    """The commitment transaction described by `spec` (unsigned), with its output map."""
    _check_spec(spec)
    ctype = spec.commitment_type
    anchors = ctype.anchors
    keys = spec.keys

    # BOLT #3: Calculate which committed HTLCs need to be trimmed
    untrimmed = [i for i, h in enumerate(spec.htlcs)
                 if not is_htlc_trimmed(ctype, h.direction, h.amount_msat, spec.feerate_per_kw,
                                        spec.dust_limit_sat)]
    # BOLT #3: Calculate the base commitment transaction fee.
    base_fee = commitment_fee(ctype, spec.feerate_per_kw, len(untrimmed))

    # BOLT #3: Subtract this base fee from the funder (either `to_local` or `to_remote`).
    # If `option_anchors` applies [...] also subtract two times the fixed anchor size of
    # 330 sats from the funder.
    # BOLT #3: The amounts for each output MUST be rounded down to whole satoshis.
    funder_cost = base_fee + (2 * ANCHOR_OUTPUT_SAT if anchors else 0)
    to_local = spec.to_local_msat // 1000
    to_remote = spec.to_remote_msat // 1000
    if spec.owner_is_funder:
        to_local -= funder_cost
    else:
        to_remote -= funder_cost
    # (A funder that cannot pay the whole fee keeps no output: the rest goes to fees, as in
    # the "commitment tx with fee greater than funder amount" test vector.)

    outputs: list[CommitmentOutput] = []
    for i in untrimmed:
        h = spec.htlcs[i]
        if h.direction is HtlcDirection.OFFERED:
            # BOLT #3: For every offered HTLC, if it is not trimmed, add an offered HTLC output.
            script = offered_htlc_script(keys.revocation_pubkey, keys.local_htlc_pubkey,
                                         keys.remote_htlc_pubkey, h.payment_hash, anchors)
            kind = OutputKind.OFFERED_HTLC
        else:
            # BOLT #3: For every received HTLC, if it is not trimmed, add an received HTLC
            # output.
            script = received_htlc_script(keys.revocation_pubkey, keys.local_htlc_pubkey,
                                          keys.remote_htlc_pubkey, h.payment_hash,
                                          h.cltv_expiry, anchors)
            kind = OutputKind.RECEIVED_HTLC
        outputs.append(CommitmentOutput(kind, TxOut(h.amount_msat // 1000, p2wsh(script)),
                                        script, i, h.cltv_expiry))

    # BOLT #3: If the `to_local` amount is greater or equal to `dust_limit_satoshis`, add a
    # `to_local` output.
    has_to_local = to_local >= spec.dust_limit_sat and to_local > 0
    if has_to_local:
        script = to_local_script(keys.revocation_pubkey, spec.to_self_delay,
                                 keys.local_delayed_pubkey)
        outputs.append(CommitmentOutput(OutputKind.TO_LOCAL, TxOut(to_local, p2wsh(script)),
                                        script))
    # BOLT #3: If the `to_remote` amount is greater or equal to `dust_limit_satoshis`, add a
    # `to_remote` output.
    has_to_remote = to_remote >= spec.dust_limit_sat and to_remote > 0
    if has_to_remote:
        spk = to_remote_script_pubkey(keys.remote_payment_pubkey, anchors)
        wscript = to_remote_anchor_script(keys.remote_payment_pubkey) if anchors else None
        outputs.append(CommitmentOutput(OutputKind.TO_REMOTE, TxOut(to_remote, spk), wscript))

    if anchors:
        # BOLT #3: if `to_local` exists or there are untrimmed HTLCs, add a `to_local_anchor`
        # output; if `to_remote` exists or there are untrimmed HTLCs, add a
        # `to_remote_anchor` output
        if has_to_local or untrimmed:
            script = anchor_script(keys.local_funding_pubkey)
            outputs.append(CommitmentOutput(OutputKind.LOCAL_ANCHOR,
                                            TxOut(ANCHOR_OUTPUT_SAT, p2wsh(script)), script))
        if has_to_remote or untrimmed:
            script = anchor_script(keys.remote_funding_pubkey)
            outputs.append(CommitmentOutput(OutputKind.REMOTE_ANCHOR,
                                            TxOut(ANCHOR_OUTPUT_SAT, p2wsh(script)), script))

    # BOLT #3: Sort the outputs into BIP 69+CLTV order. (A stable sort: HTLC outputs that are
    # identical in amount, script and expiry keep the spec's order; their transactions are
    # interchangeable.)
    outputs.sort(key=lambda o: output_sort_key(o.value, o.txout.script_pubkey, o.cltv_expiry))

    paid = sum(o.value for o in outputs)
    if paid > spec.funding_sat:
        raise CommitmentError(f"outputs ({paid} sat) exceed the funding amount: the funder "
                              "cannot pay for the anchor outputs")

    locktime, sequence = _locktime_and_sequence(spec.commitment_number, spec.obscuring_factor)
    tx = Transaction(
        version=2,  # BOLT #3: version: 2
        inputs=(TxIn(spec.funding_outpoint, b"", sequence),),
        outputs=tuple(o.txout for o in outputs),
        locktime=locktime,
    )
    fscript = funding_script(keys.local_funding_pubkey, keys.remote_funding_pubkey)
    return Commitment(spec, tx, tuple(outputs), fscript, base_fee,
                      Sat(spec.funding_sat - paid))
