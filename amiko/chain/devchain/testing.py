"""Small helpers for tests and benchmarks on the dev chain: a key that signs P2WPKH and
P2WSH inputs (BIP143, SIGHASH_ALL) and builds simple spends. Not a wallet."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import coincurve

from amiko.bitcoin.address import script_to_address
from amiko.bitcoin.networks import REGTEST
from amiko.bitcoin.script import p2pkh_script_code, p2wpkh
from amiko.bitcoin.sighash import bip143_sighash
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.chain.bitcoind import BitcoindBackend
from amiko.chain.devchain.node import DevChain
from amiko.chain.devchain.rpc_server import ServedChain, serve


@dataclass(frozen=True)
class TestKey:
    __test__ = False  # not a pytest class

    secret: bytes

    @classmethod
    def from_seed(cls, seed: str | bytes) -> TestKey:
        data = seed.encode() if isinstance(seed, str) else seed
        return cls(hashlib.sha256(b"amiko devchain test key" + data).digest())

    @property
    def pubkey(self) -> bytes:
        return coincurve.PrivateKey(self.secret).public_key.format(compressed=True)

    @property
    def script_pubkey(self) -> bytes:
        return p2wpkh(self.pubkey)

    @property
    def address(self) -> str:
        return script_to_address(self.script_pubkey, REGTEST)

    def sign(self, digest: bytes, sighash_type: int = 1) -> bytes:
        """DER signature (low-S, as coincurve makes them) plus the sighash byte."""
        sig = coincurve.PrivateKey(self.secret).sign(digest, hasher=None)
        return bytes(sig) + bytes((sighash_type,))

    def sign_p2wpkh(self, tx: Transaction, index: int, amount: int) -> Transaction:
        digest = bip143_sighash(tx, index, p2pkh_script_code(self.pubkey), amount)
        return tx.with_witness(index, (self.sign(digest), self.pubkey))

    def sign_p2wsh(self, tx: Transaction, index: int, witness_script: bytes, amount: int,
                   before: Sequence[bytes] = (), after: Sequence[bytes] = ()) -> Transaction:
        """Witness: `before`, our signature, `after`, then the witness script."""
        digest = bip143_sighash(tx, index, witness_script, amount)
        stack = (*before, self.sign(digest), *after, witness_script)
        return tx.with_witness(index, stack)


def spend_p2wpkh(key: TestKey, prevouts: Sequence[tuple[OutPoint, int]],
                 outputs: Sequence[TxOut], *, locktime: int = 0,
                 sequence: int = 0xFFFFFFFD, version: int = 2) -> Transaction:
    """A transaction spending P2WPKH outputs of `key` (outpoint, amount) to `outputs`."""
    tx = Transaction(version=version,
                     inputs=tuple(TxIn(op, b"", sequence) for op, _ in prevouts),
                     outputs=tuple(outputs), locktime=locktime)
    for i, (_, amount) in enumerate(prevouts):
        tx = key.sign_p2wpkh(tx, i, amount)
    return tx


@contextlib.asynccontextmanager
async def devchain_backend(datadir: str | Path, *, poll_interval: float = 0.05,
                           port: int = 0, password: str | None = None,
                           chain: DevChain | None = None,
                           ) -> AsyncIterator[tuple[ServedChain, BitcoindBackend]]:
    """A served dev chain and a started bitcoind backend pointed at it; both closed after."""
    served = await serve(datadir, port=port, password=password, chain=chain)
    backend = BitcoindBackend(served.url, poll_interval=poll_interval, max_backoff=0.2)
    try:
        await backend.start()
        yield served, backend
    finally:
        await backend.stop()
        await served.close()
