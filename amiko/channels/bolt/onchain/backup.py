"""Static channel backups: what a node that lost its database needs to get its money back.

A backup lists, for each Lightning channel, the peer (and where to reach it), the funding
outpoint and amount, the commitment type and the channel's key index. It holds no state
of the channel: restored, the node cannot use the channel, only ask the peer to close it
(BOLT 2 `option_data_loss_protect`: a `channel_reestablish` that shows we lost state, then
an `error`) and sweep its own output of the peer's commitment, which with
`option_static_remotekey` pays a key the seed alone derives.

The file is encrypted with ChaCha20-Poly1305 under a key derived from the seed, so only
the same seed opens it: `MAGIC || nonce (12) || ciphertext`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from amiko.crypto.hashes import hmac_sha256

__all__ = ["BackupEntry", "BackupError", "backup_key", "decrypt_backup", "encrypt_backup"]

MAGIC = b"AMIKO-SCB1"


class BackupError(ValueError):
    """Not a backup, damaged, or made with another seed."""


@dataclass(frozen=True)
class BackupEntry:
    key_index: int  # the channel's key index (its row id in the node that made it)
    peer_id: str  # hex
    channel_id: str  # hex
    funding_txid: str  # hex, internal byte order
    funding_vout: int
    funding_sat: int
    commitment_type: str  # static_remotekey | anchors
    scan_from: int  # a height at or below the funding transaction's
    host: str | None = None
    port: int | None = None


def backup_key(channel_root: bytes) -> bytes:
    return hmac_sha256(channel_root, b"amiko/static-channel-backup/v1")


def encrypt_backup(entries: list[BackupEntry], key: bytes, network: str) -> bytes:
    body = json.dumps({"network": network, "channels": [asdict(e) for e in entries]},
                      sort_keys=True).encode()
    nonce = os.urandom(12)
    return MAGIC + nonce + ChaCha20Poly1305(key).encrypt(nonce, body, MAGIC)


def decrypt_backup(blob: bytes, key: bytes, network: str) -> list[BackupEntry]:
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 12 + 16:
        raise BackupError("not an amiko channel backup")
    nonce = blob[len(MAGIC):len(MAGIC) + 12]
    try:
        body = ChaCha20Poly1305(key).decrypt(nonce, blob[len(MAGIC) + 12:], MAGIC)
    except InvalidTag:
        raise BackupError("the backup does not open with this node's seed (or is damaged)") from None
    try:
        doc = json.loads(body)
        if doc["network"] != network:
            raise BackupError(f"the backup is for {doc['network']}, this node runs {network}")
        entries = [BackupEntry(**e) for e in doc["channels"]]
    except (KeyError, TypeError, ValueError) as e:
        if isinstance(e, BackupError):
            raise
        raise BackupError(f"malformed backup: {e}") from None
    for entry in entries:
        if entry.commitment_type not in ("static_remotekey", "anchors") or entry.key_index < 1:
            raise BackupError(f"malformed backup entry for channel {entry.channel_id}")
    return entries
