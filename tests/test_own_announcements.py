"""Our own gossip over time, with two nodes over TCP on one dev chain: policy changes reach
the peer even when two come within a second; after a restart the channel still counts as
announced (a policy change goes out at once) and a changed `--announce-addr` or default
policy is announced again; our channel_update is signed again before the network would
prune the channel; a peer that lost its gossip asks again and is answered once; a channel
whose peer is away for long is announced disabled, and enabled once the peer is back."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest

from amiko.node import Node, NodeConfig
from amiko.payments.switch import ForwardPolicy
from amiko.routing.gossip.addresses import address_from_text
from amiko.routing.gossip.own_channels import DISABLE_AFTER_SECONDS, REFRESH_AFTER_SECONDS
from tests.async_wait import wait_for

pytestmark = pytest.mark.slow


def make(tmp_path, name, url=None, **more):
    return Node(NodeConfig(datadir=str(tmp_path / name), listen=("127.0.0.1", 0), bitcoind=url,
                           poll_interval=0.05, gossip_flush_interval=0.5, trust=False, **more))


def policy_seen(seer: Node, owner: Node, scid: int):
    return seer.graph.policy_from(scid, owner.node_id)


def test_own_gossip_across_changes_and_restarts(tmp_path):
    async def main():
        b = make(tmp_path, "b")  # b runs the dev chain: a restarts
        await b.start()
        url = b.chain.devchain.url
        a = make(tmp_path, "a", url)
        await a.start()
        for n in (a, b):
            await b.mine(1, n.wallet.new_address())
        await b.mine(100)
        await a.chain.backend.sync()
        b_port = b.peers.listen_address[1]
        await a.connect(b.node_id, "127.0.0.1", b_port)
        driver = await a.open_channel(b.node_id, 1_000_000, push_msat=100_000_000)
        await wait_for(lambda: driver.funding_broadcast, what="funding")
        await b.mine(6)
        await a.chain.backend.sync()
        await wait_for(lambda: driver.status().usable, what="channel ready")
        cid, scid = driver.channel_id, driver.status().short_channel_id
        await wait_for(lambda: policy_seen(b, a, scid) is not None and b.graph.node(a.node_id) is not None,
                       what="a's channel_update and node_announcement at b")
        assert a.announcer.is_announced(cid)

        # two policy changes within one second: the second still reaches b
        a.set_policy(cid, ForwardPolicy(2_000, 10, 40))
        a.set_policy(cid, ForwardPolicy(3_000, 20, 40))
        await wait_for(lambda: policy_seen(b, a, scid).fee_base_msat == 3_000, what="second policy at b")
        last = policy_seen(b, a, scid).timestamp

        # a restarts with an address to announce and another default policy
        await a.stop()
        addr = address_from_text("198.51.100.4:9735")
        a = make(tmp_path, "a", url, announce_addresses=(addr,),
                 forward_policy=ForwardPolicy(5_000, 50, 40))
        await a.start()  # (it dials b again by itself)
        driver = a.channels.by_channel_id(cid)
        await wait_for(lambda: driver.status().usable, what="channel usable after the restart")
        await b.mine(1)  # (announcements are looked at on every block)
        await wait_for(lambda: a.announcer.is_announced(cid), what="announced, from a's own store")
        await wait_for(lambda: b.graph.node(a.node_id).addresses == ("198.51.100.4:9735",),
                       what="a's new address at b")
        # the policy stored for the channel stands (3000): the new default is for new channels
        assert policy_seen(b, a, scid).fee_base_msat == 3_000
        a.set_policy(cid, ForwardPolicy(4_000, 30, 40))
        await wait_for(lambda: policy_seen(b, a, scid).fee_base_msat == 4_000, what="policy after restart at b")
        assert policy_seen(b, a, scid).timestamp > last

        # an update nearly as old as the pruning age is signed again; a fresh one is not
        ch = a._announceable(driver)
        assert a.announcer.refresh_updates([ch], time.time()) == []
        before = policy_seen(b, a, scid).timestamp
        assert a.announcer.refresh_updates([ch], time.time() + REFRESH_AFTER_SECONDS + 60) == [scid]
        await wait_for(lambda: policy_seen(b, a, scid).timestamp > before, what="refreshed update at b")

        # a loses its gossip (the node otherwise intact): it sends its signatures again and
        # b, which announced long ago, answers once; a announces the channel again
        await a.stop()
        db = sqlite3.connect(tmp_path / "a" / "amiko.sqlite")
        with db:
            for table in ("gossip_updates", "gossip_nodes", "gossip_channels"):
                db.execute(f"DELETE FROM {table}")
        db.close()
        a = make(tmp_path, "a", url, announce_addresses=(addr,))
        await a.start()
        assert a.graph.channel(scid) is None
        driver = a.channels.by_channel_id(cid)
        await wait_for(lambda: driver.status().usable, what="channel usable after losing gossip")
        await b.mine(1)
        await wait_for(lambda: a.announcer.is_announced(cid), what="announced again with b's answer")
        assert a.graph.channel(scid) is not None
        assert b.announcer.progress[cid].sent_on == b._connection_of(a.node_id)

        # b goes away for long: c (a's other peer) hears that the channel is disabled, and
        # enabled again as soon as b is back
        c = make(tmp_path, "c", url)
        await c.start()
        await a.connect(c.node_id, "127.0.0.1", c.peers.listen_address[1])
        await wait_for(lambda: policy_seen(c, a, scid) is not None, what="a's update at c")
        assert not policy_seen(c, a, scid).disabled
        await a.disconnect(b.node_id)
        await wait_for(lambda: not driver.status().peer_connected, what="b away")
        a.announce_channels()
        assert cid in a.announcer.away_since  # the node hands the announcer its channels whose peer is away
        away = a._announceable(driver, usable=False)
        t0 = a.announcer.away_since[cid]
        assert a.announcer.peers_away([away], t0 + DISABLE_AFTER_SECONDS - 1) == []
        assert a.announcer.peers_away([away], t0 + DISABLE_AFTER_SECONDS) == [scid]
        assert a.announcer.peers_away([away], t0 + DISABLE_AFTER_SECONDS + 60) == []  # once
        await wait_for(lambda: policy_seen(c, a, scid).disabled, what="disabled at c")
        await a.connect(b.node_id, "127.0.0.1", b_port)
        await wait_for(lambda: not policy_seen(c, a, scid).disabled, what="enabled again at c, no block needed")
        assert a.announcer.away_since == {}
        for n in (c, a, b):
            await n.stop()

    asyncio.run(main())
