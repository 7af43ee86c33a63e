"""libbitcoinkernel (Bitcoin Core's consensus engine, via py-bitcoinkernel) on regtest.

Every block of the dev chain goes through `ChainstateManager.process_block`; the kernel keeps
its own block files and chainstate in `directory` (they survive restarts) and chooses the
active chain. Its API has no invalidateblock, so the dev chain "invalidates" by wiping this
directory and replaying the blocks it still wants (see node.py).
"""

from __future__ import annotations

import ctypes
import gc
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pbk
from pbk.capi import KernelOpaquePtr

_K = TypeVar("_K", bound=KernelOpaquePtr)


def from_bytes(cls: type[_K], data: bytes) -> _K:
    """Build a kernel object (Block, Transaction) from serialized bytes with one buffer copy
    (pbk's own constructors unpack the bytes one by one into a ctypes array)."""
    obj: _K = object.__new__(cls)
    buf = (ctypes.c_ubyte * len(data)).from_buffer_copy(data)
    KernelOpaquePtr.__init__(obj, buf, len(data))
    return obj


@dataclass(slots=True)
class Verdict:
    """What the kernel made of a block: `accepted` (stored in its block tree), and the
    outcome of every block it tried to connect meanwhile (hash -> valid?)."""

    accepted: bool
    new: bool = False
    checked: dict[bytes, bool] = field(default_factory=dict)
    result: str = ""  # BlockValidationResult name of a refusal, e.g. "CONSENSUS"


class Kernel:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._checked: dict[bytes, tuple[bool, str]] = {}
        self._cm: pbk.ChainstateManager | None = None
        self._open()

    def _on_checked(self, _user: Any, block: pbk.Block, state: pbk.BlockValidationState) -> None:
        valid = state.validation_mode == pbk.ValidationMode.VALID
        self._checked[bytes(block.block_hash)] = (valid, state.block_validation_result.name)

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        callbacks = pbk.ValidationInterfaceCallbacks(block_checked=self._on_checked)
        context = pbk.make_context(pbk.ChainType.REGTEST, validation_callbacks=callbacks)
        opts = pbk.ChainstateManagerOptions(context, str(self.directory.absolute()),
                                            str((self.directory / "blocks").absolute()))
        opts.set_worker_threads_num(0)
        self._cm = pbk.ChainstateManager(opts)

    @property
    def cm(self) -> pbk.ChainstateManager:
        if self._cm is None:
            raise RuntimeError("kernel is closed")
        return self._cm

    def close(self) -> None:
        """Release the chainstate (flushes it to disk and frees the directory's lock)."""
        self._cm = None
        gc.collect()

    def wipe(self) -> None:
        """Start over from an empty regtest chain."""
        self.close()
        shutil.rmtree(self.directory, ignore_errors=True)
        self._open()

    # -- the active chain -------------------------------------------------------------------

    def height(self) -> int:
        return int(self.cm.get_active_chain().height)

    def hash_at(self, height: int) -> bytes:
        entry = self.cm.get_active_chain().block_tree_entries[height]
        return bytes(entry.block_hash)

    def tip_hash(self) -> bytes:
        return self.hash_at(self.height())

    def knows(self, block_hash: bytes) -> bool:
        return pbk.BlockHash(block_hash) in self.cm.block_tree_entries

    def genesis(self) -> bytes:
        entry = self.cm.get_active_chain().block_tree_entries[0]
        return bytes(self.cm.blocks[entry])

    # -- blocks ---------------------------------------------------------------------------

    def process(self, raw: bytes, block_hash: bytes) -> Verdict:
        """ProcessNewBlock. A block that fails CheckBlock (malformed, bad proof of work,
        mutated) is refused outright; one that fails when connected is stored but reported
        invalid through `checked` and never becomes the tip."""
        self._checked.clear()
        try:
            new = self.cm.process_block(from_bytes(pbk.Block, raw))
        except pbk.ProcessBlockException:
            result = self._checked.get(block_hash, (False, "CONSENSUS"))[1]
            return Verdict(False, False, {block_hash: False}, result)
        checked = {h: v for h, (v, _) in self._checked.items()}
        result = self._checked.get(block_hash, (True, ""))[1]
        return Verdict(True, new, checked, result)
