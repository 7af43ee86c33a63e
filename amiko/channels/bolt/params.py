"""Channel parameters: our policy (`LocalParams`) and what each side announced in
`open_channel` / `accept_channel` (`ChannelConfig`), plus the channel types of BOLT 2.

Naming: a `ChannelConfig` holds the values one node *sent*; most of them constrain the
*other* node (`channel_reserve_sat` is what the other node must keep, `to_self_delay`
delays the other node's outputs, `max_accepted_htlcs` / `max_htlc_value_in_flight_msat`
/ `htlc_minimum_msat` limit the HTLCs the other node offers). `dust_limit_sat` is the
sender's own, for its own commitment transactions.
"""

from __future__ import annotations

from dataclasses import dataclass

from amiko.channels.bolt.fees import CommitmentType
from amiko.link.features import Features, feature_by_name

__all__ = [
    "MAX_ACCEPTED_HTLCS_LIMIT",
    "MIN_DUST_LIMIT_SAT",
    "ChannelConfig",
    "ChannelType",
    "LocalParams",
]

# BOLT #2: The receiving node MUST fail the channel if: `max_accepted_htlcs` is greater
# than 483.
MAX_ACCEPTED_HTLCS_LIMIT = 483
# BOLT #2: The receiving node MUST fail the channel if: `dust_limit_satoshis` is smaller
# than `354 satoshis`.
MIN_DUST_LIMIT_SAT = 354
# BOLT #2: [the sender] MUST set `funding_satoshis` to less than 2^24 satoshi [unless both
# nodes advertised `option_support_large_channel`].
LARGE_CHANNEL_SAT = 1 << 24
# BOLT #2: A non-funding node (fundee): SHOULD forget the channel if it does not see the
# correct funding transaction after a timeout of 2016 blocks.
FUNDING_TIMEOUT_BLOCKS = 2016


@dataclass(frozen=True, slots=True)
class LocalParams:
    """Our channel policy: the values we announce, and the limits we put on the peer's."""

    # -- what we announce (our side of open_channel / accept_channel)
    # Bitcoin Core's P2PKH dust threshold: a closing output to any standard script relays.
    dust_limit_sat: int = 546
    max_htlc_value_in_flight_msat: int | None = None  # None: the whole channel
    reserve_ppm: int = 10_000  # BOLT #2 rationale: 1% of the channel total is suggested
    htlc_minimum_msat: int = 1
    to_self_delay: int = 144
    # BOLT 2's largest value: many HTLCs per commitment_signed are what makes a busy
    # channel fast (one signature round for all of them)
    max_accepted_htlcs: int = MAX_ACCEPTED_HTLCS_LIMIT
    minimum_depth: int = 3  # as fundee; 0 only with zero-conf

    # -- limits on what the peer announces (BOLT 2 "MAY fail the channel if ..." policy)
    max_to_self_delay: int = 2016  # "to_self_delay is unreasonably large"
    max_reserve_ppm: int = 200_000  # "channel_reserve_satoshis too large" (20%)
    min_funding_sat: int = 20_000  # "funding_satoshis is too small"
    max_htlc_minimum_msat: int = 1_000_000  # "htlc_minimum_msat too large"
    min_max_htlc_value_in_flight_msat: int = 1_000  # "max_htlc_value_in_flight_msat too small"
    min_max_accepted_htlcs: int = 5  # "max_accepted_htlcs too small"
    max_dust_limit_sat: int = 1_000  # "dust_limit_satoshis too large"
    max_minimum_depth: int = 144  # "minimum_depth is unreasonably large"

    # -- operation
    max_dust_htlc_exposure_msat: int = 50_000_000
    accept_zero_conf: bool = False  # trust an opener's unconfirmed funding (option_zeroconf)
    # update_fee bounds used until the driver reports an estimate (`core.set_feerate_bounds`)
    min_feerate_per_kw: int = 253
    max_feerate_per_kw: int = 100_000
    # BOLT #2 "cltv_expiry_delta Selection": the deadline for offered HTLCs is G blocks
    # after `cltv_expiry`; for received HTLCs we fulfilled, 2R+G+S blocks before it.
    offered_htlc_grace_blocks: int = 2
    fulfilled_htlc_deadline_blocks: int = 18

    def reserve_sat(self, funding_sat: int, peer_dust_limit_sat: int = 0) -> int:
        """The `channel_reserve_satoshis` we ask the peer to keep: 1% of the channel, not
        below either side's dust limit.

        # BOLT #2: MUST set `channel_reserve_satoshis` greater than or equal to
        # `dust_limit_satoshis`.
        # BOLT #2 (accept_channel): MUST set `channel_reserve_satoshis` greater than or
        # equal to `dust_limit_satoshis` from the `open_channel` message.
        """
        return max(funding_sat * self.reserve_ppm // 1_000_000, self.dust_limit_sat,
                   peer_dust_limit_sat)

    def max_in_flight_msat(self, funding_sat: int) -> int:
        cap = funding_sat * 1000
        if self.max_htlc_value_in_flight_msat is None:
            return cap
        return min(self.max_htlc_value_in_flight_msat, cap)


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """The channel values one node sent in `open_channel` / `accept_channel`."""

    dust_limit_sat: int
    max_htlc_value_in_flight_msat: int
    channel_reserve_sat: int
    htlc_minimum_msat: int
    to_self_delay: int
    max_accepted_htlcs: int


def _bit(name: str) -> int:
    return feature_by_name(name).bit


@dataclass(frozen=True, slots=True)
class ChannelType:
    """A BOLT 2 channel type: a basic type and its variations.

    # BOLT #2: The currently defined basic types are:
    #   - `option_static_remotekey` (bit 12)
    #   - `option_anchors` and `option_static_remotekey` (bits 22 and 12)
    # Each basic type has the following variations allowed:
    #   - `option_scid_alias` (bit 46)
    #   - `option_zeroconf` (bit 50)
    """

    commitment_type: CommitmentType
    scid_alias: bool = False
    zero_conf: bool = False

    def to_bytes(self) -> bytes:
        """# BOLT #2: MUST use the smallest bitmap possible to represent the channel type."""
        bits = 1 << _bit("option_static_remotekey")
        if self.commitment_type.anchors:
            bits |= 1 << _bit("option_anchors")
        if self.scid_alias:
            bits |= 1 << _bit("option_scid_alias")
        if self.zero_conf:
            bits |= 1 << _bit("option_zeroconf")
        return bits.to_bytes((bits.bit_length() + 7) // 8, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> ChannelType | None:
        """The defined type the bitmap names, or None if it names none."""
        bits = int.from_bytes(data, "big")
        known = {_bit(n): n for n in ("option_static_remotekey", "option_anchors",
                                      "option_scid_alias", "option_zeroconf")}
        rest = bits
        names = set()
        for bit, name in known.items():
            if bits >> bit & 1:
                names.add(name)
                rest &= ~(1 << bit)
        if rest or "option_static_remotekey" not in names:
            return None
        ctype = (CommitmentType.ANCHORS if "option_anchors" in names
                 else CommitmentType.STATIC_REMOTEKEY)
        return cls(ctype, "option_scid_alias" in names, "option_zeroconf" in names)

    def features_needed(self) -> tuple[str, ...]:
        names = ["option_static_remotekey"]
        if self.commitment_type.anchors:
            names.append("option_anchors")
        if self.scid_alias:
            names.append("option_scid_alias")
        if self.zero_conf:
            names.append("option_zeroconf")
        return tuple(names)

    def negotiated_in(self, features: Features) -> bool:
        """# BOLT #2: SHOULD NOT set it to a type containing a feature which was not
        # negotiated."""
        return all(features.has(name) for name in self.features_needed())
