"""Bitcoin Core's JSON-RPC error codes and the reject strings amiko meets or produces.

The dev chain answers with these, and the bitcoind backend recognises them, so upper layers
can handle a real bitcoind and the dev chain with the same code.

Codes: Bitcoin Core src/rpc/protocol.h (`enum RPCErrorCode`). Reject reasons: src/validation.cpp,
src/consensus/tx_verify.cpp, src/consensus/tx_check.cpp, src/policy/policy.cpp,
src/policy/rbf.cpp, src/policy/truc_policy.cpp. Messages of `TransactionError`:
src/common/messages.cpp (`TransactionErrorString`).
"""

from __future__ import annotations

# -- Standard JSON-RPC 2.0 errors (protocol.h) ----------------------------------------------
RPC_INVALID_REQUEST = -32600
RPC_METHOD_NOT_FOUND = -32601
RPC_INVALID_PARAMS = -32602
RPC_INTERNAL_ERROR = -32603
RPC_PARSE_ERROR = -32700

# -- General application defined errors ----------------------------------------------------
RPC_MISC_ERROR = -1  # std::exception thrown in command handling
RPC_TYPE_ERROR = -3  # Unexpected type was passed as parameter
RPC_INVALID_ADDRESS_OR_KEY = -5  # Invalid address or key
RPC_OUT_OF_MEMORY = -7
RPC_INVALID_PARAMETER = -8  # Invalid, missing or duplicate parameter
RPC_DATABASE_ERROR = -20
RPC_DESERIALIZATION_ERROR = -22  # Error parsing or validating structure in raw format
RPC_VERIFY_ERROR = -25  # General error during transaction or block submission
RPC_VERIFY_REJECTED = -26  # Transaction or block was rejected by network rules
RPC_VERIFY_ALREADY_IN_CHAIN = -27  # Transaction already in chain
RPC_VERIFY_ALREADY_IN_UTXO_SET = RPC_VERIFY_ALREADY_IN_CHAIN
RPC_IN_WARMUP = -28  # Client still warming up
RPC_METHOD_DEPRECATED = -32

# Aliases for backward compatibility (protocol.h)
RPC_TRANSACTION_ERROR = RPC_VERIFY_ERROR
RPC_TRANSACTION_REJECTED = RPC_VERIFY_REJECTED
RPC_TRANSACTION_ALREADY_IN_CHAIN = RPC_VERIFY_ALREADY_IN_CHAIN

# -- TransactionErrorString (common/messages.cpp) -------------------------------------------
MSG_MISSING_INPUTS = "Inputs missing or spent"
MSG_ALREADY_IN_UTXO_SET = "Transaction outputs already in utxo set"
MSG_MEMPOOL_REJECTED = "Transaction rejected by mempool"
MSG_MAX_FEE_EXCEEDED = "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)"
MSG_INVALID_PACKAGE = "Transaction rejected due to invalid package"

# -- RPC messages (rpc/*.cpp) ----------------------------------------------------------------
MSG_TX_DECODE_FAILED = "TX decode failed. Make sure the tx has at least one input."
MSG_BLOCK_DECODE_FAILED = "Block decode failed"
MSG_BLOCK_NOT_FOUND = "Block not found"
MSG_HEIGHT_OUT_OF_RANGE = "Block height out of range"
MSG_TX_NOT_IN_MEMPOOL = "Transaction not in mempool"
MSG_NO_SUCH_TX = ("No such mempool or blockchain transaction. "
                  "Use gettransaction for wallet transactions.")
MSG_INVALID_ADDRESS = "Error: Invalid address"
MSG_METHOD_NOT_FOUND = "Method not found"
MSG_PACKAGE_TOPOLOGY = ("package topology disallowed. not child-with-parents or parents "
                        "depend on each other.")

# -- Reject reasons (TxValidationState::GetRejectReason) -----------------------------------
# consensus/tx_check.cpp CheckTransaction
REJECT_VIN_EMPTY = "bad-txns-vin-empty"
REJECT_VOUT_EMPTY = "bad-txns-vout-empty"
REJECT_OVERSIZE = "bad-txns-oversize"
REJECT_VOUT_NEGATIVE = "bad-txns-vout-negative"
REJECT_VOUT_TOOLARGE = "bad-txns-vout-toolarge"
REJECT_TXOUTTOTAL_TOOLARGE = "bad-txns-txouttotal-toolarge"
REJECT_INPUTS_DUPLICATE = "bad-txns-inputs-duplicate"
REJECT_PREVOUT_NULL = "bad-txns-prevout-null"
REJECT_COINBASE = "coinbase"
# consensus/tx_verify.cpp CheckTxInputs
REJECT_INPUTS_MISSINGORSPENT = "bad-txns-inputs-missingorspent"
REJECT_PREMATURE_COINBASE = "bad-txns-premature-spend-of-coinbase"
REJECT_INPUTVALUES_OUTOFRANGE = "bad-txns-inputvalues-outofrange"
REJECT_IN_BELOWOUT = "bad-txns-in-belowout"
REJECT_FEE_OUTOFRANGE = "bad-txns-fee-outofrange"
# validation.cpp MemPoolAccept
REJECT_NON_FINAL = "non-final"
REJECT_NON_BIP68_FINAL = "non-BIP68-final"
REJECT_ALREADY_IN_MEMPOOL = "txn-already-in-mempool"
REJECT_SAME_NONWITNESS = "txn-same-nonwitness-data-in-mempool"
REJECT_ALREADY_KNOWN = "txn-already-known"
REJECT_MEMPOOL_CONFLICT = "txn-mempool-conflict"
REJECT_REPLACEMENT_DISALLOWED = "bip125-replacement-disallowed"
REJECT_MIN_RELAY_FEE = "min relay fee not met"
REJECT_MEMPOOL_MIN_FEE = "mempool min fee not met"
REJECT_INSUFFICIENT_FEE = "insufficient fee"
REJECT_TOO_MANY_REPLACEMENTS = "too many potential replacements"
REJECT_REPLACEMENT_ADDS_UNCONFIRMED = "replacement-adds-unconfirmed"
REJECT_SPENDS_CONFLICTING = "bad-txns-spends-conflicting-tx"
REJECT_TOO_LONG_CHAIN = "too-long-mempool-chain"
REJECT_TRUC_VIOLATION = "TRUC-violation"
REJECT_NONSTANDARD_INPUTS = "bad-txns-nonstandard-inputs"
REJECT_WITNESS_NONSTANDARD = "bad-witness-nonstandard"
REJECT_MISSING_INPUTS_RPC = "missing-inputs"  # testmempoolaccept's word for TX_MISSING_INPUTS
REJECT_MAX_FEE_EXCEEDED = "max-fee-exceeded"  # testmempoolaccept
MANDATORY_SCRIPT_FAILED = "mandatory-script-verify-flag-failed"
NON_MANDATORY_SCRIPT_FAILED = "non-mandatory-script-verify-flag"
# policy/policy.cpp IsStandardTx
REJECT_VERSION = "version"
REJECT_TX_SIZE = "tx-size"
REJECT_TX_SIZE_SMALL = "tx-size-small"
REJECT_SCRIPTSIG_SIZE = "scriptsig-size"
REJECT_SCRIPTSIG_NOT_PUSHONLY = "scriptsig-not-pushonly"
REJECT_SCRIPTPUBKEY = "scriptpubkey"
REJECT_BARE_MULTISIG = "bare-multisig"
REJECT_DUST = "dust"
REJECT_MULTI_OP_RETURN = "multi-op-return"
# package validation (policy/packages.cpp)
PACKAGE_TX_FAILED = "transaction failed"

# -- script/script_error.cpp ScriptErrorString -----------------------------------------------
SCRIPT_ERR_EVAL_FALSE = ("Script evaluated without error but finished with a false/empty "
                         "top stack element")
SCRIPT_ERR_UNSATISFIED_LOCKTIME = "Locktime requirement not satisfied"
SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH = "Witness program hash mismatch"
SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY = "Witness program was passed an empty witness"
SCRIPT_ERR_WITNESS_MALLEATED = "Witness requires empty scriptSig"
SCRIPT_ERR_WITNESS_UNEXPECTED = "Witness provided for non-witness script"
SCRIPT_ERR_SCHNORR_SIG = "Invalid Schnorr signature"
SCRIPT_ERR_UNKNOWN = "unknown error"


class RpcError(Exception):
    """An error answer of a Bitcoin Core style JSON-RPC call."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{message} (code {code})")
        self.code = code
        self.message = message


ALREADY_KNOWN_REASONS = (REJECT_ALREADY_IN_MEMPOOL, REJECT_ALREADY_KNOWN, MSG_ALREADY_IN_UTXO_SET,
                         "Transaction already in block chain")


def is_already_known(code: int, message: str) -> bool:
    """True for the answers that mean "this very transaction is already in the mempool or
    chain" (a broadcast that needs no retry). Core before 28 said "Transaction already in
    block chain"; Core 28 says "Transaction outputs already in utxo set"."""
    if code == RPC_VERIFY_ALREADY_IN_CHAIN:
        return True
    return any(message.startswith(reason) for reason in ALREADY_KNOWN_REASONS)
