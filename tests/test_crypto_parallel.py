"""amiko.crypto.parallel: batches of signatures split between threads give exactly what
the one-at-a-time functions give, in order."""

from __future__ import annotations

import hashlib
import os
import signal

import pytest

from amiko.crypto import parallel
from amiko.crypto.keys import pubkey_of, sign, verify
from amiko.crypto.parallel import sign_all, verify_all, verify_each

SECRET = hashlib.sha256(b"parallel").digest()
PUB = pubkey_of(SECRET)


def hashes(n: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, parallel.MIN_PARALLEL - 1, parallel.MIN_PARALLEL, 101])
def test_sign_all_is_sign_of_each_in_order(n: int) -> None:
    hs = hashes(n)
    assert sign_all(SECRET, hs) == [sign(SECRET, h) for h in hs]


@pytest.mark.parametrize("n", [5, 101])
def test_verify_all_finds_exactly_the_bad_ones(n: int) -> None:
    hs = hashes(n)
    sigs = [sign(SECRET, h) for h in hs]
    bad = {0, n // 2, n - 1}
    pairs = [(h, sign(SECRET, hs[(i + 1) % n]) if i in bad else s) for i, (h, s) in enumerate(zip(hs, sigs, strict=True))]
    assert verify_all(PUB, pairs) == [i not in bad for i in range(n)]
    assert verify_all(PUB, pairs) == [verify(PUB, h, s) for h, s in pairs]


def test_malformed_signatures_are_false_not_errors() -> None:
    hs = hashes(40)
    pairs = [(h, sign(SECRET, h)) for h in hs]
    pairs[3] = (hs[3], b"\x00" * 63)  # too short
    pairs[30] = (hs[30], b"\xff" * 64)  # r and s out of range
    assert verify_all(PUB, pairs) == [i not in (3, 30) for i in range(40)]


def test_verify_each_checks_every_triple_against_its_own_key() -> None:
    secrets = [hashlib.sha256(bytes([i])).digest() for i in range(7)]
    hs = hashes(50)
    checks = [(pubkey_of(secrets[i % 7]), h, sign(secrets[i % 7], h)) for i, h in enumerate(hs)]
    checks[1] = (pubkey_of(secrets[2]), checks[1][1], checks[1][2])  # another node's key
    checks[25] = (b"\x02" + b"\x00" * 32, checks[25][1], checks[25][2])  # not a point
    checks[49] = (checks[49][0], checks[49][1], b"\xff" * 64)  # r and s out of range
    assert verify_each(checks) == [i not in (1, 25, 49) for i in range(50)]
    assert verify_each(checks) == [verify(*c) for c in checks]
    assert verify_each([]) == []


def test_an_error_in_a_helper_thread_reaches_the_caller() -> None:
    hs = hashes(60)
    hs[-1] = b"short"  # in the last chunk, which a helper thread signs
    with pytest.raises(ValueError):
        sign_all(SECRET, hs)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_signs_in_threads_of_its_own() -> None:
    hs = hashes(64)
    expected = sign_all(SECRET, hs)  # the parent's pool has its threads now
    pid = os.fork()
    if pid == 0:  # the child: its copy of the pool has no threads
        try:
            signal.alarm(20)  # work queued for threads that do not exist would wait forever
            os._exit(0 if sign_all(SECRET, hs) == expected else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
