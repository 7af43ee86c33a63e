"""BOLT #4 test vectors: onion construction and peeling, the failure onion, attribution data.

- bolt04_onion.json: bolt04/onion-test.json of the spec (5 hops, variable-length payloads).
- bolt04_onion_error.json: bolt04/onion-error-test.json (temporary_node_failure from hop 4).
- bolt04_onion_error_attribution.json: the "Returning Errors" / "Returning success" trace of
  the BOLT #4 text (a 320-byte failure padded to 1024, with attribution data).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from amiko.crypto.keys import pubkey_of
from amiko.payments.onion import (
    FailureCode,
    FinalHop,
    ForwardHop,
    HopSpec,
    PeeledOnion,
    construct_onion,
    create_failure,
    create_failure_with_attribution,
    decode_attributed_failure,
    decode_failure,
    obfuscate_failure,
    obfuscate_failure_with_attribution,
    peel_onion,
    prepare_session,
)
from amiko.payments.onion.attribution import add_attribution, fulfill_hold_times
from amiko.payments.onion.failures import (
    IncorrectOrUnknownPaymentDetails,
    TemporaryNodeFailure,
    decode_failure_message,
)
from amiko.payments.onion.keys import AMMAG, UM, chacha20_stream, generate_key
from amiko.payments.onion.sphinx import unwrap_packet
from amiko.wire.primitives import decode_bigsize

VECTORS = Path(__file__).parent / "vectors"


def _load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


ONION = _load("bolt04_onion.json")
ERROR = _load("bolt04_onion_error.json")
ATTRIB = _load("bolt04_onion_error_attribution.json")

H = bytes.fromhex


def _strip_length(framed: bytes) -> bytes:
    # "All the payloads already have the variable length encoded."
    length, pos = decode_bigsize(framed, 0)
    assert len(framed) - pos == length
    return framed[pos:]


def _onion_hops() -> list[HopSpec]:
    return [
        HopSpec(H(h["pubkey"]), _strip_length(H(h["payload"]))) for h in ONION["generate"]["hops"]
    ]


SESSION_KEY = H(ONION["generate"]["session_key"])
ASSOC = H(ONION["generate"]["associated_data"])
NODE_KEYS = [H(k) for k in ONION["decode"]]


def test_node_keys_match_pubkeys() -> None:
    assert [pubkey_of(k) for k in NODE_KEYS] == [h.pubkey for h in _onion_hops()]


_OTHER_NODE = pubkey_of(bytes(31) + b"\x09")


@pytest.mark.parametrize("prepared", ["no", "yes", "for the route", "for its first hop", "for another first hop",
                                      "for a path the route leaves", "for a path the route goes past",
                                      "for a path longer than the route"])
def test_construct_onion_exact_bytes(prepared: str) -> None:
    """From the session key, or from the session prepared ahead (the payer's pool), with the
    secrets shared with the route's nodes, some of them, or with a path it does not take."""
    nodes = [h.pubkey for h in _onion_hops()]
    path = {"no": None, "yes": [], "for the route": nodes, "for its first hop": nodes[:1],
            "for another first hop": nodes[1:2], "for a path the route leaves": [*nodes[:2], _OTHER_NODE],
            "for a path the route goes past": nodes[:3], "for a path longer than the route": [*nodes, _OTHER_NODE],
            }[prepared]
    session = SESSION_KEY if path is None else prepare_session(SESSION_KEY, path=path)
    packet, secrets = construct_onion(session, _onion_hops(), ASSOC)
    assert len(packet) == 1366
    assert packet.hex() == ONION["onion"]
    # The error vector uses the same keys: its shared secrets are ours.
    assert [s.hex() for s in secrets] == [h["hop_shared_secret"] for h in ERROR["generate"]["hops"]]


def test_peel_every_hop() -> None:
    hops = _onion_hops()
    packet, secrets = construct_onion(SESSION_KEY, hops, ASSOC)
    for i, key in enumerate(NODE_KEYS):
        result = peel_onion(key, packet, ASSOC)
        assert isinstance(result, PeeledOnion), result
        assert result.payload == hops[i].payload
        assert result.shared_secret == secrets[i]
        if i < len(hops) - 1:
            assert isinstance(result.hop, ForwardHop)
            assert result.hop.short_channel_id == i + 1
            assert result.next_packet is not None and len(result.next_packet) == 1366
            packet = result.next_packet
        else:
            assert result.is_final and result.next_packet is None
            assert isinstance(result.hop, FinalHop)
            assert result.hop.amt_to_forward == 10000
            assert result.hop.outgoing_cltv_value == 1000
            assert result.hop.payment_secret is not None
            assert result.hop.total_msat == 10000
    # hop 1's payload carries an odd unknown record (type 513, 60 bytes): kept, not refused.
    first = peel_onion(NODE_KEYS[0], construct_onion(SESSION_KEY, hops, ASSOC).packet, ASSOC)
    assert isinstance(first, PeeledOnion) and first.next_packet is not None
    second = peel_onion(NODE_KEYS[1], first.next_packet, ASSOC)
    assert isinstance(second, PeeledOnion)
    assert [t for t, _ in second.hop.tlv.unknown] == [513]


def test_peel_with_wrong_key_or_data_is_hmac_failure() -> None:
    packet, _ = construct_onion(SESSION_KEY, _onion_hops(), ASSOC)
    wrong = peel_onion(NODE_KEYS[1], packet, ASSOC)
    assert not isinstance(wrong, PeeledOnion)
    assert wrong.failure.code == FailureCode.INVALID_ONION_HMAC
    other = peel_onion(NODE_KEYS[0], packet, bytes(32))
    assert not isinstance(other, PeeledOnion)
    assert other.failure.code == FailureCode.INVALID_ONION_HMAC


def test_unwrap_gives_next_packets_consistently() -> None:
    # The generic layer and the payment layer agree, hop by hop.
    packet, _ = construct_onion(SESSION_KEY, _onion_hops(), ASSOC)
    for key in NODE_KEYS:
        raw = unwrap_packet(key, packet, ASSOC)
        peeled = peel_onion(key, packet, ASSOC)
        assert isinstance(peeled, PeeledOnion)
        assert raw.next_packet == peeled.next_packet  # type: ignore[union-attr]
        if peeled.next_packet is None:
            break
        packet = peeled.next_packet


# ---------------------------------------------------------------------------------------
# onion-error-test.json
# ---------------------------------------------------------------------------------------

ERROR_HOPS = ERROR["generate"]["hops"]
ERROR_SECRETS = [H(h["hop_shared_secret"]) for h in ERROR_HOPS]


def test_error_vector_keys() -> None:
    for hop, ss in zip(ERROR_HOPS, ERROR_SECRETS, strict=True):
        assert generate_key(AMMAG, ss).hex() == hop["ammag_key"]
    assert generate_key(UM, ERROR_SECRETS[4]).hex() == ERROR_HOPS[4]["um_key"]


def test_error_vector_packet_and_attribution() -> None:
    message = H(ERROR["generate"]["failure_message"])
    assert decode_failure_message(message) == TemporaryNodeFailure()
    packet = create_failure(ERROR_SECRETS[4], message)
    # hops[4].payload: the raw packet after the HMAC ("the payload is omits the HMAC").
    raw = obfuscate_failure(ERROR_SECRETS[4], packet)
    assert raw[32:].hex() == ERROR_HOPS[4]["payload"]
    assert len(packet) == 32 + 2 + 2 + 2 + 254  # failure_len + pad_len == 256
    for ss in reversed(ERROR_SECRETS[:4]):
        packet = obfuscate_failure(ss, packet)
    assert packet.hex() == ERROR["errorpacket"]
    decoded = decode_failure(ERROR_SECRETS, packet)
    assert decoded is not None
    assert decoded.hop_index == 4
    assert decoded.failure == TemporaryNodeFailure()
    assert decoded.failure_message == message


def test_error_vector_unattributable_when_corrupted() -> None:
    packet = bytearray(H(ERROR["errorpacket"]))
    packet[100] ^= 1
    assert decode_failure(ERROR_SECRETS, bytes(packet)) is None
    assert decode_failure(ERROR_SECRETS[:4], H(ERROR["errorpacket"])) is None


# ---------------------------------------------------------------------------------------
# The BOLT #4 text trace, with attribution data
# ---------------------------------------------------------------------------------------

FORWARDING = ATTRIB["forwarding"]  # node 4 first, back to node 0
A_SECRETS = [H(f["shared_secret"]) for f in reversed(FORWARDING)]  # node 0 .. node 4
HOLD = ATTRIB["hold_times_by_node"]


def test_attribution_vector_secrets_are_the_route_secrets() -> None:
    assert ATTRIB["pubkeys"] == [h.pubkey.hex() for h in _onion_hops()]
    _, secrets = construct_onion(H(ATTRIB["session_key"]), _onion_hops(), ASSOC)
    assert secrets == A_SECRETS
    assert ATTRIB["failure_shared_secret"] == FORWARDING[0]["shared_secret"]


def test_attribution_vector_failure_message() -> None:
    message = H(ATTRIB["failure_message"])
    failure = decode_failure_message(message)
    assert isinstance(failure, IncorrectOrUnknownPaymentDetails)
    assert (failure.htlc_msat, failure.height) == (100, 800000)
    # the optional TLV stream after the data: type 34001, 300 bytes of 128
    assert failure.extension == bytes.fromhex("fd84d1fd012c") + b"\x80" * 300
    assert failure.encode() == message
    assert H(ATTRIB["encoded_failure_message"]).startswith(message)


def test_attribution_vector_hop_by_hop() -> None:
    message = H(ATTRIB["failure_message"])
    ss4 = A_SECRETS[4]
    assert generate_key(UM, ss4).hex() == ATTRIB["um_key"]
    packet, attribution = create_failure_with_attribution(ss4, message, HOLD[4], pad_to=1024)
    raw = obfuscate_failure(ss4, packet)
    assert raw.hex() == ATTRIB["raw_error_packet"]
    assert raw[32:].hex() == ATTRIB["payload"]
    for step, forward in enumerate(FORWARDING):
        node = forward["node"]
        ss = A_SECRETS[node]
        assert node == 4 - step
        assert generate_key(AMMAG, ss).hex() == forward["ammag_key"]
        assert chacha20_stream(generate_key(AMMAG, ss), 1060).hex() == forward["stream"]
        if node != 4:
            packet, attribution = obfuscate_failure_with_attribution(
                ss, packet, attribution, HOLD[node]
            )
        assert packet.hex() == forward["error_packet"]
        assert attribution.hex() == forward["attribution_data"]
    result = decode_attributed_failure(A_SECRETS, packet, attribution)
    assert result.decoded is not None
    assert result.decoded.hop_index == 4
    assert result.decoded.failure_message == message
    assert result.hold_times == tuple(HOLD)
    assert result.blame_hop is None


def test_attribution_vector_blames_the_corrupting_hop() -> None:
    last = FORWARDING[-1]
    packet = bytearray(H(last["error_packet"]))
    packet[50] ^= 0x80  # corrupted between the origin and node 0
    result = decode_attributed_failure(A_SECRETS, bytes(packet), H(last["attribution_data"]))
    assert result.decoded is None
    assert result.blame_hop == 0
    assert result.hold_times == ()


@pytest.mark.parametrize("node", [4, 3, 2, 1, 0])
def test_success_attribution_vector(node: int) -> None:
    attribution = None
    for k in range(4, node - 1, -1):
        attribution = add_attribution(A_SECRETS[k], b"", HOLD[k], attribution)
    assert attribution is not None
    assert attribution.hex() == ATTRIB["success_attribution_data"][str(node)]
    if node == 0:
        assert fulfill_hold_times(A_SECRETS, attribution) == HOLD
