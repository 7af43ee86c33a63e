"""Two in-process nodes on one dev chain, for the BOLT 5 (on-chain) end-to-end tests.

Node A runs the dev chain (every transaction is checked by Bitcoin Core's engine), node B
follows it over RPC. Both wallets hold mature coins (B needs some: with anchors its HTLC
transactions take wallet fee inputs). Helpers: open a channel, put hold-invoice payments
in flight (HTLCs the test decides about), mine and let both nodes follow, and the
accounting of what each node got out of a channel on chain.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from amiko.bitcoin.tx import Transaction
from amiko.channels.bolt.commit import Which, compute_view, has_changes_for
from amiko.channels.bolt.fees import CommitmentType, commitment_fee
from amiko.channels.bolt.htlcs import HtlcState, Side
from amiko.channels.bolt.params import LocalParams
from amiko.node import Node, NodeConfig
from amiko.payments.bolt11 import decode_invoice
from tests.async_wait import wait_for

BURN = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"  # nobody's: blocks mined here pay no wallet
ANCHOR_SAT = 330
TO_SELF_DELAY = 12
FINAL_DEPTH = 12


def node_config(datadir: str, bitcoind: str | None = None) -> NodeConfig:
    return NodeConfig(datadir=datadir, listen=("127.0.0.1", 0), bitcoind=bitcoind, poll_interval=0.05,
                      gossip=False, trust=False, onchain_final_depth=FINAL_DEPTH,
                      bolt_params=LocalParams(to_self_delay=TO_SELF_DELAY))


@dataclass
class Htlc:
    """A hold-invoice payment in flight: `payer` offered it, `payee` holds it."""

    payer: Node
    payee: Node
    amount_sat: int
    preimage: bytes
    task: asyncio.Task[Any]
    settle: bool = False  # the payee settles it on chain after the close

    @property
    def payment_hash(self) -> bytes:
        return hashlib.sha256(self.preimage).digest()


@dataclass
class Net:
    tmp: str
    a: Node = field(init=False)
    b: Node = field(init=False)
    offline: set[int] = field(default_factory=set)  # ids of stopped nodes

    @property
    def nodes(self) -> list[Node]:
        return [n for n in (self.a, self.b) if id(n) not in self.offline]

    async def start(self) -> None:
        self.a = Node(node_config(os.path.join(self.tmp, "a")))
        await self.a.start()
        self.b = Node(node_config(os.path.join(self.tmp, "b"), self.a.chain.devchain.url))
        await self.b.start()
        await self.connect()
        # coins for both wallets, all mature before any baseline is taken
        await self.a.mine(101)
        await self.a.mine(3, self.b.wallet.new_address())
        await self.mine(100)

    async def connect(self) -> None:
        await self.a.connect(self.b.node_id, "127.0.0.1", self.b.peers.listen_address[1])

    async def stop(self) -> None:
        for node in (self.b, self.a):  # A last: it serves the chain
            if id(node) not in self.offline:
                self.offline.add(id(node))
                await node.stop()

    async def stop_b(self) -> None:
        self.offline.add(id(self.b))
        await self.b.stop()

    async def restart_b(self) -> Node:
        """A new node on B's data directory (B's keys, channels, wallet), on A's chain."""
        self.b = Node(node_config(os.path.join(self.tmp, "b"), self.a.chain.devchain.url))
        await self.b.start()
        return self.b

    def height(self) -> int:
        tip = self.a.chain.backend.tip
        assert tip is not None
        return tip.height

    async def sync(self, *nodes: Node) -> None:
        for node in nodes or self.nodes:
            await node.chain.backend.sync()
            await node._funding_watch.check_all()

    async def mine(self, n: int = 1, *, pause: float = 0.05) -> None:
        """Mine `n` blocks in one go (to nobody) and let both nodes process them."""
        await self.a.mine(n, BURN)
        await self.sync()
        await asyncio.sleep(pause)  # broadcasts and messages that follow the blocks

    async def in_mempool(self, txid_hex: str) -> None:
        """Wait until the dev chain's mempool holds the transaction."""
        mempool = self.a.chain.devchain.chain.mempool
        txid = bytes.fromhex(txid_hex)[::-1]
        await wait_for(lambda: txid in mempool, what=f"{txid_hex} in the mempool")

    async def mine_to(self, height: int) -> None:
        while self.height() < height:
            await self.mine(1)

    async def open(self, funding_sat: int, push_msat: int,
                   commitment_type: CommitmentType = CommitmentType.ANCHORS) -> tuple[Any, Any]:
        a, b = self.a, self.b
        ours = await a.open_channel(b.node_id, funding_sat, push_msat, commitment_type=commitment_type)
        await wait_for(lambda: ours.funding_broadcast, what="funding broadcast")
        await self.mine(3)
        await wait_for(lambda: ours.status().usable, what="channel ready at A")
        await wait_for(lambda: b.channels.by_channel_id(ours.channel_id) is not None, what="channel at B")
        theirs = b.channels.by_channel_id(ours.channel_id)
        await wait_for(lambda: theirs.status().usable, what="channel ready at B")
        assert ours.core.commitment_type is commitment_type
        return ours, theirs

    async def hold_payment(self, payer: Node, payee: Node, amount_sat: int, label: str,
                           settle: bool = False) -> Htlc:
        """A payment to a hold invoice of `payee`, in flight until the payee decides."""
        preimage = os.urandom(32)
        payment_hash = hashlib.sha256(preimage).digest()
        inv = payee.invoices.create(amount_sat * 1000, label, payment_hash=payment_hash)
        task = asyncio.create_task(payer.payer.pay_invoice(decode_invoice(inv.bolt11), timeout=600))
        sets = payee.payee.sets
        await wait_for(lambda: payment_hash in sets and sets[payment_hash].complete,
                       what=f"HTLC {label} held by the payee")
        return Htlc(payer, payee, amount_sat, preimage, task, settle)


async def quiet(count: int, *drivers: Any) -> None:
    """Wait until both ends hold `count` HTLCs, each irrevocably committed (in both
    commitments, nothing left to sign or revoke)."""
    steady = {HtlcState.SENT_ADD_ACK_REVOCATION, HtlcState.RCVD_ADD_ACK_REVOCATION}

    def ok() -> bool:
        for drv in drivers:
            d = drv.core.data
            if (d.awaiting_revocation or len(d.htlcs) != count or has_changes_for(d, Side.LOCAL)
                    or has_changes_for(d, Side.REMOTE) or any(h.state not in steady for h in d.htlcs.values())):
                return False
        return True
    await wait_for(ok, what=f"{count} HTLCs irrevocably committed")


def wallet_coins(node: Node) -> int:
    """What the wallet holds on chain. Coins the wallet lists as unconfirmed are left out:
    at the end of a test nothing may be unconfirmed (checked separately), and a coin of a
    transaction that never confirms is no coin."""
    b = node.wallet.balance()
    return b.confirmed_sat + b.reserved_sat + b.immature_sat


def sweeps_text(node: Node) -> str:
    """The node's sweeps, one a line (for assertion messages)."""
    assert node.onchain is not None
    return "\n".join(f"{s['kind']} {s['txid'][:12]} fee {s['fee_sat']} {s['status']} at "
                     f"{s['broadcast_height']}/{s['confirmed_height']}" for s in node.onchain.list_sweeps())


def confirmed_sweep_fees(node: Node) -> int:
    assert node.onchain is not None
    return sum(s["fee_sat"] for s in node.onchain.list_sweeps() if s["status"] == "confirmed")


def confirmed_cpfps(node: Node) -> int:
    assert node.onchain is not None
    return sum(1 for s in node.onchain.list_sweeps() if s["status"] == "confirmed" and s["kind"] == "anchor cpfp")


def find_tx(node: Node, txid_hex: str) -> Transaction:
    """A confirmed transaction by txid, from the node's watcher records or wallet."""
    assert node.onchain is not None
    for r in node.store.query("SELECT spender FROM onchain_spends"):
        tx = Transaction.parse(bytes(r["spender"]))
        if tx.txid_hex == txid_hex:
            return tx
    for wtx in node.wallet.transactions():
        if wtx.tx.txid_hex == txid_hex:
            return wtx.tx
    raise AssertionError(f"transaction {txid_hex} not found")


def bolt3_commitment_fee(driver: Any, untrimmed: int) -> int:
    """The commitment fee by BOLT 3's formula, at the channel's current feerate."""
    d = driver.core.data
    feerate = compute_view(d, Side.LOCAL, Which.CURRENT).feerate_per_kw
    return commitment_fee(driver.core.commitment_type, feerate, untrimmed)
