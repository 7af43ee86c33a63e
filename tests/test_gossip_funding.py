"""Funding checks against the dev chain (Bitcoin Core's engine behind the same JSON-RPC a
real bitcoind serves): a channel_announcement is taken only when its short_channel_id
points to an unspent P2WSH 2-of-2 of its bitcoin keys with enough confirmations; spending
the output later removes the channel."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

from amiko.bitcoin.networks import REGTEST
from amiko.bitcoin.script import p2wsh
from amiko.bitcoin.sighash import bip143_sighash
from amiko.bitcoin.tx import OutPoint, Transaction, TxIn, TxOut
from amiko.chain.bitcoind import BitcoindBackend
from amiko.chain.devchain.testing import TestKey, devchain_backend, spend_p2wpkh
from amiko.channels.bolt.scripts import funding_script
from amiko.link.core import Link
from amiko.link.features import Features
from amiko.routing.gossip.driver import GossipDriver
from amiko.routing.gossip.funding import FundingLookup
from amiko.routing.gossip.gossiper import GossipConfig, Gossiper
from amiko.routing.gossip.relay import RawMessage
from amiko.routing.gossip.synth import SynthChannel, SynthNode, secret_from
from amiko.routing.gossip.validation import Action
from amiko.routing.graph import Graph
from amiko.wire.messages import ChannelAnnouncement, WarningMsg
from amiko.wire.types import scid_from_parts

CHAIN = REGTEST.chain_hash
MINER = TestKey.from_seed("gossip funding miner")
A, B = SynthNode.make("fund a"), SynthNode.make("fund b")
PEER = SynthNode.make("fund peer").node_id


class FakeLink:
    """What the driver uses of a Link."""

    def __init__(self, remote_id: bytes) -> None:
        self.remote_id = remote_id
        self.remote_features = Features.of("gossip_queries")
        self.connected = True
        self.sent: list[Any] = []

    def send(self, msg: Any) -> bool:
        self.sent.append(msg)
        return True

    def disconnect(self, reason: str) -> None:
        self.connected = False

    def warnings(self) -> list[str]:
        out = [m.data.decode() for m in self.sent if isinstance(m, WarningMsg)]
        self.sent.clear()
        return out


class NoRpc:
    """The generic path: only the ChainSource methods (whole blocks)."""

    def __init__(self, backend: BitcoindBackend) -> None:
        self.b = backend

    async def get_block_at(self, height: int) -> Any:
        return await self.b.get_block_at(height)

    async def get_block_hash(self, height: int) -> bytes | None:
        return await self.b.get_block_hash(height)

    async def get_txout(self, outpoint: OutPoint, include_mempool: bool = True) -> Any:
        return await self.b.get_txout(outpoint, include_mempool)


def spend_2of2(ch: SynthChannel, prev: OutPoint, amount: int) -> Transaction:
    """Close: both funding keys sign (in the script's key order)."""
    script = funding_script(ch.announcement.bitcoin_key_1, ch.announcement.bitcoin_key_2)
    tx = Transaction(inputs=(TxIn(prev, b"", 0xFFFFFFFD),), outputs=(TxOut(amount - 1000, MINER.script_pubkey),))
    digest = bip143_sighash(tx, 0, script, amount)
    k1, k2 = TestKey(ch.funding_a), TestKey(ch.funding_b)
    if k2.pubkey < k1.pubkey:
        k1, k2 = k2, k1
    return tx.with_witness(0, (b"", k1.sign(digest), k2.sign(digest), script))


def test_funding_outputs_on_the_dev_chain(tmp_path: Path) -> None:
    async def main() -> None:
        async with devchain_backend(tmp_path / "chain") as (_served, backend):
            hashes = await backend.mine(101, MINER.address)
            cb = (await backend.get_block(hashes[0])).txs[0]
            height = 102  # the funding transaction will be the only one in block 102
            chans = {name: SynthChannel.make(CHAIN, scid_from_parts(height, 1, i), A, B, capacity_sat=cap)
                     for i, (name, cap) in enumerate(
                         [("good", 1_000_000), ("wrong_script", 700_000), ("spent", 600_000),
                          ("closes", 500_000), ("amount", 400_000)])}
            other_keys = p2wsh(funding_script(SynthNode.make("x").node_id, SynthNode.make("y").node_id))
            outs = [TxOut(ch.capacity_sat, other_keys if name == "wrong_script" else ch.script_pubkey)
                    for name, ch in chans.items()]
            total = sum(o.value for o in outs)
            outs.append(TxOut(cb.outputs[0].value - total - 5000, MINER.script_pubkey))
            funding = spend_p2wpkh(MINER, [(cb.outpoint(0), cb.outputs[0].value)], outs)
            await backend.broadcast(funding)
            [b102] = await backend.mine(1, MINER.address)
            assert (await backend.get_block(b102)).txs[1].txid == funding.txid
            # the "spent" channel's output is spent before anyone announces it
            spent = chans["spent"]
            await backend.broadcast(spend_2of2(spent, funding.outpoint(2), spent.capacity_sat))
            await backend.mine(5, MINER.address)  # 6 confirmations for the funding

            g = Gossiper(GossipConfig(CHAIN), Graph())
            link = FakeLink(PEER)
            driver = GossipDriver(g, chain=backend, port_of=lambda n: None)
            backend.subscribe(driver)
            driver.peer_connected(cast(Link, link))
            link.sent.clear()

            def verdict_of(before: dict[Action, int]) -> Action:
                changed = [a for a, n in g.funding_stats.items() if n != before.get(a, 0)]
                assert len(changed) == 1, (changed, g.funding_stats)
                return changed[0]

            async def check(ann: ChannelAnnouncement, *, funding_sat: int | None = None) -> Action:
                before = dict(g.funding_stats)
                if funding_sat is None:
                    assert g.handle(PEER, ann, 0).action is Action.PENDING
                else:
                    assert g.announce_own(ann, 0, funding_sat=funding_sat).action is Action.PENDING
                driver.run_outputs()
                await driver.resolve_pending()
                return verdict_of(before)

            # the good one is taken, with its capacity, verified
            assert await check(chans["good"].announcement) is Action.ACCEPTED
            info = g.graph.channel(chans["good"].scid)
            assert info is not None and info.capacity_sat == 1_000_000 and not info.unverified
            assert link.warnings() == []
            # wrong script: rejected, the peer is warned
            assert await check(chans["wrong_script"].announcement) is Action.REJECTED
            assert link.warnings() == ["gossip: funding output is not the 2-of-2 P2WSH of the bitcoin keys"]
            # already spent: ignored (an honest peer may still have it), no warning
            assert await check(spent.announcement) is Action.IGNORED
            assert link.warnings() == []
            # unknown scids: no such block, transaction or output
            for scid in (scid_from_parts(height, 9, 0), scid_from_parts(height, 1, 9), scid_from_parts(5000, 0, 0)):
                ghost = SynthChannel.make(CHAIN, scid, A, B)
                assert await check(ghost.announcement) is Action.REJECTED
                assert link.warnings() == ["gossip: no output at this short_channel_id"]
            # our own announcement whose output holds another amount than the channel's
            assert await check(chans["amount"].announcement, funding_sat=399_999) is Action.REJECTED
            assert chans["amount"].scid not in g.graph
            # not deep enough: a fresh funding with one confirmation is ignored, later taken
            cb2 = (await backend.get_block(hashes[1])).txs[0]
            young = SynthChannel.make(CHAIN, scid_from_parts(height + 6, 1, 0), A, B, capacity_sat=300_000)
            tx2 = spend_p2wpkh(MINER, [(cb2.outpoint(0), cb2.outputs[0].value)],
                               [TxOut(300_000, young.script_pubkey),
                                TxOut(cb2.outputs[0].value - 305_000, MINER.script_pubkey)])
            await backend.broadcast(tx2)
            await backend.mine(1, MINER.address)
            assert await check(young.announcement) is Action.IGNORED
            await backend.mine(5, MINER.address)
            assert await check(young.announcement) is Action.ACCEPTED

            # both lookup paths (txids over RPC, whole blocks) find the same facts
            scids = [ch.scid for ch in chans.values()] + [young.scid, scid_from_parts(height, 9, 0)]
            fast = await FundingLookup(backend).lookup(scids)
            slow = await FundingLookup(NoRpc(backend)).lookup(scids)
            assert [(f.found, f.txid, f.value_sat, f.script_pubkey, f.unspent) for f in fast] == [
                (f.found, f.txid, f.value_sat, f.script_pubkey, f.unspent) for f in slow]

            # a channel closes: its funding output is spent in a block
            closes = chans["closes"]
            assert await check(closes.announcement) is Action.ACCEPTED
            assert g.handle(PEER, closes.update(A, 1_700_000_000), 1_700_000_000).accepted
            await backend.broadcast(spend_2of2(closes, funding.outpoint(3), closes.capacity_sat))
            await backend.mine(1, MINER.address)
            assert g.chans[closes.scid].spent_height is not None
            assert closes.scid not in g.public_scids()
            # BOLT #7: forgotten after 72 blocks (a splice's new announcement may come meanwhile)
            await backend.mine(71, MINER.address)
            assert closes.scid in g.graph
            await backend.mine(1, MINER.address)
            assert closes.scid not in g.graph
            assert chans["good"].scid in g.graph and young.scid in g.graph
            # the node announcement of a node that still has channels is fine
            assert g.handle(PEER, A.node_announcement(1_700_000_000, "a"), 1_700_000_000).accepted
            assert all(not isinstance(m, RawMessage) for m in link.sent)  # nothing relayed: no filter
            backend.unsubscribe(driver)

    asyncio.run(main())


def test_secret_helper_is_stable() -> None:
    assert secret_from("x") == secret_from(b"x") != secret_from("y")
