"""asyncio driver for BOLT 8: TCP, exact-length reads, framing and back-pressure.

The protocol rules live in :mod:`amiko.crypto.noise`; this module only moves bytes between
the socket and that state machine, and supplies the ephemeral keys' randomness.

    conn = await connect(host, port, node_secret, their_node_id)
    await conn.send(msg)
    reply = await conn.recv()

    server = await start_server(host, port, node_secret, on_connection)
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any

from amiko.crypto.keys import is_valid_secret
from amiko.crypto.noise import (
    ACT_ONE_SIZE,
    ACT_THREE_SIZE,
    ACT_TWO_SIZE,
    FRAME_HEADER_SIZE,
    MAC_SIZE,
    MAX_MESSAGE_SIZE,
    DecryptionError,
    HandshakeError,
    InitiatorHandshake,
    NoiseCipher,
    ResponderHandshake,
)
from amiko.transport.errors import (
    ConnectFailed,
    ConnectionClosed,
    DecryptionFailed,
    HandshakeFailed,
    HandshakeTimeout,
    MessageTooLong,
)

__all__ = ["NoiseConnection", "connect", "start_server"]

log = logging.getLogger("amiko.transport")

OnConnection = Callable[["NoiseConnection"], Awaitable[None]]


def _new_ephemeral() -> bytes:
    # BOLT #8: For each session, a node MUST generate a new ephemeral key with strong
    # cryptographic randomness.
    while True:
        secret = os.urandom(32)
        if is_valid_secret(secret):  # fails with probability ~2^-128
            return secret


def _peer_str(peername: Any) -> str:
    if isinstance(peername, tuple) and len(peername) >= 2:
        host, port = peername[0], peername[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(peername)


class NoiseConnection:
    """An established, encrypted and authenticated BOLT 8 connection.

    ``send`` and ``recv`` may run concurrently (one task reading, others writing). Both are
    safe to cancel: a cancelled ``send`` has written its whole frame or nothing, and a
    cancelled ``recv`` resumes the same frame on the next call.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        cipher: NoiseCipher,
        remote_pubkey: bytes,
        *,
        is_initiator: bool,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._cipher = cipher
        self.remote_pubkey: bytes = remote_pubkey
        """The peer's node id (33-byte compressed public key), authenticated by the handshake."""
        self.peername: tuple[Any, ...] = tuple(writer.get_extra_info("peername") or ())
        self.is_initiator: bool = is_initiator
        self._send_lock = asyncio.Lock()
        self._recv_lock = asyncio.Lock()
        self._pending_body: int | None = None  # body length announced by a decrypted header
        self._closed = False

    def __repr__(self) -> str:
        role = "out" if self.is_initiator else "in"
        return (
            f"<NoiseConnection {role} {_peer_str(self.peername)} "
            f"node={self.remote_pubkey.hex()[:16]}{' closed' if self.is_closed else ''}>"
        )

    @property
    def is_closed(self) -> bool:
        return self._closed or self._writer.is_closing()

    @property
    def write_buffer_size(self) -> int:
        """Bytes written but not yet handed to the kernel (bounded by ``send``'s drain)."""
        return self._writer.transport.get_write_buffer_size()

    # -- sending --

    async def send(self, msg: bytes) -> None:
        """Encrypt and write one message, then wait until the write buffer drains.

        Raises :class:`MessageTooLong` (nothing sent) above 65535 bytes and
        :class:`ConnectionClosed` if the connection is or gets closed.
        """
        if len(msg) > MAX_MESSAGE_SIZE:
            raise MessageTooLong(f"message of {len(msg)} bytes exceeds {MAX_MESSAGE_SIZE}")
        # The lock keeps frames whole and in nonce order, and makes a second sender wait
        # for the first one's drain, so the buffer cannot grow by a frame per task.
        async with self._send_lock:
            self._check_writable()
            self._writer.write(self._cipher.encrypt(msg))
            await self._drain()

    async def send_many(self, msgs: Iterable[bytes]) -> None:
        """Write several messages, in order, then drain once. All or nothing on length."""
        batch = list(msgs)
        for msg in batch:
            if len(msg) > MAX_MESSAGE_SIZE:
                raise MessageTooLong(f"message of {len(msg)} bytes exceeds {MAX_MESSAGE_SIZE}")
        async with self._send_lock:
            self._check_writable()
            encrypt = self._cipher.encrypt
            self._writer.writelines([encrypt(msg) for msg in batch])
            await self._drain()

    def _check_writable(self) -> None:
        if self.is_closed:
            raise ConnectionClosed("connection is closed")

    async def _drain(self) -> None:
        try:
            await self._writer.drain()
        except OSError as exc:  # ConnectionResetError, BrokenPipeError, ...
            self.abort()
            raise ConnectionClosed(f"connection lost while sending: {exc!r}") from exc

    # -- receiving --

    async def recv(self) -> bytes:
        """Read and decrypt the next message.

        Raises :class:`ConnectionClosed` on EOF (clean or mid-frame) and
        :class:`DecryptionFailed` on a bad MAC, after which the connection is closed.
        """
        async with self._recv_lock:
            if self._closed:
                raise ConnectionClosed("connection is closed")
            reader, cipher = self._reader, self._cipher
            try:
                if self._pending_body is None:
                    # BOLT #8: 1. Read _exactly_ 18 bytes from the network buffer.
                    header = await reader.readexactly(FRAME_HEADER_SIZE)
                    self._pending_body = cipher.decrypt_length(header)
                # BOLT #8: 4. Read _exactly_ `l+16` bytes from the network buffer
                body = await reader.readexactly(self._pending_body + MAC_SIZE)
                self._pending_body = None
                return cipher.decrypt_body(body)
            except asyncio.IncompleteReadError as exc:
                self.abort()
                if exc.partial or self._pending_body is not None:
                    raise ConnectionClosed("peer closed the connection mid-frame") from None
                raise ConnectionClosed("peer closed the connection") from None
            except OSError as exc:
                self.abort()
                raise ConnectionClosed(f"connection lost while receiving: {exc!r}") from exc
            except DecryptionError as exc:
                log.info("closing connection to %s: %s", _peer_str(self.peername), exc)
                self.abort()
                raise DecryptionFailed(str(exc)) from exc

    # -- closing --

    def close(self) -> None:
        """Close after the frames already written are flushed. Idempotent."""
        if not self._closed:
            self._closed = True
            self._writer.close()

    def abort(self) -> None:
        """Close at once, dropping frames not yet handed to the kernel. Idempotent."""
        self._closed = True
        self._writer.transport.abort()

    async def wait_closed(self) -> None:
        """Wait until the socket is closed (after :meth:`close` or :meth:`abort`)."""
        try:
            await self._writer.wait_closed()
        except OSError:
            pass

    async def __aenter__(self) -> NoiseConnection:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
        await self.wait_closed()


# -- handshakes --


async def _read_act(reader: asyncio.StreamReader, size: int, act: str) -> bytes:
    try:
        return await reader.readexactly(size)
    except asyncio.IncompleteReadError as exc:
        raise HandshakeFailed(
            f"peer closed the connection after {len(exc.partial)} of {size} bytes of {act}"
        ) from None
    except OSError as exc:
        raise HandshakeFailed(f"connection lost while reading {act}: {exc!r}") from exc


async def _initiate(
    hs: InitiatorHandshake, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> NoiseConnection:
    writer.write(hs.act_one())
    act_two = await _read_act(reader, ACT_TWO_SIZE, "act two")
    try:
        act_three = hs.act_two_receive(act_two)
    except HandshakeError as exc:
        raise HandshakeFailed(str(exc)) from exc
    writer.write(act_three)
    try:
        await writer.drain()
    except OSError as exc:
        raise HandshakeFailed(f"connection lost while sending act three: {exc!r}") from exc
    return NoiseConnection(reader, writer, hs.result(), hs.remote_static_pub, is_initiator=True)


async def _respond(
    local_static: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> NoiseConnection:
    hs = ResponderHandshake(local_static, _new_ephemeral())
    act_one = await _read_act(reader, ACT_ONE_SIZE, "act one")
    try:
        writer.write(hs.act_one_receive(act_one))
        act_three = await _read_act(reader, ACT_THREE_SIZE, "act three")
        hs.act_three_receive(act_three)
    except HandshakeError as exc:
        raise HandshakeFailed(str(exc)) from exc
    return NoiseConnection(reader, writer, hs.result(), hs.remote_static_pub, is_initiator=False)


async def connect(
    host: str,
    port: int,
    local_static: bytes,
    remote_static_pub: bytes,
    *,
    handshake_timeout: float = 10.0,
) -> NoiseConnection:
    """Open a TCP connection and run the handshake as initiator.

    ``handshake_timeout`` bounds the TCP connect and the handshake together. Raises
    :class:`ConnectFailed`, :class:`HandshakeFailed` or :class:`HandshakeTimeout` (all
    :class:`TransportError`); ``ValueError`` for malformed keys.
    """
    hs = InitiatorHandshake(local_static, remote_static_pub, _new_ephemeral())
    writer: asyncio.StreamWriter | None = None
    where = f"{host}:{port}"
    try:
        async with asyncio.timeout(handshake_timeout):
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError as exc:
                raise ConnectFailed(f"cannot connect to {where}: {exc}") from exc
            conn = await _initiate(hs, reader, writer)
    except TimeoutError:
        if writer is not None:
            writer.transport.abort()
        raise HandshakeTimeout(
            f"handshake with {where} not complete after {handshake_timeout}s"
        ) from None
    except BaseException:
        if writer is not None:
            writer.transport.abort()
        raise
    log.debug("connected to %s as initiator", conn)
    return conn


async def start_server(
    host: str,
    port: int,
    local_static: bytes,
    on_connection: OnConnection,
    *,
    handshake_timeout: float = 10.0,
) -> asyncio.Server:
    """Listen for connections; run the responder handshake on each, then ``on_connection``.

    A connection whose handshake fails or stalls past ``handshake_timeout`` is closed and
    logged at INFO; it never reaches ``on_connection``. ``on_connection`` then owns the
    connection: it stays open when the callback returns (hand it to a peer manager, say),
    and is closed if the callback raises. Closing the server does not close connections.
    """
    if not is_valid_secret(local_static):
        raise ValueError("local_static is not a valid secp256k1 secret")
    secret = bytes(local_static)
    tasks: set[asyncio.Task[Any]] = set()  # strong references to the handler tasks

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        peer = _peer_str(writer.get_extra_info("peername"))
        try:
            async with asyncio.timeout(handshake_timeout):
                conn = await _respond(secret, reader, writer)
        except TimeoutError:
            log.info("handshake with %s timed out after %ss", peer, handshake_timeout)
            writer.transport.abort()
            return
        except HandshakeFailed as exc:
            # BOLT #8: [...] the responder MUST terminate the connection without any
            # further messages.
            log.info("handshake with %s failed: %s", peer, exc)
            writer.transport.abort()
            return
        except BaseException:
            writer.transport.abort()
            raise
        log.debug("accepted %s", conn)
        try:
            await on_connection(conn)
        except Exception:
            log.exception("connection handler failed for %s", conn)
            conn.abort()

    return await asyncio.start_server(handle, host, port)
