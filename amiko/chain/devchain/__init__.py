"""The embedded dev chain: a real regtest chain validated by Bitcoin Core's libbitcoinkernel,
served over Bitcoin Core's JSON-RPC (see DESIGN.md, "The embedded dev chain").

    served = await serve(datadir)          # DevChain + RPC server on 127.0.0.1, any port
    backend = BitcoindBackend(served.url)  # the same client a real bitcoind gets
"""

from __future__ import annotations

from amiko.chain.devchain.mempool import MempoolPolicy
from amiko.chain.devchain.node import DevChain, DevChainError
from amiko.chain.devchain.rpc_server import RpcServer, ServedChain, run_standalone, serve

__all__ = ["DevChain", "DevChainError", "MempoolPolicy", "RpcServer", "ServedChain",
           "run_standalone", "serve"]
