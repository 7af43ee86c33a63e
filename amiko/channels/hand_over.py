"""Handing a channel's HTLC events to its listener (the switch): the same for every
channel type's driver.

An event is one of three shapes, whatever the type names its classes: a lock both sides
committed (`.htlc`, an `IncomingHtlc`), our lock settled (`.htlc_id`, `.preimage`), our
lock rolled back (`.htlc_id`, `.reason`). A listener that raises is logged; the channel
goes on.
"""

from __future__ import annotations

import logging
from typing import Any

from amiko.channels.interface import Channel, ChannelListener


def hand_over(listener: ChannelListener, channel: Channel, event: Any, log: logging.Logger) -> None:
    try:
        if (htlc := getattr(event, "htlc", None)) is not None:
            listener.htlc_incoming(channel, htlc)
        elif (preimage := getattr(event, "preimage", None)) is not None:
            listener.htlc_settled(channel, event.htlc_id, preimage)
        else:
            listener.htlc_failed(channel, event.htlc_id, event.reason)
    except Exception:
        log.exception("channel %s: handling %s failed", channel.channel_id.hex(), type(event).__name__)
