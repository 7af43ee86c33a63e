"""BOLT 8 figures: transport cipher throughput, handshakes per second, loopback TCP.

Run: python bench/noise.py [seconds per figure, default 1]
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable

from amiko.crypto.keys import pubkey_of
from amiko.crypto.noise import InitiatorHandshake, NoiseCipher, ResponderHandshake
from amiko.transport.connection import NoiseConnection, connect, start_server

I_STATIC, R_STATIC = b"\x11" * 32, b"\x21" * 32


def rate(fn: Callable[[int], None], seconds: float) -> float:
    """Calls per second of fn(batch), growing the batch until a run lasts long enough."""
    batch = 1
    while True:
        start = time.perf_counter()
        fn(batch)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return batch / elapsed
        batch *= 2 if elapsed < seconds / 10 else max(2, int(seconds / max(elapsed, 1e-9)) + 1)


def pair() -> tuple[NoiseCipher, NoiseCipher]:
    ini = InitiatorHandshake(I_STATIC, pubkey_of(R_STATIC), os.urandom(32))
    res = ResponderHandshake(R_STATIC, os.urandom(32))
    res.act_three_receive(ini.act_two_receive(res.act_one_receive(ini.act_one())))
    return ini.result(), res.result()


def bench_cipher(size: int, seconds: float) -> None:
    a, b = pair()
    msg = os.urandom(size)

    def encrypt(n: int) -> None:
        enc = a.encrypt
        for _ in range(n):
            enc(msg)

    def round_trip(n: int) -> None:
        enc, dlen, dbody = a.encrypt, b.decrypt_length, b.decrypt_body
        for _ in range(n):
            frame = enc(msg)
            dlen(frame[:18])
            dbody(frame[18:])

    enc_rate = rate(encrypt, seconds)
    a, b = pair()  # the encrypt-only run left the receiver behind
    rt_rate = rate(round_trip, seconds)
    print(
        f"  {size:5d} B: encrypt {enc_rate:10,.0f} msg/s;  encrypt+decrypt {rt_rate:10,.0f} msg/s"
        f"  ({rt_rate * size / 1e6:6.1f} MB/s of payload)"
    )


def bench_handshake(seconds: float) -> None:
    rs_pub = pubkey_of(R_STATIC)

    def handshakes(n: int) -> None:
        for _ in range(n):
            ini = InitiatorHandshake(I_STATIC, rs_pub, os.urandom(32))
            res = ResponderHandshake(R_STATIC, os.urandom(32))
            res.act_three_receive(ini.act_two_receive(res.act_one_receive(ini.act_one())))
            ini.result()
            res.result()

    r = rate(handshakes, seconds)
    print(f"  handshakes (both sides, one thread): {r:8,.0f}/s  ({1e6 / r:6.0f} us each)")


async def bench_tcp(size: int, seconds: float) -> None:
    got: asyncio.Queue[NoiseConnection] = asyncio.Queue()

    async def on_connection(conn: NoiseConnection) -> None:
        got.put_nowait(conn)

    server = await start_server("127.0.0.1", 0, R_STATIC, on_connection)
    port = server.sockets[0].getsockname()[1]
    client = await connect("127.0.0.1", port, I_STATIC, pubkey_of(R_STATIC))
    peer = await got.get()
    msg = os.urandom(size)
    count = 0
    stop = time.perf_counter() + seconds

    async def sender() -> None:
        nonlocal count
        while time.perf_counter() < stop:
            await client.send_many([msg] * 64)
            count += 64
        await client.send(b"")

    async def receiver() -> int:
        n = 0
        while await peer.recv():
            n += 1
        return n

    start = time.perf_counter()
    _, received = await asyncio.gather(sender(), receiver())
    elapsed = time.perf_counter() - start
    assert received == count
    print(f"  loopback TCP, one connection, {size} B: {count / elapsed:10,.0f} msg/s")
    client.close()
    peer.close()
    server.close()
    await server.wait_closed()


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    print(f"os.cpu_count() = {os.cpu_count()}; Python {sys.version.split()[0]}")
    print("BOLT 8 transport cipher (one core):")
    for size in (100, 1400):
        bench_cipher(size, seconds)
    print("BOLT 8 handshake:")
    bench_handshake(seconds)
    print("asyncio driver (sender and receiver in one event loop):")
    for size in (100, 1400):
        asyncio.run(bench_tcp(size, seconds))


if __name__ == "__main__":
    main()
