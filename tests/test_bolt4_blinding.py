"""Route blinding: bolt04/route-blinding-test.json and blinded-payment-onion-test.json."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from amiko.crypto.keys import pubkey_of, tweak_mul_secret
from amiko.payments.onion import (
    FailureCode,
    ForwardHop,
    HopSpec,
    MalformedOnion,
    PeeledOnion,
    RejectedOnion,
    construct_onion,
)
from amiko.payments.onion.blinding import (
    BlindedForward,
    BlindedReceive,
    blind_hop,
    blinded_forward_amount,
    create_blinded_path,
    decrypt_recipient_data,
    read_blinded_hop,
)
from amiko.payments.onion.failures import InvalidOnionBlinding
from amiko.payments.onion.payload import (
    BlindedHop,
    PayloadRejection,
    build_blinded_final_payload,
    build_blinded_forward_payload,
    build_forward_payload,
)
from amiko.payments.onion.sphinx import blinded_node_tweak, peel_onion, reject_payload
from amiko.wire.messages import EncryptedDataTlv, PaymentConstraints, PaymentRelay
from amiko.wire.primitives import decode_bigsize
from amiko.wire.types import Msat, ShortChannelId

VECTORS = Path(__file__).parent / "vectors"
H = bytes.fromhex


def _load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


ROUTE = _load("bolt04_route_blinding.json")
PAYMENT = _load("bolt04_blinded_payment_onion.json")


def test_blinded_route_creation() -> None:
    hops = ROUTE["generate"]["hops"]
    for i, h in enumerate(hops):
        assert pubkey_of(H(h["path_privkey"])).hex() == h["path_key"]
        hop, next_privkey = blind_hop(H(h["path_privkey"]), H(h["node_id"]), H(h["encoded_tlvs"]))
        assert hop.blinded_node_id.hex() == h["blinded_node_id"]
        assert hop.encrypted_recipient_data.hex() == h["encrypted_data"]
        assert hop.encrypted_recipient_data.hex() == ROUTE["route"]["hops"][i]["encrypted_data"]
        if i + 1 < len(hops) and "session_key" not in hops[i + 1]:
            assert next_privkey.hex() == hops[i + 1]["path_privkey"]
    # Eve's Dave -> Eve route, made in one call
    dave, eve = hops[2], hops[3]
    path = create_blinded_path(
        H(dave["session_key"]),
        [H(dave["node_id"]), H(eve["node_id"])],
        [H(dave["encoded_tlvs"]), H(eve["encoded_tlvs"])],
    )
    assert path.first_node_id.hex() == dave["node_id"]
    assert path.first_path_key.hex() == dave["path_key"]
    assert [h.blinded_node_id.hex() for h in path.hops] == [
        dave["blinded_node_id"],
        eve["blinded_node_id"],
    ]
    assert ROUTE["route"]["first_path_key"] == hops[0]["path_key"]


def test_blinded_route_unblinding() -> None:
    for i, h in enumerate(ROUTE["unblind"]["hops"]):
        node, path_key = H(h["node_privkey"]), H(h["path_key"])
        blinded = tweak_mul_secret(node, blinded_node_tweak(node, path_key))
        assert blinded.hex() == h["blinded_privkey"]
        assert pubkey_of(blinded).hex() == ROUTE["route"]["hops"][i]["blinded_node_id"]
        result = decrypt_recipient_data(
            node, path_key, H(ROUTE["route"]["hops"][i]["encrypted_data"])
        )
        assert result is not None
        assert result.data.encode().hex() == h["decrypted_data"]
        # "If the `encrypted_data_tlv` contains a `next_path_key_override`: MUST use it"
        assert result.next_path_key.hex() == h.get("next_path_key_override", h["next_path_key"])
        # a wrong key or corrupted data does not decrypt
        assert (
            decrypt_recipient_data(
                node, pubkey_of(b"\x09" * 32), H(ROUTE["route"]["hops"][i]["encrypted_data"])
            )
            is None
        )


def _strip(framed: bytes) -> bytes:
    length, pos = decode_bigsize(framed, 0)
    assert len(framed) - pos == length
    return framed[pos:]


def test_blinded_payment_onion() -> None:
    gen = PAYMENT["generate"]
    hops = [HopSpec(H(h["pubkey"]), _strip(H(h["payload"]))) for h in gen["full_route"]["hops"]]
    assoc = H(gen["associated_data"])
    packet, _ = construct_onion(H(gen["session_key"]), hops, assoc)
    assert packet.hex() == gen["onion"]
    path_key: bytes | None = None
    amount, cltv = 0, 0
    for i, h in enumerate(PAYMENT["decrypt"]["hops"]):
        assert packet.hex() == h["onion"]
        key = H(h["node_privkey"])
        result = peel_onion(key, packet, assoc, path_key=path_key)
        assert isinstance(result, PeeledOnion), result
        assert result.payload == hops[i].payload
        if i == 0:
            assert isinstance(result.hop, ForwardHop)  # Alice: a normal hop
            amount, cltv = result.hop.amt_to_forward, result.hop.outgoing_cltv_value
        else:
            assert isinstance(result.hop, BlindedHop)
            assert (result.hop.current_path_key is not None) == (i == 1)  # Bob: introduction
            out = read_blinded_hop(key, result.hop, path_key, amount, cltv)
            if i < 4:
                assert isinstance(out, BlindedForward), out
                assert out.short_channel_id == i
                assert out.next_path_key.hex() == h["next_path_key"]
                path_key, amount, cltv = (
                    out.next_path_key,
                    out.amt_to_forward,
                    out.outgoing_cltv_value,
                )
            else:
                assert isinstance(out, BlindedReceive), out
                assert out.amt_to_forward == gen["final_amount_msat"]
                assert out.outgoing_cltv_value == gen["final_cltv"]
                assert out.total_amount_msat == 150000
                assert out.path_id == H("c9cf92f45ade68345bc20ae672e2012f4af487ed4415")
        if result.next_packet is None:
            assert i == 4
        else:
            packet = result.next_packet
    # the blinded hops' amounts match what the sender paid for the path (blinded_payinfo)
    assert amount == gen["final_amount_msat"] and cltv == gen["final_cltv"]


def test_forward_amount_formula() -> None:
    # Carol in the payment vector: base 100, 150 ppm
    assert blinded_forward_amount(100125, 100, 150) == 100010
    assert blinded_forward_amount(100010, 0, 100) == 100000


# ---------------------------------------------------------------------------------------
# A small blinded network of our own: the error paths
# ---------------------------------------------------------------------------------------

KEYS = [bytes([0x51 + i]) * 32 for i in range(3)]  # introduction, middle, recipient
ASSOC = b"\x33" * 32


def _tlv(
    scid: int | None, *, relay: bool = True, max_cltv: int = 1000, features: bytes = b""
) -> bytes:
    return EncryptedDataTlv(
        short_channel_id=None if scid is None else ShortChannelId(scid),
        path_id=b"me" if scid is None else None,
        payment_relay=PaymentRelay(40, 1000, 7) if relay and scid is not None else None,
        payment_constraints=PaymentConstraints(max_cltv, Msat(10)),
        allowed_features=features,
    ).encode()


def _onion(tlvs: list[bytes]) -> tuple[bytes, list[bytes]]:
    path = create_blinded_path(b"\x61" * 32, [pubkey_of(k) for k in KEYS], tlvs)
    payloads = [
        build_blinded_forward_payload(path.hops[0].encrypted_recipient_data, path.first_path_key),
        build_blinded_forward_payload(path.hops[1].encrypted_recipient_data),
        build_blinded_final_payload(path.hops[2].encrypted_recipient_data, 5000, 500, 5000),
    ]
    onion_keys = [pubkey_of(KEYS[0]), path.hops[1].blinded_node_id, path.hops[2].blinded_node_id]
    packet, _ = construct_onion(
        b"\x62" * 32, [HopSpec(k, p) for k, p in zip(onion_keys, payloads, strict=True)], ASSOC
    )
    return packet, payloads


def _walk(tlvs: list[bytes], amount: int = 6000, cltv: int = 600) -> list[object]:
    """Peel and read each hop; returns what each hop decided."""
    packet, _ = _onion(tlvs)
    out: list[object] = []
    path_key: bytes | None = None
    for key in KEYS:
        peeled = peel_onion(key, packet, ASSOC, path_key=path_key)
        if not isinstance(peeled, PeeledOnion):
            out.append(peeled)
            return out
        assert isinstance(peeled.hop, BlindedHop)
        decision = read_blinded_hop(key, peeled.hop, path_key, amount, cltv)
        out.append(decision)
        if not isinstance(decision, BlindedForward):
            return out
        assert peeled.next_packet is not None
        packet, path_key = peeled.next_packet, decision.next_path_key
        amount, cltv = decision.amt_to_forward, decision.outgoing_cltv_value
    return out


def test_own_blinded_route_end_to_end() -> None:
    result = _walk([_tlv(1), _tlv(2), _tlv(None)])
    assert [type(r) for r in result] == [BlindedForward, BlindedForward, BlindedReceive]
    final = result[-1]
    assert isinstance(final, BlindedReceive) and final.path_id == b"me"


def test_blinded_route_refusals() -> None:
    def refused(result: list[object], at: int) -> None:
        assert len(result) == at + 1
        assert isinstance(result[at], PayloadRejection) and result[at].blinded  # type: ignore[attr-defined]

    refused(_walk([_tlv(1), _tlv(2), _tlv(None)], cltv=2000), 0)  # max_cltv
    refused(_walk([_tlv(1, relay=False), _tlv(2), _tlv(None)]), 0)  # no payment_relay
    refused(_walk([_tlv(1), _tlv(2, features=b"\x01"), _tlv(None)]), 1)  # unknown feature
    refused(_walk([_tlv(None), _tlv(2), _tlv(None)]), 0)  # no next hop at a forwarding node
    refused(_walk([_tlv(1), _tlv(2), _tlv(None)], amount=9), 0)  # below htlc_minimum_msat
    both = EncryptedDataTlv(
        short_channel_id=ShortChannelId(1),
        next_node_id=pubkey_of(b"\x01" * 32),
        payment_relay=PaymentRelay(1, 1, 1),
    ).encode()
    refused(_walk([both, _tlv(2), _tlv(None)]), 0)


def test_reject_payload_inside_and_at_the_introduction() -> None:
    rejection = PayloadRejection(10, 0, "test", blinded=True)
    inside = reject_payload(b"\x01" * 32, b"\x00" * 1366, rejection, True)
    assert isinstance(inside, MalformedOnion)
    assert inside.failure_code == FailureCode.INVALID_ONION_BLINDING
    intro = reject_payload(b"\x01" * 32, b"\x00" * 1366, rejection, False)
    assert isinstance(intro, RejectedOnion)
    assert intro.failure == InvalidOnionBlinding(hashlib.sha256(bytes(1366)).digest())


def test_errors_inside_a_blinded_route_are_invalid_onion_blinding() -> None:
    packet, _ = _onion([_tlv(1), _tlv(2), _tlv(None)])
    intro = peel_onion(KEYS[0], packet, ASSOC)
    assert isinstance(intro, PeeledOnion) and intro.next_packet is not None
    # the middle node gets a wrong path_key: the onion does not decrypt. Inside a blinded
    # route even a bad HMAC is reported as invalid_onion_blinding (BOLT #2: "for any local or
    # downstream errors").
    wrong = peel_onion(KEYS[1], intro.next_packet, ASSOC, path_key=pubkey_of(b"\x02" * 32))
    assert isinstance(wrong, MalformedOnion)
    assert wrong.failure_code == FailureCode.INVALID_ONION_BLINDING
    # a payload refused inside the route: invalid_onion_blinding, malformed
    bad_payload = build_forward_payload(1, 2, 3)
    mid_key = pubkey_of(
        tweak_mul_secret(KEYS[1], blinded_node_tweak(KEYS[1], pubkey_of(b"\x04" * 32)))
    )
    onion, _ = construct_onion(
        b"\x63" * 32, [HopSpec(mid_key, bad_payload), HopSpec(mid_key, bad_payload)], ASSOC
    )
    inside = peel_onion(KEYS[1], onion, ASSOC, path_key=pubkey_of(b"\x04" * 32))
    assert isinstance(inside, MalformedOnion)
    assert inside.failure_code == FailureCode.INVALID_ONION_BLINDING
    # and at the introduction node (current_path_key in the payload) an update_fail_htlc
    intro_payload = b"\x02\x01\x01" + build_blinded_forward_payload(b"x", pubkey_of(b"\x05" * 32))
    onion2, _ = construct_onion(
        b"\x64" * 32,
        [HopSpec(pubkey_of(KEYS[0]), intro_payload), HopSpec(mid_key, bad_payload)],
        ASSOC,
    )
    at_intro = peel_onion(KEYS[0], onion2, ASSOC)
    assert isinstance(at_intro, RejectedOnion)
    assert isinstance(at_intro.failure, InvalidOnionBlinding)
