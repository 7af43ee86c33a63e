"""amiko: a layered Lightning Network node."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from amiko.node import Node, NodeConfig

__all__ = ["Node", "NodeConfig", "__version__"]


def __getattr__(name: str) -> Any:
    # `from amiko import Node` without importing the whole node for `amiko.wire` users.
    if name in ("Node", "NodeConfig"):
        from amiko import node

        return getattr(node, name)
    raise AttributeError(name)
