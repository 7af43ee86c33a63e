"""Bitcoin Core's transaction rules that the dev chain's mempool applies, as pure functions:
context-free checks, standardness, dust, finality and BIP68 sequence locks, fee arithmetic
and Core's money/feerate formatting (reject messages quote amounts the way Core prints them).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from amiko.bitcoin.block import COIN
from amiko.bitcoin.script import (
    OP_1,
    OP_16,
    OP_CHECKMULTISIG,
    OP_CHECKSIG,
    OP_DUP,
    OP_EQUAL,
    OP_EQUALVERIFY,
    OP_HASH160,
    OP_PUSHDATA1,
    OP_PUSHDATA2,
    OP_PUSHDATA4,
    OP_RETURN,
    witness_program,
)
from amiko.bitcoin.tx import NULL_OUTPOINT, Transaction, TxOut
from amiko.chain import rpc_errors as E

MAX_MONEY = 21_000_000 * COIN
MAX_BLOCK_WEIGHT = 4_000_000
MAX_STANDARD_TX_WEIGHT = 400_000
MIN_STANDARD_TX_NONWITNESS_SIZE = 65
MAX_STANDARD_SCRIPTSIG_SIZE = 1650
MAX_OP_RETURN_RELAY = 83
TX_MAX_STANDARD_VERSION = 3
TRUC_VERSION = 3
TRUC_MAX_VSIZE = 10_000
TRUC_CHILD_MAX_VSIZE = 1_000
MAX_STANDARD_P2WSH_SCRIPT_SIZE = 3600
MAX_STANDARD_P2WSH_STACK_ITEMS = 100
MAX_STANDARD_P2WSH_STACK_ITEM_SIZE = 80
MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE = 80
COINBASE_MATURITY = 100
LOCKTIME_THRESHOLD = 500_000_000
SEQUENCE_FINAL = 0xFFFFFFFF
SEQUENCE_LOCKTIME_DISABLE_FLAG = 1 << 31
SEQUENCE_LOCKTIME_TYPE_FLAG = 1 << 22
SEQUENCE_LOCKTIME_MASK = 0x0000FFFF
SEQUENCE_LOCKTIME_GRANULARITY = 9
MAX_BIP125_RBF_SEQUENCE = 0xFFFFFFFD


# -- money and feerates as Core prints them -----------------------------------------------

def format_money(sats: int) -> str:
    """FormatMoney: "%d.%08d" with trailing zeros trimmed down to two decimals."""
    neg = sats < 0
    q, r = divmod(abs(sats), COIN)
    s = f"{q}.{r:08d}"
    while s.endswith("0") and s[-3] != ".":
        s = s[:-1]
    return ("-" if neg else "") + s


def feerate_per_kvb(fee: int, vsize: int) -> int:
    """CFeeRate(fee, size): satoshis per 1000 vbytes, truncated."""
    return fee * 1000 // vsize if vsize > 0 else 0


def feerate_to_string(sat_per_kvb: int) -> str:
    """CFeeRate::ToString: "%d.%08d BTC/kvB"."""
    return f"{sat_per_kvb // COIN}.{sat_per_kvb % COIN:08d} BTC/kvB"


def fee_for(sat_per_kvb: int, vsize: int) -> int:
    """CFeeRate::GetFee: ceil(rate * size / 1000), at least 1 for a positive rate."""
    fee = math.ceil(sat_per_kvb * vsize / 1000)
    if fee == 0 and vsize and sat_per_kvb > 0:
        return 1
    return fee


@dataclass(frozen=True, slots=True)
class Reject:
    """TxValidationState: a reject reason and a debug message (ToString joins them)."""

    result: str  # TxValidationResult name: "TX_CONSENSUS", "TX_MISSING_INPUTS", ...
    reason: str
    debug: str = ""

    def __str__(self) -> str:
        return f"{self.reason}, {self.debug}" if self.debug else self.reason


# -- output script types (Solver) ---------------------------------------------------------

def _iter_ops(script: bytes) -> list[tuple[int, bytes | None]] | None:
    """(opcode, pushed data) pairs, or None if a push runs past the end."""
    ops: list[tuple[int, bytes | None]] = []
    i = 0
    n = len(script)
    while i < n:
        op = script[i]
        i += 1
        if op < OP_PUSHDATA1:
            size = op
        elif op == OP_PUSHDATA1:
            if i + 1 > n:
                return None
            size = script[i]
            i += 1
        elif op == OP_PUSHDATA2:
            if i + 2 > n:
                return None
            size = int.from_bytes(script[i:i + 2], "little")
            i += 2
        elif op == OP_PUSHDATA4:
            if i + 4 > n:
                return None
            size = int.from_bytes(script[i:i + 4], "little")
            i += 4
        else:
            ops.append((op, None))
            continue
        if i + size > n:
            return None
        ops.append((op, script[i:i + size]))
        i += size
    return ops


def is_push_only(script: bytes) -> bool:
    """CScript::IsPushOnly: only pushes and OP_1NEGATE..OP_16 (OP_RESERVED counts too)."""
    ops = _iter_ops(script)
    return ops is not None and all(op <= OP_16 for op, _ in ops)


def _valid_pubkey_size(pk: bytes) -> bool:
    return (len(pk) == 33 and pk[0] in (2, 3)) or (len(pk) == 65 and pk[0] in (4, 6, 7))


def script_type(spk: bytes) -> str:
    """Solver's TxoutType, under the names Core's RPC prints."""
    if len(spk) == 4 and spk == bytes((OP_1, 2, 0x4E, 0x73)):
        return "anchor"  # pay-to-anchor (P2A), standard since Core 28
    prog = witness_program(spk)
    if prog is not None:
        version, program = prog
        if version == 0 and len(program) == 20:
            return "witness_v0_keyhash"
        if version == 0 and len(program) == 32:
            return "witness_v0_scripthash"
        if version == 1 and len(program) == 32:
            return "witness_v1_taproot"
        return "witness_unknown" if version != 0 else "nonstandard"
    if len(spk) == 23 and spk[0] == OP_HASH160 and spk[1] == 20 and spk[22] == OP_EQUAL:
        return "scripthash"
    if (len(spk) == 25 and spk[:3] == bytes((OP_DUP, OP_HASH160, 20))
            and spk[23:] == bytes((OP_EQUALVERIFY, OP_CHECKSIG))):
        return "pubkeyhash"
    if spk[:1] == bytes((OP_RETURN,)):
        return "nulldata" if is_push_only(spk[1:]) else "nonstandard"
    ops = _iter_ops(spk)
    if ops is None:
        return "nonstandard"
    if len(ops) == 2 and ops[1][0] == OP_CHECKSIG and ops[0][1] is not None \
            and _valid_pubkey_size(ops[0][1]):
        return "pubkey"
    if len(ops) >= 4 and ops[-1][0] == OP_CHECKMULTISIG:
        m, n = ops[0][0], ops[-2][0]
        keys = ops[1:-2]
        if (OP_1 <= m <= OP_16 and OP_1 <= n <= OP_16 and m <= n
                and len(keys) == n - OP_1 + 1
                and all(k is not None and _valid_pubkey_size(k) for _, k in keys)):
            return "multisig"
    return "nonstandard"


def is_unspendable(spk: bytes) -> bool:
    return (len(spk) > 0 and spk[0] == OP_RETURN) or len(spk) > 10_000


def dust_threshold(out: TxOut, dust_relay_sat_per_kvb: int) -> int:
    """GetDustThreshold: the fee, at the dust relay feerate, of the output plus the input
    that would spend it (P2WSH and P2TR at 3 sat/vB: 330 sat; P2WPKH 294; P2PKH 546)."""
    if is_unspendable(out.script_pubkey):
        return 0
    size = len(out.serialize())
    if witness_program(out.script_pubkey) is not None:
        size += 32 + 4 + 1 + (107 // 4) + 4
    else:
        size += 32 + 4 + 1 + 107 + 4
    return fee_for(dust_relay_sat_per_kvb, size)


# -- context-free and standardness checks -------------------------------------------------

def check_transaction(tx: Transaction) -> Reject | None:
    """Consensus CheckTransaction (consensus/tx_check.cpp)."""
    if not tx.inputs:
        return Reject("TX_CONSENSUS", E.REJECT_VIN_EMPTY)
    if not tx.outputs:
        return Reject("TX_CONSENSUS", E.REJECT_VOUT_EMPTY)
    if len(tx.serialize(with_witness=False)) * 4 > MAX_BLOCK_WEIGHT:
        return Reject("TX_CONSENSUS", E.REJECT_OVERSIZE)
    total = 0
    for out in tx.outputs:
        if out.value < 0:
            return Reject("TX_CONSENSUS", E.REJECT_VOUT_NEGATIVE)
        if out.value > MAX_MONEY:
            return Reject("TX_CONSENSUS", E.REJECT_VOUT_TOOLARGE)
        total += out.value
        if total > MAX_MONEY:
            return Reject("TX_CONSENSUS", E.REJECT_TXOUTTOTAL_TOOLARGE)
    if len({i.prevout for i in tx.inputs}) != len(tx.inputs):
        return Reject("TX_CONSENSUS", E.REJECT_INPUTS_DUPLICATE)
    if tx.is_coinbase():
        if not 2 <= len(tx.inputs[0].script_sig) <= 100:
            return Reject("TX_CONSENSUS", "bad-cb-length")
    elif any(i.prevout == NULL_OUTPOINT for i in tx.inputs):
        return Reject("TX_CONSENSUS", E.REJECT_PREVOUT_NULL)
    return None


def is_standard_tx(tx: Transaction, dust_relay_sat_per_kvb: int,
                   permit_bare_multisig: bool = True) -> str | None:
    """IsStandardTx (policy/policy.cpp): None or the reject reason."""
    if tx.version > TX_MAX_STANDARD_VERSION or tx.version < 1:
        return E.REJECT_VERSION
    if tx.weight() > MAX_STANDARD_TX_WEIGHT:
        return E.REJECT_TX_SIZE
    for txin in tx.inputs:
        if len(txin.script_sig) > MAX_STANDARD_SCRIPTSIG_SIZE:
            return E.REJECT_SCRIPTSIG_SIZE
        if not is_push_only(txin.script_sig):
            return E.REJECT_SCRIPTSIG_NOT_PUSHONLY
    n_data = 0
    for out in tx.outputs:
        kind = script_type(out.script_pubkey)
        if kind == "nonstandard" or (kind == "nulldata"
                                     and len(out.script_pubkey) > MAX_OP_RETURN_RELAY):
            return E.REJECT_SCRIPTPUBKEY
        if kind == "nulldata":
            n_data += 1
        elif kind == "multisig" and not permit_bare_multisig:
            return E.REJECT_BARE_MULTISIG
        elif out.value < dust_threshold(out, dust_relay_sat_per_kvb):
            return E.REJECT_DUST
    if n_data > 1:
        return E.REJECT_MULTI_OP_RETURN
    return None


def are_inputs_standard(spent: list[TxOut]) -> bool:
    """AreInputsStandard: no spending of non-standard or unknown-witness-version outputs."""
    return all(script_type(o.script_pubkey) not in ("nonstandard", "witness_unknown")
               for o in spent)


def is_witness_standard(tx: Transaction, spent: list[TxOut]) -> bool:
    """IsWitnessStandard (policy/policy.cpp), for native witness spends."""
    for txin, prev in zip(tx.inputs, spent, strict=True):
        if not txin.witness:
            continue
        spk = prev.script_pubkey
        if script_type(spk) == "scripthash":
            ops = _iter_ops(txin.script_sig)
            if not ops or ops[-1][1] is None:
                return False
            spk = ops[-1][1]
        if script_type(prev.script_pubkey) == "anchor":
            return False  # "pay-to-anchor spends must have an empty witness"
        prog = witness_program(spk)
        if prog is None:
            return False  # non-witness program must not be associated with any witness
        version, program = prog
        stack = txin.witness
        if version == 0 and len(program) == 32:
            if len(stack[-1]) > MAX_STANDARD_P2WSH_SCRIPT_SIZE:
                return False
            if len(stack) - 1 > MAX_STANDARD_P2WSH_STACK_ITEMS:
                return False
            if any(len(item) > MAX_STANDARD_P2WSH_STACK_ITEM_SIZE for item in stack[:-1]):
                return False
        if version == 1 and len(program) == 32 and spk is prev.script_pubkey:
            if len(stack) >= 2 and stack[-1][:1] == b"\x50":
                return False  # annex is non-standard
            if len(stack) >= 2 and stack[-1] and stack[-1][0] & 0xFE == 0xC0:
                if any(len(item) > MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE
                       for item in stack[:-2]):
                    return False
    return True


def signals_rbf(tx: Transaction) -> bool:
    """SignalsOptInRBF (BIP125): some input's nSequence is below 0xfffffffe."""
    return any(i.sequence <= MAX_BIP125_RBF_SEQUENCE for i in tx.inputs)


# -- finality and sequence locks ----------------------------------------------------------

def is_final_tx(tx: Transaction, block_height: int, block_time: int) -> bool:
    """IsFinalTx: nLockTime below the height (or time) of the block, or all inputs final."""
    if tx.locktime == 0:
        return True
    limit = block_height if tx.locktime < LOCKTIME_THRESHOLD else block_time
    if tx.locktime < limit:
        return True
    return all(i.sequence == SEQUENCE_FINAL for i in tx.inputs)


def sequence_locks(tx: Transaction, coin_heights: list[int],
                   mtp_at: Callable[[int], int]) -> tuple[int, int]:
    """CalculateSequenceLocks (BIP68): (min height, min time), -1 when unconstrained. The
    lock is met in a block at height H whose parent's median time past is T iff
    min height < H and min time < T. `mtp_at(h)` is the median time past of block h."""
    min_height = min_time = -1
    if tx.version < 2:
        return min_height, min_time
    for txin, coin_height in zip(tx.inputs, coin_heights, strict=True):
        seq = txin.sequence
        if seq & SEQUENCE_LOCKTIME_DISABLE_FLAG:
            continue
        value = seq & SEQUENCE_LOCKTIME_MASK
        if seq & SEQUENCE_LOCKTIME_TYPE_FLAG:
            coin_time = mtp_at(max(coin_height - 1, 0))
            min_time = max(min_time,
                           coin_time + (value << SEQUENCE_LOCKTIME_GRANULARITY) - 1)
        else:
            min_height = max(min_height, coin_height + value - 1)
    return min_height, min_time


def check_tx_inputs(tx: Transaction, spent: list[TxOut], coinbase_heights: list[int | None],
                    spend_height: int) -> tuple[Reject | None, int]:
    """Consensus::CheckTxInputs: maturity, value ranges, fee. Returns (reject, fee).
    `coinbase_heights[i]` is the height of the coinbase that created input i, or None."""
    value_in = 0
    for prev, cb_height in zip(spent, coinbase_heights, strict=True):
        if cb_height is not None and spend_height - cb_height < COINBASE_MATURITY:
            return Reject("TX_PREMATURE_SPEND", E.REJECT_PREMATURE_COINBASE,
                          f"tried to spend coinbase at depth {spend_height - cb_height}"), 0
        value_in += prev.value
        if not 0 <= prev.value <= MAX_MONEY or value_in > MAX_MONEY:
            return Reject("TX_CONSENSUS", E.REJECT_INPUTVALUES_OUTOFRANGE), 0
    value_out = sum(o.value for o in tx.outputs)
    if value_in < value_out:
        return Reject("TX_CONSENSUS", E.REJECT_IN_BELOWOUT,
                      f"value in ({format_money(value_in)}) < "
                      f"value out ({format_money(value_out)})"), 0
    return None, value_in - value_out
