"""BOLT 8 appendix A: every initiator, responder and message-encryption test vector."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from amiko.crypto.noise import (
    HandshakeError,
    HandshakeLengthError,
    HandshakeMacError,
    HandshakePubkeyError,
    HandshakeState,
    HandshakeVersionError,
    InitiatorHandshake,
    NoiseCipher,
    ResponderHandshake,
)

VECTORS = Path(__file__).parent / "vectors"


def _load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


INITIATOR = _load("bolt08_initiator.json")["tests"]
RESPONDER = _load("bolt08_responder.json")["tests"]
MESSAGES = _load("bolt08_messages.json")

# The vectors' error names, e.g. ACT2_BAD_VERSION, by what went wrong.
ERRORS: dict[str, type[HandshakeError]] = {
    "READ_FAILED": HandshakeLengthError,
    "BAD_VERSION": HandshakeVersionError,
    "BAD_PUBKEY": HandshakePubkeyError,
    "BAD_TAG": HandshakeMacError,
    "BAD_CIPHERTEXT": HandshakeMacError,
}


def _expected_error(code: str) -> tuple[int, type[HandshakeError]]:
    act, what = code.split("_", 1)
    assert act.startswith("ACT")
    return int(act[3:]), ERRORS[what]


def h(x: str) -> bytes:
    return bytes.fromhex(x)


def test_all_vectors_present() -> None:
    assert len(INITIATOR) == 5
    assert len(RESPONDER) == 10
    assert sorted(MESSAGES["outputs"], key=int) == ["0", "1", "500", "501", "1000", "1001"]


@pytest.mark.parametrize("v", INITIATOR, ids=[v["name"] for v in INITIATOR])
def test_initiator(v: dict[str, Any]) -> None:
    hs = InitiatorHandshake(h(v["ls_priv"]), h(v["rs_pub"]), h(v["e_priv"]))
    assert hs.state is HandshakeState.INITIAL
    assert hs.act_one() == h(v["act_one"])
    assert hs.state is HandshakeState.AWAIT_ACT_TWO
    if v["error"] is not None:
        act, cls = _expected_error(v["error"])
        with pytest.raises(cls) as info:
            hs.act_two_receive(h(v["act_two"]))
        assert info.value.act == act == 2
        assert hs.state is HandshakeState.FAILED
        return
    assert hs.act_two_receive(h(v["act_two"])) == h(v["act_three"])
    assert hs.state is HandshakeState.COMPLETE
    keys = hs.session_keys
    assert keys.send_key == h(v["sk"])
    assert keys.recv_key == h(v["rk"])
    assert keys.chaining_key == h(MESSAGES["ck"])
    assert hs.remote_static_pub == h(v["rs_pub"])


@pytest.mark.parametrize("v", RESPONDER, ids=[v["name"] for v in RESPONDER])
def test_responder(v: dict[str, Any]) -> None:
    hs = ResponderHandshake(h(v["ls_priv"]), h(v["e_priv"]))
    assert hs.state is HandshakeState.AWAIT_ACT_ONE
    expected = _expected_error(v["error"]) if v["error"] is not None else None
    if v["act_two"] is None:  # fails in act one
        assert expected is not None
        with pytest.raises(expected[1]) as info:
            hs.act_one_receive(h(v["act_one"]))
        assert info.value.act == expected[0] == 1
        assert hs.state is HandshakeState.FAILED
        return
    assert hs.act_one_receive(h(v["act_one"])) == h(v["act_two"])
    assert hs.state is HandshakeState.AWAIT_ACT_THREE
    if expected is not None:
        with pytest.raises(expected[1]) as info:
            hs.act_three_receive(h(v["act_three"]))
        assert info.value.act == expected[0] == 3
        assert hs.state is HandshakeState.FAILED
        return
    assert hs.act_three_receive(h(v["act_three"])) is None
    assert hs.state is HandshakeState.COMPLETE
    assert hs.remote_static_pub == h(v["rs_pub"])
    keys = hs.session_keys
    assert keys.send_key == h(v["sk"])
    assert keys.recv_key == h(v["rk"])
    assert keys.chaining_key == h(MESSAGES["ck"])


def test_both_sides_agree_on_the_vector_handshake() -> None:
    vi, vr = INITIATOR[0], RESPONDER[0]
    ini = InitiatorHandshake(h(vi["ls_priv"]), h(vi["rs_pub"]), h(vi["e_priv"]))
    res = ResponderHandshake(h(vr["ls_priv"]), h(vr["e_priv"]))
    res.act_three_receive(ini.act_two_receive(res.act_one_receive(ini.act_one())))
    assert ini.handshake_hash == res.handshake_hash
    a, b = ini.result(), res.result()
    assert b.decrypt(a.encrypt(b"ping")) == b"ping"
    assert a.decrypt(b.encrypt(b"pong")) == b"pong"


def test_message_encryption_with_key_rotation() -> None:
    ck, sk, rk = h(MESSAGES["ck"]), h(MESSAGES["sk"]), h(MESSAGES["rk"])
    msg = h(MESSAGES["message"])
    outputs = {int(i): h(x) for i, x in MESSAGES["outputs"].items()}
    sender = NoiseCipher(sk, rk, ck)
    receiver = NoiseCipher(rk, sk, ck)  # the responder's view: its rk is our sk
    for i in range(max(outputs) + 1):
        frame = sender.encrypt(msg)
        if i in outputs:
            assert frame == outputs[i], f"output {i}"
        # Receive it both ways: split (as a socket reader does) and whole.
        assert receiver.decrypt_length(frame[:18]) == len(msg)
        assert receiver.decrypt_body(frame[18:]) == msg
