"""The BOLT 2 channel core (API skeleton; the bodies are being filled in)."""

from __future__ import annotations

from typing import Any

from amiko.bitcoin.tx import OutPoint, Transaction
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.keys import ChannelKeys
from amiko.channels.bolt.outputs import Outputs
from amiko.channels.bolt.params import LocalParams
from amiko.channels.interface import ChannelStatus, FailureReason, HtlcOffer, OfferResult
from amiko.link.features import Features
from amiko.wire.messages import OpenChannel

__all__ = ["BoltChannel"]


class BoltChannel:
    @classmethod
    def open_outbound(cls, *, params: LocalParams, keys: ChannelKeys, peer_id: bytes,
                      chain_hash: bytes, temporary_channel_id: bytes, funding_sat: int,
                      push_msat: int, commitment_type: CommitmentType, negotiated: Features,
                      feerate_per_kw: int, announce: bool, upfront_shutdown_script: bytes | None,
                      current_height: int, scid_alias: bool = False, zero_conf: bool = False,
                      local_alias: int | None = None,
                      close_script: bytes | None = None) -> tuple[BoltChannel, Outputs]:
        raise NotImplementedError

    @classmethod
    def accept_inbound(cls, msg: OpenChannel, *, params: LocalParams, keys: ChannelKeys,
                       peer_id: bytes, chain_hash: bytes, negotiated: Features,
                       feerate_range: tuple[int, int], current_height: int,
                       upfront_shutdown_script: bytes | None, local_alias: int | None = None,
                       close_script: bytes | None = None,
                       ) -> tuple[BoltChannel | None, Outputs]:
        raise NotImplementedError

    def funding_tx_ready(self, funding_txid: bytes, output_index: int,
                         funding_tx: Transaction | None = None) -> Outputs:
        raise NotImplementedError

    def receive(self, msg: Any) -> Outputs:
        raise NotImplementedError

    def funding_depth(self, confirmations: int, short_channel_id: int | None) -> Outputs:
        raise NotImplementedError

    def block_height(self, height: int) -> Outputs:
        raise NotImplementedError

    def peer_connected(self) -> Outputs:
        raise NotImplementedError

    def peer_disconnected(self) -> Outputs:
        raise NotImplementedError

    def offer_htlc(self, offer: HtlcOffer) -> tuple[OfferResult, Outputs]:
        raise NotImplementedError

    def settle_htlc(self, htlc_id: int, preimage: bytes) -> Outputs:
        raise NotImplementedError

    def fail_htlc(self, htlc_id: int, reason: FailureReason) -> Outputs:
        raise NotImplementedError

    def sign_pending(self) -> Outputs:
        raise NotImplementedError

    def update_fee(self, feerate_per_kw: int) -> Outputs:
        raise NotImplementedError

    def shutdown(self, script_pubkey: bytes, feerate_per_kw: int | None = None) -> Outputs:
        raise NotImplementedError

    def status(self) -> ChannelStatus:
        raise NotImplementedError

    @property
    def channel_id(self) -> bytes:
        raise NotImplementedError

    @property
    def funding_outpoint(self) -> OutPoint | None:
        raise NotImplementedError

    def to_bytes(self) -> bytes:
        raise NotImplementedError

    @classmethod
    def from_bytes(cls, data: bytes, keys: ChannelKeys) -> BoltChannel:
        raise NotImplementedError
