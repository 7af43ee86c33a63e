"""One link between two nodes carrying a Lightning channel and a trust channel at once: a
payment too large for either alone is split over both, and both carry their part."""

from __future__ import annotations

import asyncio

import pytest

from amiko.payments.bolt11 import decode_invoice
from tests.test_trust_nodes import make, start, stop, wait_for

pytestmark = pytest.mark.slow


def test_lightning_and_trust_on_one_link(tmp_path):
    async def main():
        a, sa = make(tmp_path, "a")
        await start(a, sa)
        b, sb = make(tmp_path, "b", a.chain.devchain.url)
        sb.accept_from(a.node_id, 300_000_000)
        await start(b, sb)
        await a.connect(b.node_id, "127.0.0.1", b.peers.listen_address[1])
        await a.mine(101)
        ln = await a.open_channel(b.node_id, 500_000, announce=False)
        await wait_for(lambda: ln.funding_broadcast, what="funding broadcast")
        await a.mine(6)
        trust = sa.open_trust(b.node_id, 300_000_000, 300_000_000)
        await sa.wait_open(trust)
        await wait_for(lambda: ln.status().usable and trust.status().usable, timeout=30, what="both usable")
        # both channels live on the same peer record, so on the one link to B
        rec = a.peers.peers[b.node_id]
        assert {ln.channel_id, trust.channel_id} <= set(rec.channels)
        ln_before, trust_before = ln.status().local_msat, trust.status().local_msat
        amount = ln.status().can_send_msat + 100_000_000  # more than the Lightning channel can carry
        inv = b.invoices.create(amount, "split")
        r = await a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=60)
        assert r.status == "complete", r
        assert r.parts >= 2
        await wait_for(lambda: ln.status().htlcs_in_flight == 0 and trust.status().htlcs_in_flight == 0)
        moved_ln = ln_before - ln.status().local_msat
        moved_trust = trust_before - trust.status().local_msat
        assert moved_ln > 0 and moved_trust > 0
        assert moved_ln + moved_trust == amount  # direct: no fees
        assert b.invoices.by_hash(inv.payment_hash).received_msat == amount
        await stop(b, sb)
        await stop(a, sa)

    asyncio.run(main())
