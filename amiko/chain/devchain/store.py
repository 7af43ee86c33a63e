"""The dev chain's own record: an append-only log of every block it accepted (in arrival
order, which decides equal-work ties) and of invalidateblock/reconsiderblock calls.

From it the dev chain rebuilds its indexes at start, and the kernel's chainstate whenever that
is missing, behind, or has to forget blocks. A torn last record (a crash mid-write) is cut off.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

BLOCK = b"B"  # payload: the serialized block
INVALID = b"X"  # payload: hash of a block the kernel refused when connecting it
INVALIDATED = b"I"  # payload: hash given to invalidateblock
RECONSIDERED = b"R"  # payload: hash given to reconsiderblock
_HEADER = struct.Struct("<cI")


class BlockLog:
    def __init__(self, path: Path, *, fsync: bool = False) -> None:
        self.path = path
        self.fsync = fsync
        path.parent.mkdir(parents=True, exist_ok=True)
        self._good_length = 0
        self._file = open(path, "ab")

    def records(self) -> Iterator[tuple[bytes, bytes]]:
        """Every complete record; notes where the last one ends so a torn tail is cut off."""
        with open(self.path, "rb") as f:
            data = f.read()
        pos = 0
        while pos + _HEADER.size <= len(data):
            kind, length = _HEADER.unpack_from(data, pos)
            end = pos + _HEADER.size + length
            if end > len(data):
                break
            yield kind, data[pos + _HEADER.size:end]
            pos = end
        self._good_length = pos
        if pos != len(data):
            self._file.close()
            with open(self.path, "r+b") as f:
                f.truncate(pos)
            self._file = open(self.path, "ab")

    def append(self, kind: bytes, payload: bytes) -> None:
        self._file.write(_HEADER.pack(kind, len(payload)) + payload)
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()
