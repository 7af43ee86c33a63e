"""`attribution_data` (option_attribution_data): hold times and truncated HMACs per hop.

BOLT #2 puts it in `update_fail_htlc` and `update_fulfill_htlc` as TLV type 1:
[`20*u32`:`htlc_hold_times`] [`210*sha256[..4]`:`truncated_hmacs`], 920 bytes.

# BOLT #4: "The layout of the `hmacs` field is shown below. ... described as if the maximum
# route length would be just three hops. `hmac_0_2` | `hmac_0_1`| `hmac_0_0`| `hmac_1_1`|
# `hmac_1_0`| `hmac_2_0`. `hmac_x_y` is the hmac added by node `x` (counted from the node
# that is currently handling the failure message) assuming that this node is `y` hops away
# from the erring node."

So node ``x`` owns ``20 - x`` slots; its slot ``i`` (counting from the left) is the HMAC for
``y = 19 - x - i``. Each HMAC covers "the return packet before applying the pseudo-random
byte stream", "the first `y+1` hold times" and "`y` downstream hmacs that correspond to
downstream node positions relative to `x`".
"""

from __future__ import annotations

import hmac as _hmac
import struct
from collections.abc import Sequence
from typing import Final

from amiko.payments.onion.keys import AMMAGEXT, UM, chacha20_xor, generate_key

__all__ = [
    "ATTRIBUTION_DATA_SIZE",
    "MAX_ATTRIBUTION_HOPS",
    "add_attribution",
    "fulfill_hold_times",
    "unwrap_attribution",
]

MAX_ATTRIBUTION_HOPS: Final = 20  # "the maximum supported number of hops in a route (20)"
_HOLD: Final = 4  # u32 hold time, units of 100 ms
_MAC: Final = 4  # "Regular 32 byte HMACs are truncated to the first 4 bytes"
_HOLD_TIMES_SIZE: Final = MAX_ATTRIBUTION_HOPS * _HOLD  # 80
ATTRIBUTION_DATA_SIZE: Final = (
    _HOLD_TIMES_SIZE + MAX_ATTRIBUTION_HOPS * (MAX_ATTRIBUTION_HOPS + 1) // 2 * _MAC
)  # 920
_U32: Final = struct.Struct(">I")
_ZERO_MAC: Final = bytes(_MAC)


def _split(data: bytes) -> tuple[bytes, list[bytes]]:
    """(hold times, the HMAC slots of node 0, node 1, ... node 19: one ``bytes`` each)."""
    blobs: list[bytes] = []
    pos = _HOLD_TIMES_SIZE
    for x in range(MAX_ATTRIBUTION_HOPS):
        size = (MAX_ATTRIBUTION_HOPS - x) * _MAC
        blobs.append(data[pos : pos + size])
        pos += size
    return data[:_HOLD_TIMES_SIZE], blobs


def _compute(
    um: bytes, packet: bytes, hold_times: bytes, downstream: list[bytes], slots: range
) -> bytes:
    """This node's HMACs for ``slots``, concatenated; ``downstream[j]`` holds the slots of the
    node ``j+1`` positions after this one, aligned so that its slot ``i`` pairs with ours."""
    base = _hmac.new(um, packet, "sha256")  # the packet is common to every slot: hash it once
    out = []
    for i in slots:
        y = MAX_ATTRIBUTION_HOPS - i  # hold times covered: ours and y-1 downstream
        mac = base.copy()
        mac.update(hold_times[: y * _HOLD])
        a, b = i * _MAC, (i + 1) * _MAC
        mac.update(b"".join([d[a:b] for d in downstream[: y - 1]]))
        out.append(mac.digest()[:_MAC])
    return b"".join(out)


def add_attribution(
    shared_secret: bytes, packet: bytes, hold_time: int, previous: bytes | None
) -> bytes:
    """This hop's `attribution_data`: shift the downstream data, prepend our hold time and our
    20 HMACs, encrypt with `ammagext`.

    ``packet``: the failure packet before this hop applies its `ammag` stream (the erring
    node: its raw packet; a fulfilled HTLC: ``b""``). ``previous``: the attribution data
    received from downstream (``None``: "MUST instantiate an all-zeroes `attribution_data`
    block"). ``hold_time``: units of 100 ms ("Nodes along the path that lack accurate timing
    information may report a value of zero").

    # BOLT #4: "Shift all existing hold times to the right (4 bytes). Shift and prune all
    # existing HMACs." ... "Put the node's hold time at the start of `htlc_hold_times`."
    # "Calculate its own 20 truncated HMACs and put them at the start of `hmacs`" ... "Generate
    # the node's `ammagext` key, generate the pseudo-random byte stream, and apply the result
    # to obfuscate the `attribution_data` field."
    """
    prev = bytes(ATTRIBUTION_DATA_SIZE) if previous is None else bytes(previous)
    if len(prev) != ATTRIBUTION_DATA_SIZE:
        raise ValueError(f"attribution_data must be {ATTRIBUTION_DATA_SIZE} bytes")
    prev_holds, prev_hmacs = _split(prev)
    # "The former `hmac_x'_y` now becomes `hmac_x+1_y`. The left-most HMAC for each hop is
    # discarded."
    shifted = [slots[_MAC:] for slots in prev_hmacs[:-1]]
    hold_times = _U32.pack(hold_time) + prev_holds[: _HOLD_TIMES_SIZE - _HOLD]
    um = generate_key(UM, shared_secret)
    own = _compute(um, packet, hold_times, shifted, range(MAX_ATTRIBUTION_HOPS))
    plain = b"".join((hold_times, own, *shifted))
    return chacha20_xor(generate_key(AMMAGEXT, shared_secret), plain)


def unwrap_attribution(
    shared_secret: bytes, attribution_data: bytes, packet: bytes, remaining_hops: int
) -> tuple[int, bytes] | None:
    """At the origin, for one hop: check its HMACs and take off its layer.

    ``packet``: the failure packet after removing this hop's `ammag` layer (``b""`` for a
    fulfilled HTLC). ``remaining_hops``: hops from this one to the end of the route, itself
    included. Returns (its hold time, the attribution data of the next hop), or ``None`` if the
    HMAC for this hop's position does not verify.
    """
    if len(attribution_data) != ATTRIBUTION_DATA_SIZE:
        return None
    remaining = min(max(remaining_hops, 1), MAX_ATTRIBUTION_HOPS)
    plain = chacha20_xor(generate_key(AMMAGEXT, shared_secret), attribution_data)
    hold_times, hmacs = _split(plain)
    first = MAX_ATTRIBUTION_HOPS - remaining
    um = generate_key(UM, shared_secret)
    expected = _compute(um, packet, hold_times, hmacs[1:], range(first, MAX_ATTRIBUTION_HOPS))
    if not _hmac.compare_digest(expected, hmacs[0][first * _MAC :]):
        return None
    (hold,) = _U32.unpack_from(hold_times, 0)
    # Undo the shift: node x+1 becomes node x, with its discarded left-most slot zeroed.
    rest = (_ZERO_MAC + slots for slots in [*hmacs[1:], b""])
    return hold, b"".join((hold_times[_HOLD:], bytes(_HOLD), *rest))


def fulfill_hold_times(shared_secrets: Sequence[bytes], attribution_data: bytes) -> list[int]:
    """At the origin of a fulfilled HTLC: the hold time of each hop, from the first, as far as
    the HMACs verify.

    # BOLT #4: "The `update_fulfill_htlc` message contains an optional `attribution_data`
    # field ... there is no failure message that is covered by the HMACs."
    """
    out: list[int] = []
    data = attribution_data
    n = len(shared_secrets)
    for i, ss in enumerate(shared_secrets):
        unwrapped = unwrap_attribution(ss, data, b"", n - i)
        if unwrapped is None:
            break
        hold, data = unwrapped
        out.append(hold)
    return out
