"""The payer's helper process: invoices decoded and onion sessions drawn on another core,
exactly as the node would itself, and the node doing the work itself whenever the helper
is not there (not started, or gone)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from amiko.bitcoin.networks import BITCOIN, REGTEST
from amiko.crypto.keys import pubkey_of
from amiko.payments.bolt11 import InvoiceError, decode_invoice, encode_invoice
from amiko.payments.helper import HelperGone, PaymentHelper
from amiko.payments.onion import OnionSession, prepare_session
from tests.payment_network import Network


def invoice(amount_msat: int = 1_000_000) -> str:
    return encode_invoice(network=REGTEST, amount_msat=amount_msat, timestamp=int(time.time()),
                          payment_hash=os.urandom(32), payment_secret=os.urandom(32), node_secret=os.urandom(32),
                          description="helper", expiry=3600, min_final_cltv_expiry_delta=18)


async def started(helper: PaymentHelper) -> PaymentHelper:
    helper.start()
    for _ in range(1000):
        if helper.ready:
            return helper
        await asyncio.sleep(0.01)
    raise AssertionError("the helper did not start")


def test_the_helper_decodes_as_the_node_does() -> None:
    async def main() -> None:
        helper = await started(PaymentHelper(lambda *_: None))
        texts = [invoice(1000 * (i + 1)) for i in range(20)]
        decoded = []
        for t in texts:  # one at a time: each to the helper
            fut = helper.decode(t)
            assert fut is not None
            decoded.append(await fut)
        assert decoded == [decode_invoice(t) for t in texts]
        assert helper.drained() is None  # nothing waiting
        # A burst is shared: every other invoice is left to the caller, who then waits
        # for the helper's share.
        burst = [helper.decode(t) for t in texts]
        assert [f is None for f in burst] == [False, True] * 10
        drained = helper.drained()
        assert drained is not None and not drained.done()
        await drained
        assert all(f.result() == decode_invoice(t) for f, t in zip(burst, texts, strict=True) if f is not None)
        assert helper.drained() is None
        again = helper.decode(texts[0])  # the next burst starts with the helper again
        assert again is not None and await again == decoded[0]
        bad = texts[0][:-1] + ("q" if texts[0][-1] != "q" else "p")
        with pytest.raises(InvoiceError) as inline:
            decode_invoice(bad)
        fut = helper.decode(bad)
        assert fut is not None
        with pytest.raises(InvoiceError) as by_helper:
            await fut
        assert str(by_helper.value) == str(inline.value)
        pid = helper.pid
        await helper.close()
        assert not helper.ready and helper.decode(texts[0]) is None
        assert pid is not None and _exited(pid)
    asyncio.run(main())


def test_the_helper_draws_sessions_for_a_path() -> None:
    async def main() -> None:
        got: list[tuple[tuple[bytes, ...], int, list[OnionSession]]] = []
        helper = await started(PaymentHelper(lambda hop, settled, batch: got.append((hop, settled, batch))))
        hop = (pubkey_of(os.urandom(32)), pubkey_of(os.urandom(32)))
        assert helper.want_sessions(hop, 40)
        not_a_key = (hop[0], b"\x02" + b"\x11" * 32)
        assert helper.want_sessions(not_a_key, 5)
        while sum(s for _, s, _ in got) < 45:
            await asyncio.sleep(0.01)
        for_hop = [b for h, _, b in got if h == hop]
        assert [len(b) for b in for_hop] == [32, 8]  # in batches, the first at once
        sessions = [s for b in for_hop for s in b]
        assert len({s.key for s in sessions}) == 40
        for s in sessions:
            assert s == prepare_session(s.key, path=hop)
        assert [(s, len(b)) for h, s, b in got if h == not_a_key] == [(5, 0)]  # answered, none
        await helper.close()
    asyncio.run(main())


def test_a_helper_not_started_or_gone_hands_the_work_back() -> None:
    async def main() -> None:
        helper = PaymentHelper(lambda *_: None)
        assert helper.decode(invoice()) is None and not helper.want_sessions((), 1)  # not started
        await started(helper)
        text = invoice()
        fut = helper.decode(text)
        assert fut is not None
        os.kill(helper.pid or 0, signal.SIGKILL)  # gone before it answers
        with pytest.raises(HelperGone):
            await fut
        assert not helper.ready and helper.decode(text) is None
        helper.start()  # not again: the node goes on without it
        assert not helper.ready
        await helper.close()
    asyncio.run(main())


def test_a_busy_payer_pays_with_its_helper(tmp_path) -> None:
    """Enough payments at once start the helper; the invoices it decodes and the sessions it
    draws pay exactly as the payer's own, and its death changes nothing but who does the
    work."""
    async def main() -> None:
        net = Network(tmp_path)
        net.connect("A", "B", 10_000_000_000, 10_000_000_000)
        a, b = net.nodes["A"], net.nodes["B"]
        a.payer.helper_from_payments = 4
        served: set[bytes] = set()  # keys of the sessions the helper drew
        add = a.payer.helper.on_sessions
        a.payer.helper.on_sessions = lambda hop, settled, batch: (served.update(s.key for s in batch),
                                                                  add(hop, settled, batch))
        taken: list[bytes] = []  # keys of the sessions payments took
        take = a.payer.sessions.take
        a.payer.sessions.take = lambda path=(): (s := take(path), taken.append(s.key))[0]
        before = net.total()

        async def pay(i: int) -> str:
            bolt11 = b.invoices.create(1_000_000 + i, f"h{i}").bolt11
            inv = await a.payer.decode(bolt11, expected_network=REGTEST)
            return (await a.payer.pay_invoice(inv, timeout=10)).status

        assert await asyncio.gather(*[pay(i) for i in range(8)]) == ["complete"] * 8
        await started(a.payer.helper)
        assert await asyncio.gather(*[pay(i) for i in range(8, 40)]) == ["complete"] * 32
        for _ in range(1000):  # the helper was asked for sessions; they arrive meanwhile
            if served:
                break
            await asyncio.sleep(0.01)
        assert await asyncio.gather(*[pay(i) for i in range(40, 60)]) == ["complete"] * 20
        assert served & set(taken[40:])  # payments took sessions the helper drew
        with pytest.raises(InvoiceError, match="not bitcoin"):  # the network is still checked
            await a.payer.decode(b.invoices.create(5, "n").bolt11, expected_network=BITCOIN)
        os.kill(a.payer.helper.pid or 0, signal.SIGKILL)
        assert await asyncio.gather(*[pay(i) for i in range(60, 80)]) == ["complete"] * 20
        assert not a.payer.helper.ready
        await a.payer.close()
        assert net.total() == before and net.in_flight() == 0
        assert b.balance() - 10_000_000_000 == sum(1_000_000 + i for i in range(80))
    asyncio.run(main())


def _exited(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
