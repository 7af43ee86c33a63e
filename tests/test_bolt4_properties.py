"""Property tests: random routes round-trip, any flipped bit is caught, failures from any hop
are attributed to it, and the decoders never raise anything but the package's own errors."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from amiko.crypto.keys import pubkey_of, tweak_mul_secret
from amiko.payments.onion import (
    FailureCode,
    FinalHop,
    ForwardHop,
    HopSpec,
    MalformedOnion,
    OnionDecodeError,
    OnionEncodeError,
    PeeledOnion,
    RejectedOnion,
    construct_onion,
    create_failure,
    create_failure_with_attribution,
    decode_attributed_failure,
    decode_failure,
    obfuscate_failure,
    obfuscate_failure_with_attribution,
    peel_onion,
)
from amiko.payments.onion.attribution import ATTRIBUTION_DATA_SIZE, unwrap_attribution
from amiko.payments.onion.failures import (
    IncorrectOrUnknownPaymentDetails,
    InvalidOnionPayload,
    TemporaryChannelFailure,
    TemporaryNodeFailure,
)
from amiko.payments.onion.payload import build_final_payload, build_forward_payload
from amiko.payments.onion.sphinx import (
    UnwrappedPacket,
    blinded_node_tweak,
    construct_packet,
    unwrap_packet,
)

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
secrets = st.integers(1, N - 1).map(lambda k: k.to_bytes(32, "big"))
hashes = st.binary(min_size=32, max_size=32)


@st.composite
def raw_routes(draw: st.DrawFn) -> tuple[list[bytes], list[bytes]]:
    """1-20 hops with random payloads (>= 2 bytes each) that together fit in 1300 bytes."""
    n = draw(st.integers(1, 20))
    budget = 1300 - 35 * n  # 1 length byte + 2 payload bytes + 32 HMAC per hop at least
    keys = draw(st.lists(secrets, min_size=n, max_size=n, unique=True))
    payloads = []
    for _ in range(n):
        extra = draw(st.integers(0, min(budget, 400)))
        payload = draw(st.binary(min_size=2 + extra, max_size=2 + extra))
        # a length of 253+ takes a 3-byte bigsize: keep the budget honest
        cost = extra + (2 if len(payload) >= 253 else 0)
        assume(cost <= budget)
        budget -= cost
        payloads.append(payload)
    return keys, payloads


@settings(max_examples=60, deadline=None)
@given(raw_routes(), secrets, hashes)
def test_random_routes_unwrap_to_each_payload(
    route: tuple[list[bytes], list[bytes]], session: bytes, assoc: bytes
) -> None:
    keys, payloads = route
    hops = [HopSpec(pubkey_of(k), p) for k, p in zip(keys, payloads, strict=True)]
    packet, shared = construct_onion(session, hops, assoc)
    assert len(packet) == 1366
    for i, key in enumerate(keys):
        result = unwrap_packet(key, packet, assoc)
        assert isinstance(result, UnwrappedPacket)
        assert result.payload == payloads[i]
        assert result.shared_secret == shared[i]
        if i == len(keys) - 1:
            assert result.next_packet is None
        else:
            assert result.next_packet is not None
            packet = result.next_packet


@st.composite
def payment_routes(draw: st.DrawFn) -> tuple[list[bytes], list[bytes]]:
    """1-20 hops with valid payment payloads."""
    n = draw(st.integers(1, 20))
    keys = draw(st.lists(secrets, min_size=n, max_size=n, unique=True))
    u32 = st.integers(0, (1 << 32) - 1)
    u64 = st.integers(0, (1 << 64) - 1)
    payloads = [build_forward_payload(draw(u64), draw(u32), draw(u64)) for _ in range(n - 1)]
    metadata = draw(st.none() | st.binary(max_size=100))
    secret = draw(st.none() | st.binary(min_size=32, max_size=32))
    payloads.append(
        build_final_payload(draw(u64), draw(u32), payment_secret=secret, payment_metadata=metadata)
    )
    return keys, payloads


@settings(max_examples=60, deadline=None)
@given(payment_routes(), secrets, hashes)
def test_random_payment_routes_peel(
    route: tuple[list[bytes], list[bytes]], session: bytes, payment_hash: bytes
) -> None:
    keys, payloads = route
    hops = [HopSpec(pubkey_of(k), p) for k, p in zip(keys, payloads, strict=True)]
    packet, _ = construct_onion(session, hops, payment_hash)
    for i, key in enumerate(keys):
        result = peel_onion(key, packet, payment_hash)
        assert isinstance(result, PeeledOnion), result
        assert result.payload == payloads[i]
        assert result.hop.tlv.encode() == payloads[i]
        if i < len(keys) - 1:
            assert isinstance(result.hop, ForwardHop)
            assert result.next_packet is not None
            packet = result.next_packet
        else:
            assert isinstance(result.hop, FinalHop)
            assert result.next_packet is None


@settings(max_examples=80, deadline=None)
@given(payment_routes(), secrets, hashes, st.data())
def test_flipped_bit_fails_at_the_first_hop_that_sees_it(
    route: tuple[list[bytes], list[bytes]], session: bytes, payment_hash: bytes, data: st.DataObject
) -> None:
    keys, payloads = route
    hops = [HopSpec(pubkey_of(k), p) for k, p in zip(keys, payloads, strict=True)]
    packet, _ = construct_onion(session, hops, payment_hash)
    target = data.draw(st.integers(0, len(keys) - 1), label="hop")
    for key in keys[:target]:
        result = peel_onion(key, packet, payment_hash)
        assert isinstance(result, PeeledOnion) and result.next_packet is not None
        packet = result.next_packet
    bit = data.draw(st.integers(0, 1366 * 8 - 1), label="bit")
    damaged = bytearray(packet)
    damaged[bit // 8] ^= 1 << (bit % 8)
    result = peel_onion(keys[target], bytes(damaged), payment_hash)
    assert isinstance(result, MalformedOnion)
    assert result.failure.is_badonion
    if bit < 8:
        assert result.failure_code == FailureCode.INVALID_ONION_VERSION
    elif bit < 34 * 8:
        assert result.failure_code in (
            FailureCode.INVALID_ONION_KEY,
            FailureCode.INVALID_ONION_HMAC,
        )
    else:
        assert result.failure_code == FailureCode.INVALID_ONION_HMAC
    assert result.sha256_of_onion == hashlib.sha256(bytes(damaged)).digest()


def test_route_too_long_or_bad_input_is_refused() -> None:
    key = pubkey_of(b"\x01" * 32)
    with pytest.raises(OnionEncodeError):
        construct_onion(b"\x02" * 32, [HopSpec(key, bytes(1300))], bytes(32))
    with pytest.raises(OnionEncodeError):
        construct_onion(b"\x02" * 32, [HopSpec(key, bytes(40))] * 19, bytes(32))
    with pytest.raises(OnionEncodeError):
        construct_onion(b"\x02" * 32, [], bytes(32))
    with pytest.raises(OnionEncodeError):
        construct_onion(b"\x02" * 32, [HopSpec(key, b"\x00")], bytes(32))
    with pytest.raises(OnionEncodeError):
        construct_onion(bytes(32), [HopSpec(key, bytes(2))], bytes(32))
    with pytest.raises(OnionEncodeError):
        construct_onion(b"\x02" * 32, [HopSpec(b"\x02" + bytes(32), bytes(2))], bytes(32))
    # exactly full: 1300 bytes of frames
    full = HopSpec(key, bytes(1300 - 3 - 32))
    assert len(construct_onion(b"\x02" * 32, [full], bytes(32)).packet) == 1366


def test_failure_padding_minimum() -> None:
    with pytest.raises(OnionEncodeError):
        create_failure(bytes(32), b"\x20\x02", pad_to=100)
    with pytest.raises(OnionEncodeError):
        create_failure(bytes(32), bytes(0x10000))
    # a message longer than 256 bytes is not padded further
    assert len(create_failure(bytes(32), bytes(300))) == 32 + 2 + 300 + 2


def test_payload_framing_errors_after_a_valid_hmac() -> None:
    node = b"\x07" * 32
    pk = pubkey_of(node)
    assoc = bytes(32)
    # a payment payload of 1 byte: the HMAC checks, then "payload_length is less than two"
    packet, shared = construct_packet(b"\x05" * 32, [HopSpec(pk, b"\x02")], assoc)
    result = peel_onion(node, packet, assoc)
    assert isinstance(result, RejectedOnion)
    assert result.failure == InvalidOnionPayload(0, 0)
    assert result.shared_secret == shared[0]
    # ... and inside a blinded route it is a malformed invalid_onion_blinding
    path_key = pubkey_of(b"\x09" * 32)
    blinded_pk = pubkey_of(tweak_mul_secret(node, blinded_node_tweak(node, path_key)))
    packet, _ = construct_packet(b"\x05" * 32, [HopSpec(blinded_pk, b"\x02")], assoc)
    blinded = peel_onion(node, packet, assoc, path_key=path_key)
    assert isinstance(blinded, MalformedOnion)
    assert blinded.failure_code == FailureCode.INVALID_ONION_BLINDING
    assert blinded.sha256_of_onion == hashlib.sha256(packet).digest()


def test_bad_version_and_key() -> None:
    node = b"\x07" * 32
    hops = [HopSpec(pubkey_of(node), build_final_payload(1, 2))]
    packet, _ = construct_onion(b"\x05" * 32, hops, bytes(32))
    v1 = peel_onion(node, b"\x01" + packet[1:], bytes(32))
    assert isinstance(v1, MalformedOnion) and v1.failure_code == FailureCode.INVALID_ONION_VERSION
    bad_key = packet[:1] + b"\x02" + bytes(32) + packet[34:]
    k = peel_onion(node, bad_key, bytes(32))
    assert isinstance(k, MalformedOnion) and k.failure_code == FailureCode.INVALID_ONION_KEY
    with pytest.raises(OnionDecodeError):
        peel_onion(node, packet[:-1], bytes(32))
    bad_path_key = peel_onion(node, packet, bytes(32), path_key=b"\x02" + bytes(32))
    assert isinstance(bad_path_key, MalformedOnion)
    assert bad_path_key.failure_code == FailureCode.INVALID_ONION_BLINDING


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1366, max_size=1366), secrets, st.binary(max_size=40))
def test_peeling_random_packets_never_raises(packet: bytes, key: bytes, assoc: bytes) -> None:
    result = peel_onion(key, packet, assoc)
    assert isinstance(result, MalformedOnion)  # the HMAC cannot match random bytes


failure_messages = st.one_of(
    st.builds(TemporaryNodeFailure),
    st.builds(TemporaryChannelFailure, st.binary(max_size=200)),
    st.builds(
        IncorrectOrUnknownPaymentDetails,
        st.integers(0, (1 << 64) - 1),
        st.integers(0, (1 << 32) - 1),
        extension=st.binary(max_size=300),
    ),
).map(lambda m: m.encode())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(hashes, min_size=1, max_size=20, unique=True),
    st.data(),
    failure_messages | st.binary(min_size=2, max_size=600),
)
def test_failures_are_attributed_to_the_erring_hop(
    shared: list[bytes], data: st.DataObject, message: bytes
) -> None:
    erring = data.draw(st.integers(0, len(shared) - 1), label="erring hop")
    pad_to = data.draw(st.sampled_from([256, 1024]), label="pad_to")
    packet = create_failure(shared[erring], message, pad_to)
    assert len(packet) == 32 + 4 + max(pad_to, len(message))
    for ss in reversed(shared[:erring]):
        packet = obfuscate_failure(ss, packet)
    decoded = decode_failure(shared, packet)
    assert decoded is not None
    assert decoded.hop_index == erring
    assert decoded.failure_message == message
    if decoded.failure is not None:
        assert decoded.failure.encode() == message


@settings(max_examples=40, deadline=None)
@given(st.lists(hashes, min_size=1, max_size=20, unique=True), st.data())
def test_attributed_failures_and_hold_times(shared: list[bytes], data: st.DataObject) -> None:
    erring = data.draw(st.integers(0, len(shared) - 1), label="erring hop")
    holds = data.draw(
        st.lists(st.integers(0, (1 << 32) - 1), min_size=len(shared), max_size=len(shared))
    )
    packet, attribution = create_failure_with_attribution(
        shared[erring], TemporaryNodeFailure().encode(), holds[erring]
    )
    for i in range(erring - 1, -1, -1):
        packet, attribution = obfuscate_failure_with_attribution(
            shared[i], packet, attribution, holds[i]
        )
    assert len(attribution) == ATTRIBUTION_DATA_SIZE
    result = decode_attributed_failure(shared, packet, attribution)
    assert result.decoded is not None and result.decoded.hop_index == erring
    assert result.hold_times == tuple(holds[: erring + 1])
    assert result.blame_hop is None
    # a hop that tampers with the failure is pinned down by the attribution HMACs
    if erring > 0:
        culprit = data.draw(st.integers(0, erring - 1), label="culprit")
        packet, attribution = create_failure_with_attribution(
            shared[erring], TemporaryNodeFailure().encode(), holds[erring]
        )
        for i in range(erring - 1, -1, -1):
            if i == culprit:
                packet = packet[:40] + bytes([packet[40] ^ 1]) + packet[41:]
            packet, attribution = obfuscate_failure_with_attribution(
                shared[i], packet, attribution, holds[i]
            )
        result = decode_attributed_failure(shared, packet, attribution)
        assert result.decoded is None
        assert result.blame_hop == culprit + 1  # the pair (culprit, culprit + 1)
        assert result.hold_times == tuple(holds[: culprit + 1])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(hashes, max_size=5),
    st.binary(max_size=400),
    st.none() | st.binary(min_size=920, max_size=920) | st.binary(max_size=50),
)
def test_failure_decoders_never_raise(
    shared: list[bytes], packet: bytes, attribution: bytes | None
) -> None:
    decoded = decode_failure(shared, packet)
    assert decoded is None or 0 <= decoded.hop_index < len(shared)
    result = decode_attributed_failure(shared, packet, attribution)
    assert result.decoded == decoded
    if attribution is not None and shared:
        assert (
            unwrap_attribution(shared[0], attribution, packet, 3) is None or len(attribution) == 920
        )
