"""A payment across channel types: A --trust-- B --Lightning-- C --trust-- D, and back;
a failure at C rolls every hop back."""

from __future__ import annotations

import asyncio

import pytest

from amiko.payments.bolt11 import RouteHop, decode_invoice
from amiko.payments.switch import ForwardPolicy
from tests.test_trust_nodes import make, start, stop, wait_for

pytestmark = pytest.mark.slow


def hop(node, scid: int) -> RouteHop:
    p = ForwardPolicy()
    return RouteHop(node.node_id, scid, p.fee_base_msat, p.fee_proportional_millionths, p.cltv_expiry_delta)


def test_trust_lightning_trust_and_back(tmp_path):
    async def main():
        a, sa = make(tmp_path, "a")
        await start(a, sa)
        url = a.chain.devchain.url
        (b, sb), (c, sc), (d, sd) = (make(tmp_path, n, url) for n in "bcd")
        sb.accept_from(a.node_id, 50_000_000)
        sd.accept_from(c.node_id, 50_000_000)
        for n, s in ((b, sb), (c, sc), (d, sd)):
            await start(n, s)
        for x, y in ((a, b), (b, c), (c, d)):
            await x.connect(y.node_id, "127.0.0.1", y.peers.listen_address[1])
        ab = sa.open_trust(b.node_id, 40_000_000, 40_000_000)
        cd = sc.open_trust(d.node_id, 40_000_000, 40_000_000)
        await sa.wait_open(ab)
        await sc.wait_open(cd)
        await a.mine(101, b.wallet.new_address())
        await wait_for(lambda: b.wallet.balance().confirmed_sat > 0, what="B funded")
        bc = await b.open_channel(c.node_id, 1_000_000, push_msat=400_000_000, announce=False)
        await wait_for(lambda: bc.funding_broadcast, what="funding broadcast")
        await a.mine(6)
        await wait_for(lambda: bc.status().usable, timeout=30, what="B-C ready")
        await wait_for(lambda: c.channels.by_channel_id(bc.channel_id) is not None)
        cb = c.channels.by_channel_id(bc.channel_id)
        dc = d.channels.by_channel_id(cd.channel_id)
        ba = b.channels.by_channel_id(ab.channel_id)
        await wait_for(lambda: cb.status().usable and ab.status().usable and cd.status().usable, timeout=30)

        def balances():
            return [ab.status().local_msat, ba.status().local_msat, bc.status().local_msat,
                    cb.status().local_msat, cd.status().local_msat, dc.status().local_msat]

        start_balances = balances()
        scid_bc, scid_cd = bc.status().short_channel_id, cd.status().short_channel_id
        # A pays D: the invoice's hint is the path B -> C -> D
        inv = d.invoices.create(5_000_000, "a-to-d", route_hints=((hop(b, scid_bc), hop(c, scid_cd)),))
        r = await a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=30)
        assert r.status == "complete", r
        assert r.fee_msat > 0
        # and back: D pays A; the hint is C -> B -> A
        scid_ab = ab.status().short_channel_id
        inv2 = a.invoices.create(2_000_000, "d-to-a", route_hints=((hop(c, scid_bc), hop(b, scid_ab)),))
        r2 = await d.payer.pay_invoice(decode_invoice(inv2.bolt11), timeout=30)
        assert r2.status == "complete", r2
        await wait_for(lambda: all(ch.status().htlcs_in_flight == 0 for ch in (ab, ba, bc, cb, cd, dc)))
        after = balances()
        assert after[0] == start_balances[0] - 5_000_000 - r.fee_msat + 2_000_000
        assert after[5] == start_balances[5] + 5_000_000 - 2_000_000 - r2.fee_msat
        # every channel's two ends agree, and fees stayed with the forwarders
        assert sum(after) == sum(start_balances)

        # a failure at C: D went offline, so C cannot forward over its trust line
        before = balances()
        inv3 = d.invoices.create(1_000_000, "offline", route_hints=((hop(b, scid_bc), hop(c, scid_cd)),))
        await c.disconnect(d.node_id)
        await wait_for(lambda: not cd.status().peer_connected, what="C-D down")
        r3 = await a.payer.pay_invoice(decode_invoice(inv3.bolt11), timeout=30)
        assert r3.status == "failed"
        await wait_for(lambda: all(ch.status().htlcs_in_flight == 0 for ch in (ab, ba, bc, cb, cd, dc)))
        assert balances() == before  # rolled back on every hop
        assert d.invoices.by_hash(inv3.payment_hash).status == "unpaid"
        for n, s in ((d, sd), (c, sc), (b, sb), (a, sa)):
            await stop(n, s)

    asyncio.run(main())
