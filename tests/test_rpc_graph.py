"""The network commands over the node's RPC: importgraph, listnodes, listchannels --all,
getroute on an imported graph (its routes checked hop by hop)."""

from __future__ import annotations

import asyncio
import pathlib

from amiko.node import Node, NodeConfig
from amiko.routing.route import check_route
from amiko.rpc import methods
from amiko.rpc.server import RpcServer

FIXTURE = pathlib.Path(__file__).parent / "vectors" / "routing_describegraph_small.json"


def test_import_and_query_the_graph(tmp_path):
    async def main():
        node = Node(NodeConfig(datadir=str(tmp_path / "n"), listen=None, trust=False))
        await node.start()
        server = RpcServer("t")
        methods.register(server, node, asyncio.Event())

        async def rpc(method, **params):
            reply = await server.call({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
            return reply

        imported = (await rpc("importgraph", file=str(FIXTURE)))["result"]
        assert imported["channels"] > 200 and imported["nodes"] > 0
        again = (await rpc("importgraph", file=str(FIXTURE)))["result"]
        assert again["channels"] == 0 and again["known"] == imported["channels"]
        nodes = (await rpc("listnodes"))["result"]["nodes"]
        channels = (await rpc("listchannels", all=True))["result"]["channels"]
        assert len(nodes) >= 90 and len(channels) == imported["channels"]
        bad = await rpc("importgraph", file=str(tmp_path / "missing.json"))
        assert bad["error"]["code"] < 0

        # routes between imported nodes meet every hop's policy
        ids = [bytes.fromhex(n["id"] if "id" in n else n["node_id"]) for n in nodes]
        found = 0
        for i in range(30):
            src, dst = ids[i % len(ids)], ids[(i * 7 + 3) % len(ids)]
            if src == dst:
                continue
            from amiko.routing.pathfinding import find_route

            route = find_route(node.graph, src, dst, 1_000_000, current_height=800_000)
            if route is None:
                continue
            found += 1
            assert check_route(node.graph, route, 1_000_000, 18, 800_000) == []
        assert found > 5
        # getroute from us: we have no channel, so no route (a clear error, not a crash)
        reply = await rpc("getroute", id=ids[0].hex(), amount_msat=1000)
        assert "error" in reply and reply["error"]["message"] == "no route"
        await node.stop()

    asyncio.run(main())
