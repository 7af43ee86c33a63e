"""What payments learned about channels' liquidity survives a restart: saved a while after
it was learned and when the payer closes, loaded when a payer starts."""

from __future__ import annotations

import asyncio
import logging
import time

from amiko.payments.bolt11 import decode_invoice
from amiko.payments.mission_store import MissionKeeper, load_mission, save_mission
from amiko.payments.payer import Payer
from amiko.routing.graph import Policy, direction_of, edge_key
from amiko.routing.learning import MissionControl
from amiko.store.sqlite import Store
from tests.payment_network import HEIGHT, Network

NODE = bytes.fromhex("02" + "11" * 32)
BIG_SCID = (1 << 64) - 5  # a u64 above SQLite's signed range


def learned(now: float = 1_000.0) -> MissionControl:
    mc = MissionControl()
    mc.channel_failure(7, 0, 5_000, now)
    mc.channel_success(7, 0, 1_000, now + 1)
    mc.channel_success(BIG_SCID, 1, 42_000, now + 2)
    mc.penalize_channel(9, 1, now)
    mc.penalize_node(NODE, now)
    return mc


def test_saved_and_loaded_as_it_was(tmp_path):
    store = Store(str(tmp_path / "s.sqlite"))
    assert load_mission(store).to_rows().liquidity == []
    mc = learned()
    save_mission(store, mc, 1_010.0)
    store.close()
    back = load_mission(Store(str(tmp_path / "s.sqlite")))
    assert back.to_rows() == mc.to_rows()
    assert back.view(1_020.0) == mc.view(1_020.0)
    assert back.view(1_002.0).bounds[edge_key(BIG_SCID, 1)][0] == 42_000  # (as learned, not decayed yet)
    assert back.view(1_020.0).banned_nodes == {NODE}


def test_a_save_replaces_the_last_and_leaves_out_what_has_decayed(tmp_path):
    store = Store(str(tmp_path / "s.sqlite"))
    save_mission(store, learned(), 1_010.0)
    mc = MissionControl(half_life_seconds=10.0)
    mc.channel_success(3, 1, 9_000, 0.0)  # decays to nothing long before it is saved
    mc.channel_failure(4, 0, 9_000, 100_000.0)
    save_mission(store, mc, 100_000.0)
    rows = load_mission(store).to_rows()
    assert [r[0] for r in rows.liquidity] == [edge_key(4, 0)] and rows.bans == []


def test_the_keeper_saves_once_a_while_after_learning_and_at_close(tmp_path):
    async def main():
        store = Store(str(tmp_path / "s.sqlite"))
        mc = MissionControl()
        now = time.time()  # (a save leaves out what has decayed by then)
        keeper = MissionKeeper(store, mc, save_after=0.05)
        keeper.learned()  # nothing learned yet: nothing to save
        assert keeper._timer is None
        mc.channel_failure(7, 0, 5_000, now)
        keeper.learned()
        mc.channel_failure(8, 1, 5_000, now)
        keeper.learned()  # one save for both
        assert load_mission(store).to_rows().liquidity == []
        await asyncio.sleep(0.15)
        assert len(load_mission(store).to_rows().liquidity) == 2
        mc.channel_success(9, 0, 5_000, now)
        keeper.learned()
        keeper.close()  # at once, without waiting for the timer
        assert keeper._timer is None
        assert len(load_mission(store).to_rows().liquidity) == 3

    asyncio.run(main())


def test_a_database_error_is_logged_and_the_learning_kept(tmp_path, caplog):
    store = Store(str(tmp_path / "s.sqlite"))
    mc = MissionControl()
    now = time.time()
    keeper = MissionKeeper(store, mc)
    mc.channel_failure(7, 0, 5_000, now)
    store.close()
    with caplog.at_level(logging.WARNING, logger="amiko.payments"):
        keeper.close()
    assert "cannot save what payments learned" in caplog.text
    assert mc.to_rows().liquidity  # still known in memory
    again = Store(str(tmp_path / "s.sqlite"))
    keeper.store = again  # (the database is back)
    keeper.close()  # the next save writes what the failed one could not
    assert len(load_mission(again).to_rows().liquidity) == 1


def teaching_diamond(tmp_path):
    """A pays D over B or C. The graph makes the way over B cheaper, but B can forward
    only 300M to D; C can forward 2B, for a much higher fee."""
    net = Network(tmp_path)
    net.connect("A", "B", 1_000_000_000, 1_000_000_000)
    net.connect("A", "C", 1_000_000_000, 1_000_000_000)
    net.connect("B", "D", 300_000_000, 1_000_000_000)
    c_d = net.connect("C", "D", 2_000_000_000, 1_000_000_000)[0]
    c, d = net.nodes["C"].node_id, net.nodes["D"].node_id
    p = net.policy
    net.graph.update_policy(c_d.scid, direction_of(c, d), Policy(
        p.fee_base_msat + 1_000_000, p.fee_proportional_millionths, p.cltv_expiry_delta, 1, 3_000_000_000, False, 2))
    return net


async def failed_parts(net, amount: int, label: str) -> int:
    """A pays D `amount`; how many of the payment's parts failed on the way."""
    a = net.nodes["A"]
    inv = net.nodes["D"].invoices.create(amount, label)
    result = await a.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=5)
    assert result.status == "complete"
    rows = a.store.query("SELECT count(*) AS n FROM payment_parts WHERE payment_hash=? AND status='failed'",
                         (inv.payment_hash,))
    return int(rows[0]["n"])


def test_a_restarted_payer_routes_with_what_it_learned(tmp_path):
    async def main():
        net = teaching_diamond(tmp_path)
        # the first 400M tries B first, learns that it cannot carry that much, pays over C
        assert await failed_parts(net, 400_000_000, "learn") >= 1
        a = net.nodes["A"]
        await a.payer.close()
        # A restarts: a new payer over the same database
        a.payer = Payer(a.node_id, a.store, net.graph, lambda: a.channels, lambda: HEIGHT)
        a.switch.payer = a.payer
        assert a.payer.mission.to_rows() == load_mission(a.store).to_rows() != MissionControl().to_rows()
        # the next 400M goes over C at once
        assert await failed_parts(net, 400_000_000, "after restart") == 0

    asyncio.run(main())


def test_a_payer_that_forgot_tries_the_cheaper_way_again(tmp_path):
    """The counterpart of the test above (which it tells apart from a payer that learned
    nothing): forgotten, the lesson is learned again."""
    async def main():
        net = teaching_diamond(tmp_path)
        assert await failed_parts(net, 400_000_000, "learn") >= 1
        a = net.nodes["A"]
        a.payer.reset_mission()
        assert load_mission(a.store).to_rows() == MissionControl().to_rows()
        assert await failed_parts(net, 400_000_000, "forgot") >= 1
        assert await failed_parts(net, 400_000_000, "learned again") == 0

    asyncio.run(main())
