"""Everything a BOLT 2 channel remembers: one plain record (`ChannelData`).

It holds no secrets (our keys are re-derived from the node seed by the driver) and nothing
tied to a connection. `serialize` turns it into bytes and back. The core mutates a working
copy (`copy()`) while it handles one input, and keeps it only if the input was valid, so a
rejected message never leaves half an update behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amiko.bitcoin.tx import OutPoint
from amiko.channels.bolt.htlcs import FeeUpdate, Htlc, Side
from amiko.channels.bolt.keys import Basepoints
from amiko.channels.bolt.params import ChannelConfig, ChannelType, LocalParams
from amiko.channels.bolt.shachain import ShachainStore
from amiko.channels.bolt.states import Phase, check_phase_transition

__all__ = ["ChannelData", "LegacyClosing", "SimpleClosing"]


class Memo(dict[str, Any]):
    """What is derived from a channel's data, remembered for speed. Entries refer to
    objects by identity, so a deep copy or a pickle of the data starts with an empty one."""

    def __deepcopy__(self, _memo: dict[int, Any]) -> Memo:
        return Memo()

    def __reduce__(self) -> tuple[type[Memo], tuple[()]]:
        return (Memo, ())


@dataclass(frozen=True, slots=True)
class LegacyClosing:
    """Where the `closing_signed` negotiation stands."""

    fee_range: tuple[int, int]  # ours
    last_sent_fee: int | None = None
    last_received_fee: int | None = None
    last_sent_sig: bytes = b""


@dataclass(frozen=True, slots=True)
class SimpleClosing:
    """The `closing_complete` we sent and await `closing_sig` for."""

    closer_script: bytes
    closee_script: bytes
    fee_sat: int
    locktime: int
    signatures: tuple[tuple[int, bytes], ...]  # (ClosingOutputs value, our signature)


@dataclass
class ChannelData:
    # -- identity and negotiated terms
    phase: Phase
    is_funder: bool
    peer_id: bytes
    chain_hash: bytes
    temporary_channel_id: bytes
    channel_type: ChannelType
    announce: bool
    negotiated: int  # the connection's negotiated feature bits when the channel opened
    funding_sat: int
    push_msat: int
    params: LocalParams
    local: ChannelConfig
    local_funding_pubkey: bytes
    feerate_per_kw: int  # the initial feerate (open_channel)
    current_height: int
    channel_id: bytes = b""
    minimum_depth: int = 0
    remote: ChannelConfig | None = None
    remote_basepoints: Basepoints | None = None
    funding_txid: bytes = b""
    funding_output_index: int = 0
    funding_tx: bytes = b""  # serialized, when the opener's driver gave it
    local_upfront_script: bytes = b""
    remote_upfront_script: bytes = b""
    close_script: bytes = b""  # where our funds go on a mutual close (b"": ask the driver)

    # -- commitments (numbers start at 0 for the commitments signed in funding_*)
    local_commitment_number: int = 0
    remote_commitment_number: int = 0
    remote_prev_point: bytes = b""  # of remote_commitment_number - 1 while awaiting its revocation
    remote_current_point: bytes = b""  # of remote_commitment_number
    remote_next_point: bytes = b""  # of remote_commitment_number + 1 (b"": not known yet)
    awaiting_revocation: bool = False
    local_number_at_last_sign: int = -1  # our commitment number when we last signed theirs
    remote_secrets: ShachainStore = field(default_factory=ShachainStore)
    local_commit_sig: bytes = b""  # the peer's signature on our latest commitment
    local_htlc_sigs: tuple[bytes, ...] = ()

    # -- balances and updates
    base_local_msat: int = 0  # balances counting only fully resolved HTLCs
    base_remote_msat: int = 0
    base_feerate: int = 0  # the feerate of every commitment once fee updates settle
    htlcs: dict[tuple[Side, int], Htlc] = field(default_factory=dict)
    fee_updates: list[FeeUpdate] = field(default_factory=list)
    next_local_htlc_id: int = 0
    next_remote_htlc_id: int = 0
    next_seq: int = 0

    # -- lock-in
    sent_channel_ready: bool = False
    received_channel_ready: bool = False
    funding_confirmations: int = 0
    short_channel_id: int | None = None
    local_alias: int | None = None
    remote_alias: int | None = None
    funding_deadline: int | None = None  # fundee: forget the channel at this height

    # -- cooperative close
    shutdown_requested: bytes = b""  # our shutdown script, waiting to be sent
    local_shutdown_script: bytes | None = None  # sent
    remote_shutdown_script: bytes | None = None  # received (simple close: the latest)
    closing_feerate: int | None = None
    legacy_closing: LegacyClosing | None = None
    simple_closing: SimpleClosing | None = None
    closing_tx: bytes = b""  # a fully signed mutual closing transaction

    # -- failure
    error_data: bytes = b""  # the error we sent (retransmitted on reconnection)
    must_not_broadcast: bool = False  # the peer proved we lost state

    # -- policy that can change over the channel's life
    min_feerate_per_kw: int = 0
    max_feerate_per_kw: int = 0

    # -- not stored, not compared: what is derived from the fields above, remembered for
    # speed (shared by the copies of one channel's data; entries check that they are
    # still valid, see `serialize` and `commit.compute_view`)
    memo: Memo = field(default_factory=Memo, init=False, repr=False, compare=False,
                       metadata={"stored": False})

    def copy(self) -> ChannelData:
        # (what copy.copy does, without its generic reduce protocol: a quarter of the time,
        # and every input to the channel copies its data once)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.htlcs = dict(self.htlcs)
        new.fee_updates = list(self.fee_updates)
        return new

    def set_phase(self, new: Phase) -> None:
        check_phase_transition(self.phase, new)
        self.phase = new

    def new_seq(self) -> int:
        self.next_seq += 1
        return self.next_seq

    @property
    def funding_outpoint(self) -> OutPoint | None:
        if not self.funding_txid:
            return None
        return OutPoint(self.funding_txid, self.funding_output_index)

    @property
    def funder(self) -> Side:
        return Side.LOCAL if self.is_funder else Side.REMOTE

    def config(self, side: Side) -> ChannelConfig:
        if side is Side.LOCAL:
            return self.local
        assert self.remote is not None
        return self.remote
