"""Channel establishment v1: `open_channel`, `accept_channel`, `funding_created`,
`funding_signed`, `channel_ready`, with every BOLT 2 check on both sides.

        +-------+                              +-------+
        |       |--(1)---  open_channel  ----->|       |
        |       |<-(2)--  accept_channel  -----|       |
        |   A   |--(3)--  funding_created  --->|   B   |
        |       |<-(4)--  funding_signed  -----|       |
        |       |--(5)---  channel_ready  ---->|       |
        |       |<-(6)---  channel_ready  -----|       |
        +-------+                              +-------+

Refusals of the peer's terms raise `FailChannel` (the core answers with an `error` and
forgets the channel: nothing is funded yet). Bad requests from our own caller raise
`ValueError`.
"""

from __future__ import annotations

from amiko.bitcoin.script import p2wsh
from amiko.bitcoin.tx import Transaction
from amiko.channels.bolt.commit import (
    Which,
    build_view_commitment,
    compute_view,
    funding_script_of,
    local_commitment,
)
from amiko.channels.bolt.data import ChannelData
from amiko.channels.bolt.errors import FailChannel
from amiko.channels.bolt.fees import funder_commitment_cost
from amiko.channels.bolt.htlcs import Side
from amiko.channels.bolt.keys import Basepoints, ChannelKeys
from amiko.channels.bolt.outputs import (
    BroadcastFunding,
    FundingNeeded,
    Outputs,
    WatchFunding,
)
from amiko.channels.bolt.params import (
    FUNDING_TIMEOUT_BLOCKS,
    LARGE_CHANNEL_SAT,
    MAX_ACCEPTED_HTLCS_LIMIT,
    MIN_DUST_LIMIT_SAT,
    ChannelConfig,
    ChannelType,
    LocalParams,
)
from amiko.channels.bolt.shutdown import valid_shutdown_script
from amiko.channels.bolt.states import Phase
from amiko.crypto.keys import is_valid_pubkey
from amiko.link.features import Features
from amiko.wire.messages import (
    AcceptChannel,
    AcceptChannelTlvs,
    ChannelReady,
    ChannelReadyTlvs,
    FundingCreated,
    FundingSigned,
    OpenChannel,
    OpenChannelTlvs,
)
from amiko.wire.types import ChannelId, Msat, Sat, ShortChannelId

__all__ = [
    "channel_ready_message",
    "check_open",
    "derive_channel_id",
    "funding_created_message",
    "new_inbound",
    "new_outbound",
    "on_funding_depth",
    "receive_accept",
    "receive_channel_ready",
    "receive_funding_created",
    "receive_funding_signed",
]

ANNOUNCE_CHANNEL = 1  # BOLT #2: the least-significant bit of `channel_flags`


def derive_channel_id(funding_txid: bytes, output_index: int) -> bytes:
    """# BOLT #2: [`channel_id`] is derived from the funding transaction by combining the
    # `funding_txid` and the `funding_output_index`, using big-endian exclusive-OR (i.e.
    # `funding_output_index` alters the last 2 bytes).
    """
    cid = bytearray(funding_txid)
    cid[30] ^= output_index >> 8 & 0xFF
    cid[31] ^= output_index & 0xFF
    return bytes(cid)


def _basepoints(msg: OpenChannel | AcceptChannel) -> Basepoints:
    return Basepoints(msg.funding_pubkey, msg.revocation_basepoint, msg.payment_basepoint,
                      msg.delayed_payment_basepoint, msg.htlc_basepoint)


def _config(msg: OpenChannel | AcceptChannel) -> ChannelConfig:
    return ChannelConfig(msg.dust_limit_satoshis, msg.max_htlc_value_in_flight_msat,
                         msg.channel_reserve_satoshis, msg.htlc_minimum_msat,
                         msg.to_self_delay, msg.max_accepted_htlcs)


def _check_common(msg: OpenChannel | AcceptChannel, params: LocalParams, funding_sat: int,
                  negotiated: Features) -> None:
    """The checks `open_channel` and `accept_channel` share ("Other fields have the same
    requirements as their counterparts in `open_channel`")."""
    # BOLT #2: The receiving node MUST fail the channel if: `to_self_delay` is unreasonably
    # large.
    if msg.to_self_delay > params.max_to_self_delay:
        raise FailChannel(f"to_self_delay {msg.to_self_delay} > {params.max_to_self_delay}")
    # BOLT #2: MUST fail the channel if: `max_accepted_htlcs` is greater than 483.
    if msg.max_accepted_htlcs > MAX_ACCEPTED_HTLCS_LIMIT:
        raise FailChannel(f"max_accepted_htlcs {msg.max_accepted_htlcs} > 483")
    # BOLT #2: MUST fail the channel if: `funding_pubkey`, `revocation_basepoint`,
    # `htlc_basepoint`, `payment_basepoint`, or `delayed_payment_basepoint` are not valid
    # secp256k1 pubkeys in compressed format.
    for name in ("funding_pubkey", "revocation_basepoint", "htlc_basepoint",
                 "payment_basepoint", "delayed_payment_basepoint", "first_per_commitment_point"):
        if not is_valid_pubkey(getattr(msg, name)):
            raise FailChannel(f"{name} is not a valid public key")
    # BOLT #2: MUST fail the channel if: `dust_limit_satoshis` is smaller than `354
    # satoshis`.
    if msg.dust_limit_satoshis < MIN_DUST_LIMIT_SAT:
        raise FailChannel(f"dust_limit_satoshis {msg.dust_limit_satoshis} < 354")
    # BOLT #2: The receiving node MAY fail the channel if: it considers `htlc_minimum_msat`
    # too large / `max_htlc_value_in_flight_msat` too small / `channel_reserve_satoshis`
    # too large / `max_accepted_htlcs` too small / `dust_limit_satoshis` too large.
    if msg.htlc_minimum_msat > params.max_htlc_minimum_msat:
        raise FailChannel(f"htlc_minimum_msat {msg.htlc_minimum_msat} is too large")
    if msg.max_htlc_value_in_flight_msat < params.min_max_htlc_value_in_flight_msat:
        raise FailChannel(f"max_htlc_value_in_flight_msat {msg.max_htlc_value_in_flight_msat}"
                          " is too small")
    if msg.channel_reserve_satoshis * 1_000_000 > funding_sat * params.max_reserve_ppm:
        raise FailChannel(f"channel_reserve_satoshis {msg.channel_reserve_satoshis} is too large")
    if msg.max_accepted_htlcs < params.min_max_accepted_htlcs:
        raise FailChannel(f"max_accepted_htlcs {msg.max_accepted_htlcs} is too small")
    if msg.dust_limit_satoshis > params.max_dust_limit_sat:
        raise FailChannel(f"dust_limit_satoshis {msg.dust_limit_satoshis} is too large")
    script = msg.tlvs.upfront_shutdown_script
    if script and not valid_shutdown_script(script, negotiated):
        raise FailChannel("upfront_shutdown_script is not a valid shutdown script")


def _channel_type_of(msg: OpenChannel | AcceptChannel) -> ChannelType:
    raw = msg.tlvs.channel_type
    # BOLT #2: if the message doesn't include a `channel_type`: fail the channel.
    if raw is None:
        raise FailChannel("no channel_type")
    ctype = ChannelType.from_bytes(raw)
    if ctype is None:
        raise FailChannel(f"channel_type {raw.hex()} is not a defined type")
    return ctype


def new_outbound(*, params: LocalParams, keys: ChannelKeys, peer_id: bytes, chain_hash: bytes,
                 temporary_channel_id: bytes, funding_sat: int, push_msat: int,
                 channel_type: ChannelType, negotiated: Features, feerate_per_kw: int,
                 announce: bool, upfront_shutdown_script: bytes | None, current_height: int,
                 local_alias: int | None, close_script: bytes | None
                 ) -> tuple[ChannelData, OpenChannel]:
    """Our `open_channel`, after checking our own request against BOLT 2's sender rules."""
    if len(temporary_channel_id) != 32 or len(chain_hash) != 32:
        raise ValueError("temporary_channel_id and chain_hash are 32 bytes")
    # BOLT #2: if both nodes advertised `option_support_large_channel`: MAY set
    # `funding_satoshis` greater than or equal to 2^24 satoshi. otherwise: MUST set
    # `funding_satoshis` to less than 2^24 satoshi.
    if funding_sat >= LARGE_CHANNEL_SAT and not negotiated.has("option_support_large_channel"):
        raise ValueError("funding of 2^24 sat or more needs option_support_large_channel")
    # BOLT #2: MUST set `push_msat` to equal or less than 1000 * `funding_satoshis`.
    if not 0 <= push_msat <= funding_sat * 1000:
        raise ValueError("push_msat exceeds the funding amount")
    if funding_sat <= 0:
        raise ValueError("funding_sat must be positive")
    # BOLT #2: SHOULD NOT set it to a type containing a feature which was not negotiated.
    if not channel_type.negotiated_in(negotiated):
        raise ValueError(f"channel type {channel_type} was not negotiated")
    # BOLT #2: if `announce_channel` is `true`: MUST NOT send `channel_type` with the
    # `option_scid_alias` bit set.
    if announce and channel_type.scid_alias:
        raise ValueError("an announced channel cannot use option_scid_alias")
    cost = funder_commitment_cost(channel_type.commitment_type, feerate_per_kw, 0)
    if funding_sat * 1000 - push_msat < cost * 1000:
        raise ValueError("the funding amount cannot pay the first commitment's fee")
    script = upfront_shutdown_script or b""
    if script and not valid_shutdown_script(script, negotiated):
        raise ValueError("invalid upfront_shutdown_script")
    local = ChannelConfig(
        dust_limit_sat=params.dust_limit_sat,
        max_htlc_value_in_flight_msat=params.max_in_flight_msat(funding_sat),
        # BOLT #2: MUST set `channel_reserve_satoshis` greater than or equal to
        # `dust_limit_satoshis`.
        channel_reserve_sat=params.reserve_sat(funding_sat),
        htlc_minimum_msat=params.htlc_minimum_msat,
        to_self_delay=params.to_self_delay,
        max_accepted_htlcs=min(params.max_accepted_htlcs, MAX_ACCEPTED_HTLCS_LIMIT),
    )
    d = ChannelData(
        phase=Phase.WAIT_ACCEPT, is_funder=True, peer_id=peer_id, chain_hash=chain_hash,
        temporary_channel_id=temporary_channel_id, channel_type=channel_type,
        announce=announce, negotiated=negotiated.bits, funding_sat=funding_sat,
        push_msat=push_msat, params=params, local=local,
        local_funding_pubkey=keys.funding_pubkey, feerate_per_kw=feerate_per_kw,
        current_height=current_height, local_upfront_script=script,
        close_script=close_script or script, local_alias=local_alias,
        base_local_msat=funding_sat * 1000 - push_msat, base_remote_msat=push_msat,
        base_feerate=feerate_per_kw, min_feerate_per_kw=params.min_feerate_per_kw,
        max_feerate_per_kw=params.max_feerate_per_kw,
    )
    bp = keys.basepoints
    msg = OpenChannel(
        chain_hash=chain_hash, temporary_channel_id=ChannelId(temporary_channel_id),
        funding_satoshis=Sat(funding_sat), push_msat=Msat(push_msat),
        dust_limit_satoshis=Sat(local.dust_limit_sat),
        max_htlc_value_in_flight_msat=Msat(local.max_htlc_value_in_flight_msat),
        channel_reserve_satoshis=Sat(local.channel_reserve_sat),
        htlc_minimum_msat=Msat(local.htlc_minimum_msat), feerate_per_kw=feerate_per_kw,
        to_self_delay=local.to_self_delay, max_accepted_htlcs=local.max_accepted_htlcs,
        funding_pubkey=bp.funding_pubkey, revocation_basepoint=bp.revocation_basepoint,
        payment_basepoint=bp.payment_basepoint,
        delayed_payment_basepoint=bp.delayed_payment_basepoint,
        htlc_basepoint=bp.htlc_basepoint,
        # BOLT #2: MUST set `first_per_commitment_point` to the per-commitment point to be
        # used for the initial commitment transaction
        first_per_commitment_point=keys.per_commitment_point(0),
        # BOLT #2: MUST set undefined bits in `channel_flags` to 0.
        channel_flags=ANNOUNCE_CHANNEL if announce else 0,
        # BOLT #2: if it includes `open_channel_tlvs`: MUST include
        # `upfront_shutdown_script`. MUST set `channel_type`
        tlvs=OpenChannelTlvs(upfront_shutdown_script=script,
                             channel_type=channel_type.to_bytes()),
    )
    return d, msg


def check_open(msg: OpenChannel, params: LocalParams, chain_hash: bytes, negotiated: Features,
               feerate_range: tuple[int, int]) -> ChannelType:
    """Every receiver check of `open_channel`; the channel type to use."""
    # BOLT #2: The receiving node MUST fail the channel if: the `chain_hash` value is set to
    # a hash of a chain that is unknown to the receiver.
    if msg.chain_hash != chain_hash:
        raise FailChannel("unknown chain_hash")
    # BOLT #2: if `option_dual_fund` has been negotiated: fail the channel.
    if negotiated.has("option_dual_fund"):
        raise FailChannel("open_channel with option_dual_fund negotiated")
    ctype = _channel_type_of(msg)
    announce = bool(msg.channel_flags & ANNOUNCE_CHANNEL)
    # BOLT #2: MUST fail the channel if: the `channel_type` is not suitable.
    if not ctype.negotiated_in(negotiated) or (announce and ctype.scid_alias):
        raise FailChannel(f"channel_type {ctype} is not suitable")
    # BOLT #2: MUST fail the channel if: the `channel_type` includes `option_zeroconf` and
    # it does not trust the sender to open an unconfirmed channel.
    if ctype.zero_conf and not params.accept_zero_conf:
        raise FailChannel("we do not accept zero-conf channels from this peer")
    funding = msg.funding_satoshis
    # BOLT #2: MUST fail the channel if: `funding_satoshis` is greater than or equal to 2^24
    # and the receiver does not support `option_support_large_channel`.
    if funding >= LARGE_CHANNEL_SAT and not negotiated.has("option_support_large_channel"):
        raise FailChannel("funding_satoshis >= 2^24 without option_support_large_channel")
    # BOLT #2: The receiving node MAY fail the channel if: `funding_satoshis` is too small.
    if funding < params.min_funding_sat:
        raise FailChannel(f"funding_satoshis {funding} is too small")
    # BOLT #2: MUST fail the channel if: `push_msat` is greater than `funding_satoshis` *
    # 1000.
    if msg.push_msat > funding * 1000:
        raise FailChannel("push_msat exceeds the funding amount")
    # BOLT #2: MUST fail the channel if: it considers `feerate_per_kw` too small for timely
    # processing or unreasonably large.
    lo, hi = feerate_range
    if not lo <= msg.feerate_per_kw <= hi:
        raise FailChannel(f"feerate_per_kw {msg.feerate_per_kw} outside [{lo}, {hi}]")
    # BOLT #2: MUST fail the channel if: `dust_limit_satoshis` is greater than
    # `channel_reserve_satoshis`.
    if msg.dust_limit_satoshis > msg.channel_reserve_satoshis:
        raise FailChannel("dust_limit_satoshis is greater than channel_reserve_satoshis")
    _check_common(msg, params, funding, negotiated)
    # BOLT #2: MUST fail the channel if: the funder's amount for the initial commitment
    # transaction is not sufficient for full fee payment.
    cost = funder_commitment_cost(ctype.commitment_type, msg.feerate_per_kw, 0) * 1000
    funder_msat = funding * 1000 - msg.push_msat
    if funder_msat < cost:
        raise FailChannel("the funder cannot pay the first commitment's fee")
    # BOLT #2: MUST fail the channel if: both `to_local` and `to_remote` amounts for the
    # initial commitment transaction are less than or equal to `channel_reserve_satoshis`.
    reserve = msg.channel_reserve_satoshis * 1000
    if funder_msat - cost <= reserve and msg.push_msat <= reserve:
        raise FailChannel("both initial balances are within the channel reserve")
    return ctype


def new_inbound(msg: OpenChannel, ctype: ChannelType, *, params: LocalParams,
                keys: ChannelKeys, peer_id: bytes, negotiated: Features, current_height: int,
                upfront_shutdown_script: bytes | None, local_alias: int | None,
                close_script: bytes | None) -> tuple[ChannelData, AcceptChannel]:
    """Accept a checked `open_channel`."""
    script = upfront_shutdown_script or b""
    if script and not valid_shutdown_script(script, negotiated):
        raise ValueError("invalid upfront_shutdown_script")
    funding = msg.funding_satoshis
    local = ChannelConfig(
        dust_limit_sat=params.dust_limit_sat,
        max_htlc_value_in_flight_msat=params.max_in_flight_msat(funding),
        # BOLT #2: MUST set `channel_reserve_satoshis` greater than or equal to
        # `dust_limit_satoshis` from the `open_channel` message.
        channel_reserve_sat=params.reserve_sat(funding, msg.dust_limit_satoshis),
        htlc_minimum_msat=params.htlc_minimum_msat,
        to_self_delay=params.to_self_delay,
        max_accepted_htlcs=min(params.max_accepted_htlcs, MAX_ACCEPTED_HTLCS_LIMIT),
    )
    # BOLT #2: MUST set `dust_limit_satoshis` less than or equal to
    # `channel_reserve_satoshis` from the `open_channel` message.
    if local.dust_limit_sat > msg.channel_reserve_satoshis:
        raise FailChannel(f"our dust limit {local.dust_limit_sat} exceeds the reserve "
                          f"{msg.channel_reserve_satoshis} the peer asks")
    # BOLT #2: if `channel_type` includes `option_zeroconf`: MUST set `minimum_depth` to
    # zero. otherwise: SHOULD set `minimum_depth` to a number of blocks it considers
    # reasonable to avoid double-spending of the funding transaction.
    minimum_depth = 0 if ctype.zero_conf else params.minimum_depth
    d = ChannelData(
        phase=Phase.WAIT_FUNDING_CREATED, is_funder=False, peer_id=peer_id,
        chain_hash=msg.chain_hash, temporary_channel_id=msg.temporary_channel_id,
        channel_type=ctype, announce=bool(msg.channel_flags & ANNOUNCE_CHANNEL),
        negotiated=negotiated.bits, funding_sat=funding, push_msat=msg.push_msat,
        params=params, local=local, local_funding_pubkey=keys.funding_pubkey,
        feerate_per_kw=msg.feerate_per_kw, current_height=current_height,
        minimum_depth=minimum_depth, remote=_config(msg), remote_basepoints=_basepoints(msg),
        local_upfront_script=script,
        remote_upfront_script=msg.tlvs.upfront_shutdown_script or b"",
        close_script=close_script or script, local_alias=local_alias,
        remote_current_point=msg.first_per_commitment_point,
        base_local_msat=msg.push_msat, base_remote_msat=funding * 1000 - msg.push_msat,
        base_feerate=msg.feerate_per_kw, min_feerate_per_kw=params.min_feerate_per_kw,
        max_feerate_per_kw=params.max_feerate_per_kw,
    )
    bp = keys.basepoints
    accept = AcceptChannel(
        temporary_channel_id=msg.temporary_channel_id,
        dust_limit_satoshis=Sat(local.dust_limit_sat),
        max_htlc_value_in_flight_msat=Msat(local.max_htlc_value_in_flight_msat),
        channel_reserve_satoshis=Sat(local.channel_reserve_sat),
        htlc_minimum_msat=Msat(local.htlc_minimum_msat), minimum_depth=minimum_depth,
        to_self_delay=local.to_self_delay, max_accepted_htlcs=local.max_accepted_htlcs,
        funding_pubkey=bp.funding_pubkey, revocation_basepoint=bp.revocation_basepoint,
        payment_basepoint=bp.payment_basepoint,
        delayed_payment_basepoint=bp.delayed_payment_basepoint,
        htlc_basepoint=bp.htlc_basepoint,
        first_per_commitment_point=keys.per_commitment_point(0),
        # BOLT #2: MUST set `channel_type` to the `channel_type` from `open_channel`.
        tlvs=AcceptChannelTlvs(upfront_shutdown_script=script, channel_type=ctype.to_bytes()),
    )
    return d, accept


def receive_accept(d: ChannelData, msg: AcceptChannel, out: Outputs) -> None:
    """Opener: check `accept_channel`, then ask the driver for the funding transaction."""
    if d.phase is not Phase.WAIT_ACCEPT:
        raise FailChannel(f"accept_channel while {d.phase.value}")
    # BOLT #2: The `temporary_channel_id` MUST be the same as the `temporary_channel_id` in
    # the `open_channel` message.
    if msg.temporary_channel_id != d.temporary_channel_id:
        raise FailChannel("accept_channel for another temporary_channel_id")
    negotiated = Features(d.negotiated)
    # BOLT #2: if `minimum_depth` is unreasonably large: MAY fail the channel.
    if msg.minimum_depth > d.params.max_minimum_depth:
        raise FailChannel(f"minimum_depth {msg.minimum_depth} is unreasonably large")
    # BOLT #2: if `channel_reserve_satoshis` is less than `dust_limit_satoshis` within the
    # `open_channel` message: MUST fail the channel.
    if msg.channel_reserve_satoshis < d.local.dust_limit_sat:
        raise FailChannel("channel_reserve_satoshis is below our dust limit")
    # BOLT #2: if `channel_reserve_satoshis` from the `open_channel` message is less than
    # `dust_limit_satoshis`: MUST fail the channel.
    if d.local.channel_reserve_sat < msg.dust_limit_satoshis:
        raise FailChannel("our channel reserve is below the peer's dust limit")
    # BOLT #2: if the message doesn't include a `channel_type`: MUST fail the channel. if
    # `channel_type` does not match the `channel_type` from `open_channel`: MUST fail the
    # channel.
    if _channel_type_of(msg) != d.channel_type:
        raise FailChannel("accept_channel changed the channel_type")
    _check_common(msg, d.params, d.funding_sat, negotiated)
    d.remote = _config(msg)
    d.remote_basepoints = _basepoints(msg)
    d.remote_current_point = msg.first_per_commitment_point
    d.remote_upfront_script = msg.tlvs.upfront_shutdown_script or b""
    d.minimum_depth = msg.minimum_depth
    d.set_phase(Phase.WAIT_FUNDING_TX)
    out.emit(FundingNeeded(p2wsh(funding_script_of(d)), d.funding_sat))


def _remote_commitment_0(d: ChannelData, keys: ChannelKeys) -> bytes:
    view = compute_view(d, Side.REMOTE, Which.CURRENT)
    return build_view_commitment(d, keys, view, 0, d.remote_current_point).sign(
        keys.funding_secret)


def funding_created_message(d: ChannelData, keys: ChannelKeys, funding_txid: bytes,
                            output_index: int, funding_tx: Transaction | None
                            ) -> FundingCreated:
    """Opener: the funding transaction exists; sign the fundee's first commitment."""
    if d.phase is not Phase.WAIT_FUNDING_TX:
        raise ValueError(f"funding_tx_ready while {d.phase.value}")
    if len(funding_txid) != 32 or not 0 <= output_index <= 0xFFFF:
        raise ValueError("bad funding outpoint")
    if funding_tx is not None:
        # BOLT #2: MUST NOT send `channel_ready` unless outpoint of given by `funding_txid`
        # and `funding_output_index` in the `funding_created` message pays exactly
        # `funding_satoshis` to the scriptpubkey specified in BOLT #3.
        if funding_tx.txid != funding_txid or output_index >= len(funding_tx.outputs):
            raise ValueError("the funding transaction does not match the outpoint")
        out = funding_tx.outputs[output_index]
        if out.value != d.funding_sat or out.script_pubkey != p2wsh(funding_script_of(d)):
            raise ValueError("the funding output does not pay the channel")
        d.funding_tx = funding_tx.serialize()
    d.funding_txid = funding_txid
    d.funding_output_index = output_index
    d.channel_id = derive_channel_id(funding_txid, output_index)
    sig = _remote_commitment_0(d, keys)
    d.set_phase(Phase.WAIT_FUNDING_SIGNED)
    return FundingCreated(ChannelId(d.temporary_channel_id), funding_txid, output_index, sig)


def _funded(d: ChannelData, out: Outputs) -> None:
    outpoint = d.funding_outpoint
    assert outpoint is not None
    d.set_phase(Phase.AWAIT_LOCKIN)
    out.emit(WatchFunding(outpoint, p2wsh(funding_script_of(d)), d.minimum_depth))
    out.persist = True


def receive_funding_created(d: ChannelData, keys: ChannelKeys, msg: FundingCreated,
                            out: Outputs) -> None:
    """Fundee: check the opener's signature on our first commitment, sign theirs."""
    if d.phase is not Phase.WAIT_FUNDING_CREATED:
        raise FailChannel(f"funding_created while {d.phase.value}")
    if msg.temporary_channel_id != d.temporary_channel_id:
        raise FailChannel("funding_created for another temporary_channel_id")
    d.funding_txid = msg.funding_txid
    d.funding_output_index = msg.funding_output_index
    d.channel_id = derive_channel_id(msg.funding_txid, msg.funding_output_index)
    assert d.remote_basepoints is not None
    # BOLT #2: if `signature` is incorrect OR non-compliant with LOW-S-standard rule: MUST
    # send a `warning` and close the connection, or send an `error` and fail the channel.
    if not local_commitment(d, keys).verify(d.remote_basepoints.funding_pubkey, msg.signature):
        raise FailChannel("funding_created: bad signature on our first commitment")
    d.local_commit_sig = msg.signature
    out.send(FundingSigned(ChannelId(d.channel_id), _remote_commitment_0(d, keys)))
    if d.minimum_depth > 0:
        # BOLT #2: A non-funding node (fundee): SHOULD forget the channel if it does not see
        # the correct funding transaction after a timeout of 2016 blocks.
        d.funding_deadline = d.current_height + FUNDING_TIMEOUT_BLOCKS
    _funded(d, out)
    on_funding_depth(d, keys, d.funding_confirmations, d.short_channel_id, out)


def receive_funding_signed(d: ChannelData, keys: ChannelKeys, msg: FundingSigned,
                           out: Outputs) -> None:
    """Opener: check the fundee's signature on our first commitment; broadcast."""
    if d.phase is not Phase.WAIT_FUNDING_SIGNED:
        raise FailChannel(f"funding_signed while {d.phase.value}")
    if msg.channel_id != d.channel_id:
        raise FailChannel("funding_signed for another channel_id")
    assert d.remote_basepoints is not None
    # BOLT #2: if `signature` is incorrect OR non-compliant with LOW-S-standard rule: MUST
    # send a `warning` and close the connection, or send an `error` and fail the channel.
    if not local_commitment(d, keys).verify(d.remote_basepoints.funding_pubkey, msg.signature):
        raise FailChannel("funding_signed: bad signature on our first commitment")
    d.local_commit_sig = msg.signature
    _funded(d, out)
    # BOLT #2: MUST NOT broadcast the funding transaction before receipt of a valid
    # `funding_signed`. on receipt of a valid `funding_signed`: SHOULD broadcast the
    # funding transaction.
    tx = Transaction.parse(d.funding_tx) if d.funding_tx else None
    out.emit(BroadcastFunding(d.funding_txid, tx))
    on_funding_depth(d, keys, d.funding_confirmations, d.short_channel_id, out)


def channel_ready_message(d: ChannelData, keys: ChannelKeys) -> ChannelReady:
    """# BOLT #2: MUST set `second_per_commitment_point` to the per-commitment point to be
    # used for commitment transaction #1
    # BOLT #2: if `option_scid_alias` was negotiated: MUST set `short_channel_id` `alias`.
    """
    alias = ShortChannelId(d.local_alias) if d.local_alias is not None else None
    return ChannelReady(ChannelId(d.channel_id), keys.per_commitment_point(1),
                        ChannelReadyTlvs(short_channel_id=alias))


def on_funding_depth(d: ChannelData, keys: ChannelKeys, confirmations: int,
                     short_channel_id: int | None, out: Outputs) -> None:
    """The funding transaction has `confirmations`: send `channel_ready` at the depth."""
    if confirmations != d.funding_confirmations or short_channel_id != d.short_channel_id:
        d.funding_confirmations = confirmations
        if short_channel_id is not None:
            d.short_channel_id = short_channel_id
        out.persist = True
    if confirmations > 0:
        d.funding_deadline = None
    if d.phase is not Phase.AWAIT_LOCKIN or d.sent_channel_ready:
        return
    # BOLT #2: if it is not the node opening the channel: SHOULD wait until the funding
    # transaction has reached `minimum_depth` before sending this message.
    if confirmations < d.minimum_depth:
        return
    d.sent_channel_ready = True
    out.send(channel_ready_message(d, keys))
    out.persist = True
    if d.received_channel_ready:
        d.set_phase(Phase.NORMAL)


def receive_channel_ready(d: ChannelData, msg: ChannelReady, out: Outputs) -> None:
    if not d.phase.funded:
        raise FailChannel(f"channel_ready while {d.phase.value}")
    if msg.tlvs.short_channel_id is not None and msg.tlvs.short_channel_id != d.remote_alias:
        # BOLT #2: MAY send multiple `channel_ready` messages to the same peer with different
        # `alias` values. (The receiver keeps the latest.)
        d.remote_alias = msg.tlvs.short_channel_id
        out.persist = True
    if d.received_channel_ready:
        # BOLT #2: upon reconnection: MUST ignore any redundant `channel_ready` it receives.
        return
    if not is_valid_pubkey(msg.second_per_commitment_point):
        raise FailChannel("channel_ready: invalid second_per_commitment_point")
    d.received_channel_ready = True
    d.remote_next_point = msg.second_per_commitment_point
    out.persist = True
    if d.phase is Phase.AWAIT_LOCKIN and d.sent_channel_ready:
        d.set_phase(Phase.NORMAL)
