"""What the on-chain wallet reports: its coins, balances, transactions and funding results."""

from __future__ import annotations

from dataclasses import dataclass

from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.chain.wallet.coinselect import InsufficientFunds

COINBASE_MATURITY = 100  # a coinbase output is spendable once it has 100 confirmations


class WalletError(Exception):
    """A request the wallet refuses: wrong seed for this database, unknown transaction,
    blocks applied out of order..."""


__all__ = [
    "COINBASE_MATURITY",
    "Balance",
    "FundingInfo",
    "InsufficientFunds",
    "Utxo",
    "WalletError",
    "WalletTx",
]


@dataclass(frozen=True, slots=True)
class Utxo:
    outpoint: OutPoint
    amount_sat: int
    address: str
    script_pubkey: bytes
    confirmations: int  # 0 while unconfirmed
    reserved: bool
    reservation: str | None
    coinbase: bool
    key_path: tuple[int, int]  # (chain, index) under the BIP 84 account

    @property
    def mature(self) -> bool:
        return not self.coinbase or self.confirmations >= COINBASE_MATURITY


@dataclass(frozen=True, slots=True)
class Balance:
    confirmed_sat: int  # at least one confirmation, mature, not reserved
    unconfirmed_sat: int  # no confirmation yet, not reserved
    reserved_sat: int  # held by a reservation (an unbroadcast or unconfirmed spend)
    immature_sat: int = 0  # coinbase outputs with fewer than 100 confirmations

    @property
    def total_sat(self) -> int:
        return self.confirmed_sat + self.unconfirmed_sat + self.reserved_sat + self.immature_sat


@dataclass(frozen=True, slots=True)
class WalletTx:
    tx: Transaction
    block_height: int | None  # None while unconfirmed
    block_hash: bytes | None

    @property
    def txid(self) -> bytes:
        return self.tx.txid


@dataclass(frozen=True, slots=True)
class FundingInfo:
    """How the wallet built a transaction around outputs the caller asked for."""

    output_index: int  # where the (first) requested output ended up after sorting
    change_index: int | None  # None: no change output
    change_sat: int
    fee_sat: int
    reservation: str  # pass to Wallet.release() to give the inputs back
    inputs: tuple[OutPoint, ...]
