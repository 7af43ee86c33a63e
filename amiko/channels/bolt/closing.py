"""BOLT 3 mutual closing transactions: `option_simple_close` (`closing_complete` /
`closing_sig`) and the legacy `closing_signed` variant.

Both spend the funding output with the same 2-of-2 witness as a commitment transaction
(`signatures.funding_witness`), signed SIGHASH_ALL over the funding script
(`sign_closing` / `verify_closing`). Which outputs each side must sign for is BOLT 2's
business; `closer_output_variants` and `closee_output_variant` implement its rules so the
state machine does not have to restate them.
"""

from __future__ import annotations

import enum

from amiko.bitcoin.script import OP_PUSHDATA1, OP_RETURN
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.channels.bolt.commitment import output_sort_key
from amiko.channels.bolt.fees import dust_threshold
from amiko.channels.bolt.signatures import sign_input, verify_input

__all__ = [
    "ClosingOutputs",
    "build_closing_tx",
    "build_legacy_closing_tx",
    "closee_output_variant",
    "closer_output_variants",
    "is_dust",
    "is_op_return",
    "is_valid_op_return",
    "sign_closing",
    "verify_closing",
]

SIMPLE_CLOSE_SEQUENCE = 0xFFFFFFFD
LEGACY_CLOSE_SEQUENCE = 0xFFFFFFFF


class ClosingOutputs(enum.IntEnum):
    """Which outputs a closing transaction has; the values are the `closing_tlvs` types."""

    CLOSER_ONLY = 1  # `closer_output_only`
    CLOSEE_ONLY = 2  # `closee_output_only`
    BOTH = 3  # `closer_and_closee_outputs`


def is_op_return(script_pubkey: bytes) -> bool:
    """# BOLT #3: 0 if the `scriptpubkey` starts with `OP_RETURN`"""
    return script_pubkey[:1] == bytes((OP_RETURN,))


def is_valid_op_return(script_pubkey: bytes) -> bool:
    """The `OP_RETURN` form `shutdown` allows with `option_simple_close`.

    # BOLT #2: `OP_RETURN` followed by one of:
    #   * `6` to `75` inclusive followed by exactly that many bytes
    #   * `76` followed by `76` to `80` followed by exactly that many bytes
    """
    s = script_pubkey
    if not is_op_return(s) or len(s) < 2:
        return False
    if 6 <= s[1] <= 75:
        return len(s) == 2 + s[1]
    if s[1] == OP_PUSHDATA1 and len(s) >= 3 and 76 <= s[2] <= 80:
        return len(s) == 3 + s[2]
    return False


def is_dust(amount_sat: int, script_pubkey: bytes) -> bool:
    """# BOLT #2: An output is *dust* if the amount is less than the [Bitcoin Core Dust
    # Thresholds](03-transactions.md#dust-limits).
    (`OP_RETURN` outputs are never dust.)
    """
    return not is_op_return(script_pubkey) and amount_sat < dust_threshold(script_pubkey)


def _closing_tx(funding_outpoint: OutPoint, outputs: list[TxOut], sequence: int,
                locktime: int) -> Transaction:
    if not outputs:
        raise ValueError("a closing transaction needs at least one output")
    # BOLT #3: The outputs are ordered as detailed in [Transaction Output Ordering]
    outputs.sort(key=lambda o: output_sort_key(o.value, o.script_pubkey))
    return Transaction(version=2, inputs=(TxIn(funding_outpoint, b"", sequence),),
                       outputs=tuple(outputs), locktime=locktime)


def build_closing_tx(funding_outpoint: OutPoint, closer_script: bytes, closee_script: bytes,
                     closer_msat: int, closee_msat: int, fee_sat: int, locktime: int,
                     which: ClosingOutputs) -> Transaction:
    """The `option_simple_close` closing transaction the closer pays for.

    # BOLT #3:
    # * version: 2
    # * locktime: `locktime` from the `closing_complete` message
    # * txin count: 1
    #    * `txin[0]` outpoint: `txid` and `output_index` of the channel output
    #    * `txin[0]` sequence: 0xFFFFFFFD
    # * txout count: 1 or 2
    #   * The closer output:
    #     * `txout` amount:
    #       * 0 if the `scriptpubkey` starts with `OP_RETURN`
    #       * otherwise the final balance for the closer, minus
    #         `closing_complete.fee_satoshis`, rounded down to whole satoshis
    #   * The closee output:
    #     * `txout` amount:
    #       * 0 if the `scriptpubkey` starts with `OP_RETURN`
    #       * otherwise the final balance for the closee, rounded down to whole satoshis
    """
    if fee_sat < 0 or closer_msat < 0 or closee_msat < 0:
        raise ValueError("negative amount")
    # BOLT #2: The closer MUST set `fee_satoshis` to a fee less than or equal to its
    # outstanding balance, rounded down to whole satoshis.
    if fee_sat > closer_msat // 1000:
        raise ValueError(f"fee {fee_sat} sat exceeds the closer's balance")
    outputs = []
    if which is not ClosingOutputs.CLOSEE_ONLY:
        # BOLT #3: MUST subtract the fee given by `fee_satoshis` from the closer output.
        # BOLT #3: MUST set the output amount to 0 if the `scriptpubkey` is `OP_RETURN`.
        amount = 0 if is_op_return(closer_script) else closer_msat // 1000 - fee_sat
        outputs.append(TxOut(amount, closer_script))
    if which is not ClosingOutputs.CLOSER_ONLY:
        amount = 0 if is_op_return(closee_script) else closee_msat // 1000
        outputs.append(TxOut(amount, closee_script))
    return _closing_tx(funding_outpoint, outputs, SIMPLE_CLOSE_SEQUENCE, locktime)


def closer_output_variants(closer_msat: int, closee_msat: int, fee_sat: int,
                           closer_script: bytes, closee_script: bytes, *,
                           omit_own_output: bool = False) -> tuple[ClosingOutputs, ...]:
    """The closing transactions the closer signs in `closing_complete`.

    `omit_own_output`: the closer considers its own output uneconomical and would rather
    give it to fees (honoured only where BOLT 2 lets it).

    # BOLT #2: If the local outstanding balance (in millisatoshi) is less than the remote
    # outstanding balance:
    #   - MUST NOT set `closer_output_only`.
    #   - MUST set `closee_output_only` if the local output amount is dust.
    #   - MAY set `closee_output_only` if it considers the local output amount uneconomical
    #     AND its `closer_scriptpubkey` is not `OP_RETURN`.
    # Otherwise (not lesser amount, cannot remove its own output):
    #   - MUST NOT set `closee_output_only`.
    #   - If the closee's output amount is dust:
    #     - MUST set `closer_output_only`.
    #     - MUST NOT set `closer_and_closee_outputs`.
    #   - Otherwise:
    #     - MUST set both `closer_output_only` and `closer_and_closee_outputs`.
    """
    closer_amount = 0 if is_op_return(closer_script) else closer_msat // 1000 - fee_sat
    closee_amount = 0 if is_op_return(closee_script) else closee_msat // 1000
    if closer_msat < closee_msat:
        if is_dust(closer_amount, closer_script) or (omit_own_output
                                                     and not is_op_return(closer_script)):
            return (ClosingOutputs.CLOSEE_ONLY,)
        return (ClosingOutputs.BOTH,)
    if is_dust(closee_amount, closee_script):
        return (ClosingOutputs.CLOSER_ONLY,)
    return (ClosingOutputs.CLOSER_ONLY, ClosingOutputs.BOTH)


def closee_output_variant(closee_msat: int, closee_script: bytes,
                          received: frozenset[ClosingOutputs] | set[ClosingOutputs], *,
                          omit_own_output: bool = False) -> ClosingOutputs | None:
    """The closing transaction the closee signs in `closing_sig`, among the variants the
    closer signed (`received`); None if the one it must use is missing (then it fails
    the channel or closes the connection).

    # BOLT #2: Select a signature for validation:
    #   - If the local output amount is dust:
    #     - MUST use `closer_output_only`.
    #   - Otherwise, if it considers the local output amount uneconomical AND its
    #     `closee_scriptpubkey` is not `OP_RETURN`:
    #     - MUST use `closer_output_only`.
    #   - Otherwise, if `closer_and_closee_outputs` is present:
    #     - MUST use `closer_and_closee_outputs`.
    #   - Otherwise:
    #     - MUST use `closee_output_only`.
    # - If the selected signature field does not exist:
    #   - MUST either send a `warning` and close the connection, or send an `error` and fail
    #     the channel.
    """
    own_amount = 0 if is_op_return(closee_script) else closee_msat // 1000
    if is_dust(own_amount, closee_script) or (omit_own_output
                                              and not is_op_return(closee_script)):
        choice = ClosingOutputs.CLOSER_ONLY
    elif ClosingOutputs.BOTH in received:
        choice = ClosingOutputs.BOTH
    else:
        choice = ClosingOutputs.CLOSEE_ONLY
    return choice if choice in received else None


def build_legacy_closing_tx(funding_outpoint: OutPoint, local_script: bytes,
                            remote_script: bytes, local_msat: int, remote_msat: int,
                            fee_sat: int, local_is_funder: bool, dust_limit_sat: int, *,
                            omit_local_output: bool = False) -> Transaction:
    """The legacy (`closing_signed`) closing transaction as the signing node sees it.

    # BOLT #3: Legacy Closing Transaction
    # * version: 2
    # * locktime: 0
    # * txin count: 1
    #    * `txin[0]` sequence: 0xFFFFFFFF
    # * txout count: 1 or 2
    #    * `txout` amount: final balance to be paid to one node (minus `fee_satoshis` from
    #      `closing_signed`, if this peer funded the channel)
    # Each node offering a signature:
    #   - MUST round each output down to whole satoshis.
    #   - MUST subtract the fee given by `fee_satoshis` from the output to the funder.
    #   - MUST remove any output below its own `dust_limit_satoshis`.
    #   - MAY eliminate its own output.
    (`dust_limit_sat` is the signer's own; a receiver checks a signature against both the
    variant with and without the sender's output.)
    """
    if fee_sat < 0 or local_msat < 0 or remote_msat < 0:
        raise ValueError("negative amount")
    local = local_msat // 1000
    remote = remote_msat // 1000
    if local_is_funder:
        local -= fee_sat
    else:
        remote -= fee_sat
    outputs = []
    if not omit_local_output and local >= dust_limit_sat and local > 0:
        outputs.append(TxOut(local, local_script))
    if remote >= dust_limit_sat and remote > 0:
        outputs.append(TxOut(remote, remote_script))
    return _closing_tx(funding_outpoint, outputs, LEGACY_CLOSE_SEQUENCE, 0)


def sign_closing(tx: Transaction, funding_script: bytes, funding_sat: int,
                 funding_secret: bytes) -> bytes:
    """Compact SIGHASH_ALL signature of a closing transaction with a funding key."""
    return sign_input(tx, 0, funding_script, funding_sat, funding_secret)


def verify_closing(tx: Transaction, funding_script: bytes, funding_sat: int,
                   funding_pubkey: bytes, sig64: bytes) -> bool:
    return verify_input(tx, 0, funding_script, funding_sat, funding_pubkey, sig64)
