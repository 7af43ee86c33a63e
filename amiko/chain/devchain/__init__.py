"""The embedded dev chain: a real regtest chain validated by Bitcoin Core's libbitcoinkernel,
served over Bitcoin Core's JSON-RPC (see DESIGN.md, "The embedded dev chain")."""

from __future__ import annotations
