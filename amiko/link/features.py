"""Feature bits (BOLT 9) and their negotiation in `init` (BOLT 1).

A feature is a pair of bits: the even one means "required", the odd one "optional".
`Features` is an immutable bit set with the byte encoding of BOLT 1 (big-endian, minimal
length). Channel types and other components add the bits they implement; the node ORs
them together into the set it advertises.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FeatureInfo:
    name: str
    bit: int  # the even (required) bit of the pair
    depends: tuple[str, ...] = ()
    # BOLT 9's Context column: where the feature is presented (I: `init`, N:
    # `node_announcement`, 9: BOLT 11 invoices, T: `channel_type`). Features the spec now
    # calls ASSUMED have the context they had before: nodes still set them for older peers.
    context: str = "IN"


# BOLT #9 table (the pair's even bit). ASSUMED features are listed so that we can name
# them when a peer sets them.
KNOWN_FEATURES: tuple[FeatureInfo, ...] = (
    FeatureInfo("option_data_loss_protect", 0),
    FeatureInfo("option_upfront_shutdown_script", 4),
    FeatureInfo("gossip_queries", 6, context="I"),
    FeatureInfo("var_onion_optin", 8, context="IN9"),
    FeatureInfo("gossip_queries_ex", 10),
    FeatureInfo("option_static_remotekey", 12),
    FeatureInfo("payment_secret", 14, context="IN9"),
    FeatureInfo("basic_mpp", 16, ("payment_secret",), context="IN9"),
    FeatureInfo("option_support_large_channel", 18),
    FeatureInfo("option_anchors", 22, context="INT"),
    FeatureInfo("option_route_blinding", 24, context="IN9"),
    FeatureInfo("option_shutdown_anysegwit", 26),
    FeatureInfo("option_dual_fund", 28),
    FeatureInfo("option_quiesce", 34),
    FeatureInfo("option_attribution_data", 36, context="IN9"),
    FeatureInfo("option_onion_messages", 38),
    FeatureInfo("option_provide_storage", 42),
    FeatureInfo("option_channel_type", 44),
    FeatureInfo("option_scid_alias", 46, context="INT"),
    FeatureInfo("option_payment_metadata", 48, context="9"),
    FeatureInfo("option_zeroconf", 50, ("option_scid_alias",), context="INT"),
    FeatureInfo("option_simple_close", 60, ("option_shutdown_anysegwit",)),
    FeatureInfo("option_splice", 62),
)

_BY_NAME: dict[str, FeatureInfo] = {f.name: f for f in KNOWN_FEATURES}
_BY_BIT: dict[int, FeatureInfo] = {f.bit: f for f in KNOWN_FEATURES}

# Features registered at run time by components (channel types use the custom range).
_REGISTERED: dict[int, FeatureInfo] = {}


def register_feature(name: str, even_bit: int, depends: tuple[str, ...] = (), context: str = "IN") -> FeatureInfo:
    """Make a feature known (e.g. a channel type's own bit pair). Idempotent."""
    if even_bit % 2:
        raise ValueError("register the even bit of the pair")
    existing = _BY_BIT.get(even_bit) or _REGISTERED.get(even_bit)
    info = FeatureInfo(name, even_bit, depends, context)
    if existing is not None:
        if existing != info:
            raise ValueError(f"feature bit {even_bit} is already {existing.name}")
        return existing
    if name in _BY_NAME:
        raise ValueError(f"feature name {name} is already used")
    _REGISTERED[even_bit] = info
    _BY_NAME[name] = info
    return info


def feature_info(bit: int) -> FeatureInfo | None:
    even = bit & ~1
    return _BY_BIT.get(even) or _REGISTERED.get(even)


def feature_by_name(name: str) -> FeatureInfo:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown feature {name!r}") from None


class FeatureError(ValueError):
    """The peer's features are unacceptable (the connection must close)."""


@dataclass(frozen=True, slots=True)
class Features:
    bits: int = 0

    # -- construction and encoding

    @classmethod
    def from_bytes(cls, data: bytes) -> Features:
        return cls(int.from_bytes(data, "big"))

    def to_bytes(self) -> bytes:
        # BOLT #1: SHOULD use the minimum length required to represent the `features` field.
        return self.bits.to_bytes((self.bits.bit_length() + 7) // 8, "big")

    @classmethod
    def of(cls, *names: str, required: bool = False) -> Features:
        bits = 0
        for name in names:
            info = feature_by_name(name)
            bits |= 1 << (info.bit if required else info.bit + 1)
        return cls(bits)

    def __or__(self, other: Features) -> Features:
        return Features(self.bits | other.bits)

    # -- queries

    def set_bits(self) -> list[int]:
        bits, out, i = self.bits, [], 0
        while bits:
            if bits & 1:
                out.append(i)
            bits >>= 1
            i += 1
        return out

    def has(self, name: str) -> bool:
        """The feature is offered (either bit of its pair set)."""
        info = feature_by_name(name)
        return bool(self.bits & (0b11 << info.bit))

    def requires(self, name: str) -> bool:
        info = feature_by_name(name)
        return bool(self.bits & (1 << info.bit))

    def names(self) -> list[str]:
        """Names of the offered features ('unknown_N' for bits we do not know)."""
        out: list[str] = []
        for bit in self.set_bits():
            info = feature_info(bit)
            name = info.name if info else f"unknown_{bit}"
            if name not in out:
                out.append(name)
        return out

    def in_context(self, context: str) -> Features:
        """The bits presented in `context` (a letter of BOLT 9's Context column, e.g. "N"
        for `node_announcement`); bits of features we do not know are left out."""
        bits = 0
        for bit in self.set_bits():
            info = feature_info(bit)
            if info is not None and context in info.context:
                bits |= 1 << bit
        return Features(bits)

    def to_json(self) -> dict[str, object]:
        return {"hex": self.to_bytes().hex(), "names": self.names()}


def check_peer_features(ours: Features, theirs: Features) -> None:
    """Apply BOLT 1's rules for a peer's `init` features; raise FeatureError to disconnect."""
    for bit in theirs.set_bits():
        if bit % 2:
            continue  # BOLT #1: upon receiving unknown _odd_ feature bits: MUST ignore the bit.
        info = feature_info(bit)
        if info is None:
            # BOLT #1: upon receiving unknown _even_ feature bits that are non-zero:
            # MUST close the connection.
            raise FeatureError(f"peer requires unknown feature bit {bit}")
        if not ours.has(info.name):
            raise FeatureError(f"peer requires feature {info.name} (bit {bit}) that we lack")
    for bit in theirs.set_bits():
        info = feature_info(bit)
        if info is None:
            continue
        for dep in info.depends:
            # BOLT #1: if the feature vector does not set all known, transitive
            # dependencies: MUST close the connection.
            if not theirs.has(dep):
                raise FeatureError(f"peer sets {info.name} without its dependency {dep}")
    for bit in ours.set_bits():
        if bit % 2 == 0:
            info = feature_info(bit)
            name = info.name if info else f"bit {bit}"
            if not (theirs.bits & (0b11 << bit)):
                raise FeatureError(f"we require {name} and the peer does not support it")


def negotiated(ours: Features, theirs: Features) -> Features:
    """BOLT #1: A feature is *negotiated* if either both peers offered it, or the local
    node offered it as even. Returns the negotiated set, each feature as its odd bit
    (or its even bit where either side requires it)."""
    bits = 0
    for bit in ours.set_bits():
        even = bit & ~1
        pair = 0b11 << even
        if (theirs.bits & pair) or bit == even:
            required = bool((ours.bits | theirs.bits) & (1 << even))
            bits |= 1 << (even if required else even + 1)
    return Features(bits)
