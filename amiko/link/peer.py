"""The asyncio driver of one `Link` over one encrypted connection.

It reads frames and feeds them to the link, writes what the link outputs, runs the
link's timers, and closes the socket when the link says so. No protocol rules here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from amiko.link.core import Disconnect, Link, Output, PeerSaid, Ready, Send
from amiko.transport.connection import NoiseConnection
from amiko.transport.errors import ConnectionClosed, TransportError

log = logging.getLogger("amiko.link")

TICK_SECONDS = 1.0
MAX_QUEUED_BYTES = 4 * 1024 * 1024  # stop reading from a peer that does not read ours


class PeerConnection:
    def __init__(
        self,
        conn: NoiseConnection,
        link: Link,
        *,
        on_ready: Callable[[PeerConnection, Ready], None],
        on_peer_said: Callable[[PeerConnection, PeerSaid], None] | None = None,
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        self.conn = conn
        self.link = link
        self._on_ready = on_ready
        self._on_peer_said = on_peer_said
        self._tick_seconds = tick_seconds
        self._wake = asyncio.Event()
        self.ready = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.close_reason = ""
        self._frames: list[bytes] = []
        self._queued_bytes = 0
        self._drained = asyncio.Event()
        self._disconnect: str | None = None
        link.on_output = self._wake.set

    @property
    def node_id(self) -> bytes:
        return self.link.remote_id

    async def run(self) -> str:
        """Run until the connection ends; returns why it ended."""
        loop = asyncio.get_running_loop()
        writer = asyncio.create_task(self._write_loop())
        ticker = asyncio.create_task(self._tick_loop())
        try:
            self._perform(self.link.start(loop.time()))
            while not self.closed.done():
                try:
                    frame = await self.conn.recv()
                except ConnectionClosed:
                    self._end("peer closed the connection")
                    break
                except TransportError as e:
                    self._end(f"transport error: {e}")
                    break
                self._perform(self.link.receive(frame, loop.time()))
                if self._queued_bytes > MAX_QUEUED_BYTES:
                    # Back-pressure: stop reading while the peer does not read what we send.
                    self._drained.clear()
                    await self._drained.wait()
        except asyncio.CancelledError:
            self._end("connection task cancelled")
            raise
        except Exception as e:  # a bug of ours: log it, keep the node running
            log.exception("peer %s: driver failed", self.node_id.hex())
            self._end(f"internal error: {type(e).__name__}: {e}")
        finally:
            ticker.cancel()
            self._wake.set()
            try:
                await asyncio.wait_for(writer, 2.0)  # flush what is queued (an error message)
            except (TimeoutError, asyncio.CancelledError, Exception):
                writer.cancel()
            self.link.connection_lost()
            self.conn.close()
            if not self.ready.done():
                self.ready.set_exception(ConnectionError(self.close_reason))
                self.ready.exception()  # mark retrieved: nobody may be waiting
        return self.close_reason

    def close(self, reason: str) -> None:
        """Close from our side (user disconnect, replaced by a newer connection, stop)."""
        self._perform(self.link.close(reason))

    def _perform(self, outputs: list[Output]) -> None:
        """Queue frames for the writer and act on events; never waits (the writer is the
        only one writing, so frames leave in the order the link produced them)."""
        for out in outputs:
            if isinstance(out, Send):
                self._frames.append(out.data)
                self._queued_bytes += len(out.data)
            elif isinstance(out, Ready):
                if not self.ready.done():
                    self.ready.set_result(out)
                self._on_ready(self, out)
            elif isinstance(out, PeerSaid):
                if self._on_peer_said is not None:
                    self._on_peer_said(self, out)
            elif isinstance(out, Disconnect):
                log.info("disconnecting %s: %s", self.node_id.hex(), out.reason)
                self._disconnect = out.reason
        self._wake.set()

    async def _write_loop(self) -> None:
        """The only writer: channel sends (queued in the link between turns), replies to
        what was received, and a disconnect after the frames before it."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            self._perform_quiet(self.link.take_outputs())
            if self._frames:
                frames, self._frames = self._frames, []
                self._queued_bytes = 0
                try:
                    await self.conn.send_many(frames)
                except (TransportError, ConnectionError, OSError) as e:
                    self._end(f"send failed: {e}")
                    self.conn.close()
                    return
                finally:
                    self._drained.set()
            if self._disconnect is not None:
                self._end(self._disconnect)
                self.conn.close()
                return
            if self.closed.done() and not self._frames:
                return

    def _perform_quiet(self, outputs: list[Output]) -> None:
        if outputs:
            self._perform(outputs)
            self._wake.clear()

    async def _tick_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._tick_seconds)
            self._perform(self.link.tick(loop.time()))

    def _end(self, reason: str) -> None:
        if not self.closed.done():
            self.close_reason = reason
            self.closed.set_result(reason)
