"""The network commands over the node's RPC: importgraph, listnodes, listchannels --all,
getroute on an imported graph (its routes checked hop by hop); getroute with what payments
learned, listmission and resetmission, across a restart."""

from __future__ import annotations

import asyncio
import pathlib
import time

from amiko.routing.graph import direction_of
from amiko.routing.route import FirstHop, check_route
from amiko.wire.types import scid_from_str
from tests.rpc_node import started_with_rpc

FIXTURE = pathlib.Path(__file__).parent / "vectors" / "routing_describegraph_small.json"


def test_import_and_query_the_graph(tmp_path):
    async def main():
        node, rpc = await started_with_rpc(str(tmp_path / "n"))
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


def test_getroute_takes_what_payments_learned_and_it_survives_a_restart(tmp_path):
    def started():
        return started_with_rpc(str(tmp_path / "n"))

    async def main():
        node, rpc = await started()
        await rpc("importgraph", file=str(FIXTURE))
        # a channel of ours (to a node of the imported graph) as the first hop of routes
        nodes = (await rpc("listnodes"))["result"]["nodes"]
        ids = [bytes.fromhex(n["id"] if "id" in n else n["node_id"]) for n in nodes]
        amount = 1_000_000
        found = None
        for peer in ids:
            node.payer.first_hops = lambda peer=peer: [FirstHop(1 << 40, peer, 10**10)]
            for dst in ids:
                if dst == peer:
                    continue
                reply = await rpc("getroute", id=dst.hex(), amount_msat=amount)
                if "result" in reply and len(reply["result"]["hops"]) >= 3:
                    found = dst, reply["result"]
                    break
            if found:
                break
        assert found is not None
        dst, route = found
        # payments learned that the route's second channel cannot carry the amount
        hop0, hop1 = route["hops"][0], route["hops"][1]
        scid = scid_from_str(hop1["short_channel_id"])
        direction = direction_of(bytes.fromhex(hop0["node_id"]), bytes.fromhex(hop1["node_id"]))
        node.payer.mission.channel_failure(scid, direction, amount, time.time())
        again = (await rpc("getroute", id=dst.hex(), amount_msat=amount))
        assert "error" in again or hop1["short_channel_id"] not in [h["short_channel_id"]
                                                                    for h in again["result"]["hops"]]
        now = time.time()
        node.payer.mission.penalize_node(ids[0], now, seconds=600)
        node.payer.mission.penalize_channel(scid, 1 - direction, now, seconds=600)
        node.payer.mission.penalize_channel(scid + 1, 0, now - 700, seconds=600)  # over already
        learned = (await rpc("listmission"))["result"]
        assert learned["banned_nodes"] == [{"node_id": ids[0].hex(), "until": int(now + 600)}]
        assert learned["banned_channels"] == [{"short_channel_id": hop1["short_channel_id"],
                                               "direction": 1 - direction, "until": int(now + 600)}]
        assert [(c["short_channel_id"], c["direction"]) for c in learned["channels"]] == [
            (hop1["short_channel_id"], direction)]
        # below the amount when learned, decaying towards the capacity (a hair in a test's time:
        # 6 hours' half-life)
        capacity = node.graph.channel(scid).capacity_sat * 1000
        assert amount - 1 <= learned["channels"][0]["max_msat"] < amount + (capacity - amount) // 100
        assert learned["channels"][0]["min_msat"] == 0
        await node.stop()

        # restarted, the node still knows it
        node, rpc = await started()
        kept = (await rpc("listmission"))["result"]
        assert [(c["short_channel_id"], c["direction"], c["learned_at"]) for c in kept["channels"]] == [
            (c["short_channel_id"], c["direction"], c["learned_at"]) for c in learned["channels"]]
        assert amount - 1 <= kept["channels"][0]["max_msat"] < amount + (capacity - amount) // 100
        assert (await rpc("resetmission"))["result"] == {"reset": True}
        assert (await rpc("listmission"))["result"]["channels"] == []
        await node.stop()
        node, rpc = await started()
        assert (await rpc("listmission"))["result"]["channels"] == []
        await node.stop()

    asyncio.run(main())
