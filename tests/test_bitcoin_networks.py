"""Network constants: chain hashes as Lightning uses them, prefixes, coin types."""

from __future__ import annotations

import pytest

from amiko.bitcoin.networks import (
    BITCOIN,
    REGTEST,
    SIGNET,
    TESTNET,
    Network,
    network_by_chain_hash,
    network_by_name,
)


def test_chain_hash_is_genesis_in_internal_order() -> None:
    # BOLT #7: "MUST set chain_hash ... equal to 6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000"
    assert BITCOIN.chain_hash.hex() == (
        "6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000")
    assert REGTEST.genesis_hash_hex == (
        "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206")
    assert network_by_chain_hash(SIGNET.chain_hash) is SIGNET
    assert network_by_chain_hash(b"\x00" * 32) is None


@pytest.mark.parametrize(("net", "hrp", "coin", "prefix"), [
    (BITCOIN, "bc", 0, "lnbc"), (TESTNET, "tb", 1, "lntb"),
    (SIGNET, "tb", 1, "lntbs"), (REGTEST, "bcrt", 1, "lnbcrt"),
])
def test_constants(net: Network, hrp: str, coin: int, prefix: str) -> None:
    assert (net.bech32_hrp, net.bip44_coin_type, net.bolt11_prefix) == (hrp, coin, prefix)
    assert network_by_name(net.name) is net


def test_names() -> None:
    assert network_by_name("main") is BITCOIN
    assert network_by_name(" Regtest ") is REGTEST
    with pytest.raises(ValueError, match="unknown network"):
        network_by_name("litecoin")
