"""The on-chain wallet: BIP 84 keys (keychain), coin selection, and the Wallet itself."""

from __future__ import annotations

from amiko.chain.wallet.coinselect import InsufficientFunds
from amiko.chain.wallet.model import Balance, FundingInfo, Utxo, WalletError, WalletTx
from amiko.chain.wallet.wallet import DEFAULT_ANCHOR_RESERVE_SAT, Wallet

__all__ = [
    "DEFAULT_ANCHOR_RESERVE_SAT",
    "Balance",
    "FundingInfo",
    "InsufficientFunds",
    "Utxo",
    "Wallet",
    "WalletError",
    "WalletTx",
]
