"""Block assembly, as Bitcoin Core's BlockAssembler: mempool transactions chosen by ancestor
package feerate (so a child pays for its parents), packages below -blockmintxfee left out,
the block kept under the default maximum weight. Sans-IO: the caller supplies time and the
coinbase's extra nonce.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from amiko.bitcoin.block import Block, assemble_block, block_subsidy
from amiko.bitcoin.tx import Transaction
from amiko.chain.devchain.mempool import Mempool, MempoolEntry

# DEFAULT_BLOCK_MAX_WEIGHT = MAX_BLOCK_WEIGHT - 4000 (room for the coinbase)
DEFAULT_BLOCK_MAX_WEIGHT = 3_996_000


def select_transactions(mempool: Mempool, max_weight: int = DEFAULT_BLOCK_MAX_WEIGHT,
                        min_feerate: int | None = None) -> list[MempoolEntry]:
    """addPackageTxs: repeatedly take the transaction whose not-yet-included ancestors plus
    itself pay the highest feerate, with those ancestors, parents first."""
    if min_feerate is None:
        min_feerate = mempool.policy.block_min_feerate
    entries = mempool.entries
    included: set[bytes] = set()
    failed: set[bytes] = set()
    chosen: list[MempoolEntry] = []
    weight = 0

    def package(txid: bytes) -> tuple[list[bytes], int, int]:
        anc = [a for a in mempool.ancestors(txid) if a not in included]
        members = [*anc, txid]
        fee = sum(entries[m].fee for m in members)
        vsize = sum(entries[m].vsize for m in members)
        return members, fee, vsize

    heap: list[tuple[float, int, bytes]] = []
    for txid, e in entries.items():
        _, fee, vsize = package(txid)
        heapq.heappush(heap, (-fee / vsize, e.sequence, txid))
    while heap:
        neg_score, _, txid = heapq.heappop(heap)
        if txid in included or txid in failed:
            continue
        members, fee, vsize = package(txid)
        score = fee / vsize
        if score != -neg_score:
            heapq.heappush(heap, (-score, entries[txid].sequence, txid))
            continue
        if fee * 1000 < min_feerate * vsize:
            break  # best remaining package is below the block minimum feerate
        pkg_weight = sum(entries[m].tx.weight() for m in members)
        if weight + pkg_weight > max_weight:
            failed.add(txid)
            continue
        weight += pkg_weight
        members.sort(key=lambda m: entries[m].sequence)
        for m in members:
            included.add(m)
            chosen.append(entries[m])
        touched: set[bytes] = set()
        for m in members:
            touched |= mempool.descendants(m)
        for d in touched - included:
            _, dfee, dvsize = package(d)
            heapq.heappush(heap, (-dfee / dvsize, entries[d].sequence, d))
    return chosen


def build_block(prev_hash: bytes, height: int, time: int, txs: Sequence[Transaction],
                fees: int, script_pubkey: bytes, extra_nonce: bytes) -> Block:
    """A block with a BIP34 coinbase paying subsidy plus fees to `script_pubkey`, the
    BIP141 witness commitment, and a nonce that meets regtest's proof of work."""
    value = block_subsidy(height) + fees
    return assemble_block(prev_hash, height, time, list(txs), script_pubkey, value,
                          extra=extra_nonce)
