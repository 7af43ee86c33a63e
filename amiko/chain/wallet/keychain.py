"""BIP 84 keys of the on-chain wallet: account m/84'/coin'/account', P2WPKH scripts.

Chain 0 gives receive addresses, chain 1 change. The keychain keeps a lookahead index
(script_pubkey -> (chain, index)) covering every address handed out or used plus a gap
of `gap_limit` unused ones, so payments to any of them are recognised. Public keys are
derived from the chain xpubs (CKDpub); private keys only when signing.
"""

from __future__ import annotations

from amiko.bitcoin.address import script_to_address
from amiko.bitcoin.bip32 import HARDENED, ExtendedPrivateKey, ExtendedPublicKey
from amiko.bitcoin.networks import Network
from amiko.bitcoin.script import p2wpkh

RECEIVE = 0
CHANGE = 1
CHAINS = (RECEIVE, CHANGE)
DEFAULT_GAP_LIMIT = 20  # BIP 44's address gap limit
BIP84_PURPOSE = 84


class Keychain:
    def __init__(self, seed: bytes, network: Network, *, account: int = 0,
                 gap_limit: int = DEFAULT_GAP_LIMIT) -> None:
        if gap_limit < 1:
            raise ValueError("gap limit must be at least 1")
        self.network = network
        self.gap_limit = gap_limit
        root = ExtendedPrivateKey.from_seed(seed, testnet=not network.is_mainnet)
        self.master_fingerprint = root.fingerprint
        self.account_path = (BIP84_PURPOSE | HARDENED, network.bip44_coin_type | HARDENED,
                             account | HARDENED)
        account_key = root.derive_path(self.account_path)
        self.account_xpub: ExtendedPublicKey = account_key.neuter()
        self._chain_xprv = {c: account_key.derive_child(c) for c in CHAINS}
        self._chain_xpub = {c: k.neuter() for c, k in self._chain_xprv.items()}
        self._pubkeys: dict[int, list[bytes]] = {c: [] for c in CHAINS}
        self._scripts: dict[bytes, tuple[int, int]] = {}

    # -- derivation

    def pubkey(self, chain: int, index: int) -> bytes:
        self.ensure_derived(chain, index + 1)
        return self._pubkeys[chain][index]

    def script_pubkey(self, chain: int, index: int) -> bytes:
        return p2wpkh(self.pubkey(chain, index))

    def address(self, chain: int, index: int) -> str:
        return script_to_address(self.script_pubkey(chain, index), self.network)

    def private_key(self, chain: int, index: int) -> bytes:
        """The 32-byte secret of m/84'/coin'/account'/chain/index."""
        return self._chain_xprv[chain].derive_child(index).private_key

    def path(self, chain: int, index: int) -> tuple[int, ...]:
        return (*self.account_path, chain, index)

    # -- lookahead

    def ensure_derived(self, chain: int, count: int) -> None:
        """Derive (and index the scripts of) keys 0..count-1 of `chain`."""
        keys = self._pubkeys[chain]
        xpub = self._chain_xpub[chain]
        while len(keys) < count:
            index = len(keys)
            pub = xpub.derive_child(index).public_key
            keys.append(pub)
            self._scripts[p2wpkh(pub)] = (chain, index)

    def ensure_lookahead(self, chain: int, first_unused: int) -> None:
        """Watch `gap_limit` addresses past `first_unused` (the first index neither used
        nor handed out)."""
        self.ensure_derived(chain, first_unused + self.gap_limit)

    def lookup(self, script_pubkey: bytes) -> tuple[int, int] | None:
        """(chain, index) of one of our watched scripts, else None."""
        return self._scripts.get(script_pubkey)

    def watched_count(self, chain: int) -> int:
        return len(self._pubkeys[chain])
