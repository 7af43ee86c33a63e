"""Opening the node's chain backend: a bitcoind URL, or an in-process dev chain.

Either way the node talks JSON-RPC through `BitcoindBackend`: the same code meets a real
bitcoind and the dev chain.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from amiko.bitcoin.networks import Network
from amiko.chain.bitcoind import BitcoindBackend
from amiko.chain.devchain import ServedChain, serve

log = logging.getLogger("amiko.chain")


class ChainConfigError(ValueError):
    pass


@dataclass
class ChainConnection:
    backend: BitcoindBackend
    devchain: ServedChain | None  # the in-process dev chain, when we run one

    @property
    def kind(self) -> str:
        return "devchain" if self.devchain is not None else "bitcoind"

    async def close(self) -> None:
        await self.backend.stop()
        if self.devchain is not None:
            await self.devchain.close()


async def open_chain(
    network: Network,
    datadir: str,
    *,
    bitcoind: str | None = None,
    cookie_file: str | None = None,
    poll_interval: float = 2.0,
) -> ChainConnection:
    """Connect to bitcoind at `bitcoind` (http://user:pass@host:port), or, with none given on
    regtest, start a dev chain in `datadir/devchain` and connect to its RPC."""
    served = None
    if bitcoind is None:
        if network.name != "regtest":
            raise ChainConfigError(f"{network.name} needs --bitcoind URL (the dev chain is regtest only)")
        served = await serve(os.path.join(datadir, "devchain"))
        url = served.url
        poll_interval = min(poll_interval, 0.5)
        log.info("running an in-process dev chain (RPC %s)", _redact(url))
    else:
        url = bitcoind
    backend = BitcoindBackend(url, cookie_file=cookie_file, poll_interval=poll_interval)
    if served is None:
        await _check_chain(backend, network)
    return ChainConnection(backend, served)


async def _check_chain(backend: BitcoindBackend, network: Network) -> None:
    """Refuse a bitcoind on another network than ours (when it answers at all)."""
    try:
        name = await backend.get_chain_name()
    except ConnectionError as e:
        log.warning("bitcoind is not reachable yet (%s); will keep trying", e)
        return
    expected = {"bitcoin": "main", "testnet": "test"}.get(network.name, network.name)
    if name != expected:
        await backend.stop()
        raise ChainConfigError(f"bitcoind is on {name}, the node on {network.name}")


def _redact(url: str) -> str:
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.split('@', 1)[1]}"
