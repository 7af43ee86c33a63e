"""BOLT 3 HTLC-timeout and HTLC-success transactions: the second stage of a commitment's HTLC
outputs, which both nodes sign in advance.

# BOLT #3:
# * version: 2
# * locktime: `0` for HTLC-success, `cltv_expiry` for HTLC-timeout
# * txin count: 1
#    * `txin[0]` outpoint: `txid` of the commitment transaction and `output_index` of the
#      matching HTLC output for the HTLC transaction
#    * `txin[0]` sequence: `0` (set to `1` for `option_anchors`)
#    * `txin[0]` script bytes: `0`
#    * `txin[0]` witness stack: `0 <remotehtlcsig> <localhtlcsig>  <payment_preimage>` for
#      HTLC-success, `0 <remotehtlcsig> <localhtlcsig> <>` for HTLC-timeout
# * txout count: 1
#    * `txout[0]` amount: the HTLC `amount_msat` divided by 1000 (rounding down) minus fees in
#      satoshis (see [Fee Calculation](#fee-calculation))
#    * `txout[0]` script: version-0 P2WSH with witness script as shown below
# * if `option_anchors` applies to this commitment transaction,
#   `SIGHASH_SINGLE|SIGHASH_ANYONECANPAY` is used as described in [BOLT #5].

The *remote* node's signature (sent in `commitment_signed`'s `htlc_signatures`) uses
SIGHASH_SINGLE|SIGHASH_ANYONECANPAY with anchors, so that the owner can add inputs and
outputs to pay the fee; the owner's own signature is always SIGHASH_ALL.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property

from amiko.bitcoin.script import p2wsh
from amiko.bitcoin.sighash import SIGHASH_ALL, SIGHASH_ANYONECANPAY, SIGHASH_SINGLE
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut, dsha256, ser_bytes
from amiko.channels.bolt.commitment import Commitment, CommitmentOutput
from amiko.channels.bolt.fees import (
    CommitmentType,
    HtlcDirection,
    htlc_success_fee,
    htlc_timeout_fee,
)
from amiko.channels.bolt.scripts import htlc_output_script
from amiko.channels.bolt.signatures import stack_sig
from amiko.crypto.hashes import sha256
from amiko.crypto.keys import sign, verify
from amiko.wire.types import Sat

__all__ = [
    "HtlcTx",
    "build_htlc_tx",
    "build_htlc_txs",
    "remote_htlc_sighash_type",
]


def remote_htlc_sighash_type(ctype: CommitmentType) -> int:
    """Sighash type of the remote node's signature on an HTLC transaction.

    # BOLT #3: if `option_anchors` applies to this commitment transaction,
    # `SIGHASH_SINGLE|SIGHASH_ANYONECANPAY` is used
    """
    return SIGHASH_SINGLE | SIGHASH_ANYONECANPAY if ctype.anchors else SIGHASH_ALL


_VERSION = struct.pack("<i", 2)  # BOLT #3: version: 2
_ZERO32 = bytes(32)


@dataclass(frozen=True)
class HtlcTx:
    """An unsigned HTLC-timeout (offered HTLC) or HTLC-success (received HTLC) transaction.

    `htlc_script` and `amount_sat` describe the commitment output it spends; `output_script`
    is the witness script of its own (delayed, revocable) output. The transaction is one
    input and one output, so its BIP 143 digests are computed from these fields directly
    (every commitment signs one per HTLC); `tx` builds the `Transaction` when asked.
    """

    direction: HtlcDirection
    commitment_type: CommitmentType
    htlc_index: int  # position of the HTLC in the commitment's spec
    commitment_txid: bytes
    commitment_output_index: int
    htlc_script: bytes
    amount_sat: Sat
    output_script: bytes
    output_script_pubkey: bytes  # p2wsh(output_script)
    output_sat: int
    locktime: int
    sequence: int
    payment_hash: bytes

    @cached_property
    def tx(self) -> Transaction:
        return Transaction(
            version=2,
            inputs=(TxIn(OutPoint(self.commitment_txid, self.commitment_output_index), b"",
                         self.sequence),),
            outputs=(TxOut(self.output_sat, self.output_script_pubkey),),
            locktime=self.locktime,
        )

    @property
    def is_timeout(self) -> bool:
        return self.direction is HtlcDirection.OFFERED

    @property
    def is_success(self) -> bool:
        return self.direction is HtlcDirection.RECEIVED

    @property
    def remote_sighash_type(self) -> int:
        return remote_htlc_sighash_type(self.commitment_type)

    def sighash(self, sighash_type: int) -> bytes:
        """BIP 143 digest of the single input, for SIGHASH_ALL or
        SIGHASH_SINGLE|SIGHASH_ANYONECANPAY (the two types BOLT 3 uses on HTLC
        transactions; both commit to the single output)."""
        outpoint = self.commitment_txid + struct.pack("<I", self.commitment_output_index)
        sequence = struct.pack("<I", self.sequence)
        if sighash_type == SIGHASH_ALL:
            prevouts, sequences = dsha256(outpoint), dsha256(sequence)
        elif sighash_type == SIGHASH_SINGLE | SIGHASH_ANYONECANPAY:
            prevouts = sequences = _ZERO32
        else:
            raise ValueError(f"HTLC transactions are not signed with sighash type {sighash_type:#x}")
        output = struct.pack("<q", self.output_sat) + ser_bytes(self.output_script_pubkey)
        return dsha256(b"".join((
            _VERSION, prevouts, sequences, outpoint, ser_bytes(self.htlc_script),
            struct.pack("<q", self.amount_sat), sequence, dsha256(output),
            struct.pack("<I", self.locktime), struct.pack("<I", sighash_type),
        )))

    @property
    def remote_sighash(self) -> bytes:
        """What the non-owner signs: the digest an entry of `htlc_signatures` is over."""
        return self.sighash(self.remote_sighash_type)

    def sign_as_remote(self, htlc_secret: bytes) -> bytes:
        """The non-owner's compact signature (an entry of `htlc_signatures`), made with its
        htlc key for this commitment (`remote_htlcpubkey`)."""
        return sign(htlc_secret, self.remote_sighash)

    def verify_remote(self, remote_htlc_pubkey: bytes, sig64: bytes) -> bool:
        """Check an entry of the peer's `htlc_signatures` for our commitment."""
        return verify(remote_htlc_pubkey, self.remote_sighash, sig64)

    def sign_as_local(self, htlc_secret: bytes) -> bytes:
        """The owner's compact SIGHASH_ALL signature with `local_htlcpubkey`'s secret."""
        return sign(htlc_secret, self.sighash(SIGHASH_ALL))

    def witness(self, remote_sig: bytes, local_sig: bytes,
                payment_preimage: bytes | None = None) -> tuple[bytes, ...]:
        """# BOLT #3: `txin[0]` witness stack: `0 <remotehtlcsig> <localhtlcsig>
        # <payment_preimage>` for HTLC-success, `0 <remotehtlcsig> <localhtlcsig> <>` for
        # HTLC-timeout
        """
        if self.is_success:
            if payment_preimage is None or sha256(payment_preimage) != self.payment_hash:
                raise ValueError("HTLC-success needs the payment preimage")
            last = payment_preimage
        else:
            if payment_preimage is not None:
                raise ValueError("HTLC-timeout takes no preimage")
            last = b""
        return (b"", stack_sig(remote_sig, self.remote_sighash_type), stack_sig(local_sig),
                last, self.htlc_script)

    def signed_tx(self, remote_sig: bytes, local_sig: bytes,
                  payment_preimage: bytes | None = None) -> Transaction:
        """The transaction with its witness (before any fee inputs are added for anchors)."""
        return self.tx.with_witness(0, self.witness(remote_sig, local_sig, payment_preimage))


def build_htlc_tx(commitment: Commitment, output_index: int) -> HtlcTx:
    """The HTLC transaction spending HTLC output `output_index` of `commitment`."""
    return _build(commitment, output_index, _output_script(commitment))


def _build(commitment: Commitment, output_index: int, shared: tuple[bytes, bytes]) -> HtlcTx:
    out: CommitmentOutput = commitment.outputs[output_index]
    if out.htlc_index is None or out.witness_script is None:
        raise ValueError(f"output {output_index} is not an HTLC output")
    spec = commitment.spec
    htlc = spec.htlcs[out.htlc_index]
    ctype = spec.commitment_type
    if htlc.direction is HtlcDirection.OFFERED:
        fee = htlc_timeout_fee(ctype, spec.feerate_per_kw)
        locktime = htlc.cltv_expiry  # BOLT #3: `cltv_expiry` for HTLC-timeout
    else:
        fee = htlc_success_fee(ctype, spec.feerate_per_kw)
        locktime = 0  # BOLT #3: `0` for HTLC-success
    # BOLT #3: `txin[0]` sequence: `0` (set to `1` for `option_anchors`)
    sequence = 1 if ctype.anchors else 0
    script, script_pubkey = shared
    amount = out.value
    # BOLT #3: the HTLC `amount_msat` divided by 1000 (rounding down) minus fees
    return HtlcTx(htlc.direction, ctype, out.htlc_index, commitment.txid, output_index,
                  out.witness_script, Sat(amount), script, script_pubkey, amount - fee, locktime,
                  sequence, htlc.payment_hash)


def _output_script(commitment: Commitment) -> tuple[bytes, bytes]:
    """The witness script and script pubkey of the output of every HTLC transaction of a
    commitment (they differ only in amount)."""
    spec = commitment.spec
    keys = spec.keys
    script = htlc_output_script(keys.revocation_pubkey, spec.to_self_delay,
                                keys.local_delayed_pubkey)
    return script, p2wsh(script)


def build_htlc_txs(commitment: Commitment) -> tuple[HtlcTx, ...]:
    """Every HTLC transaction of a commitment, in the order of its HTLC outputs: the order
    of `htlc_signatures` in `commitment_signed`."""
    shared = _output_script(commitment)
    return tuple(_build(commitment, i, shared) for i, _ in commitment.htlc_outputs)
