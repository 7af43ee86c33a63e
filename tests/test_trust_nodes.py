"""Trust channels between real nodes over TCP (BOLT 8), on one dev chain: open a trust line,
lock and settle both ways with a test harness, restart a node with locks in flight,
reestablish, go on; pay invoices through the node's own switch (directly, and forwarded
over two trust lines); close with an on-chain settlement."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
from dataclasses import dataclass, field

import pytest

from amiko.channels.interface import (
    ONION_PACKET_SIZE,
    Channel,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    Offered,
    Refused,
)
from amiko.channels.manager import status_json
from amiko.channels.trust.data import Phase
from amiko.channels.trust.service import TrustError, TrustService, attach_trust
from amiko.channels.trust.state import verify_trust_proof
from amiko.node import Node, NodeConfig
from amiko.payments.bolt11 import decode_invoice
from amiko.rpc import methods
from amiko.rpc.server import RpcServer
from amiko.rpc.trust_methods import register
from amiko.wire.types import scid_to_str

pytestmark = pytest.mark.slow


async def wait_for(cond, timeout=20.0, what="condition"):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not cond():
        if loop.time() > deadline:
            raise AssertionError(f"{what} not reached in {timeout} s")
        await asyncio.sleep(0.02)


@dataclass
class Harness:
    """Our own listener: settles even amounts with the preimage, fails odd ones, unless
    `hold` (then it only records)."""

    preimages: dict[bytes, bytes]
    hold: bool = False
    incoming: dict[int, IncomingHtlc] = field(default_factory=dict)
    settled: dict[int, bytes] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)
    channel: Channel | None = None

    def decide(self, channel: Channel, htlc: IncomingHtlc) -> None:
        if htlc.amount_msat % 2 == 0:
            channel.settle_htlc(htlc.htlc_id, self.preimages[htlc.payment_hash])
        else:
            channel.fail_htlc(htlc.htlc_id, FailureReason(onion=b"\x22" * 292))

    def htlc_incoming(self, channel: Channel, htlc: IncomingHtlc) -> None:
        self.incoming[htlc.htlc_id] = htlc
        self.channel = channel
        if not self.hold:
            self.decide(channel, htlc)

    def htlc_settled(self, channel: Channel, htlc_id: int, preimage: bytes) -> None:
        assert htlc_id not in self.failed
        assert self.settled.setdefault(htlc_id, preimage) == preimage

    def htlc_failed(self, channel: Channel, htlc_id: int, reason: FailureReason) -> None:
        assert htlc_id not in self.settled
        self.failed.add(htlc_id)

    def channel_changed(self, channel: Channel) -> None:
        pass


def make(tmp_path, name: str, url: str | None = None, port: int = 0) -> tuple[Node, TrustService]:
    node = Node(NodeConfig(datadir=str(tmp_path / name), listen=("127.0.0.1", port), bitcoind=url,
                           poll_interval=0.05, reconnect_initial=0.1, reconnect_max=0.5))
    # the node may build its trust type itself (node.trust); otherwise attach it here
    service = getattr(node, "trust", None) or attach_trust(node)
    return node, service


# A node without the trust channel type (NodeConfig.trust=False once the node builds it).
NO_TRUST = {"trust": False} if "trust" in getattr(NodeConfig, "__dataclass_fields__", {}) else {}


async def start(node: Node, svc: TrustService) -> None:
    await node.start()
    svc.start()


async def stop(node: Node, svc: TrustService) -> None:
    await svc.stop()
    await node.stop()


def offer(driver, preimages: dict[bytes, bytes], amount: int, height: int) -> int:
    preimage = os.urandom(32)
    h = hashlib.sha256(preimage).digest()
    preimages[h] = preimage
    result = driver.offer_htlc(HtlcOffer(amount, h, height + 100, bytes(ONION_PACKET_SIZE)))
    assert isinstance(result, Offered), result
    return result.htlc_id


def test_trust_line_over_tcp_with_restart_and_settlement(tmp_path):
    async def main():
        a, sa = make(tmp_path, "a")
        await start(a, sa)
        url = a.chain.devchain.url
        b, sb = make(tmp_path, "b", url)
        sb.accept_from(a.node_id, 5_000_000)
        await start(b, sb)
        port_b = b.peers.listen_address[1]
        rec = await a.connect(b.node_id, "127.0.0.1", port_b)
        assert "amiko_trust_channel" in rec.negotiated.names()

        da = sa.open_trust(b.node_id, 8_000_000, 6_000_000)
        await sa.wait_open(da)
        db = sb.find(da.channel_id)
        await wait_for(lambda: da.status().usable and db.status().usable, what="usable")
        assert db.status_extra()["limit_msat"] == 5_000_000  # B grants min(6 000 000, 5 000 000)
        assert a.channels.by_short_channel_id(da.status().short_channel_id) is da
        assert b.channels.by_short_channel_id(da.status().short_channel_id) is db

        preimages: dict[bytes, bytes] = {}
        ha, hb = Harness(preimages), Harness(preimages)
        sa.ctx.listener, sb.ctx.listener = ha, hb
        rng = random.Random(7)
        height = a._height()
        sent_a, sent_b = {}, {}
        for _ in range(60):
            amount = rng.randrange(1, 150_000)
            if rng.random() < 0.5:
                sent_a[offer(da, preimages, amount, height)] = amount
            else:
                sent_b[offer(db, preimages, amount, height)] = amount
            if rng.random() < 0.3:
                await asyncio.sleep(0)
        await wait_for(lambda: len(ha.settled) + len(ha.failed) == len(sent_a)
                       and len(hb.settled) + len(hb.failed) == len(sent_b), what="all resolved")

        def expected_a() -> int:
            return (sum(sent_b[i] for i in hb.settled) - sum(sent_a[i] for i in ha.settled))

        await wait_for(lambda: da.status().local_msat == expected_a() == -db.status().local_msat,
                       what="balances agree")
        assert set(ha.settled) == {i for i, amt in sent_a.items() if amt % 2 == 0}

        # locks in flight while B restarts: B's harness holds them
        hb.hold = True
        held = [offer(da, preimages, 2 * rng.randrange(1, 10_000), height) for _ in range(5)]
        await wait_for(lambda: all(i in hb.incoming for i in held), what="held locks arrive")
        for i in held:
            sent_a[i] = hb.incoming[i].amount_msat
        number_before = da.core.current.state.number
        await stop(b, sb)
        await wait_for(lambda: not da.status().peer_connected, what="A sees B gone")

        b, sb = make(tmp_path, "b", url, port_b)
        sb.accept_from(a.node_id, 5_000_000)
        hb2 = Harness(preimages, hold=True)
        sb.ctx.listener = hb2
        b._resume_payments = lambda: None  # our harness, not the switch, decides about them
        await start(b, sb)
        db = sb.find(da.channel_id)
        assert db.core.current.state.number == number_before
        assert {h.htlc_id for h in db.pending_incoming()} == set(held)
        await wait_for(lambda: da.status().usable and db.status().usable, timeout=20, what="reestablished")
        for h in db.pending_incoming():  # B's switch decides again after the restart
            hb2.decide(db, h)
        hb2.hold = False
        for _ in range(10):  # and the line goes on, both ways
            amount = rng.randrange(1, 100_000)
            sent_b[offer(db, preimages, amount, a._height())] = amount
            amount = rng.randrange(1, 100_000)
            sent_a[offer(da, preimages, amount, a._height())] = amount
        await wait_for(lambda: len(ha.settled) + len(ha.failed) == len(sent_a)
                       and len(hb.settled) + len(hb.failed) + len(hb2.settled) + len(hb2.failed) == len(sent_b),
                       what="all resolved after the restart")
        assert all(i in ha.settled for i in held)
        b_settled = set(hb.settled) | set(hb2.settled)
        expected = sum(sent_b[i] for i in b_settled) - sum(sent_a[i] for i in ha.settled)
        await wait_for(lambda: da.status().local_msat == expected == -db.status().local_msat,
                       what="balances agree after the restart")
        assert not da.core.current.state.htlcs
        assert da.core.current == db.core.current and da.core.current.verify()

        # proofs: both sides show the same co-signed state, a third party checks it
        pa, pb = sa.trust_proof(da.channel_id.hex()), sb.trust_proof(a.node_id.hex())
        assert pa["verified"] and pb["verified"] and pa["proof"] == pb["proof"]
        assert verify_trust_proof(pa["proof"])

        # RPC methods
        server = RpcServer("t")
        register(server, a)
        res = await server.call({"method": "trustproof", "params": [da.channel_id.hex()], "id": 1})
        assert res["result"]["verified"]
        res = await server.call({"method": "verifytrustproof", "params": [pa["proof"]], "id": 2})
        assert res["result"]["valid"]
        res = await server.call({"method": "opentrust", "params": ["02" + "11" * 32, "1"], "id": 3})
        assert res["error"]["code"] == 100  # not connected
        res = await server.call({"method": "opentrust", "params": ["zz", 1.5], "id": 4})
        assert res["error"]["code"] == -32602

        # settle: whoever owes pays on chain; the channel closes when it confirms
        debtor, creditor = (a, b) if da.status().local_msat < 0 else (b, a)
        sd, sc = (sa, sb) if debtor is a else (sb, sa)
        owed = abs(da.status().local_msat)
        await a.mine(101, debtor.wallet.new_address())
        await wait_for(lambda: debtor.wallet.balance().confirmed_sat > 0, what="debtor funded")
        creditor_before = creditor.wallet.balance().total_sat
        result = await sd.close_trust(da.channel_id.hex(), settle=True)
        assert result["trust_phase"] == "final"
        dd, dc = sd.find(da.channel_id), sc.find(da.channel_id)
        await wait_for(lambda: dd.core.data.settlement is not None and dd.core.data.settlement.txid,
                       what="settlement paid")
        await a.mine(1)
        await wait_for(lambda: dd.phase is Phase.CLOSED and dc.phase is Phase.CLOSED, timeout=30,
                       what="closed after confirmation")
        await wait_for(lambda: creditor.wallet.balance().total_sat - creditor_before == (owed + 999) // 1000,
                       what="creditor paid")
        assert dd.core.current.state.final and verify_trust_proof(sd.trust_proof(dd)["proof"])
        with pytest.raises(TrustError):
            await sd.close_trust(dd)
        await stop(b, sb)
        await stop(a, sa)

    asyncio.run(main())


def test_payments_through_the_switch_direct_and_forwarded(tmp_path):
    """Invoices paid with the node's payer, switch and payee: A to B over their trust line,
    and A to C forwarded by B from one trust line to another (C's invoice carries the
    route hint of its trust line)."""

    async def main():
        a, sa = make(tmp_path, "a")
        await start(a, sa)
        url = a.chain.devchain.url
        b, sb = make(tmp_path, "b", url)
        c, sc = make(tmp_path, "c", url)
        sb.accept_from(a.node_id, 50_000_000)
        sc.accept_from(b.node_id, 50_000_000)
        await start(b, sb)
        await start(c, sc)
        await a.connect(b.node_id, "127.0.0.1", b.peers.listen_address[1])
        await b.connect(c.node_id, "127.0.0.1", c.peers.listen_address[1])
        ab = sa.open_trust(b.node_id, 40_000_000, 40_000_000)
        bc = sb.open_trust(c.node_id, 40_000_000, 40_000_000)
        await sa.wait_open(ab)
        await sb.wait_open(bc)
        await a.mine(3)  # the payer needs a known chain tip for deadlines
        await wait_for(lambda: min(n._height() for n in (a, b, c)) >= 3, what="heights known")
        ba, cb = sb.find(ab.channel_id), sc.find(bc.channel_id)
        await wait_for(lambda: all(d.status().usable for d in (ab, bc, ba, cb)), what="usable")

        inv = b.invoices.create(1_234_000, "ab")
        r = await a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=20)
        assert r.status == "complete", r
        await wait_for(lambda: ba.status().local_msat == 1_234_000, what="B paid")
        inv = a.invoices.create(234_000, "ba")
        r = await b.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=20)
        assert r.status == "complete", r

        hints = sc.route_hints(2_000_000)
        assert hints and hints[0][0].pubkey == b.node_id
        inv = c.invoices.create(2_000_000, "ac", route_hints=hints)
        r = await a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=20)
        assert r.status == "complete", r
        await wait_for(lambda: cb.status().local_msat == 2_000_000, what="C paid")
        fee = r.fee_msat
        assert fee > 0
        await wait_for(lambda: ab.status().local_msat == -1_234_000 + 234_000 - 2_000_000 - fee,
                       what="A's balance")
        assert c.invoices.by_label("ac").status == "paid"
        # the preimage went on upstream before B and C signed the lock's removal
        await wait_for(lambda: bc.status().htlcs_in_flight == 0, what="B and C done with the lock")

        # listchannels as the RPC shows it, then closing over RPC, keeping the final state
        row = status_json(bc.status()) | bc.status_extra()
        assert row["type"] == "trust" and row["limit_msat"] == 40_000_000
        assert row["short_channel_id"] == scid_to_str(bc.core.short_channel_id)
        assert sb.find(row["short_channel_id"]) is bc
        full = RpcServer("t")
        methods.register(full, b, asyncio.Event())
        res = await full.call({"method": "closechannel", "params": [bc.channel_id.hex()], "id": 0})
        assert "closetrust" in res["error"]["message"] and bc.status().usable, res  # refused, nothing done
        server = RpcServer("t")
        register(server, sb)
        res = await server.call({"method": "closetrust", "params": {"channel": bc.channel_id.hex(), "keep": True},
                                 "id": 1})
        assert res["result"]["trust_phase"] in ("final", "closed"), res
        await wait_for(lambda: bc.phase is Phase.CLOSED and cb.phase is Phase.FINAL, what="B closed")
        assert cb.core.data.settlement is not None and cb.core.data.settlement.creditor
        await sc.close_trust(cb, keep=True)
        await wait_for(lambda: cb.phase is Phase.CLOSED, what="C closed")
        res = await server.call({"method": "closetrust", "params": [bc.channel_id.hex()], "id": 2})
        assert res["error"]["code"] == 400
        assert not bc.status().usable and isinstance(bc.offer_htlc(
            HtlcOffer(1, bytes(32), 10_000, bytes(ONION_PACKET_SIZE))), Refused)
        for node, svc in ((c, sc), (b, sb), (a, sa)):
            await stop(node, svc)

    asyncio.run(main())


def test_peer_without_the_feature_gets_nothing(tmp_path):
    async def main():
        a, sa = make(tmp_path, "a")
        await start(a, sa)
        plain = Node(NodeConfig(datadir=str(tmp_path / "p"), listen=("127.0.0.1", 0),
                                bitcoind=a.chain.devchain.url, poll_interval=0.05, **NO_TRUST))
        await plain.start()
        rec = await a.connect(plain.node_id, "127.0.0.1", plain.peers.listen_address[1])
        assert "amiko_trust_channel" not in rec.negotiated.names()
        with pytest.raises(ConnectionError):
            sa.open_trust(plain.node_id, 1000)
        # the default policy refuses trust lines
        b, sb = make(tmp_path, "b", a.chain.devchain.url)
        await start(b, sb)
        await a.connect(b.node_id, "127.0.0.1", b.peers.listen_address[1])
        d = sa.open_trust(b.node_id, 1000)
        with pytest.raises(TrustError):
            await sa.wait_open(d)
        assert d.phase is Phase.REFUSED and not sb.drivers()
        await plain.stop()
        await stop(b, sb)
        await stop(a, sa)

    asyncio.run(main())


def test_forwarding_between_trust_and_lightning_channels(tmp_path):
    """A --trust-- B --Lightning-- C: A pays C (B forwards from the trust line onto the
    Lightning channel) and C pays A (B forwards from the Lightning channel onto the trust
    line; A's invoice carries the trust line's route hint)."""

    async def main():
        a, sa = make(tmp_path, "a")
        await start(a, sa)
        url = a.chain.devchain.url
        b, sb = make(tmp_path, "b", url)
        c, sc = make(tmp_path, "c", url)
        sb.accept_from(a.node_id, 50_000_000)
        await start(b, sb)
        await start(c, sc)
        await a.connect(b.node_id, "127.0.0.1", b.peers.listen_address[1])
        await b.connect(c.node_id, "127.0.0.1", c.peers.listen_address[1])
        ab = sa.open_trust(b.node_id, 40_000_000, 40_000_000)
        await sa.wait_open(ab)
        await a.mine(101, b.wallet.new_address())
        await wait_for(lambda: b.wallet.balance().confirmed_sat > 0, what="B funded")
        bolt = await b.open_channel(c.node_id, 1_000_000, push_msat=300_000_000, announce=False)
        await wait_for(lambda: bolt.funding_broadcast, what="funding broadcast")
        await a.mine(6)
        await wait_for(lambda: bolt.status().usable, timeout=30, what="Lightning channel ready at B")
        cb = c.channels.by_channel_id(bolt.channel_id)
        await wait_for(lambda: cb is not None or c.channels.by_channel_id(bolt.channel_id) is not None)
        cb = c.channels.by_channel_id(bolt.channel_id)
        await wait_for(lambda: cb.status().usable and ab.status().usable, timeout=30, what="usable")

        from amiko.payments.bolt11 import RouteHop
        from amiko.payments.switch import ForwardPolicy

        scid_bc = bolt.status().short_channel_id
        pol = ForwardPolicy()
        hint_bc = ((RouteHop(b.node_id, scid_bc, pol.fee_base_msat, pol.fee_proportional_millionths,
                             pol.cltv_expiry_delta),),)
        inv = c.invoices.create(3_000_000, "a-to-c", route_hints=hint_bc)
        r = await a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=30)
        assert r.status == "complete", r
        inv = a.invoices.create(1_000_000, "c-to-a", route_hints=sa.route_hints(1_000_000))
        r2 = await c.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=30)
        assert r2.status == "complete", r2
        await wait_for(lambda: ab.status().local_msat == -3_000_000 - r.fee_msat + 1_000_000,
                       what="trust balance")
        for node, svc in ((c, sc), (b, sb), (a, sa)):
            await stop(node, svc)

    asyncio.run(main())
