"""amiko.transport over real loopback TCP: handshake, framing, failures, back-pressure."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import pytest

from amiko.crypto.keys import pubkey_of
from amiko.crypto.noise import InitiatorHandshake, NoiseCipher, ResponderHandshake
from amiko.transport.connection import NoiseConnection, connect, start_server
from amiko.transport.errors import (
    ConnectFailed,
    ConnectionClosed,
    DecryptionFailed,
    HandshakeFailed,
    HandshakeTimeout,
    MessageTooLong,
    TransportError,
)

SERVER_KEY = b"\x21" * 32
CLIENT_KEY = b"\x11" * 32
SERVER_ID = pubkey_of(SERVER_KEY)
CLIENT_ID = pubkey_of(CLIENT_KEY)
LOCALHOST = "127.0.0.1"

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
    """Run a test coroutine, failing instead of hanging if it gets stuck."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


class Server:
    """A listening transport server whose accepted connections land in a queue."""

    def __init__(self, server: asyncio.Server, accepted: asyncio.Queue[NoiseConnection]) -> None:
        self.server = server
        self.accepted = accepted
        self.port: int = server.sockets[0].getsockname()[1]

    async def next_connection(self, timeout: float = 5.0) -> NoiseConnection:
        return await asyncio.wait_for(self.accepted.get(), timeout)


@asynccontextmanager
async def serving(
    handshake_timeout: float = 10.0,
    handler: Callable[[NoiseConnection], Awaitable[None]] | None = None,
) -> AsyncIterator[Server]:
    accepted: asyncio.Queue[NoiseConnection] = asyncio.Queue()
    conns: list[NoiseConnection] = []

    async def on_connection(conn: NoiseConnection) -> None:
        conns.append(conn)
        if handler is not None:
            await handler(conn)
        else:
            accepted.put_nowait(conn)

    server = await start_server(
        LOCALHOST, 0, SERVER_KEY, on_connection, handshake_timeout=handshake_timeout
    )
    try:
        yield Server(server, accepted)
    finally:
        for conn in conns:
            conn.abort()
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def raw_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[int]:
    """A plain TCP server, so a test can play a misbehaving peer byte by byte."""

    async def handle_and_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handle(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(handle_and_close, LOCALHOST, 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def raw_respond(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> NoiseCipher:
    hs = ResponderHandshake(SERVER_KEY, os.urandom(32))
    writer.write(hs.act_one_receive(await reader.readexactly(50)))
    hs.act_three_receive(await reader.readexactly(66))
    return hs.result()


async def raw_initiate(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, NoiseCipher]:
    reader, writer = await asyncio.open_connection(LOCALHOST, port)
    hs = InitiatorHandshake(CLIENT_KEY, SERVER_ID, os.urandom(32))
    writer.write(hs.act_one())
    writer.write(hs.act_two_receive(await reader.readexactly(50)))
    return reader, writer, hs.result()


async def closed_by_peer(reader: asyncio.StreamReader, timeout: float = 3.0) -> bool:
    """True once the peer has closed: EOF (possibly after some bytes) or a reset."""
    try:
        async with asyncio.timeout(timeout):
            while await reader.read(65536):
                pass
    except ConnectionResetError:
        pass
    return True


def transport_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "amiko.transport" and r.levelno == logging.INFO
    ]


# --- the happy path ---


def test_handshake_and_messages_both_ways() -> None:
    async def main() -> None:
        async with serving() as srv:
            client = await connect(LOCALHOST, srv.port, CLIENT_KEY, SERVER_ID)
            server = await srv.next_connection()
            assert client.remote_pubkey == SERVER_ID and client.is_initiator
            assert server.remote_pubkey == CLIENT_ID and not server.is_initiator
            assert client.peername[:2] == (LOCALHOST, srv.port)
            assert server.peername[0] == LOCALHOST
            assert "out" in repr(client) and "in" in repr(server)

            for msg in (b"", b"hello", bytes(range(256)) * 255 + b"x" * 255):  # up to 65535
                await client.send(msg)
                assert await server.recv() == msg
                await server.send(msg[::-1])
                assert await client.recv() == msg[::-1]

            # Enough traffic to rotate the keys of both directions twice.
            msgs = [i.to_bytes(2, "big") * (i % 50) for i in range(1100)]
            await client.send_many(msgs)
            assert [await server.recv() for _ in msgs] == msgs
            for m in msgs:
                await server.send(m)
            assert [await client.recv() for _ in msgs] == msgs

            client.close()
            await client.wait_closed()
            assert client.is_closed
            with pytest.raises(ConnectionClosed):
                await server.recv()
            with pytest.raises(ConnectionClosed):
                await client.send(b"after close")
            with pytest.raises(ConnectionClosed):
                await client.recv()

    run(main())


def test_concurrent_senders_do_not_interleave_frames() -> None:
    async def main() -> None:
        async with serving() as srv:
            client = await connect(LOCALHOST, srv.port, CLIENT_KEY, SERVER_ID)
            server = await srv.next_connection()

            async def sender(n: int) -> None:
                for i in range(60):
                    await client.send(bytes([n, i]) * (200 + 97 * i))

            senders = [asyncio.create_task(sender(n)) for n in range(8)]
            received = [await server.recv() for _ in range(8 * 60)]
            await asyncio.gather(*senders)
            seen: dict[int, list[int]] = {}
            for msg in received:
                n, i = msg[0], msg[1]
                assert msg == bytes([n, i]) * (200 + 97 * i)
                seen.setdefault(n, []).append(i)
            assert seen == {n: list(range(60)) for n in range(8)}
            client.close()

    run(main())


def test_async_with_closes() -> None:
    async def main() -> None:
        async with serving() as srv:
            async with await connect(LOCALHOST, srv.port, CLIENT_KEY, SERVER_ID) as client:
                server = await srv.next_connection()
                await client.send(b"x")
                assert await server.recv() == b"x"
            assert client.is_closed
            with pytest.raises(ConnectionClosed):
                await server.recv()

    run(main())


# --- failed handshakes, server side ---


def test_garbage_instead_of_act_one(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="amiko.transport")

    async def main() -> None:
        async with serving() as srv:
            reader, writer = await asyncio.open_connection(LOCALHOST, srv.port)
            writer.write(b"\x00" + b"GET / HTTP/1.1\r\nHost: example\r\n\r\n".ljust(49, b"!"))
            assert await closed_by_peer(reader)
            writer.close()
            assert srv.accepted.empty()

    run(main())
    logs = transport_logs(caplog)
    assert any("127.0.0.1" in m and "act 1" in m for m in logs), logs


def test_wrong_handshake_version(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="amiko.transport")

    async def main() -> None:
        async with serving() as srv:
            reader, writer = await asyncio.open_connection(LOCALHOST, srv.port)
            act_one = InitiatorHandshake(CLIENT_KEY, SERVER_ID, os.urandom(32)).act_one()
            writer.write(b"\x01" + act_one[1:])
            assert await closed_by_peer(reader)
            writer.close()
            assert srv.accepted.empty()

    run(main())
    logs = transport_logs(caplog)
    assert any("127.0.0.1" in m and "unknown handshake version 1" in m for m in logs), logs


def test_short_act_one_then_hang_up(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="amiko.transport")

    async def main() -> None:
        async with serving() as srv:
            _reader, writer = await asyncio.open_connection(LOCALHOST, srv.port)
            writer.write(b"\x00" * 20)
            writer.close()
            await asyncio.sleep(0.2)
            assert srv.accepted.empty()

    run(main())
    assert any("20 of 50 bytes of act one" in m for m in transport_logs(caplog))


def test_stalled_handshake_times_out(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="amiko.transport")

    async def main() -> None:
        async with serving(handshake_timeout=0.3) as srv:
            reader, writer = await asyncio.open_connection(LOCALHOST, srv.port)
            start = time.monotonic()
            writer.write(b"\x00" * 10)  # a slowloris: part of act one, then silence
            assert await closed_by_peer(reader, timeout=3.0)
            assert 0.25 <= time.monotonic() - start < 2.5
            writer.close()
            assert srv.accepted.empty()

    run(main())
    assert any("127.0.0.1" in m and "timed out" in m for m in transport_logs(caplog))


def test_stalled_after_act_two_times_out(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="amiko.transport")

    async def main() -> None:
        async with serving(handshake_timeout=0.3) as srv:
            reader, writer = await asyncio.open_connection(LOCALHOST, srv.port)
            hs = InitiatorHandshake(CLIENT_KEY, SERVER_ID, os.urandom(32))
            writer.write(hs.act_one())
            hs.act_two_receive(await reader.readexactly(50))  # then never send act three
            assert await closed_by_peer(reader)
            writer.close()
            assert srv.accepted.empty()

    run(main())
    assert any("timed out" in m for m in transport_logs(caplog))


def test_handler_exception_closes_connection(caplog: pytest.LogCaptureFixture) -> None:
    async def handler(conn: NoiseConnection) -> None:
        raise RuntimeError("boom")

    async def main() -> None:
        async with serving(handler=handler) as srv:
            client = await connect(LOCALHOST, srv.port, CLIENT_KEY, SERVER_ID)
            with pytest.raises(ConnectionClosed):
                await client.recv()

    run(main())
    assert any("handler failed" in r.getMessage() for r in caplog.records)


# --- failed handshakes, client side ---


def test_connect_with_wrong_node_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="amiko.transport")

    async def main() -> None:
        async with serving() as srv:
            with pytest.raises(HandshakeFailed, match="act two"):
                await connect(LOCALHOST, srv.port, CLIENT_KEY, pubkey_of(b"\x33" * 32))
            assert srv.accepted.empty()

    run(main())
    assert any("bad MAC" in m for m in transport_logs(caplog))


def test_connect_to_a_silent_server_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # read act one and say nothing

    async def main() -> None:
        async with raw_server(silent) as port:
            start = time.monotonic()
            with pytest.raises(HandshakeTimeout):
                await connect(LOCALHOST, port, CLIENT_KEY, SERVER_ID, handshake_timeout=0.3)
            assert time.monotonic() - start < 2.0

    run(main())


def test_connect_to_a_server_sending_a_bad_act_two() -> None:
    async def bad(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(50)
        writer.write(b"\x00" + SERVER_ID + b"\x00" * 16)  # a valid key but a wrong MAC
        await reader.read()

    async def main() -> None:
        async with raw_server(bad) as port:
            with pytest.raises(HandshakeFailed, match="act 2: bad MAC"):
                await connect(LOCALHOST, port, CLIENT_KEY, SERVER_ID)

    run(main())


def test_connect_refused() -> None:
    with socket.socket() as s:
        s.bind((LOCALHOST, 0))
        port = s.getsockname()[1]  # nobody listens here once the socket closes

    async def main() -> None:
        with pytest.raises(ConnectFailed):
            await connect(LOCALHOST, port, CLIENT_KEY, SERVER_ID)

    run(main())


# --- bad frames after the handshake ---


def test_truncated_frame() -> None:
    async def truncating(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        cipher = await raw_respond(reader, writer)
        writer.write(cipher.encrypt(b"whole"))
        writer.write(cipher.encrypt(b"this one is cut short")[:25])  # header and a bit
        await writer.drain()
        writer.close()

    async def main() -> None:
        async with raw_server(truncating) as port:
            client = await connect(LOCALHOST, port, CLIENT_KEY, SERVER_ID)
            assert await client.recv() == b"whole"
            with pytest.raises(ConnectionClosed, match="mid-frame"):
                await client.recv()
            assert client.is_closed

    run(main())


def test_truncated_header() -> None:
    async def truncating(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        cipher = await raw_respond(reader, writer)
        writer.write(cipher.encrypt(b"x")[:10])
        await writer.drain()
        writer.close()

    async def main() -> None:
        async with raw_server(truncating) as port:
            client = await connect(LOCALHOST, port, CLIENT_KEY, SERVER_ID)
            with pytest.raises(ConnectionClosed, match="mid-frame"):
                await client.recv()

    run(main())


def test_bad_mac_after_handshake_closes_the_socket(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="amiko.transport")

    async def main() -> None:
        async with serving() as srv:
            reader, writer, cipher = await raw_initiate(srv.port)
            server = await srv.next_connection()
            writer.write(cipher.encrypt(b"fine"))
            assert await server.recv() == b"fine"
            frame = bytearray(cipher.encrypt(b"tampered"))
            frame[20] ^= 0x01  # a bit of the body
            writer.write(frame)
            with pytest.raises(DecryptionFailed) as info:
                await server.recv()
            assert isinstance(info.value, TransportError)
            assert server.is_closed
            assert await closed_by_peer(reader)  # the server really closed the socket
            with pytest.raises(ConnectionClosed):
                await server.recv()
            with pytest.raises(ConnectionClosed):
                await server.send(b"x")
            writer.close()

    run(main())
    assert any("bad MAC on the frame body" in m for m in transport_logs(caplog))


def test_bad_length_mac_after_handshake() -> None:
    async def main() -> None:
        async with serving() as srv:
            reader, writer, cipher = await raw_initiate(srv.port)
            server = await srv.next_connection()
            frame = bytearray(cipher.encrypt(b"tampered"))
            frame[0] ^= 0x80  # the encrypted length
            writer.write(frame)
            with pytest.raises(DecryptionFailed, match="length"):
                await server.recv()
            assert await closed_by_peer(reader)
            writer.close()

    run(main())


# --- sending limits and cancellation ---


def test_too_long_message_is_refused_on_send() -> None:
    async def main() -> None:
        async with serving() as srv:
            client = await connect(LOCALHOST, srv.port, CLIENT_KEY, SERVER_ID)
            server = await srv.next_connection()
            with pytest.raises(MessageTooLong) as info:
                await client.send(bytes(70_000))
            assert isinstance(info.value, TransportError)
            with pytest.raises(MessageTooLong):
                await client.send_many([b"ok", bytes(65_536)])  # all or nothing
            await client.send(b"still fine")
            assert await server.recv() == b"still fine"
            client.close()

    run(main())


def test_back_pressure_blocks_the_sender() -> None:
    async def main() -> None:
        async with serving() as srv:
            client = await connect(LOCALHOST, srv.port, CLIENT_KEY, SERVER_ID)
            server = await srv.next_connection()  # ...which does not read for now
            big = os.urandom(65_535)
            started = 0
            blocked = False
            while started < 1000:  # 64 MiB: far beyond any socket buffer
                started += 1
                try:
                    await asyncio.wait_for(client.send(big), 0.3)
                except TimeoutError:
                    blocked = True
                    break
            assert blocked, "send() never blocked: frames are buffered without bound"
            # Bounded: the write buffer's high-water mark plus at most one frame.
            assert client.write_buffer_size <= 65_536 + 65_569

            # Once the peer reads, everything arrives whole and in order: the cancelled send
            # had written its whole frame before it waited.
            async def read_all() -> list[bytes]:
                return [await server.recv() for _ in range(started + 1)]

            reading = asyncio.create_task(read_all())
            await client.send(b"last")
            received = await reading
            assert received[:-1] == [big] * started
            assert received[-1] == b"last"
            client.close()

    run(main())


def test_cancelled_recv_resumes_the_same_frame() -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        cipher = await raw_respond(reader, writer)
        frame = cipher.encrypt(b"split across a cancellation")
        writer.write(frame[:18])
        await asyncio.sleep(0.3)
        writer.write(frame[18:30])
        await asyncio.sleep(0.3)
        writer.write(frame[30:] + cipher.encrypt(b"next"))
        await reader.read()

    async def main() -> None:
        async with raw_server(slow) as port:
            client = await connect(LOCALHOST, port, CLIENT_KEY, SERVER_ID)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(client.recv(), 0.15)  # header read, body pending
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(client.recv(), 0.3)  # part of the body
            assert await client.recv() == b"split across a cancellation"
            assert await client.recv() == b"next"
            client.close()

    run(main())
