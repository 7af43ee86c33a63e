"""BOLT 4 figures: onion construction and peeling, the failure onion, attribution data.

Run: python bench/onion.py [seconds per figure, default 1]

Prints microseconds per operation. Peeling is the forwarding hot path: one ECDH, one
HMAC over 1300 bytes, one 2600-byte ChaCha20 stream and one key blinding per hop.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from amiko.crypto.keys import ecdh, pubkey_of, tweak_mul_pubkey
from amiko.payments.onion import (
    HopSpec,
    PeeledOnion,
    build_final_payload,
    build_forward_payload,
    construct_onion,
    create_failure,
    decode_failure,
    obfuscate_failure,
    peel_onion,
)
from amiko.payments.onion.attribution import add_attribution
from amiko.payments.onion.errors import decode_attributed_failure
from amiko.payments.onion.failures import TemporaryChannelFailure
from amiko.payments.onion.payload import read_hop_payload

ASSOC = b"\x42" * 32
SESSION = b"\x41" * 32


def per_op(fn: Callable[[int], None], seconds: float) -> float:
    """Microseconds per call of fn(batch), growing the batch until a run lasts long enough."""
    batch = 1
    while True:
        start = time.perf_counter()
        fn(batch)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / batch * 1e6
        batch *= 2 if elapsed < seconds / 10 else max(2, int(seconds / max(elapsed, 1e-9)) + 1)


def route(n: int) -> tuple[list[bytes], list[HopSpec]]:
    keys = [bytes([i + 1]) * 32 for i in range(n)]
    hops = [
        HopSpec(
            pubkey_of(k), build_forward_payload(1_000_000 + i, 800_000 + i, (700_000 << 40) | i)
        )
        for i, k in enumerate(keys[:-1])
    ]
    hops.append(
        HopSpec(
            pubkey_of(keys[-1]),
            build_final_payload(1_000_000, 800_000, payment_secret=b"\x07" * 32),
        )
    )
    return keys, hops


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    print(f"os.cpu_count() = {os.cpu_count()}")
    node, other = b"\x11" * 32, pubkey_of(b"\x22" * 32)
    tweak = b"\x33" * 32

    def ecdh_n(n: int) -> None:
        for _ in range(n):
            ecdh(node, other)

    def blind_n(n: int) -> None:
        for _ in range(n):
            tweak_mul_pubkey(other, tweak)

    print("primitives:")
    print(f"  ECDH                        {per_op(ecdh_n, seconds):8.1f} us")
    print(f"  pubkey tweak-mul (blinding) {per_op(blind_n, seconds):8.1f} us")

    print("construct_onion (whole route):")
    for n in (1, 5, 20):
        _, hops = route(n)

        def construct(k: int, hops: list[HopSpec] = hops) -> None:
            for _ in range(k):
                construct_onion(SESSION, hops, ASSOC)

        print(f"  {n:2d} hops                     {per_op(construct, seconds):8.1f} us")

    keys, hops = route(5)
    packet, secrets = construct_onion(SESSION, hops, ASSOC)
    first = peel_onion(keys[0], packet, ASSOC)
    assert isinstance(first, PeeledOnion) and first.next_packet is not None
    last_packet = packet
    for k in keys[:-1]:
        r = peel_onion(k, last_packet, ASSOC)
        assert isinstance(r, PeeledOnion) and r.next_packet is not None
        last_packet = r.next_packet

    def peel_forward(k: int) -> None:
        for _ in range(k):
            peel_onion(keys[0], packet, ASSOC)

    def peel_final(k: int) -> None:
        for _ in range(k):
            peel_onion(keys[-1], last_packet, ASSOC)

    payload = hops[0].payload

    def parse_forward(k: int) -> None:
        for _ in range(k):
            read_hop_payload(payload, is_final=False)

    bad = packet[:-1] + bytes([packet[-1] ^ 1])

    def peel_bad_hmac(k: int) -> None:
        for _ in range(k):
            peel_onion(keys[0], bad, ASSOC)

    print("peel_onion (one hop):")
    print(f"  forwarding hop              {per_op(peel_forward, seconds):8.1f} us")
    print(f"    of which payload reading  {per_op(parse_forward, seconds):8.1f} us")
    print(f"  final hop (no blinding)     {per_op(peel_final, seconds):8.1f} us")
    print(f"  bad HMAC                    {per_op(peel_bad_hmac, seconds):8.1f} us")

    message = TemporaryChannelFailure(b"\x01\x02" + bytes(134)).encode()
    reason = create_failure(secrets[4], message)
    for ss in reversed(secrets[:4]):
        reason = obfuscate_failure(ss, reason)

    def create_n(k: int) -> None:
        for _ in range(k):
            create_failure(secrets[4], message)

    def obfuscate_n(k: int) -> None:
        for _ in range(k):
            obfuscate_failure(secrets[0], reason)

    def decode_n(k: int) -> None:
        for _ in range(k):
            decode_failure(secrets, reason)

    attribution = add_attribution(secrets[4], reason, 1, None)

    def attribute_n(k: int) -> None:
        for _ in range(k):
            add_attribution(secrets[0], reason, 1, attribution)

    def decode_attr_n(k: int) -> None:
        for _ in range(k):
            decode_attributed_failure(secrets, reason, attribution)

    print("failure onion (292 bytes):")
    print(f"  create_failure              {per_op(create_n, seconds):8.1f} us")
    print(f"  obfuscate_failure (per hop) {per_op(obfuscate_n, seconds):8.1f} us")
    print(f"  decode_failure (27 rounds)  {per_op(decode_n, seconds):8.1f} us")
    print(f"  add_attribution (per hop)   {per_op(attribute_n, seconds):8.1f} us")
    print(f"  decode_attributed (5 hops)  {per_op(decode_attr_n, seconds):8.1f} us")


if __name__ == "__main__":
    main()
