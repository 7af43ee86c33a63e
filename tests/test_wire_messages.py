"""Specific messages with hand-computed bytes, the registry, and channel id dispatch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

import pytest

from amiko.wire.errors import (
    EncodeError,
    InvalidPointError,
    TrailingBytesError,
    TruncatedError,
)
from amiko.wire.messages import (
    MESSAGE_CLASSES,
    AcceptChannel2,
    BlindedPath,
    BlindedPathHop,
    ChannelReestablish,
    CommitmentSigned,
    Error,
    FundingCreated,
    Init,
    InitTlvs,
    OnionMessagePacket,
    OpenChannel,
    OpenChannelTlvs,
    Ping,
    Pong,
    TxSignatures,
    UpdateAddHtlc,
    UpdateFulfillHtlc,
    UpdateFulfillHtlcTlvs,
    WarningMsg,
    Witness,
)
from amiko.wire.primitives import Reader
from amiko.wire.registry import (
    DEFAULT_REGISTRY,
    MessageRegistry,
    UnknownMessage,
    channel_id_of,
    decode_message,
    register_message,
)
from amiko.wire.types import (
    ALL_CHANNELS,
    ChannelId,
    Msat,
    Sat,
    scid_from_parts,
    scid_from_str,
    scid_parts,
    scid_to_str,
)

# BOLT #0: the bitcoin mainnet chain_hash.
BITCOIN = bytes.fromhex("6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000")
POINT = bytes.fromhex("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb")


def test_init_with_networks_and_remote_addr() -> None:
    msg = Init(
        globalfeatures=b"",
        features=b"\x02\x00",
        tlvs=InitTlvs(networks=(BITCOIN,), remote_addr=bytes.fromhex("017f0000012607")),
    )
    expected = "".join(
        [
            "0010",  # type 16
            "0000",  # gflen
            "0002",  # flen
            "0200",  # features
            "01",  # networks: type 1
            "20",  # length 32
            BITCOIN.hex(),
            "03",  # remote_addr: type 3
            "07",  # length 7
            "017f0000012607",  # IPv4 127.0.0.1 port 9735
        ]
    )
    assert msg.encode().hex() == expected
    assert decode_message(bytes.fromhex(expected)) == msg


def test_init_minimal() -> None:
    assert Init(b"", b"").encode().hex() == "001000000000"
    assert decode_message(bytes.fromhex("001000000000")) == Init(b"", b"")


def test_init_networks_must_be_whole_chain_hashes() -> None:
    with pytest.raises(TruncatedError):
        decode_message(bytes.fromhex("001000000000" + "0121" + BITCOIN.hex() + "00"))


def test_ping_pong() -> None:
    ping = Ping(num_pong_bytes=4, ignored=bytes(3))
    # type 18, num_pong_bytes 4, byteslen 3, ignored
    assert ping.encode().hex() == "0012" + "0004" + "0003" + "000000"
    assert decode_message(ping.encode()) == ping
    pong = Pong(ignored=bytes(4))
    assert pong.encode().hex() == "0013" + "0004" + "00000000"
    assert decode_message(pong.encode()) == pong


def test_ping_truncated_ignored() -> None:
    with pytest.raises(TruncatedError):
        decode_message(bytes.fromhex("0012" + "0004" + "0003" + "0000"))


def test_error_with_channel_id() -> None:
    cid = ChannelId(bytes(range(32)))
    err = Error(channel_id=cid, data=b"oops")
    expected = "0011" + cid.hex() + "0004" + b"oops".hex()
    assert err.encode().hex() == expected
    decoded = decode_message(bytes.fromhex(expected))
    assert decoded == err
    assert channel_id_of(decoded) == cid


def test_warning_is_named_warning_msg() -> None:
    w = WarningMsg(channel_id=ALL_CHANNELS, data=b"")
    assert w.encode().hex() == "0001" + "00" * 32 + "0000"
    assert WarningMsg.NAME == "warning" and WarningMsg.TYPE == 1


def test_extension_after_known_fields_is_kept() -> None:
    """BOLT #1: a message MAY carry an `extension` after the fields; a node MAY ignore it.
    Messages without a TLV stream keep it raw, so that e.g. signed gossip re-encodes."""
    data = Error(ChannelId(bytes(32)), b"x").encode() + b"\x01\x02\x03"
    msg = decode_message(data)
    assert isinstance(msg, Error)
    assert msg.extension == b"\x01\x02\x03"
    assert msg.encode() == data


def test_every_prefix_of_fixed_message_is_truncated() -> None:
    msg = FundingCreated(
        temporary_channel_id=ChannelId(bytes(32)),
        funding_txid=bytes(32),
        funding_output_index=1,
        signature=bytes(64),
    )
    payload = msg.encode()[2:]
    for n in range(len(payload)):
        with pytest.raises(TruncatedError):
            FundingCreated.decode_payload(payload[:n])


def test_open_channel_rejects_uncompressed_point_prefix() -> None:
    msg = OpenChannel(
        chain_hash=BITCOIN,
        temporary_channel_id=ChannelId(bytes(32)),
        funding_satoshis=Sat(100_000),
        push_msat=Msat(0),
        dust_limit_satoshis=Sat(546),
        max_htlc_value_in_flight_msat=Msat(10**9),
        channel_reserve_satoshis=Sat(1000),
        htlc_minimum_msat=Msat(1),
        feerate_per_kw=253,
        to_self_delay=144,
        max_accepted_htlcs=483,
        funding_pubkey=POINT,
        revocation_basepoint=POINT,
        payment_basepoint=POINT,
        delayed_payment_basepoint=POINT,
        htlc_basepoint=POINT,
        first_per_commitment_point=POINT,
        channel_flags=1,
        tlvs=OpenChannelTlvs(upfront_shutdown_script=b"", channel_type=b"\x10\x00"),
    )
    data = msg.encode()
    assert decode_message(data) == msg
    assert channel_id_of(msg) == bytes(32)
    bad = bytearray(data)
    bad[2 + 32 + 32 + 6 * 8 + 4 + 2 + 2] = 0x04  # funding_pubkey prefix
    with pytest.raises(InvalidPointError):
        decode_message(bytes(bad))


def test_encode_checks_lengths_and_ranges() -> None:
    with pytest.raises(EncodeError):
        Error(ChannelId(bytes(31)), b"").encode()
    with pytest.raises(EncodeError):
        Error(ChannelId(bytes(32)), bytes(70000)).encode()  # u16 length overflows
    with pytest.raises(EncodeError):
        Ping(num_pong_bytes=-1, ignored=b"").encode()
    with pytest.raises(EncodeError):
        CommitmentSigned(ChannelId(bytes(32)), bytes(64), (bytes(63),)).encode()
    with pytest.raises(EncodeError):
        BlindedPathHop(blinded_node_id=b"\x04" + bytes(32), encrypted_recipient_data=b"").encode()


def test_implicit_tlvs_of_update_add_htlc() -> None:
    """BOLT #2 lists `update_add_htlc_tlvs` right after the message without naming it as a
    field; it is the message's trailing TLV stream."""
    msg = UpdateAddHtlc(
        channel_id=ChannelId(bytes(32)),
        id=7,
        amount_msat=Msat(1000),
        payment_hash=bytes(32),
        cltv_expiry=500,
        onion_routing_packet=bytes(1366),
    )
    assert len(msg.encode()) == 2 + 32 + 8 + 8 + 32 + 4 + 1366
    blinded = UpdateAddHtlc(**{**_fields(msg), "tlvs": msg.tlvs.__class__(blinded_path=POINT)})
    data = blinded.encode()
    assert data.endswith(bytes.fromhex("0021") + POINT)
    assert decode_message(data) == blinded


def _fields(msg: object) -> dict[str, object]:
    return {f.name: getattr(msg, f.name) for f in type(msg).FIELDS}  # type: ignore[attr-defined]


def test_attribution_data_record() -> None:
    from amiko.wire.messages import AttributionData

    ad = AttributionData(
        htlc_hold_times=tuple(range(20)), truncated_hmacs=tuple(bytes(4) for _ in range(210))
    )
    msg = UpdateFulfillHtlc(
        ChannelId(bytes(32)), 1, bytes(32), UpdateFulfillHtlcTlvs(attribution_data=ad)
    )
    data = msg.encode()
    assert len(data) == 2 + 32 + 8 + 32 + 1 + 3 + 920
    assert decode_message(data) == msg
    with pytest.raises(TrailingBytesError):
        AttributionData.decode(ad.encode() + b"\x00")


def test_tx_signatures_witnesses() -> None:
    msg = TxSignatures(ChannelId(bytes(32)), bytes(32), (Witness(b"\x01\x02"), Witness(b"")))
    data = msg.encode()
    assert data.hex().endswith("0002" + "0002" + "0102" + "0000")
    assert decode_message(data) == msg


def test_channel_reestablish_tlvs() -> None:
    msg = ChannelReestablish(ChannelId(bytes(32)), 1, 0, bytes(32), POINT)
    assert decode_message(msg.encode()) == msg
    assert msg.tlvs.next_funding is None


def test_subtypes_decode_exactly() -> None:
    path = BlindedPath(
        first_node_id=b"\x00" + scid_from_parts(1, 2, 3).to_bytes(8, "big"),
        first_path_key=POINT,
        path=(BlindedPathHop(POINT, b"abc"),),
    )
    raw = path.encode()
    assert BlindedPath.decode(raw) == path
    with pytest.raises(TrailingBytesError):
        BlindedPath.decode(raw + b"\x00")
    with pytest.raises(TruncatedError):
        BlindedPath.decode(raw[:-1])


def test_onion_message_packet_rest_then_fixed_tail() -> None:
    pkt = OnionMessagePacket(
        version=0, public_key=POINT, onionmsg_payloads=b"xyz", hmac=bytes(range(32))
    )
    raw = pkt.encode()
    assert raw == b"\x00" + POINT + b"xyz" + bytes(range(32))
    assert OnionMessagePacket.decode(raw) == pkt
    with pytest.raises(TruncatedError):
        OnionMessagePacket.decode(raw[: 34 + 31])


def test_channel_id_of() -> None:
    cid = ChannelId(b"\x07" * 32)
    assert channel_id_of(Init(b"", b"")) is None
    assert channel_id_of(UnknownMessage(33333, b"")) is None
    assert channel_id_of(FundingCreated(cid, bytes(32), 0, bytes(64))) == cid
    assert AcceptChannel2.CHANNEL_ID_FIELD == "temporary_channel_id"
    assert OpenChannel.CHANNEL_ID_FIELD == "temporary_channel_id"
    assert UpdateAddHtlc.CHANNEL_ID_FIELD == "channel_id"


def test_unknown_messages() -> None:
    odd = decode_message(bytes.fromhex("8001abcd"))
    assert odd == UnknownMessage(0x8001, b"\xab\xcd")
    assert isinstance(odd, UnknownMessage) and odd.is_odd
    assert odd.encode() == bytes.fromhex("8001abcd")
    even = decode_message(bytes.fromhex("8000"))
    assert isinstance(even, UnknownMessage) and not even.is_odd
    with pytest.raises(TruncatedError):
        decode_message(b"\x00")


def test_catalogue_types_are_unique_and_registered() -> None:
    types = [cls.TYPE for cls in MESSAGE_CLASSES]
    assert len(types) == len(set(types))
    assert DEFAULT_REGISTRY.types() >= set(types)
    assert {cls.NAME for cls in MESSAGE_CLASSES} >= {
        "init",
        "open_channel",
        "update_add_htlc",
        "channel_update",
    }


@dataclass(frozen=True, slots=True)
class CreditOffer:
    """A hand-written custom message, as a channel type would write it."""

    TYPE: ClassVar[int] = 0xA3F1
    NAME: ClassVar[str] = "credit_offer"
    CHANNEL_ID_FIELD: ClassVar[str | None] = "channel_id"

    channel_id: bytes
    limit_msat: int

    def encode(self) -> bytes:
        return self.TYPE.to_bytes(2, "big") + self.channel_id + self.limit_msat.to_bytes(8, "big")

    @classmethod
    def decode_payload(cls, payload: bytes) -> Self:
        r = Reader(payload, "credit_offer")
        return cls(r.read(32), r.u64())


def test_custom_message_registration() -> None:
    reg = MessageRegistry(MESSAGE_CLASSES)
    reg.register(CreditOffer)
    msg = CreditOffer(b"\x01" * 32, 5000)
    assert reg.decode(msg.encode()) == msg
    assert channel_id_of(msg) == b"\x01" * 32
    with pytest.raises(ValueError, match="already registered"):
        reg.register(CreditOffer)
    with pytest.raises(TruncatedError):
        reg.decode(msg.encode()[:-1])
    # The default registry is untouched.
    assert DEFAULT_REGISTRY.get(CreditOffer.TYPE) is not CreditOffer


def test_register_rejects_spec_range_and_duplicates() -> None:
    @dataclass(frozen=True, slots=True)
    class Fake:
        TYPE: ClassVar[int] = 16
        NAME: ClassVar[str] = "fake"

        def encode(self) -> bytes:
            return b"\x00\x10"

        @classmethod
        def decode_payload(cls, payload: bytes) -> Self:
            return cls()

    with pytest.raises(ValueError, match="custom range"):
        register_message(Fake)
    with pytest.raises(ValueError, match="already registered"):
        register_message(Fake, allow_spec_range=True)
    reg = MessageRegistry()
    reg.register(Fake, allow_spec_range=True)
    assert reg.decode(b"\x00\x10") == Fake()


def test_register_message_default_registry() -> None:
    # Other tests may have registered custom types in the default registry: pick a free one.
    free = next(t for t in range(0xFFFF, 0x8000, -2) if DEFAULT_REGISTRY.get(t) is None)

    @dataclass(frozen=True, slots=True)
    class Probe(CreditOffer):
        TYPE: ClassVar[int] = free

    assert isinstance(decode_message(Probe(bytes(32), 1).encode()), UnknownMessage)
    register_message(Probe)
    try:
        assert decode_message(Probe(bytes(32), 1).encode()) == Probe(bytes(32), 1)
    finally:
        DEFAULT_REGISTRY.unregister(free)
    assert isinstance(decode_message(Probe(bytes(32), 1).encode()), UnknownMessage)


def test_short_channel_id_helpers() -> None:
    scid = scid_from_parts(539268, 845, 1)
    assert scid_parts(scid) == (539268, 845, 1)
    assert scid_to_str(scid) == "539268x845x1"
    assert scid_from_str("539268x845x1") == scid
    assert scid == (539268 << 40) | (845 << 16) | 1
    for bad in ("1x2", "1x2x3x4", "ax1x2", "1x2x65536", "16777216x0x0", "-1x2x3", ""):
        with pytest.raises(ValueError):
            scid_from_str(bad)
    with pytest.raises(ValueError):
        scid_parts(1 << 64)
