"""A helper process for the payer's work that depends on nothing but its inputs.

A node's event loop runs on one core. When it pays many invoices at once, two pieces of
each payment need nothing the node holds: decoding and verifying the invoice (~90 µs, most
of it the signature), and drawing the onion's session key with what follows from it and
the route's nodes alone (its public key, the packet's filling, the secret shared with each
node: ~120 µs for one node, ~70 µs more for each further one). The
payer hands those to this process, which runs on the other core while the node signs,
routes and stores; the node only reads the results (~20 µs an invoice, ~2 µs a session).

The helper starts when the payer gets busy (`PaymentHelper.start`, a few payments at
once): a node that pays now and then never starts it, and one that does not start it
(no helper, or it died) does the same work itself. A burst of invoices (a wave of payers
paying again) is shared: half to the helper, half decoded by the node meanwhile, and
the burst's payments start together. Results come back as pickles over the helper's
stdout, so only this process's own child is ever trusted with them.

Frames both ways: a 4-byte big-endian length and a pickled list of messages:
  to the helper:   ("decode", id, text) | ("sessions", path, count)
  from the helper: ("ready",) | ("decoded", id, invoice | None, error | None)
                 | ("sessions", path, settled, [OnionSession, ...])
  (`path`: the route's node ids; `settled`: how many of those asked for this answers;
  no sessions if a node id is not a valid public key)
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from amiko.payments.bolt11 import Invoice, InvoiceError, decode_invoice
from amiko.payments.onion import OnionEncodeError, OnionSession, prepare_session

__all__ = ["HelperGone", "PaymentHelper"]

log = logging.getLogger(__name__)

_LENGTH = struct.Struct(">I")
# Sessions sent back in one message (each ~1.4 kB).
SESSION_BATCH = 32


class PaymentHelper:
    """The node's end: start, ask, read results; every call works without the helper too
    (the caller then does the work itself)."""

    def __init__(self, on_sessions: Callable[[tuple[bytes, ...], int, list[OnionSession]], None]) -> None:
        self.on_sessions = on_sessions
        self._transport: asyncio.SubprocessTransport | None = None
        self._stdin: asyncio.WriteTransport | None = None
        self._starting: asyncio.Task[None] | None = None
        self._ready = False
        self._closed = False
        self._exited: asyncio.Future[None] | None = None
        self._next_id = 0
        self._decoding: dict[int, asyncio.Future[Invoice]] = {}
        self._inline = 0  # invoices of the current burst left to the caller
        self._drained: asyncio.Future[None] | None = None  # set once no decode is left here
        self._outgoing: list[tuple[Any, ...]] = []  # sent together after the loop's turn
        self._incoming = bytearray()

    @property
    def ready(self) -> bool:
        """Started, and answering."""
        return self._ready and not self._closed

    @property
    def pid(self) -> int | None:
        return None if self._transport is None else self._transport.get_pid()

    def start(self) -> None:
        """Start the helper in the background (once; nothing if it runs or is closed)."""
        if self._starting is None and not self._closed:
            self._starting = asyncio.get_running_loop().create_task(self._start(), name="amiko-payment-helper")

    def decode(self, text: str) -> asyncio.Future[Invoice] | None:
        """The invoice decoded by the helper (a future: `InvoiceError` if it is not
        valid, `HelperGone` if the helper stopped first), or None: not ready, or the
        caller's turn to decode one of a burst itself (then `drained` keeps the burst
        together).

        A burst (the payers of a wave of payments paying again) is shared: every other
        invoice goes to the helper and the caller decodes the rest meanwhile, each on its
        core; the ones sent are on their way before the caller starts on its own."""
        if not self.ready:
            return None
        if self._decoding and len(self._decoding) > self._inline:
            self._inline += 1
            self._flush()
            return None
        self._next_id += 1
        fut: asyncio.Future[Invoice] = asyncio.get_running_loop().create_future()
        self._decoding[self._next_id] = fut
        self._send(("decode", self._next_id, text))
        return fut

    def drained(self) -> asyncio.Future[None] | None:
        """Done once the helper has answered every invoice sent to it (None: none is
        waiting): a caller that decoded its share of a burst waits for the rest, so that
        the burst's payments start together and ride in one commitment."""
        if not self._decoding:
            return None
        if self._drained is None:
            self._drained = asyncio.get_running_loop().create_future()
        return self._drained

    def _burst_over(self) -> None:
        self._inline = 0
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def want_sessions(self, path: tuple[bytes, ...], count: int) -> bool:
        """Ask for `count` sessions for routes through `path`, delivered to `on_sessions`
        in batches (with how many of the `count` each settles); False if the helper is not
        ready."""
        if not self.ready:
            return False
        self._send(("sessions", path, count))
        return True

    async def close(self) -> None:
        self._closed = True
        self._ready = False
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
        if self._stdin is not None:
            self._stdin.close()  # the helper ends when its input does
        if self._exited is not None and self._transport is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._exited), 2.0)
            except TimeoutError:
                self._transport.kill()
            self._transport.close()
        self._fail_waiting()

    def _send(self, message: tuple[Any, ...]) -> None:
        if not self._outgoing:
            asyncio.get_running_loop().call_soon(self._flush)
        self._outgoing.append(message)

    def _flush(self) -> None:
        messages, self._outgoing = self._outgoing, []
        if messages and self._stdin is not None and not self._stdin.is_closing():
            self._stdin.write(_frame(messages))

    async def _start(self) -> None:
        loop = asyncio.get_running_loop()
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._exited = loop.create_future()
        try:
            transport, _ = await loop.subprocess_exec(
                lambda: _Protocol(self), sys.executable, "-m", "amiko.payments.helper", env=env, stderr=None)
        except OSError as e:
            log.warning("payment helper not started (%s); the node does its work itself", e)
            self._closed = True
            return
        self._transport = transport
        self._stdin = transport.get_pipe_transport(0)  # type: ignore[assignment]
        if self._closed:
            transport.close()

    def _received(self, data: bytes) -> None:
        self._incoming += data
        for message in _unframe(self._incoming):
            self._handle(message)

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            self._ready = not self._closed
            log.info("payment helper started (pid %s)", self.pid)
        elif kind == "decoded":
            _, request, invoice, error = message
            fut = self._decoding.pop(request, None)
            if fut is not None and not fut.done():
                if error is None:
                    fut.set_result(invoice)
                else:
                    fut.set_exception(InvoiceError(error))
            if not self._decoding:
                self._burst_over()
        elif kind == "sessions":
            _, path, settled, sessions = message
            self.on_sessions(path, settled, sessions)

    def _gone(self) -> None:
        if not self._closed:
            log.warning("payment helper stopped; the node does its work itself")
        self._ready = False
        self._closed = True
        if self._exited is not None and not self._exited.done():
            self._exited.set_result(None)
        self._fail_waiting()

    def _fail_waiting(self) -> None:
        """Decodes still waiting go back to their callers (who decode themselves)."""
        waiting, self._decoding = self._decoding, {}
        for fut in waiting.values():
            if not fut.done():
                fut.set_exception(HelperGone("the payment helper stopped"))
        self._burst_over()


class HelperGone(Exception):
    """The helper stopped before answering: the caller does the work itself."""


class _Protocol(asyncio.SubprocessProtocol):
    def __init__(self, helper: PaymentHelper) -> None:
        self._helper = helper

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        if fd == 1:
            self._helper._received(data)

    def process_exited(self) -> None:
        self._helper._gone()


def _frame(messages: list[tuple[Any, ...]]) -> bytes:
    data = pickle.dumps(messages, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


def _unframe(buf: bytearray) -> Iterator[tuple[Any, ...]]:
    """The messages of every whole frame at the start of `buf`, each frame removed from it
    before its messages are yielded (a partial frame stays for the next read)."""
    while len(buf) >= _LENGTH.size:
        (size,) = _LENGTH.unpack_from(buf)
        end = _LENGTH.size + size
        if len(buf) < end:
            return
        messages = pickle.loads(buf[_LENGTH.size:end])
        del buf[:end]
        yield from messages


# -- the helper's end ------------------------------------------------------------------


def _answer(message: tuple[Any, ...], out: BinaryIO, answers: list[tuple[Any, ...]]) -> None:
    kind = message[0]
    if kind == "decode":
        _, request, text = message
        try:
            answers.append(("decoded", request, decode_invoice(text), None))
        except InvoiceError as e:
            answers.append(("decoded", request, None, str(e)))
        except Exception as e:  # a bug here must not stop the payment: say what it was
            answers.append(("decoded", request, None, f"{type(e).__name__}: {e}"))
    elif kind == "sessions":
        _, path, count = message
        while count > 0:
            n = min(count, SESSION_BATCH)
            try:
                batch = [prepare_session(os.urandom(32), path=path) for _ in range(n)]
            except OnionEncodeError:  # not a valid node id: none for it
                batch, n = [], count
            answers.append(("sessions", path, n, batch))
            # what is ready goes at once: the payer is waiting for the first of them
            out.write(_frame(answers))
            out.flush()
            answers.clear()
            count -= n


def serve(inp: int, out: BinaryIO) -> None:
    """Answer requests read from the file descriptor `inp` until it ends: all that one read
    brings, then the answers together. A burst of invoices goes back whole: handed back in
    pieces, the payer would offer their payments in several smaller commitments, each
    costing both nodes a signing and a storing round (measured: 15% fewer payments/s)."""
    out.write(_frame([("ready",)]))
    out.flush()
    buf = bytearray()
    while True:
        data = os.read(inp, 1 << 20)
        if not data:
            return
        buf += data
        answers: list[tuple[Any, ...]] = []
        for message in _unframe(buf):
            _answer(message, out, answers)
        if answers:
            out.write(_frame(answers))
            out.flush()


def main() -> None:
    # Ctrl-C reaches the whole process group: the node decides, and the helper ends when
    # the node closes its input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The protocol owns the real stdout; anything else printed goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        serve(0, out)
    except BrokenPipeError:  # the node is gone: nothing to answer
        pass


if __name__ == "__main__":
    main()
