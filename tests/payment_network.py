"""An in-memory network for the payment layer: each node has a real Switch, Payee, Payer,
invoice book and store; channels are `PipeChannel` pairs, a minimal channel type whose two
ends exchange locks through the event loop (no signatures, no chain). It exercises
everything above the channel-type interface."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

from amiko.bitcoin.networks import REGTEST
from amiko.channels.interface import (
    ChannelState,
    ChannelStatus,
    FailureReason,
    HtlcOffer,
    IncomingHtlc,
    Offered,
    RefusalReason,
    Refused,
)
from amiko.crypto.keys import pubkey_of
from amiko.payments.invoice_book import InvoiceBook
from amiko.payments.payee import Payee
from amiko.payments.payer import Payer
from amiko.payments.switch import ForwardPolicy, Switch
from amiko.routing.graph import Graph, Policy, direction_of
from amiko.store.batch import CommitBatcher
from amiko.store.sqlite import Store

HEIGHT = 500


@dataclass
class PipeChannel:
    owner: PayNode
    channel_id: bytes
    scid: int
    local_msat: int
    other: PipeChannel | None = None
    online: bool = True
    next_id: int = 0
    offered: dict[int, HtlcOffer] = field(default_factory=dict)  # ours, in flight
    incoming: dict[int, IncomingHtlc] = field(default_factory=dict)  # theirs, in flight

    @property
    def peer_id(self) -> bytes:
        assert self.other is not None
        return self.other.owner.node_id

    def status(self) -> ChannelStatus:
        assert self.other is not None
        return ChannelStatus(self.channel_id, self.peer_id, "pipe", ChannelState.NORMAL, self.scid,
                             self.local_msat + self.other.local_msat, self.local_msat, self.other.local_msat,
                             self.local_msat, self.other.local_msat, 1, len(self.offered), self.online)

    def offer_htlc(self, offer: HtlcOffer):
        if not self.online:
            return Refused(RefusalReason.CHANNEL_NOT_USABLE)
        if offer.amount_msat > self.local_msat:
            return Refused(RefusalReason.INSUFFICIENT_BALANCE)
        htlc_id = self.next_id
        self.next_id += 1
        self.local_msat -= offer.amount_msat
        self.offered[htlc_id] = offer
        other = self.other
        assert other is not None
        htlc = IncomingHtlc(other.channel_id, htlc_id, offer.amount_msat, offer.payment_hash,
                            offer.cltv_expiry, offer.onion)
        other.incoming[htlc_id] = htlc
        asyncio.get_running_loop().call_soon(other.owner.switch.htlc_incoming, other, htlc)
        return Offered(htlc_id)

    def settle_htlc(self, htlc_id: int, preimage: bytes) -> None:
        htlc = self.incoming.pop(htlc_id, None)
        if htlc is None:
            return
        self.local_msat += htlc.amount_msat
        other = self.other
        assert other is not None
        other.offered.pop(htlc_id)
        asyncio.get_running_loop().call_soon(other.owner.switch.htlc_settled, other, htlc_id, preimage)

    def fail_htlc(self, htlc_id: int, reason: FailureReason) -> None:
        htlc = self.incoming.pop(htlc_id, None)
        if htlc is None:
            return
        other = self.other
        assert other is not None
        other.local_msat += htlc.amount_msat
        other.offered.pop(htlc_id)
        asyncio.get_running_loop().call_soon(other.owner.switch.htlc_failed, other, htlc_id, reason)

    def pending_outgoing(self) -> dict[int, bytes]:
        return {i: o.payment_hash for i, o in self.offered.items()}

    def pending_incoming(self) -> list[IncomingHtlc]:
        return list(self.incoming.values())


class Directory:
    def __init__(self, node: PayNode) -> None:
        self.node = node

    def by_short_channel_id(self, scid: int):
        return next((c for c in self.node.channels if c.scid == scid), None)

    def by_channel_id(self, cid: bytes):
        return next((c for c in self.node.channels if c.channel_id == cid), None)


class PayNode:
    def __init__(self, name: str, tmp, graph: Graph, policy: ForwardPolicy) -> None:
        self.name = name
        self.secret = os.urandom(32)
        self.node_id = pubkey_of(self.secret)
        self.store = Store(str(tmp / f"{name}.sqlite"))
        self.batcher = CommitBatcher(self.store)
        self.channels: list[PipeChannel] = []
        self.policy = policy
        self.invoices = InvoiceBook(self.store, REGTEST, self.secret)
        self.switch = Switch(self.secret, self.store, self.batcher, Directory(self), lambda _c: self.policy,
                             lambda: HEIGHT)
        self.payee = Payee(self.invoices, lambda: HEIGHT,
                           lambda d, fn: asyncio.get_running_loop().call_later(d, fn), mpp_timeout=2.0)
        self.payer = Payer(self.node_id, self.store, graph, lambda: self.channels, lambda: HEIGHT)
        self.switch.payee = self.payee
        self.switch.payer = self.payer

    def balance(self) -> int:
        return sum(c.local_msat for c in self.channels)


class Network:
    def __init__(self, tmp, policy: ForwardPolicy = ForwardPolicy(1000, 1000, 40)) -> None:
        self.tmp = tmp
        self.graph = Graph()
        self.policy = policy
        self.nodes: dict[str, PayNode] = {}
        self.pipes: list[tuple[PipeChannel, PipeChannel]] = []
        self._scid = 1000

    def node(self, name: str) -> PayNode:
        if name not in self.nodes:
            self.nodes[name] = PayNode(name, self.tmp, self.graph, self.policy)
        return self.nodes[name]

    def connect(self, a: str, b: str, msat_a: int, msat_b: int) -> tuple[PipeChannel, PipeChannel]:
        na, nb = self.node(a), self.node(b)
        self._scid += 1
        scid = (self._scid << 40) | (1 << 16)
        cid = os.urandom(32)
        ca = PipeChannel(na, cid, scid, msat_a)
        cb = PipeChannel(nb, cid, scid, msat_b)
        ca.other, cb.other = cb, ca
        na.channels.append(ca)
        nb.channels.append(cb)
        n1, n2 = sorted((na.node_id, nb.node_id))
        self.graph.add_channel(scid, n1, n2, (msat_a + msat_b) // 1000)
        for frm, to in ((na.node_id, nb.node_id), (nb.node_id, na.node_id)):
            p = self.policy
            self.graph.update_policy(scid, direction_of(frm, to), Policy(
                p.fee_base_msat, p.fee_proportional_millionths, p.cltv_expiry_delta, 1, msat_a + msat_b, False, 1))
        self.pipes.append((ca, cb))
        return ca, cb

    def total(self) -> int:
        return sum(n.balance() for n in self.nodes.values())

    def in_flight(self) -> int:
        return sum(len(c.offered) + len(c.incoming) for n in self.nodes.values() for c in n.channels)
