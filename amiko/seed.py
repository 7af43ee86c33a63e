"""The node's seed: a BIP39 mnemonic in `DIR/seed`, created on first start (mode 0600).

Every key of the node derives from it through BIP32:
- the node identity key: m/1017'/coin'/6'/0/0 (the key family LND uses for its node key);
- the root of every channel's keys: m/1017'/coin'/7'/0';
- the on-chain wallet: BIP84, m/84'/coin'/0' (see amiko/chain/wallet).
Losing the file loses the funds; whoever reads it can spend them.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass

from amiko.bitcoin.bip32 import ExtendedPrivateKey
from amiko.bitcoin.bip39 import (
    MnemonicError,
    generate_mnemonic,
    is_valid_mnemonic,
    mnemonic_to_seed,
)
from amiko.bitcoin.networks import Network

log = logging.getLogger("amiko.seed")

SEED_FILE = "seed"
NODE_KEY_FAMILY = 6
CHANNEL_KEY_FAMILY = 7


class SeedError(RuntimeError):
    pass


@dataclass(frozen=True)
class NodeSeed:
    mnemonic: str
    passphrase: str = ""

    def __repr__(self) -> str:  # keep the words out of logs and tracebacks
        return "NodeSeed(<secret>)"

    @classmethod
    def load_or_create(cls, datadir: str) -> NodeSeed:
        path = os.path.join(datadir, SEED_FILE)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return cls.load(path)
        mnemonic = generate_mnemonic(256)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(mnemonic + "\n")
            f.flush()
            os.fsync(f.fileno())
        log.info("created a new seed in %s: back it up", path)
        return cls(mnemonic)

    @classmethod
    def load(cls, path: str) -> NodeSeed:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            log.warning("%s is readable by others (mode %o): chmod 600 it", path, mode)
        with open(path, encoding="utf-8") as f:
            mnemonic = " ".join(f.read().split())
        if not is_valid_mnemonic(mnemonic):
            raise SeedError(f"{path} does not hold a valid BIP39 mnemonic")
        return cls(mnemonic)

    @classmethod
    def from_mnemonic(cls, mnemonic: str, passphrase: str = "") -> NodeSeed:
        if not is_valid_mnemonic(mnemonic):
            raise MnemonicError("not a valid BIP39 mnemonic")
        return cls(" ".join(mnemonic.split()), passphrase)

    def bip39_seed(self) -> bytes:
        return mnemonic_to_seed(self.mnemonic, self.passphrase)

    def root(self, network: Network) -> ExtendedPrivateKey:
        return ExtendedPrivateKey.from_seed_for(self.bip39_seed(), network)

    def node_secret(self, network: Network) -> bytes:
        coin = network.bip44_coin_type
        key = self.root(network).derive_path(f"m/1017'/{coin}'/{NODE_KEY_FAMILY}'/0/0")
        return key.private_key

    def channel_root(self, network: Network) -> bytes:
        """The secret every channel's keys derive from (amiko/channels/bolt/keys.py)."""
        coin = network.bip44_coin_type
        return self.root(network).derive_path(f"m/1017'/{coin}'/{CHANNEL_KEY_FAMILY}'/0'").private_key
