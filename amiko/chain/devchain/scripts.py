"""Script verification of a transaction's inputs by libbitcoinkernel (Bitcoin Core's own
interpreter), and a best-effort name for the failure.

The kernel answers only valid/invalid. Core's mempool reports
"mandatory-script-verify-flag-failed (<ScriptErrorString>)"; we name the error the kernel does
not tell us from what we can check cheaply: a time lock (the spend verifies once
CHECKLOCKTIMEVERIFY or CHECKSEQUENCEVERIFY is switched off), the witness program's shape,
else Core's most common answer for a bad signature under consensus flags (EVAL_FALSE).
Of the standardness-only script flags (not in the kernel's API) we check two in Python for
segwit v0 inputs: LOW_S and WITNESS_PUBKEYTYPE; the others (NULLFAIL, MINIMALIF, ...) are not
enforced.
"""

from __future__ import annotations

from collections.abc import Sequence

import pbk
from pbk.script import PrecomputedTransactionData

from amiko.bitcoin.script import hash160, sha256, witness_program
from amiko.bitcoin.tx import Transaction, TxOut
from amiko.chain import rpc_errors as E
from amiko.chain.devchain.kernel import from_bytes

F = pbk.ScriptVerificationFlags
# Every consensus flag the kernel knows: P2SH, DERSIG, NULLDUMMY, CHECKLOCKTIMEVERIFY,
# CHECKSEQUENCEVERIFY, WITNESS, TAPROOT (all active from height 1 on regtest).
CONSENSUS_FLAGS = F.ALL
# Half the secp256k1 group order: LOW_S wants S at most this.
_HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0


def _der_s(sig: bytes) -> int | None:
    """S of a BIP66 (IsValidSignatureEncoding) signature with its hashtype byte, or None."""
    if not 9 <= len(sig) <= 73 or sig[0] != 0x30 or sig[1] != len(sig) - 3:
        return None
    len_r = sig[3]
    if 5 + len_r >= len(sig) or sig[2] != 0x02:
        return None
    len_s = sig[5 + len_r]
    if len_r + len_s + 7 != len(sig) or sig[4 + len_r] != 0x02 or len_s == 0:
        return None
    return int.from_bytes(sig[6 + len_r:6 + len_r + len_s], "big")


def policy_script_error(tx: Transaction, spent: Sequence[TxOut]) -> str | None:
    """LOW_S and WITNESS_PUBKEYTYPE for segwit v0 inputs (Core's standard script flags)."""
    for txin, prev in zip(tx.inputs, spent, strict=True):
        prog = witness_program(prev.script_pubkey)
        if prog is None or prog[0] != 0 or not txin.witness:
            continue
        items = txin.witness if len(prog[1]) == 20 else txin.witness[:-1]
        for item in items:
            s = _der_s(item)
            if s is not None and s > _HALF_ORDER:
                return "Non-canonical signature: S value is unnecessarily high"
        if len(prog[1]) == 20 and len(txin.witness) == 2 and len(txin.witness[1]) != 33:
            return "Using non-compressed keys in segwit"
    return None


class ScriptVerifier:
    """Checks every input of a transaction against the outputs it spends."""

    def __init__(self, flags: pbk.ScriptVerificationFlags = CONSENSUS_FLAGS) -> None:
        self.flags = flags

    def verify(self, tx: Transaction, spent: Sequence[TxOut]) -> str | None:
        """None if every input verifies; else Core's reject reason:
        "mandatory-script-verify-flag-failed (<ScriptErrorString>)" for a consensus failure
        (see the module docstring for how exact the error's name is), or
        "non-mandatory-script-verify-flag (<ScriptErrorString>)" for a policy one."""
        error = self._consensus_error(tx, spent)
        if error is not None:
            return f"{E.MANDATORY_SCRIPT_FAILED} ({error})"
        policy = policy_script_error(tx, spent)
        if policy is not None:
            return f"{E.NON_MANDATORY_SCRIPT_FAILED} ({policy})"
        return None

    def _consensus_error(self, tx: Transaction, spent: Sequence[TxOut]) -> str | None:
        try:
            ktx = from_bytes(pbk.Transaction, tx.serialize())
        except RuntimeError:
            return E.SCRIPT_ERR_UNKNOWN
        outs = [pbk.TransactionOutput(pbk.ScriptPubkey(o.script_pubkey), o.value) for o in spent]
        pre = PrecomputedTransactionData(ktx, outs)
        for i, out in enumerate(outs):
            if not self._verify_input(ktx, pre, out, i, self.flags):
                return self._classify(tx, ktx, pre, out, i, spent[i])
        return None

    @staticmethod
    def _verify_input(ktx: pbk.Transaction, pre: PrecomputedTransactionData,
                      out: pbk.TransactionOutput, i: int,
                      flags: pbk.ScriptVerificationFlags) -> bool:
        try:
            return bool(out.script_pubkey.verify(out.amount, ktx, pre, i, flags))
        except pbk.ScriptVerifyException:
            return False

    def _classify(self, tx: Transaction, ktx: pbk.Transaction, pre: PrecomputedTransactionData,
                  out: pbk.TransactionOutput, i: int, spent: TxOut) -> str:
        for lock_flag in (F.CHECKLOCKTIMEVERIFY, F.CHECKSEQUENCEVERIFY):
            if self.flags & lock_flag and self._verify_input(ktx, pre, out, i,
                                                             self.flags & ~lock_flag):
                # SCRIPT_ERR_UNSATISFIED_LOCKTIME (CheckLockTime / CheckSequence failed)
                return E.SCRIPT_ERR_UNSATISFIED_LOCKTIME
        txin = tx.inputs[i]
        prog = witness_program(spent.script_pubkey)
        if prog is None:
            if txin.witness:
                return E.SCRIPT_ERR_WITNESS_UNEXPECTED
            return E.SCRIPT_ERR_EVAL_FALSE
        version, program = prog
        if txin.script_sig:
            return E.SCRIPT_ERR_WITNESS_MALLEATED
        stack = txin.witness
        if version == 0:
            if not stack:
                return E.SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY
            if len(program) == 20 and (len(stack) != 2 or hash160(stack[1]) != program):
                return E.SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH
            if len(program) == 32 and sha256(stack[-1]) != program:
                return E.SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH
            return E.SCRIPT_ERR_EVAL_FALSE
        if version == 1 and len(program) == 32:
            if not stack:
                return E.SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY
            has_annex = len(stack) >= 2 and stack[-1][:1] == b"\x50"
            if len(stack) - has_annex == 1:
                return E.SCRIPT_ERR_SCHNORR_SIG  # key path spend
        return E.SCRIPT_ERR_EVAL_FALSE
