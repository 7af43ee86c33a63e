"""BOLT 8: Noise_XK_secp256k1_ChaChaPoly_SHA256, as a pure state machine.

No sockets, clocks or randomness in here: the caller passes the ephemeral key in, feeds the
bytes it read, and writes the bytes it gets back (the h11 style). ``amiko.transport`` is the
asyncio driver.

Initiator::

    hs = InitiatorHandshake(local_static, remote_static_pub, ephemeral)
    send(hs.act_one())                        # 50 bytes
    send(hs.act_two_receive(read_exactly(50)))  # act three, 66 bytes
    cipher = hs.result()

Responder::

    hs = ResponderHandshake(local_static, ephemeral)
    send(hs.act_one_receive(read_exactly(50)))  # act two, 50 bytes
    hs.act_three_receive(read_exactly(66))
    peer_id, cipher = hs.remote_static_pub, hs.result()

Then, per message: ``cipher.encrypt(msg)`` gives a whole frame; a reader calls
``cipher.decrypt_length(first_18_bytes)`` and ``cipher.decrypt_body(next_length_plus_16)``.
Bad peer input raises a :class:`HandshakeError` subclass or :class:`DecryptionError`; calling
a method out of turn raises :class:`NoiseStateError`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from amiko.crypto.hashes import hkdf, sha256
from amiko.crypto.keys import InvalidKeyError, ecdh, is_valid_pubkey, is_valid_secret, pubkey_of

__all__ = [
    "ACT_ONE_SIZE",
    "ACT_THREE_SIZE",
    "ACT_TWO_SIZE",
    "FRAME_HEADER_SIZE",
    "HANDSHAKE_VERSION",
    "KEY_ROTATION_INTERVAL",
    "MAC_SIZE",
    "MAX_MESSAGE_SIZE",
    "DecryptionError",
    "HandshakeError",
    "HandshakeLengthError",
    "HandshakeMacError",
    "HandshakePubkeyError",
    "HandshakeState",
    "HandshakeVersionError",
    "InitiatorHandshake",
    "MessageTooLongError",
    "NoiseCipher",
    "NoiseError",
    "NoiseStateError",
    "ResponderHandshake",
    "SessionKeys",
]

# BOLT #8: The official protocol name for the Lightning variant of Noise is
# `Noise_XK_secp256k1_ChaChaPoly_SHA256`.
PROTOCOL_NAME = b"Noise_XK_secp256k1_ChaChaPoly_SHA256"
# BOLT #8: where `prologue` is the ASCII string: `lightning`
PROLOGUE = b"lightning"
HANDSHAKE_VERSION = 0
# BOLT #8: Act One: 50 bytes, Act Two: 50 bytes, Act Three: 66 bytes
ACT_ONE_SIZE = 50
ACT_TWO_SIZE = 50
ACT_THREE_SIZE = 66
MAC_SIZE = 16
# BOLT #8: The *maximum* size of _any_ Lightning message MUST NOT exceed `65535` bytes.
MAX_MESSAGE_SIZE = 65535
# The encrypted 2-byte length and its MAC.
FRAME_HEADER_SIZE = 2 + MAC_SIZE
# BOLT #8: A key is to be rotated after a party encrypts or decrypts 1000 times with it
KEY_ROTATION_INTERVAL = 1000

# BOLT #8: 1. `h = SHA-256(protocolName)` 2. `ck = h` 3. `h = SHA-256(h || prologue)`
_INITIAL_CK = sha256(PROTOCOL_NAME)
_INITIAL_H = sha256(_INITIAL_CK + PROLOGUE)

# BOLT #8: with nonce `n` encoded as 32 zero bits, followed by a *little-endian* 64-bit value.
# A nonce never reaches 1000 (the key rotates first), so all of them fit in a table.
_NONCES: tuple[bytes, ...] = tuple(
    bytes(4) + n.to_bytes(8, "little") for n in range(KEY_ROTATION_INTERVAL)
)
_EMPTY = b""
_VERSION_BYTE = bytes([HANDSHAKE_VERSION])


# --- errors ---------------------------------------------------------------------------------


class NoiseError(Exception):
    """Base class of everything this module raises on purpose."""


class HandshakeError(NoiseError):
    """The peer sent a handshake act we must reject; the connection must be dropped.

    # BOLT #8: If a MAC check ever fails during the handshake process, then the
    # connection is to be immediately terminated.
    """

    def __init__(self, act: int, reason: str) -> None:
        super().__init__(f"act {act}: {reason}")
        self.act = act
        self.reason = reason


class HandshakeLengthError(HandshakeError):
    """An act of the wrong size (a short read)."""


class HandshakeVersionError(HandshakeError):
    """An act whose leading version byte is not 0."""

    def __init__(self, act: int, version: int) -> None:
        super().__init__(act, f"unknown handshake version {version}")
        self.version = version


class HandshakePubkeyError(HandshakeError):
    """An act carrying bytes that are not a compressed secp256k1 point."""


class HandshakeMacError(HandshakeError):
    """An act whose Poly1305 tag does not check (wrong key, or tampering)."""


class NoiseStateError(NoiseError):
    """A method called out of turn (a bug in the caller, not bad peer input)."""


class DecryptionError(NoiseError):
    """A transport frame whose MAC does not check. The connection must be dropped."""


class MessageTooLongError(NoiseError, ValueError):
    """A message longer than 65535 bytes handed to :meth:`NoiseCipher.encrypt`."""


# --- handshake ------------------------------------------------------------------------------


class HandshakeState(enum.Enum):
    """Where a handshake is. Each public method is legal in exactly one state."""

    INITIAL = "initial"  # initiator: act_one() next
    AWAIT_ACT_ONE = "await act one"  # responder: act_one_receive() next
    AWAIT_ACT_TWO = "await act two"  # initiator: act_two_receive() next
    AWAIT_ACT_THREE = "await act three"  # responder: act_three_receive() next
    COMPLETE = "complete"  # result() next
    FINISHED = "finished"  # the cipher has been handed out
    FAILED = "failed"  # an act was rejected; nothing more can happen


_S = HandshakeState
# (state, method) -> state after the method succeeds. Anything else is illegal.
_TRANSITIONS: dict[tuple[HandshakeState, str], HandshakeState] = {
    (_S.INITIAL, "act_one"): _S.AWAIT_ACT_TWO,
    (_S.AWAIT_ACT_TWO, "act_two_receive"): _S.COMPLETE,
    (_S.AWAIT_ACT_ONE, "act_one_receive"): _S.AWAIT_ACT_THREE,
    (_S.AWAIT_ACT_THREE, "act_three_receive"): _S.COMPLETE,
    (_S.COMPLETE, "result"): _S.FINISHED,
}


@dataclass(frozen=True)
class SessionKeys:
    """The keys a finished handshake derives (for tests and debugging; never log them)."""

    send_key: bytes = field(repr=False)
    recv_key: bytes = field(repr=False)
    chaining_key: bytes = field(repr=False)


def _encrypt_with_ad(k: bytes, n: int, ad: bytes, plaintext: bytes) -> bytes:
    return ChaCha20Poly1305(k).encrypt(_NONCES[n], plaintext, ad)


def _decrypt_with_ad(k: bytes, n: int, ad: bytes, ciphertext: bytes) -> bytes | None:
    try:
        return ChaCha20Poly1305(k).decrypt(_NONCES[n], ciphertext, ad)
    except InvalidTag:
        return None


class _Handshake:
    """State shared by both roles: ``ck``, ``h`` and the state machine."""

    _transitions = _TRANSITIONS

    def __init__(
        self, local_static: bytes, ephemeral: bytes, responder_pub: bytes, state: HandshakeState
    ) -> None:
        if not is_valid_secret(local_static):
            raise ValueError("local_static is not a valid secp256k1 secret")
        if not is_valid_secret(ephemeral):
            raise ValueError("ephemeral is not a valid secp256k1 secret")
        self._ls = bytes(local_static)
        self._e = bytes(ephemeral)
        self._e_pub = pubkey_of(self._e)
        self._ck = _INITIAL_CK
        # BOLT #8: As a concluding step, both sides mix the responder's public key into the
        # handshake digest: `h = SHA-256(h || rs.pub.serializeCompressed())`
        self._h = sha256(_INITIAL_H + responder_pub)
        self._temp_k2 = _EMPTY
        self._re = _EMPTY
        self._keys: SessionKeys | None = None
        self._state = state

    # -- state machine --

    @property
    def state(self) -> HandshakeState:
        return self._state

    def _begin(self, method: str) -> HandshakeState:
        """Check ``method`` is legal now; until it succeeds, the handshake counts as FAILED."""
        nxt = self._transitions.get((self._state, method))
        if nxt is None:
            raise NoiseStateError(f"{method}() is illegal in state {self._state.name}")
        self._state = HandshakeState.FAILED
        return nxt

    # -- the Noise symmetric state --

    def _mix_hash(self, data: bytes) -> None:
        self._h = sha256(self._h + data)

    def _mix_key(self, ikm: bytes) -> bytes:
        self._ck, temp_k = hkdf(self._ck, ikm)
        return temp_k

    def _finish(self, initiator: bool) -> None:
        # BOLT #8: `sk, rk = HKDF(ck, zero)` (initiator); `rk, sk = HKDF(ck, zero)` (responder)
        # BOLT #8: `rn = 0, sn = 0`; `rck = sck = ck`
        k1, k2 = hkdf(self._ck, _EMPTY)
        sk, rk = (k1, k2) if initiator else (k2, k1)
        self._keys = SessionKeys(send_key=sk, recv_key=rk, chaining_key=self._ck)
        # The handshake secrets are no longer needed.
        self._e = self._temp_k2 = _EMPTY

    @staticmethod
    def _parse_act(act: int, data: bytes, size: int) -> bytes:
        # BOLT #8: Read _exactly_ 50 bytes [66 for act three] from the network buffer.
        if len(data) != size:
            raise HandshakeLengthError(act, f"expected {size} bytes, got {len(data)}")
        # BOLT #8: If `v` is an unrecognized handshake version, then the responder MUST
        # abort the connection attempt.
        if data[0] != HANDSHAKE_VERSION:
            raise HandshakeVersionError(act, data[0])
        return bytes(data)

    def _receive_ephemeral(self, act: int, data: bytes, secret: bytes) -> bytes:
        """Receiver steps of acts one and two, which are the same; returns the next temp key."""
        m = self._parse_act(act, data, ACT_ONE_SIZE if act == 1 else ACT_TWO_SIZE)
        # BOLT #8: Parse the read message (`m`) into `v`, `re`, and `c`
        re, c = m[1:34], m[34:]
        # BOLT #8: The raw bytes of the remote party's ephemeral public key (`re`) are to be
        # deserialized into a point on the curve
        if not is_valid_pubkey(re):
            raise HandshakePubkeyError(act, "ephemeral key is not a valid compressed point")
        # BOLT #8: `h = SHA-256(h || re.serializeCompressed())`
        self._mix_hash(re)
        # BOLT #8 (act one): `es = ECDH(s.priv, re)`; (act two): `ee = ECDH(e.priv, re)`
        # BOLT #8: `ck, temp_k1 = HKDF(ck, es)` / `ck, temp_k2 = HKDF(ck, ee)`
        temp_k = self._mix_key(ecdh(secret, re))
        # BOLT #8: `p = decryptWithAD(temp_k, 0, h, c)`: If the MAC check in this operation
        # fails, then the [responder | initiator] MUST terminate the connection without any
        # further messages.
        if _decrypt_with_ad(temp_k, 0, self._h, c) is None:
            raise HandshakeMacError(
                act, "bad MAC (the initiator does not know our node id?)" if act == 1 else "bad MAC"
            )
        # BOLT #8: `h = SHA-256(h || c)`
        self._mix_hash(c)
        self._re = re
        return temp_k

    def _send_ephemeral(self, remote_key: bytes) -> tuple[bytes, bytes]:
        """Sender steps of acts one and two; returns (message, temp key)."""
        # BOLT #8: 1. `e = generateKey()` (the caller's ephemeral key)
        # 2. `h = SHA-256(h || e.pub.serializeCompressed())`
        self._mix_hash(self._e_pub)
        # 3. `es = ECDH(e.priv, rs)` / `ee = ECDH(e.priv, re)`
        # 4. `ck, temp_k1 = HKDF(ck, es)` / `ck, temp_k2 = HKDF(ck, ee)`
        temp_k = self._mix_key(ecdh(self._e, remote_key))
        # 5. `c = encryptWithAD(temp_k, 0, h, zero)`
        c = _encrypt_with_ad(temp_k, 0, self._h, _EMPTY)
        # 6. `h = SHA-256(h || c)`
        self._mix_hash(c)
        # 7. Send `m = 0 || e.pub.serializeCompressed() || c`
        return _VERSION_BYTE + self._e_pub + c, temp_k

    # -- results --

    @property
    def session_keys(self) -> SessionKeys:
        """The derived keys, once the handshake is complete."""
        if self._keys is None:
            raise NoiseStateError(f"no session keys in state {self._state.name}")
        return self._keys

    @property
    def handshake_hash(self) -> bytes:
        """The final handshake digest ``h`` (unique to this session), once complete."""
        if self._keys is None:
            raise NoiseStateError(f"no handshake hash in state {self._state.name}")
        return self._h

    def result(self) -> NoiseCipher:
        """The transport cipher. Callable once: two ciphers on one key would reuse nonces."""
        nxt = self._begin("result")
        assert self._keys is not None
        cipher = NoiseCipher(self._keys.send_key, self._keys.recv_key, self._keys.chaining_key)
        self._state = nxt
        return cipher


class InitiatorHandshake(_Handshake):
    """The side that opens the connection and knows the responder's node id."""

    def __init__(self, local_static: bytes, remote_static_pub: bytes, ephemeral: bytes) -> None:
        if not is_valid_pubkey(remote_static_pub):
            raise ValueError("remote_static_pub is not a valid compressed public key")
        super().__init__(local_static, ephemeral, bytes(remote_static_pub), HandshakeState.INITIAL)
        self._rs = bytes(remote_static_pub)
        self._ls_pub = pubkey_of(self._ls)

    @property
    def remote_static_pub(self) -> bytes:
        return self._rs

    def act_one(self) -> bytes:
        """Act one, ``-> e, es``: the 50 bytes to send first."""
        nxt = self._begin("act_one")
        # BOLT #8 sender actions 1.-7.; `es = ECDH(e.priv, rs)`
        m, _temp_k1 = self._send_ephemeral(self._rs)
        self._state = nxt
        return m

    def act_two_receive(self, data: bytes) -> bytes:
        """Check act two (``<- e, ee``, 50 bytes) and return act three (66 bytes) to send.

        The handshake is complete afterwards: :meth:`result` gives the cipher.
        """
        nxt = self._begin("act_two_receive")
        temp_k2 = self._receive_ephemeral(2, data, self._e)
        # Act three, ``-> s, se``. BOLT #8 sender actions:
        # 1. `c = encryptWithAD(temp_k2, 1, h, s.pub.serializeCompressed())`
        c = _encrypt_with_ad(temp_k2, 1, self._h, self._ls_pub)
        # 2. `h = SHA-256(h || c)`
        self._mix_hash(c)
        # 3. `se = ECDH(s.priv, re)`
        # 4. `ck, temp_k3 = HKDF(ck, se)`
        temp_k3 = self._mix_key(ecdh(self._ls, self._re))
        # 5. `t = encryptWithAD(temp_k3, 0, h, zero)`
        t = _encrypt_with_ad(temp_k3, 0, self._h, _EMPTY)
        # 6.-8. `sk, rk = HKDF(ck, zero)`, `rn = 0, sn = 0`, `rck = sck = ck`
        self._finish(initiator=True)
        self._state = nxt
        # 9. Send `m = 0 || c || t`
        return _VERSION_BYTE + c + t


class ResponderHandshake(_Handshake):
    """The side that accepts the connection and learns the initiator's node id."""

    def __init__(self, local_static: bytes, ephemeral: bytes) -> None:
        if not is_valid_secret(local_static):
            raise ValueError("local_static is not a valid secp256k1 secret")
        # BOLT #8: The responding node mixes in their local static public key
        super().__init__(
            local_static, ephemeral, pubkey_of(bytes(local_static)), HandshakeState.AWAIT_ACT_ONE
        )
        self._rs: bytes | None = None

    @property
    def remote_static_pub(self) -> bytes:
        """The initiator's node id, known once act three checked."""
        if self._rs is None or self._keys is None:
            raise NoiseStateError(f"remote static key unknown in state {self._state.name}")
        return self._rs

    def act_one_receive(self, data: bytes) -> bytes:
        """Check act one (``-> e, es``, 50 bytes) and return act two (50 bytes) to send."""
        nxt = self._begin("act_one_receive")
        # BOLT #8 receiver actions 1.-8.; `es = ECDH(s.priv, re)`
        self._receive_ephemeral(1, data, self._ls)
        # Act two, ``<- e, ee``: `ee = ECDH(e.priv, re)` where `re` is the initiator's
        m, self._temp_k2 = self._send_ephemeral(self._re)
        self._state = nxt
        return m

    def act_three_receive(self, data: bytes) -> None:
        """Check act three (``-> s, se``, 66 bytes); then the handshake is complete."""
        nxt = self._begin("act_three_receive")
        # BOLT #8 receiver actions: 1. Read _exactly_ 66 bytes
        # 2. Parse the read message (`m`) into `v`, `c`, and `t`
        # 3. If `v` is an unrecognized handshake version, then the responder MUST abort
        m = self._parse_act(3, data, ACT_THREE_SIZE)
        c, t = m[1:50], m[50:]
        # 4. `rs = decryptWithAD(temp_k2, 1, h, c)`: If the MAC check in this operation
        # fails, then the responder MUST terminate the connection without any further
        # messages.
        rs = _decrypt_with_ad(self._temp_k2, 1, self._h, c)
        if rs is None:
            raise HandshakeMacError(3, "bad MAC on the encrypted static key")
        # 5. `h = SHA-256(h || c)`
        self._mix_hash(c)
        # 6. `se = ECDH(e.priv, rs)`
        try:
            se = ecdh(self._e, rs)
        except InvalidKeyError:
            raise HandshakePubkeyError(3, "static key is not a valid compressed point") from None
        # 7. `ck, temp_k3 = HKDF(ck, se)`
        temp_k3 = self._mix_key(se)
        # 8. `p = decryptWithAD(temp_k3, 0, h, t)`: If the MAC check in this operation fails,
        # then the responder MUST terminate the connection without any further messages.
        if _decrypt_with_ad(temp_k3, 0, self._h, t) is None:
            raise HandshakeMacError(3, "bad MAC on the final tag")
        # 9.-11. `rk, sk = HKDF(ck, zero)`, `rn = 0, sn = 0`, `rck = sck = ck`
        self._rs = rs
        self._finish(initiator=False)
        self._state = nxt


# --- transport phase ------------------------------------------------------------------------

_EXPECT_HEADER = -1
_BROKEN = -2


class NoiseCipher:
    """The transport phase: frames messages out, unframes them in, rotates keys.

    The send and receive halves share nothing, so one task may send while another receives.
    """

    __slots__ = ("_expect", "_rck", "_recv", "_rk", "_rn", "_sck", "_send", "_sk", "_sn")

    def __init__(self, sk: bytes, rk: bytes, ck: bytes) -> None:
        if len(sk) != 32 or len(rk) != 32 or len(ck) != 32:
            raise ValueError("sk, rk and ck must be 32 bytes each")
        self._sk, self._sck, self._sn = bytes(sk), bytes(ck), 0
        self._rk, self._rck, self._rn = bytes(rk), bytes(ck), 0
        self._send = ChaCha20Poly1305(self._sk)
        self._recv = ChaCha20Poly1305(self._rk)
        # _EXPECT_HEADER, _BROKEN, or the length of the body whose header was decrypted.
        self._expect = _EXPECT_HEADER

    # Nonces start at 0 and advance by 2 a message (length, then body), and 1000 is even:
    # a message's two nonces are always n and n+1 with n even and n+1 < 1000, so the key
    # can only reach its rotation point after a body.

    def encrypt(self, msg: bytes) -> bytes:
        """The whole frame for ``msg``: encrypted length, its MAC, encrypted body, its MAC."""
        # BOLT #8: 1. Let `l = len(m)`.
        length = len(msg)
        # BOLT #8: The *maximum* size of _any_ Lightning message MUST NOT exceed `65535` bytes.
        if length > MAX_MESSAGE_SIZE:
            raise MessageTooLongError(f"message of {length} bytes exceeds {MAX_MESSAGE_SIZE}")
        n = self._sn
        aead = self._send
        # BOLT #8: 2. Serialize `l` into 2 bytes encoded as a big-endian integer.
        # 3. Encrypt `l` (using `ChaChaPoly-1305`, `sn`, and `sk`), to obtain `lc`; a
        # zero-length byte slice is to be passed as the AD. The nonce `sn` MUST be
        # incremented after this step.
        lc = aead.encrypt(_NONCES[n], length.to_bytes(2, "big"), None)
        # 4. Finally, encrypt the message itself (`m`) using the same procedure [...]
        # The nonce `sn` MUST be incremented after this step.
        c = aead.encrypt(_NONCES[n + 1], msg, None)
        n += 2
        if n == KEY_ROTATION_INTERVAL:
            self._rotate_send()
        else:
            self._sn = n
        # 5. Send `lc || c` over the network buffer.
        return lc + c

    def decrypt_length(self, header: bytes) -> int:
        """Decrypt the 18-byte frame header: the length of the body that follows (without MAC).

        The caller then reads exactly ``length + 16`` bytes for :meth:`decrypt_body`.
        """
        if self._expect != _EXPECT_HEADER:
            raise NoiseStateError(
                "cipher broken by an earlier bad frame"
                if self._expect == _BROKEN
                else "decrypt_length() called twice: the body must come first"
            )
        if len(header) != FRAME_HEADER_SIZE:
            raise ValueError(f"frame header must be {FRAME_HEADER_SIZE} bytes, got {len(header)}")
        # BOLT #8: 3. Decrypt `lc` (using `ChaCha20-Poly1305`, `rn`, and `rk`), to obtain the
        # size of the encrypted packet `l`. The nonce `rn` MUST be incremented after this step.
        try:
            plain = self._recv.decrypt(_NONCES[self._rn], header, None)
        except InvalidTag:
            self._expect = _BROKEN
            raise DecryptionError("bad MAC on the frame length") from None
        self._rn += 1
        length = int.from_bytes(plain, "big")
        self._expect = length
        return length

    def decrypt_body(self, body: bytes) -> bytes:
        """Decrypt the body (``length + 16`` bytes) announced by the last header."""
        expect = self._expect
        if expect < 0:
            raise NoiseStateError(
                "cipher broken by an earlier bad frame"
                if expect == _BROKEN
                else "decrypt_body() called before decrypt_length()"
            )
        if len(body) != expect + MAC_SIZE:
            raise ValueError(f"frame body must be {expect + MAC_SIZE} bytes, got {len(body)}")
        # BOLT #8: 5. Decrypt `c` (using `ChaCha20-Poly1305`, `rn`, and `rk`), to obtain
        # decrypted plaintext packet `p`. The nonce `rn` MUST be incremented after this step.
        try:
            msg = self._recv.decrypt(_NONCES[self._rn], body, None)
        except InvalidTag:
            self._expect = _BROKEN
            raise DecryptionError("bad MAC on the frame body") from None
        n = self._rn + 1
        if n == KEY_ROTATION_INTERVAL:
            self._rotate_recv()
        else:
            self._rn = n
        self._expect = _EXPECT_HEADER
        return msg

    def decrypt(self, frame: bytes) -> bytes:
        """Decrypt one whole frame (header and body), for in-memory use."""
        length = self.decrypt_length(frame[:FRAME_HEADER_SIZE])
        if len(frame) != FRAME_HEADER_SIZE + length + MAC_SIZE:
            self._expect = _BROKEN
            raise DecryptionError(
                f"frame of {len(frame)} bytes, header announces a {length}-byte message"
            )
        return self.decrypt_body(frame[FRAME_HEADER_SIZE:])

    # BOLT #8: Key rotation for a key `k` is performed according to the following steps:
    # 1. Let `ck` be the chaining key (i.e. `rck` for `rk` or `sck` for `sk`)
    # 2. `ck', k' = HKDF(ck, k)`
    # 3. Reset the nonce for the key to `n = 0`.
    # 4. `k = k'`
    # 5. `ck = ck'`

    def _rotate_send(self) -> None:
        self._sck, self._sk = hkdf(self._sck, self._sk)
        self._sn = 0
        self._send = ChaCha20Poly1305(self._sk)

    def _rotate_recv(self) -> None:
        self._rck, self._rk = hkdf(self._rck, self._rk)
        self._rn = 0
        self._recv = ChaCha20Poly1305(self._rk)
