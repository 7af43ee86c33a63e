"""Synthetic, validly signed gossip for tests and benchmarks: nodes with fresh keys,
channels announced and signed by both ends, updates, and a fake chain that answers the
gossiper's funding lookups from a table. Not used by the node itself."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from amiko.crypto.keys import pubkey_of, sign
from amiko.routing.gossip.addresses import Address
from amiko.routing.gossip.announcements import (
    ChannelKeys,
    LocalSignatures,
    combine_announcement,
    make_channel_update,
    make_node_announcement,
)
from amiko.routing.gossip.funding import FundingFacts, expected_script
from amiko.routing.gossip.gossiper import Gossiper, LookupFunding, Output
from amiko.wire.messages import ChannelAnnouncement, ChannelUpdate, NodeAnnouncement


def secret_from(seed: str | bytes) -> bytes:
    data = seed.encode() if isinstance(seed, str) else seed
    return hashlib.sha256(b"amiko gossip synth" + data).digest()


@dataclass(frozen=True, slots=True)
class SynthNode:
    secret: bytes
    node_id: bytes

    @classmethod
    def make(cls, seed: str | bytes) -> SynthNode:
        s = secret_from(seed)
        return cls(s, pubkey_of(s))

    def node_announcement(self, timestamp: int, alias: str = "", *, features: bytes = b"",
                          rgb_color: bytes = b"\x00\x00\x00", addresses: Sequence[Address] = ()) -> NodeAnnouncement:
        return make_node_announcement(self.secret, timestamp, features=features, alias=alias,
                                      rgb_color=rgb_color, addresses=addresses)


@dataclass(frozen=True, slots=True)
class SynthChannel:
    chain_hash: bytes
    scid: int
    a: SynthNode
    b: SynthNode
    funding_a: bytes  # secrets
    funding_b: bytes
    capacity_sat: int
    announcement: ChannelAnnouncement

    @classmethod
    def make(cls, chain_hash: bytes, scid: int, a: SynthNode, b: SynthNode, capacity_sat: int = 1_000_000,
             *, features: bytes = b"") -> SynthChannel:
        fa, fb = secret_from(b"fund-a" + scid.to_bytes(8, "big")), secret_from(b"fund-b" + scid.to_bytes(8, "big"))
        keys = ChannelKeys(chain_hash, scid, a.node_id, b.node_id, pubkey_of(fa), pubkey_of(fb), features)
        h = keys.signed_hash()  # both ends sign the same hash (as `sign_announcement` does)
        ann = combine_announcement(keys, LocalSignatures(sign(a.secret, h), sign(fa, h)),
                                   LocalSignatures(sign(b.secret, h), sign(fb, h)))
        return cls(chain_hash, scid, a, b, fa, fb, capacity_sat, ann)

    @property
    def script_pubkey(self) -> bytes:
        return expected_script(self.announcement.bitcoin_key_1, self.announcement.bitcoin_key_2)

    def facts(self, *, confirmations: int = 6, unspent: bool = True, txid: bytes | None = None) -> FundingFacts:
        return FundingFacts(
            self.scid, True, txid or hashlib.sha256(self.scid.to_bytes(8, "big")).digest(),
            self.capacity_sat, self.script_pubkey, unspent, confirmations,
        )

    def update(self, sender: SynthNode, timestamp: int, *, fee_base_msat: int = 1000,
               fee_proportional_millionths: int = 100, cltv_expiry_delta: int = 40,
               htlc_minimum_msat: int = 1000, htlc_maximum_msat: int | None = None,
               disabled: bool = False) -> ChannelUpdate:
        other = self.b if sender == self.a else self.a
        return make_channel_update(
            sender.secret, self.chain_hash, self.scid, other.node_id, timestamp,
            cltv_expiry_delta=cltv_expiry_delta, htlc_minimum_msat=htlc_minimum_msat,
            htlc_maximum_msat=self.capacity_sat * 1000 if htlc_maximum_msat is None else htlc_maximum_msat,
            fee_base_msat=fee_base_msat, fee_proportional_millionths=fee_proportional_millionths,
            disabled=disabled, local_node_id=sender.node_id,
        )


@dataclass
class FakeChain:
    """Funding facts by scid; unknown scids have no output."""

    facts: dict[int, FundingFacts] = field(default_factory=dict)

    def add(self, chans: Iterable[SynthChannel]) -> None:
        for ch in chans:
            self.facts[ch.scid] = ch.facts()

    def spend(self, scid: int) -> None:
        f = self.facts[scid]
        self.facts[scid] = FundingFacts(f.scid, True, f.txid, f.value_sat, f.script_pubkey, False, f.confirmations)

    def answer(self, gossiper: Gossiper, outputs: list[Output], now: float) -> list[Output]:
        """Resolve the LookupFunding outputs at once; returns the other outputs, followed by
        what the resolutions produced."""
        rest: list[Output] = []
        lookups: list[int] = []
        for o in outputs:
            if isinstance(o, LookupFunding):
                lookups.append(o.scid)
            else:
                rest.append(o)
        while lookups:
            gossiper.funding_results([self.facts.get(scid, FundingFacts(scid)) for scid in lookups], now)
            lookups = []
            for o in gossiper.take_outputs():
                if isinstance(o, LookupFunding):
                    lookups.append(o.scid)
                else:
                    rest.append(o)
        return rest
