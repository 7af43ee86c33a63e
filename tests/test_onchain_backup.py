"""Static channel backups: the file, and a restore on a fresh data directory that gets the
funds of every channel back when the peer cooperates (it closes when asked)."""

from __future__ import annotations

import asyncio
import os
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.onchain.backup import (
    BackupEntry,
    BackupError,
    backup_key,
    decrypt_backup,
    encrypt_backup,
)
from amiko.channels.interface import ChannelState
from amiko.node import Node, NodeConfig
from tests.async_wait import wait_for
from tests.test_channel_e2e import open_channel, two_nodes

BURN = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
KEY = backup_key(b"\x07" * 32)
ENTRY = BackupEntry(3, "02" + "11" * 32, "22" * 32, "33" * 32, 1, 500_000, "anchors", 120, "127.0.0.1", 9735)


def test_backup_file_roundtrip_and_refusals() -> None:
    blob = encrypt_backup([ENTRY], KEY, "regtest")
    assert decrypt_backup(blob, KEY, "regtest") == [ENTRY]
    assert b"127.0.0.1" not in blob  # encrypted
    with pytest.raises(BackupError, match="seed"):
        decrypt_backup(blob, backup_key(b"\x08" * 32), "regtest")
    with pytest.raises(BackupError, match="regtest"):
        decrypt_backup(blob, KEY, "bitcoin")
    damaged = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(BackupError):
        decrypt_backup(damaged, KEY, "regtest")
    with pytest.raises(BackupError, match="not an amiko"):
        decrypt_backup(b"hello", KEY, "regtest")


@given(st.binary(max_size=300))
def test_backup_decoder_never_crashes(data: bytes) -> None:
    for blob in (data, b"AMIKO-SCB1" + data):
        try:
            decrypt_backup(blob, KEY, "regtest")
        except BackupError:
            pass


async def mine(nodes: list[Node], n: int) -> None:
    await nodes[0].mine(n, BURN)
    for node in nodes:
        await node.chain.backend.sync()
    await asyncio.sleep(0.2)


def test_restore_on_a_fresh_directory_recovers_the_funds(tmp_path) -> None:
    async def main() -> None:
        a, b = await two_nodes(tmp_path)
        url = a.chain.devchain.url
        await a.mine(101)
        await mine([a, b], 100)
        anchors, _ = await open_channel(a, b, 1_000_000, push_msat=300_000_000)

        static = await a.open_channel(b.node_id, 600_000, 250_000_000,
                                      commitment_type=CommitmentType.STATIC_REMOTEKEY)
        await wait_for(lambda: static.funding_broadcast, what="second funding")
        await mine([a, b], 3)
        await wait_for(lambda: static.status().usable, what="second channel ready")
        path = str(tmp_path / "b.backup")
        assert b.write_backup(path) == 2
        assert os.stat(path).st_mode & 0o077 == 0
        port = b.peers.listen_address[1]
        await b.stop()  # B's disk is lost; only its seed and the backup survive

        os.makedirs(tmp_path / "b2")
        shutil.copy(tmp_path / "b" / "seed", tmp_path / "b2" / "seed")
        b2 = Node(NodeConfig(datadir=str(tmp_path / "b2"), listen=("127.0.0.1", port), bitcoind=url,
                             poll_interval=0.05, onchain_final_depth=6))
        await b2.start()
        assert b2.node_id == b.node_id
        before = b2.wallet.balance().total_sat
        restored = await b2.restore_backup(path)
        assert sorted(restored) == sorted([anchors.channel_id.hex(), static.channel_id.hex()])
        # A is asked to close both, and does
        await wait_for(lambda: anchors.status().state is not ChannelState.NORMAL
                       and static.status().state is not ChannelState.NORMAL, what="A closes")
        await asyncio.sleep(0.3)
        for _ in range(8):
            await mine([a, b2], 1)
        closed = {c["channel_id"]: c for c in b2.onchain.list_closed()}
        assert {c["close_kind"] for c in closed.values()} == {"remote_unknown"}
        assert all(c["closed"] for c in closed.values())
        sweeps = [s for s in b2.onchain.list_sweeps() if s["status"] == "confirmed"]
        assert sorted(s["amount_sat"] for s in sweeps) == [250_000, 300_000]
        fees = sum(s["fee_sat"] for s in sweeps)
        assert b2.wallet.balance().total_sat - before == 550_000 - fees
        # restoring again changes nothing
        assert await b2.restore_backup(path) == []
        await a.stop()
        await b2.stop()

    asyncio.run(main())
