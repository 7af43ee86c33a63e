"""BOLT 3 scripts, and the witnesses that spend them.

Each output of a funding, commitment or HTLC transaction is P2WSH of a witness script built
here (except the static_remotekey `to_remote`, a P2WPKH). Next to each script are the
witness stacks that spend it, as small functions returning tuples: the on-chain layer
(BOLT 5) signs with `signatures.sign_input` and hands the compact signatures to them.

# BOLT #3: To spend such outputs, the last item on the witness stack must be the actual
# script that was used to generate the P2WSH output that is being spent.
# BOLT #3: A `<>` designates an empty vector as required for compliance with
# MINIMALIF-standard rule.
"""

from __future__ import annotations

from functools import lru_cache

from amiko.bitcoin.script import (
    OP_CHECKLOCKTIMEVERIFY,
    OP_CHECKMULTISIG,
    OP_CHECKSEQUENCEVERIFY,
    OP_CHECKSIG,
    OP_CHECKSIGVERIFY,
    OP_DROP,
    OP_DUP,
    OP_ELSE,
    OP_ENDIF,
    OP_EQUAL,
    OP_EQUALVERIFY,
    OP_HASH160,
    OP_IF,
    OP_IFDUP,
    OP_NOTIF,
    OP_SIZE,
    OP_SWAP,
    build,
    multisig_2of2,
    p2wpkh,
    p2wsh,
    push_int,
)
from amiko.bitcoin.sighash import SIGHASH_ALL
from amiko.bitcoin.tx import TxOut
from amiko.channels.bolt.signatures import stack_sig
from amiko.crypto.hashes import hash160, ripemd160

__all__ = [
    "anchor_script",
    "anchor_sweep_witness",
    "anchor_witness",
    "funding_output",
    "funding_script",
    "htlc_output_script",
    "htlc_revocation_witness",
    "offered_htlc_script",
    "offered_htlc_success_witness",
    "received_htlc_script",
    "received_htlc_timeout_witness",
    "to_local_delayed_witness",
    "to_local_revocation_witness",
    "to_local_script",
    "to_remote_anchor_script",
    "to_remote_script_pubkey",
    "to_remote_witness",
]

_OP_2 = 0x52
_OP_16 = 0x60


def _num(n: int) -> bytes:
    """A number pushed the minimal way (OP_n or a CScriptNum), as raw script bytes."""
    return push_int(n)


# -- funding --------------------------------------------------------------------------------

def funding_script(pubkey_a: bytes, pubkey_b: bytes) -> bytes:
    """# BOLT #3: The funding output script is a P2WSH to:
    #     `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG`
    # Where `pubkey1` is the lexicographically lesser of the two `funding_pubkey` in
    # compressed format, and where `pubkey2` is the lexicographically greater of the two.
    """
    return multisig_2of2(pubkey_a, pubkey_b)


def funding_output(pubkey_a: bytes, pubkey_b: bytes, funding_sat: int) -> TxOut:
    """The channel output of a funding transaction."""
    return TxOut(funding_sat, p2wsh(funding_script(pubkey_a, pubkey_b)))


# -- to_local, and the outputs of HTLC transactions -----------------------------------------

def to_local_script(revocation_pubkey: bytes, to_self_delay: int,
                    local_delayed_pubkey: bytes) -> bytes:
    """# BOLT #3:
    #     OP_IF
    #         # Penalty transaction
    #         <revocationpubkey>
    #     OP_ELSE
    #         `to_self_delay`
    #         OP_CHECKSEQUENCEVERIFY
    #         OP_DROP
    #         <local_delayedpubkey>
    #     OP_ENDIF
    #     OP_CHECKSIG
    """
    if not 0 <= to_self_delay <= 0xFFFF:
        raise ValueError(f"to_self_delay {to_self_delay} is not a u16")
    return b"".join((
        bytes((OP_IF,)), build([revocation_pubkey]),
        bytes((OP_ELSE,)), _num(to_self_delay), bytes((OP_CHECKSEQUENCEVERIFY, OP_DROP)),
        build([local_delayed_pubkey]),
        bytes((OP_ENDIF, OP_CHECKSIG)),
    ))


def htlc_output_script(revocation_pubkey: bytes, to_self_delay: int,
                       local_delayed_pubkey: bytes) -> bytes:
    """The witness script of the output of HTLC-timeout and HTLC-success transactions.

    # BOLT #3: The witness script for the output is: [the same script as `to_local`]
    """
    return to_local_script(revocation_pubkey, to_self_delay, local_delayed_pubkey)


def to_local_delayed_witness(local_delayed_sig: bytes, script: bytes) -> tuple[bytes, ...]:
    """The owner spends `to_local` (or an HTLC transaction output) after the delay.

    # BOLT #3: The output is spent by an input with `nSequence` field set to
    # `to_self_delay` (which can only be valid after that duration has passed) and witness:
    #     <local_delayedsig> <>
    """
    return (stack_sig(local_delayed_sig), b"", script)


def to_local_revocation_witness(revocation_sig: bytes, script: bytes) -> tuple[bytes, ...]:
    """The other node spends a revoked `to_local` (or HTLC transaction output) at once.

    # BOLT #3: If a revoked commitment transaction is published, the other party can spend
    # this output immediately with the following witness:
    #     <revocation_sig> 1
    """
    return (stack_sig(revocation_sig), b"\x01", script)


# -- to_remote ------------------------------------------------------------------------------

def to_remote_anchor_script(remote_pubkey: bytes) -> bytes:
    """# BOLT #3: If `option_anchors` applies to the commitment transaction, the `to_remote`
    # output is encumbered by a one block csv lock.
    #     <remotepubkey> OP_CHECKSIGVERIFY 1 OP_CHECKSEQUENCEVERIFY
    """
    return build([remote_pubkey, OP_CHECKSIGVERIFY]) + _num(1) + bytes((OP_CHECKSEQUENCEVERIFY,))


def to_remote_script_pubkey(remote_pubkey: bytes, anchors: bool) -> bytes:
    """# BOLT #3: Otherwise, this output is a simple P2WPKH to `remotepubkey`."""
    if anchors:
        return p2wsh(to_remote_anchor_script(remote_pubkey))
    return p2wpkh(remote_pubkey)


def to_remote_witness(remote_sig: bytes, remote_pubkey: bytes, anchors: bool) -> tuple[bytes, ...]:
    """The other node spends its `to_remote` output.

    # BOLT #3: The output is spent by an input with `nSequence` field set to `1` and
    # witness:
    #     <remote_sig>
    (that with anchors; without, the P2WPKH witness `<remote_sig> <remotepubkey>`.)
    """
    if anchors:
        return (stack_sig(remote_sig), to_remote_anchor_script(remote_pubkey))
    return (stack_sig(remote_sig), remote_pubkey)


# -- anchors --------------------------------------------------------------------------------

def anchor_script(funding_pubkey: bytes) -> bytes:
    """# BOLT #3:
    #     <local_funding_pubkey/remote_funding_pubkey> OP_CHECKSIG OP_IFDUP
    #     OP_NOTIF
    #         OP_16 OP_CHECKSEQUENCEVERIFY
    #     OP_ENDIF
    """
    return build([funding_pubkey, OP_CHECKSIG, OP_IFDUP, OP_NOTIF, _OP_16,
                  OP_CHECKSEQUENCEVERIFY, OP_ENDIF])


def anchor_witness(funding_sig: bytes, script: bytes,
                   sighash_type: int = SIGHASH_ALL) -> tuple[bytes, ...]:
    """# BOLT #3: Spending of the output requires the following witness:
    #     <local_sig/remote_sig>
    """
    return (stack_sig(funding_sig, sighash_type), script)


def anchor_sweep_witness(script: bytes) -> tuple[bytes, ...]:
    """# BOLT #3: After 16 blocks, anyone can sweep the anchor with witness:
    #     <>
    (the spending input's nSequence must be at least 16.)
    """
    return (b"", script)


# -- HTLC outputs ---------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _revocation_branch(revocation_pubkey: bytes, remote_htlc_pubkey: bytes) -> bytes:
    # OP_DUP OP_HASH160 <RIPEMD160(SHA256(revocationpubkey))> OP_EQUAL
    # OP_IF OP_CHECKSIG OP_ELSE <remote_htlcpubkey> OP_SWAP OP_SIZE 32 OP_EQUAL
    # (the same for every HTLC output of a commitment: built once per commitment)
    return (build([OP_DUP, OP_HASH160, hash160(revocation_pubkey), OP_EQUAL,
                   OP_IF, OP_CHECKSIG, OP_ELSE, _key(remote_htlc_pubkey), OP_SWAP, OP_SIZE])
            + _num(32) + bytes((OP_EQUAL,)))


def _key(pubkey: bytes) -> bytes:
    if len(pubkey) != 33:
        raise ValueError(f"public key must be 33 bytes compressed, got {len(pubkey)}")
    return pubkey


def _hash_push(payment_hash: bytes) -> bytes:
    if len(payment_hash) != 32:
        raise ValueError("payment_hash must be 32 bytes")
    return b"\x14" + ripemd160(payment_hash)


# The fixed parts of the HTLC scripts, around the pushes of a key and a payment hash.
_OFFERED_TIMEOUT = bytes((OP_NOTIF, OP_DROP, _OP_2, OP_SWAP, 33))
_OFFERED_SUCCESS = bytes((_OP_2, OP_CHECKMULTISIG, OP_ELSE, OP_HASH160))
_OFFERED_END = bytes((OP_EQUALVERIFY, OP_CHECKSIG, OP_ENDIF))
_RECEIVED_SUCCESS = bytes((OP_IF, OP_HASH160))
_RECEIVED_KEY = bytes((OP_EQUALVERIFY, _OP_2, OP_SWAP, 33))
_RECEIVED_TIMEOUT = bytes((_OP_2, OP_CHECKMULTISIG, OP_ELSE, OP_DROP))
_RECEIVED_END = bytes((OP_CHECKLOCKTIMEVERIFY, OP_DROP, OP_CHECKSIG, OP_ENDIF))
_ANCHOR_TAIL = _num(1) + bytes((OP_CHECKSEQUENCEVERIFY, OP_DROP))  # option_anchors, before the last OP_ENDIF
_END = bytes((OP_ENDIF,))
_ANCHOR_END = _ANCHOR_TAIL + _END


def offered_htlc_script(revocation_pubkey: bytes, local_htlc_pubkey: bytes,
                        remote_htlc_pubkey: bytes, payment_hash: bytes, anchors: bool) -> bytes:
    """# BOLT #3: Offered HTLC Outputs
    #     # To remote node with revocation key
    #     OP_DUP OP_HASH160 <RIPEMD160(SHA256(revocationpubkey))> OP_EQUAL
    #     OP_IF
    #         OP_CHECKSIG
    #     OP_ELSE
    #         <remote_htlcpubkey> OP_SWAP OP_SIZE 32 OP_EQUAL
    #         OP_NOTIF
    #             # To local node via HTLC-timeout transaction (timelocked).
    #             OP_DROP 2 OP_SWAP <local_htlcpubkey> 2 OP_CHECKMULTISIG
    #         OP_ELSE
    #             # To remote node with preimage.
    #             OP_HASH160 <RIPEMD160(payment_hash)> OP_EQUALVERIFY
    #             OP_CHECKSIG
    #         OP_ENDIF
    #         1 OP_CHECKSEQUENCEVERIFY OP_DROP      [with `option_anchors` only]
    #     OP_ENDIF
    """
    return b"".join((
        _revocation_branch(revocation_pubkey, remote_htlc_pubkey),
        _OFFERED_TIMEOUT, _key(local_htlc_pubkey), _OFFERED_SUCCESS, _hash_push(payment_hash),
        _OFFERED_END, _ANCHOR_END if anchors else _END,
    ))


def received_htlc_script(revocation_pubkey: bytes, local_htlc_pubkey: bytes,
                         remote_htlc_pubkey: bytes, payment_hash: bytes, cltv_expiry: int,
                         anchors: bool) -> bytes:
    """# BOLT #3: Received HTLC Outputs
    #     # To remote node with revocation key
    #     OP_DUP OP_HASH160 <RIPEMD160(SHA256(revocationpubkey))> OP_EQUAL
    #     OP_IF
    #         OP_CHECKSIG
    #     OP_ELSE
    #         <remote_htlcpubkey> OP_SWAP OP_SIZE 32 OP_EQUAL
    #         OP_IF
    #             # To local node via HTLC-success transaction.
    #             OP_HASH160 <RIPEMD160(payment_hash)> OP_EQUALVERIFY
    #             2 OP_SWAP <local_htlcpubkey> 2 OP_CHECKMULTISIG
    #         OP_ELSE
    #             # To remote node after timeout.
    #             OP_DROP <cltv_expiry> OP_CHECKLOCKTIMEVERIFY OP_DROP
    #             OP_CHECKSIG
    #         OP_ENDIF
    #         1 OP_CHECKSEQUENCEVERIFY OP_DROP      [with `option_anchors` only]
    #     OP_ENDIF
    """
    if not 0 <= cltv_expiry <= 0xFFFFFFFF:
        raise ValueError(f"cltv_expiry {cltv_expiry} is not a u32")
    return b"".join((
        _revocation_branch(revocation_pubkey, remote_htlc_pubkey),
        _RECEIVED_SUCCESS, _hash_push(payment_hash), _RECEIVED_KEY, _key(local_htlc_pubkey),
        _RECEIVED_TIMEOUT, _num(cltv_expiry), _RECEIVED_END, _ANCHOR_END if anchors else _END,
    ))


def offered_htlc_success_witness(remote_htlc_sig: bytes, payment_preimage: bytes,
                                 script: bytes) -> tuple[bytes, ...]:
    """The remote node claims an HTLC offered to it, with the preimage.

    # BOLT #3: The remote node can redeem the HTLC with the witness:
    #     <remotehtlcsig> <payment_preimage>
    # Note that if `option_anchors` applies, the nSequence field of the spending input
    # must be `1`.
    """
    if len(payment_preimage) != 32:
        raise ValueError("payment_preimage must be 32 bytes")
    return (stack_sig(remote_htlc_sig), payment_preimage, script)


def received_htlc_timeout_witness(remote_htlc_sig: bytes, script: bytes) -> tuple[bytes, ...]:
    """The remote node takes back an HTLC it offered, after `cltv_expiry` (the spending
    transaction's nLockTime must be at least `cltv_expiry`).

    # BOLT #3: To timeout the HTLC, the remote node spends it with the witness:
    #     <remotehtlcsig> <>
    # Note that if `option_anchors` applies, the nSequence field of the spending input
    # must be `1`.
    """
    return (stack_sig(remote_htlc_sig), b"", script)


def htlc_revocation_witness(revocation_sig: bytes, revocation_pubkey: bytes,
                            script: bytes) -> tuple[bytes, ...]:
    """The remote node takes an HTLC output of a revoked commitment transaction.

    # BOLT #3: If a revoked commitment transaction is published, the remote node can spend
    # this output immediately with the following witness:
    #     <revocation_sig> <revocationpubkey>
    """
    return (stack_sig(revocation_sig), revocation_pubkey, script)
