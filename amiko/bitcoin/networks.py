"""The Bitcoin networks amiko runs on, and the constants each one fixes.

`chain_hash` is what Lightning messages carry (BOLT #0: "the uniquely identifying hash of
the target blockchain (usually the genesis hash)"): the genesis block hash in internal byte
order, so mainnet's is `6fe28c0a...d6190000000000`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Network:
    name: str
    bech32_hrp: str
    bip44_coin_type: int
    genesis_hash: bytes  # internal byte order (as hashed); display with genesis_hash_hex
    bolt11_prefix: str
    # base58check version bytes: BIP32 extended keys, WIF, legacy addresses
    xprv_version: bytes
    xpub_version: bytes
    wif_prefix: int
    p2pkh_prefix: int
    p2sh_prefix: int

    @property
    def chain_hash(self) -> bytes:
        """The chain_hash of BOLT #0/#2/#7 messages: the genesis hash, internal byte order."""
        return self.genesis_hash

    @property
    def genesis_hash_hex(self) -> str:
        """The genesis hash as Bitcoin Core displays it (byte-reversed hex)."""
        return self.genesis_hash[::-1].hex()

    @property
    def is_mainnet(self) -> bool:
        return self.name == "bitcoin"

    def __str__(self) -> str:
        return self.name


_MAIN_XPRV = bytes.fromhex("0488ade4")
_MAIN_XPUB = bytes.fromhex("0488b21e")
_TEST_XPRV = bytes.fromhex("04358394")
_TEST_XPUB = bytes.fromhex("043587cf")


def _genesis(display_hex: str) -> bytes:
    return bytes.fromhex(display_hex)[::-1]


BITCOIN = Network(
    name="bitcoin",
    bech32_hrp="bc",
    bip44_coin_type=0,
    genesis_hash=_genesis("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"),
    bolt11_prefix="lnbc",
    xprv_version=_MAIN_XPRV,
    xpub_version=_MAIN_XPUB,
    wif_prefix=0x80,
    p2pkh_prefix=0x00,
    p2sh_prefix=0x05,
)

TESTNET = Network(
    name="testnet",
    bech32_hrp="tb",
    bip44_coin_type=1,
    genesis_hash=_genesis("000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"),
    bolt11_prefix="lntb",
    xprv_version=_TEST_XPRV,
    xpub_version=_TEST_XPUB,
    wif_prefix=0xEF,
    p2pkh_prefix=0x6F,
    p2sh_prefix=0xC4,
)

SIGNET = Network(
    name="signet",
    bech32_hrp="tb",
    bip44_coin_type=1,
    genesis_hash=_genesis("00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6"),
    bolt11_prefix="lntbs",
    xprv_version=_TEST_XPRV,
    xpub_version=_TEST_XPUB,
    wif_prefix=0xEF,
    p2pkh_prefix=0x6F,
    p2sh_prefix=0xC4,
)

REGTEST = Network(
    name="regtest",
    bech32_hrp="bcrt",
    bip44_coin_type=1,
    genesis_hash=_genesis("0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"),
    bolt11_prefix="lnbcrt",
    xprv_version=_TEST_XPRV,
    xpub_version=_TEST_XPUB,
    wif_prefix=0xEF,
    p2pkh_prefix=0x6F,
    p2sh_prefix=0xC4,
)

NETWORKS: dict[str, Network] = {n.name: n for n in (BITCOIN, TESTNET, SIGNET, REGTEST)}

# Names other tools use for the same networks (Bitcoin Core's `-chain=main`, `getblockchaininfo`).
_ALIASES = {"main": "bitcoin", "mainnet": "bitcoin", "test": "testnet", "testnet3": "testnet"}


def network_by_name(name: str) -> Network:
    """The network called `name` ("bitcoin", "testnet", "signet", "regtest", or an alias)."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    try:
        return NETWORKS[key]
    except KeyError:
        raise ValueError(f"unknown network {name!r}; expected one of {sorted(NETWORKS)}") from None


def network_by_chain_hash(chain_hash: bytes) -> Network | None:
    for net in NETWORKS.values():
        if net.chain_hash == chain_hash:
            return net
    return None
