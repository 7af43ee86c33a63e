"""Mission control kept across restarts.

What payments taught the payer about channels' liquidity (`routing.learning`) is worth
keeping: a node that forgot it at each restart would first try again the channels that
just could not carry its amounts. It is a routing hint, not money, so it is not written
with every payment: the whole set is saved some time after something was learned
(`SAVE_AFTER_SECONDS`) and when the payer closes; a crash loses at most that much of it.
What has decayed to nothing is pruned before each save, so the set stays small.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

from amiko.routing.learning import MissionControl, MissionControlRows
from amiko.store.sqlite import Store, to_i64, to_u64

log = logging.getLogger("amiko.payments")

SAVE_AFTER_SECONDS = 60.0


def load_mission(store: Store) -> MissionControl:
    """The mission control saved in `store` (empty if none was)."""
    liquidity = [((to_u64(r["scid"]) << 1) | r["direction"], r["lo_msat"], r["lo_time"], r["hi_msat"], r["hi_time"])
                 for r in store.query("SELECT * FROM mission_liquidity")]
    bans = [(r["kind"], bytes(r["ident"]), r["until"]) for r in store.query("SELECT * FROM mission_bans")]
    return MissionControl.from_rows(MissionControlRows(liquidity, bans))


def save_mission(store: Store, mission: MissionControl, now: float) -> None:
    """Replace what `store` holds with `mission` (pruned first), in one transaction."""
    mission.prune(now)
    rows = mission.to_rows()
    with store.transaction():
        store.execute("DELETE FROM mission_liquidity")
        store.execute("DELETE FROM mission_bans")
        store.executemany("INSERT INTO mission_liquidity(scid, direction, lo_msat, lo_time, hi_msat, hi_time) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          [(to_i64(key >> 1), key & 1, lo, lo_time, hi, hi_time)
                           for key, lo, lo_time, hi, hi_time in rows.liquidity])
        store.executemany("INSERT INTO mission_bans(kind, ident, until) VALUES (?, ?, ?)", rows.bans)


class MissionKeeper:
    """Saves a mission control `save_after` seconds after it learned something (one save
    for all it learns meanwhile), and at `close`."""

    def __init__(self, store: Store, mission: MissionControl, save_after: float = SAVE_AFTER_SECONDS) -> None:
        self.store = store
        self.mission = mission
        self.save_after = save_after
        self._saved = mission.changes
        self._timer: asyncio.TimerHandle | None = None

    def learned(self) -> None:
        """The mission control may have learned something: save it in a while."""
        if self._timer is not None or self.mission.changes == self._saved:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop: saved at close
        self._timer = loop.call_later(self.save_after, self.save)

    def save(self) -> None:
        """Save now if anything changed since the last save (a database error is logged:
        the learning stays in memory, and the next save tries again)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        changes = self.mission.changes
        if changes == self._saved:
            return
        try:
            save_mission(self.store, self.mission, time.time())
        except sqlite3.Error as e:
            log.warning("cannot save what payments learned about channels: %s", e)
            return
        self._saved = changes

    def close(self) -> None:
        self.save()
