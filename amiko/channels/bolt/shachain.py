"""Per-commitment secrets: generation from a seed, and the peer's secrets in compact storage.

# BOLT #3: Up to (2^48 - 1) per-commitment secrets can be generated.
# BOLT #3: The first secret used: MUST be index 281474976710655, and from there, the index
# is decremented.

A node generates its own secrets from a seed (`generate_from_seed`), and stores the secrets
its peer reveals in `revoke_and_ack` in a `ShachainStore`: at most 49 (index, secret) pairs,
from which every secret received so far can be derived again.

Commitment number ``n`` (0 for the first commitment transaction) uses secret index
``START_INDEX - n``.
"""

from __future__ import annotations

from dataclasses import dataclass

from amiko.crypto.hashes import sha256

__all__ = [
    "MAX_ENTRIES",
    "START_INDEX",
    "ShachainError",
    "ShachainStore",
    "commitment_index",
    "derive_secret",
    "generate_from_seed",
    "where_to_put_secret",
]

START_INDEX = (1 << 48) - 1
MAX_ENTRIES = 49  # one bucket per count of trailing zeros, 0..48


class ShachainError(ValueError):
    """A secret that does not derive the earlier ones, an index out of order, or bad storage."""


def commitment_index(commitment_number: int) -> int:
    """The secret index of commitment number `commitment_number` (0, 1, 2, ...)."""
    if not 0 <= commitment_number <= START_INDEX:
        raise ShachainError(f"commitment number {commitment_number} out of range")
    return START_INDEX - commitment_number


def _flip(p: bytearray, b: int) -> None:
    # BOLT #3: Where "flip(B)" alternates the (B mod 8) bit of the (B div 8) byte of the value.
    p[b // 8] ^= 1 << (b % 8)


def derive_secret(base: bytes, bits: int, index: int) -> bytes:
    """The secret at `index` from a base secret whose index has the same bits `bits`..47.

    # BOLT #3:
    #     derive_secret(base, bits, I):
    #         P = base
    #         for B in bits - 1 down to 0:
    #             if B set in I:
    #                 flip(B) in P
    #                 P = SHA256(P)
    #         return P
    """
    if len(base) != 32:
        raise ShachainError("a per-commitment secret is 32 bytes")
    p = bytearray(base)
    for b in range(bits - 1, -1, -1):
        if index >> b & 1:
            _flip(p, b)
            p = bytearray(sha256(bytes(p)))
    return bytes(p)


def generate_from_seed(seed: bytes, index: int) -> bytes:
    """The I'th per-commitment secret of a seed (BOLT 3 `generate_from_seed`)."""
    if not 0 <= index <= START_INDEX:
        raise ShachainError(f"index {index} is not a 48-bit number")
    return derive_secret(seed, 48, index)


def where_to_put_secret(index: int) -> int:
    """The storage bucket of an index: its number of trailing zeros (48 for index 0).

    # BOLT #3:
    #     where_to_put_secret(I):
    #         for B in 0 to 47:
    #             if testbit(I) in B == 1:
    #                 return B
    #         # I = 0, this is the seed.
    #         return 48
    """
    for b in range(48):
        if index >> b & 1:
            return b
    return 48


@dataclass(frozen=True, slots=True)
class ShachainStore:
    """The secrets a peer revealed, as at most 49 (index, secret) pairs; immutable.

    `buckets[b]` holds the last received secret whose index has `b` trailing zeros. Secrets
    arrive one by one in descending index order from START_INDEX (one `revoke_and_ack` per
    commitment), so the filled buckets are always 0..len-1.
    """

    buckets: tuple[tuple[int, bytes], ...] = ()

    def __repr__(self) -> str:  # secrets stay out of logs
        return f"ShachainStore(next_index={self.next_index})"

    @property
    def next_index(self) -> int:
        """The index of the secret expected next (START_INDEX when nothing was received)."""
        if not self.buckets:
            return START_INDEX
        return min(index for index, _ in self.buckets) - 1

    @property
    def next_commitment_number(self) -> int:
        """The commitment number whose secret is expected next."""
        return START_INDEX - self.next_index

    def insert(self, index: int, secret: bytes) -> ShachainStore:
        """Store the secret for `index`, checking it derives every secret stored before.

        # BOLT #3: A double-check, that all previous secrets derive correctly, is needed;
        # if this check fails, the secrets were not generated from the same seed:
        #     insert_secret(secret, I):
        #         B = where_to_put_secret(I)
        #         for b in 0 to B:
        #             if derive_secret(secret, B, known[b].index) != known[b].secret:
        #                 error The secret for I is incorrect
        #                 return
        #         known[B].index = I
        #         known[B].secret = secret

        Raises ShachainError; the store itself never changes (a new one is returned).
        """
        if len(secret) != 32:
            raise ShachainError("a per-commitment secret is 32 bytes")
        if index != self.next_index or index < 0:
            # BOLT #2: revoke_and_ack carries the secret of the previous commitment, so
            # secrets arrive in strictly descending order, without gaps.
            raise ShachainError(f"expected the secret for index {self.next_index}, got {index}")
        b = where_to_put_secret(index)
        for known_index, known_secret in self.buckets[:b]:
            if derive_secret(secret, b, known_index) != known_secret:
                raise ShachainError(f"the secret for index {index} does not derive earlier secrets")
        buckets = list(self.buckets)
        if b == len(buckets):
            buckets.append((index, secret))
        else:
            buckets[b] = (index, secret)
        return ShachainStore(tuple(buckets))

    def insert_commitment_secret(self, commitment_number: int, secret: bytes) -> ShachainStore:
        """`insert` by commitment number."""
        return self.insert(commitment_index(commitment_number), secret)

    def get(self, index: int) -> bytes:
        """The secret of an index received earlier; raises ShachainError if it wasn't.

        # BOLT #3:
        #     derive_old_secret(I):
        #         for b in 0 to len(secrets):
        #             # Mask off the non-zero prefix of the index.
        #             MASK = ~((1 << b) - 1)
        #             if (I & MASK) == secrets[b].index:
        #                 return derive_secret(known, i, I)
        #         error Index 'I' hasn't been received yet.
        """
        if 0 <= index <= START_INDEX:
            for b, (known_index, known_secret) in enumerate(self.buckets):
                mask = ~((1 << b) - 1)
                if index & mask == known_index:
                    return derive_secret(known_secret, b, index)
        raise ShachainError(f"the secret for index {index} has not been received")

    def commitment_secret(self, commitment_number: int) -> bytes:
        """`get` by commitment number."""
        return self.get(commitment_index(commitment_number))

    # -- storage: u8 count, then per bucket a 6-byte big-endian index and the 32-byte secret

    def serialize(self) -> bytes:
        out = bytearray((len(self.buckets),))
        for index, secret in self.buckets:
            out += index.to_bytes(6, "big") + secret
        return bytes(out)

    @classmethod
    def parse(cls, data: bytes) -> ShachainStore:
        if not data or len(data) != 1 + data[0] * 38 or data[0] > MAX_ENTRIES:
            raise ShachainError("malformed shachain storage")
        buckets = []
        for b in range(data[0]):
            pos = 1 + 38 * b
            index = int.from_bytes(data[pos:pos + 6], "big")
            if where_to_put_secret(index) != b:
                raise ShachainError(f"shachain storage: index {index} in bucket {b}")
            buckets.append((index, data[pos + 6:pos + 38]))
        return cls(tuple(buckets))
