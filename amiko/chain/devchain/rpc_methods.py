"""The dev chain's JSON-RPC methods: Bitcoin Core's names, parameters, result shapes and
error codes, for the subset amiko's bitcoind backend (and a person with bitcoin-cli) uses.

Each public method of `RpcMethods` is an RPC of the same name; its Python parameters are the
RPC's positional parameters and its named parameters.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from amiko import __version__
from amiko.bitcoin.address import AddressError, address_to_script
from amiko.bitcoin.block import Block
from amiko.bitcoin.networks import REGTEST
from amiko.bitcoin.tx import OutPoint, Transaction, TxDecodeError
from amiko.chain import rpc_errors as E
from amiko.chain.devchain.chainstate import BlockInfo
from amiko.chain.devchain.mempool import MEMPOOL_HEIGHT, AcceptResult, is_child_with_parents_tree
from amiko.chain.devchain.node import DevChain, DevChainError, parse_tx_hex
from amiko.chain.devchain.policy import MAX_BIP125_RBF_SEQUENCE, TRUC_VERSION
from amiko.chain.devchain.rpc_json import Amount, header_json, script_pubkey_json, tx_json

CORE_VERSION = 280000
SUBVERSION = f"/Satoshi:28.0.0(amiko-devchain-{__version__})/"
PROTOCOL_VERSION = 70016


def _err(code: int, message: str) -> DevChainError:
    return DevChainError(code, message)


def _hash(value: Any, name: str = "hash") -> bytes:
    """ParseHashV: 64 hex digits, displayed (reversed) byte order."""
    if not isinstance(value, str):
        raise _err(E.RPC_TYPE_ERROR, f"JSON value of type {type(value).__name__} is not of "
                                     f"expected type string")
    if len(value) != 64:
        raise _err(E.RPC_INVALID_PARAMETER,
                   f"{name} must be of length 64 (not {len(value)}, for '{value}')")
    try:
        return bytes.fromhex(value)[::-1]
    except ValueError:
        raise _err(E.RPC_INVALID_PARAMETER,
                   f"{name} must be hexadecimal string (not '{value}')") from None


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _err(E.RPC_TYPE_ERROR, f"JSON value of type {type(value).__name__} for field "
                                     f"{name} is not of expected type number")
    return value


def _verbosity(value: Any, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool):
        return int(value)
    return _int(value, "verbosity")


def _btc_to_sats(value: Any) -> int:
    """AmountFromValue: a JSON number (or numeric string) of BTC."""
    try:
        amount = Decimal(str(value)) * 100_000_000
    except InvalidOperation:
        raise _err(E.RPC_TYPE_ERROR, "Amount is not a number or string") from None
    if amount < 0:
        raise _err(E.RPC_TYPE_ERROR, "Amount out of range")
    return int(amount)


class RpcMethods:
    def __init__(self, chain: DevChain, on_stop: Callable[[], None] | None = None) -> None:
        self.chain = chain
        self._on_stop = on_stop
        self._started = time.time()

    # -- helpers ------------------------------------------------------------------------------

    def _script_for(self, address: Any) -> bytes:
        if not isinstance(address, str):
            raise _err(E.RPC_INVALID_ADDRESS_OR_KEY, E.MSG_INVALID_ADDRESS)
        try:
            return address_to_script(address, REGTEST)
        except AddressError:
            raise _err(E.RPC_INVALID_ADDRESS_OR_KEY, E.MSG_INVALID_ADDRESS) from None

    def _info(self, block_hash: bytes) -> BlockInfo:
        info = self.chain.block_info(block_hash)
        if info is None:
            raise _err(E.RPC_INVALID_ADDRESS_OR_KEY, E.MSG_BLOCK_NOT_FOUND)
        return info

    def _confirmations(self, info: BlockInfo) -> int:
        if self.chain.chain.in_active_chain(info.hash):
            return self.chain.height - info.height + 1
        return -1

    def _header(self, info: BlockInfo) -> dict[str, Any]:
        active = self.chain.chain.in_active_chain(info.hash)
        next_hash = self.chain.block_hash(info.height + 1) if active else None
        mtp = self.chain.chain.median_time_past(info.height) if active else info.block.header.time
        return header_json(info.block.header, height=info.height,
                           confirmations=self._confirmations(info), mediantime=mtp,
                           chainwork=info.chainwork, n_tx=len(info.block.txs),
                           next_hash=next_hash)

    def _spent_info(self, info: BlockInfo) -> list[list[tuple[int, bytes, int, bool]]] | None:
        coins = self.chain.chain.spent_outputs(info.hash)
        if coins is None:
            return None
        out: list[list[tuple[int, bytes, int, bool]]] = []
        pos = 0
        for tx in info.block.txs[1:]:
            n = len(tx.inputs)
            out.append([(c.output.value, c.output.script_pubkey, c.height, c.coinbase)
                        for c in coins[pos:pos + n]])
            pos += n
        return out

    # -- blockchain ---------------------------------------------------------------------------

    def getblockchaininfo(self) -> dict[str, Any]:
        tip = self.chain.tip
        header = tip.block.header
        return {
            "chain": "regtest", "blocks": tip.height, "headers": tip.height,
            "bestblockhash": header.hash_hex, "difficulty": self._header(tip)["difficulty"],
            "time": header.time, "mediantime": self.chain.chain.median_time_past(tip.height),
            "verificationprogress": 1, "initialblockdownload": False,
            "chainwork": f"{tip.chainwork:064x}",
            "size_on_disk": sum(i.size for i in self.chain.chain.blocks.values()),
            "pruned": False, "warnings": [],
        }

    def getblockcount(self) -> int:
        return self.chain.height

    def getbestblockhash(self) -> str:
        return self.chain.tip.block.header.hash_hex

    def getblockhash(self, height: Any) -> str:
        h = self.chain.block_hash(_int(height, "height"))
        if h is None:
            raise _err(E.RPC_INVALID_PARAMETER, E.MSG_HEIGHT_OUT_OF_RANGE)
        return h[::-1].hex()

    def getblockheader(self, blockhash: Any, verbose: Any = True) -> Any:
        info = self._info(_hash(blockhash))
        if not verbose:
            return info.block.header.serialize().hex()
        return self._header(info)

    def getblock(self, blockhash: Any, verbosity: Any = None) -> Any:
        info = self._info(_hash(blockhash))
        level = _verbosity(verbosity, 1)
        if level <= 0:
            return info.block.serialize().hex()
        out = self._header(info)
        out["strippedsize"] = info.block.stripped_size()
        out["size"] = info.size
        out["weight"] = info.weight
        if level == 1:
            out["tx"] = [tx.txid_hex for tx in info.block.txs]
            return out
        spent = self._spent_info(info)
        txs = []
        for k, tx in enumerate(info.block.txs):
            tx_spent = spent[k - 1] if spent is not None and k > 0 else None
            txs.append(tx_json(tx, spent=tx_spent, with_prevout=level >= 3))
        out["tx"] = txs
        return out

    def getchaintips(self) -> list[dict[str, Any]]:
        chain = self.chain.chain
        has_child = {i.prev for i in chain.blocks.values() if i.height > 0}
        excluded = chain.excluded()
        tips = []
        for h, info in chain.blocks.items():
            if h in has_child and h != chain.active[-1]:
                continue
            fork = info
            while not chain.in_active_chain(fork.hash):
                fork = chain.blocks[fork.prev]
            if chain.in_active_chain(h):
                status = "active"
            elif h in excluded:
                status = "invalid"
            else:
                status = "valid-headers"
            tips.append({"height": info.height, "hash": h[::-1].hex(),
                         "branchlen": info.height - fork.height, "status": status})
        return sorted(tips, key=lambda t: -t["height"])

    def gettxout(self, txid: Any, n: Any, include_mempool: Any = True) -> Any:
        outpoint = OutPoint(_hash(txid, "txid"), _int(n, "n"))
        coin = self.chain.get_coin(outpoint, include_mempool=bool(include_mempool))
        if coin is None:
            return None
        confirmations = 0 if coin.height == MEMPOOL_HEIGHT else self.chain.height - coin.height + 1
        return {"bestblock": self.getbestblockhash(), "confirmations": confirmations,
                "value": Amount(coin.output.value),
                "scriptPubKey": script_pubkey_json(coin.output.script_pubkey),
                "coinbase": coin.coinbase}

    def invalidateblock(self, blockhash: Any) -> None:
        self.chain.invalidate_block(_hash(blockhash, "blockhash"))

    def reconsiderblock(self, blockhash: Any) -> None:
        self.chain.reconsider_block(_hash(blockhash, "blockhash"))

    # -- raw transactions ---------------------------------------------------------------------

    def getrawtransaction(self, txid: Any, verbose: Any = None, blockhash: Any = None) -> Any:
        h = _hash(txid, "parameter 1")
        level = _verbosity(verbose, 0)
        block: BlockInfo | None = None
        if blockhash is not None:
            block = self._info(_hash(blockhash, "parameter 3"))
            found = next((t for t in block.block.txs if t.txid == h), None)
            if found is None:
                raise _err(E.RPC_INVALID_ADDRESS_OR_KEY,
                           "No such transaction found in the provided block. Use "
                           "gettransaction for wallet transactions.")
            tx: Transaction = found
        else:
            result = self.chain.find_transaction(h)
            if result is None:
                raise _err(E.RPC_INVALID_ADDRESS_OR_KEY, E.MSG_NO_SUCH_TX)
            tx, block = result.tx, result.block
        if level <= 0:
            return tx.serialize().hex()
        spent = None
        if level >= 2 and block is not None and not tx.is_coinbase():
            all_spent = self._spent_info(block)
            if all_spent is not None:
                spent = all_spent[block.block.txs.index(tx) - 1]
        out = tx_json(tx, spent=spent, with_prevout=level >= 2)
        if blockhash is not None and block is not None:
            out["in_active_chain"] = self.chain.chain.in_active_chain(block.hash)
        if block is not None:
            out["blockhash"] = block.hash[::-1].hex()
            if self.chain.chain.in_active_chain(block.hash):
                out["confirmations"] = self.chain.height - block.height + 1
                out["time"] = block.block.header.time
                out["blocktime"] = block.block.header.time
            else:
                out["confirmations"] = 0
        return out

    def decoderawtransaction(self, hexstring: Any, iswitness: Any = None) -> dict[str, Any]:
        return tx_json(parse_tx_hex(str(hexstring)), include_hex=False)

    def sendrawtransaction(self, hexstring: Any, maxfeerate: Any = None,
                           maxburnamount: Any = None) -> str:
        tx = parse_tx_hex(str(hexstring))
        rate = _btc_to_sats(maxfeerate) if maxfeerate is not None else 10_000_000
        return self.chain.send_raw_transaction(tx, rate)[::-1].hex()

    def testmempoolaccept(self, rawtxs: Any, maxfeerate: Any = None) -> list[dict[str, Any]]:
        if not isinstance(rawtxs, list) or not 1 <= len(rawtxs) <= 25:
            raise _err(E.RPC_INVALID_PARAMETER, "Array must contain between 1 and 25 "
                                                "transactions.")
        txs = [parse_tx_hex(str(h)) for h in rawtxs]
        max_rate = _btc_to_sats(maxfeerate) if maxfeerate is not None else 10_000_000
        results = self.chain.test_mempool_accept(txs)
        out = []
        for tx, result in zip(txs, results, strict=True):
            item: dict[str, Any] = {"txid": tx.txid_hex, "wtxid": tx.wtxid_hex}
            if result is not None:
                item.update(self._accept_json(result, max_rate))
            out.append(item)
        return out

    @staticmethod
    def _accept_json(result: AcceptResult, max_rate: int) -> dict[str, Any]:
        if result.ok:
            if max_rate and result.fee * 1000 > max_rate * result.vsize:
                return {"allowed": False, "reject-reason": E.REJECT_MAX_FEE_EXCEEDED}
            return {"allowed": True, "vsize": result.vsize,
                    "fees": {"base": Amount(result.fee),
                             "effective-feerate": Amount(result.effective_feerate),
                             "effective-includes": [w[::-1].hex()
                                                    for w in result.effective_includes]}}
        assert result.reject is not None
        if result.reject.result == "TX_MISSING_INPUTS":
            return {"allowed": False, "reject-reason": E.REJECT_MISSING_INPUTS_RPC}
        return {"allowed": False, "reject-reason": result.reject.reason,
                "reject-details": str(result.reject)}

    def submitpackage(self, package: Any, maxfeerate: Any = None,
                      maxburnamount: Any = None) -> dict[str, Any]:
        if not isinstance(package, list) or not 1 <= len(package) <= 25:
            raise _err(E.RPC_INVALID_PARAMETER, "Array must contain between 1 and 25 "
                                                "transactions.")
        txs = [parse_tx_hex(str(h)) for h in package]
        if not is_child_with_parents_tree(txs):
            raise _err(E.RPC_VERIFY_ERROR, E.MSG_PACKAGE_TOPOLOGY)
        result = self.chain.submit_package(txs)
        if result.reject is not None and result.reject.result == "PCKG_POLICY":
            raise _err(E.RPC_VERIFY_ERROR, str(result.reject))
        tx_results: dict[str, Any] = {}
        replaced: list[str] = []
        for tx in txs:
            item: dict[str, Any] = {"txid": tx.txid_hex}
            r = result.results.get(tx.wtxid)
            if r is None:
                item["error"] = "unevaluated"
            elif r.kind == "different_witness" and r.other_wtxid is not None:
                item["other-wtxid"] = r.other_wtxid[::-1].hex()
            elif r.kind == "invalid":
                item["error"] = str(r.reject)
            else:
                item["vsize"] = r.vsize
                fees: dict[str, Any] = {"base": Amount(r.fee)}
                if r.kind == "valid":
                    fees["effective-feerate"] = Amount(r.effective_feerate)
                    fees["effective-includes"] = [w[::-1].hex() for w in r.effective_includes]
                item["fees"] = fees
                replaced.extend(t.txid_hex for t in r.replaced)
            tx_results[tx.wtxid_hex] = item
        message = "success" if result.reject is None else str(result.reject)
        return {"package_msg": message, "tx-results": tx_results,
                "replaced-transactions": sorted(set(replaced))}

    # -- mempool ----------------------------------------------------------------------------

    def _entry_json(self, txid: bytes) -> dict[str, Any]:
        pool = self.chain.mempool
        e = pool.entries[txid]
        anc = pool.ancestors(txid)
        desc = pool.descendants(txid)
        replaceable = (any(i.sequence <= MAX_BIP125_RBF_SEQUENCE for i in e.tx.inputs)
                       or e.tx.version == TRUC_VERSION or pool.policy.full_rbf)
        return {
            "vsize": e.vsize, "weight": e.tx.weight(), "time": e.time, "height": e.height,
            "descendantcount": len(desc) + 1,
            "descendantsize": e.vsize + sum(pool.entries[d].vsize for d in desc),
            "ancestorcount": len(anc) + 1,
            "ancestorsize": e.vsize + sum(pool.entries[a].vsize for a in anc),
            "wtxid": e.tx.wtxid_hex,
            "fees": {"base": Amount(e.fee), "modified": Amount(e.fee),
                     "ancestor": Amount(e.fee + sum(pool.entries[a].fee for a in anc)),
                     "descendant": Amount(e.fee + sum(pool.entries[d].fee for d in desc))},
            "depends": sorted(p[::-1].hex() for p in e.parents),
            "spentby": sorted(c[::-1].hex() for c in e.children),
            "bip125-replaceable": replaceable, "unbroadcast": False,
        }

    def getrawmempool(self, verbose: Any = False, mempool_sequence: Any = False) -> Any:
        entries = self.chain.mempool.ordered()
        if verbose:
            return {e.tx.txid_hex: self._entry_json(e.txid) for e in entries}
        return [e.tx.txid_hex for e in entries]

    def getmempoolentry(self, txid: Any) -> dict[str, Any]:
        h = _hash(txid, "parameter 1")
        if h not in self.chain.mempool:
            raise _err(E.RPC_INVALID_ADDRESS_OR_KEY, E.MSG_TX_NOT_IN_MEMPOOL)
        return self._entry_json(h)

    def getmempoolinfo(self) -> dict[str, Any]:
        pool = self.chain.mempool
        pol = pool.policy
        return {
            "loaded": True, "size": len(pool),
            "bytes": sum(e.vsize for e in pool.entries.values()),
            "usage": sum(len(e.tx.serialize()) * 3 for e in pool.entries.values()),
            "total_fee": Amount(sum(e.fee for e in pool.entries.values())),
            "maxmempool": 300_000_000,
            "mempoolminfee": Amount(max(pol.min_relay_feerate, pol.mempool_min_feerate)),
            "minrelaytxfee": Amount(pol.min_relay_feerate),
            "incrementalrelayfee": Amount(pol.incremental_relay_feerate),
            "unbroadcastcount": 0, "fullrbf": pol.full_rbf,
        }

    def estimatesmartfee(self, conf_target: Any, estimate_mode: Any = None) -> dict[str, Any]:
        target = _int(conf_target, "conf_target")
        if not 1 <= target <= 1008:
            raise _err(E.RPC_INVALID_PARAMETER,
                       "Invalid conf_target, must be between 1 and 1008")
        rate = max(self.chain.fee_estimate, self.chain.mempool.policy.min_relay_feerate)
        return {"feerate": Amount(rate), "blocks": max(target, 2)}

    def setfeeestimate(self, sat_per_kvb: Any) -> None:
        """Dev chain only: what estimatesmartfee answers from now on (sat/kvB)."""
        self.chain.fee_estimate = _int(sat_per_kvb, "sat_per_kvb")

    # -- mining -------------------------------------------------------------------------------

    def generatetoaddress(self, nblocks: Any, address: Any, maxtries: Any = None) -> list[str]:
        spk = self._script_for(address)
        return [h[::-1].hex() for h in self.chain.generate(_int(nblocks, "nblocks"), spk)]

    def generateblock(self, output: Any, transactions: Any, submit: Any = True) -> Any:
        spk = self._script_for(output)
        txs: list[Transaction] = []
        for item in transactions:
            if isinstance(item, str) and len(item) == 64:
                entry = self.chain.mempool.get(_hash(item, "txid"))
                if entry is None:
                    raise _err(E.RPC_INVALID_ADDRESS_OR_KEY,
                               f"Transaction {item} not in mempool.")
                txs.append(entry.tx)
            else:
                try:
                    txs.append(Transaction.from_hex(str(item)))
                except TxDecodeError:
                    raise _err(E.RPC_DESERIALIZATION_ERROR,
                               f"Transaction decode failed for {item}. Make sure the tx "
                               f"has at least one input.") from None
        block = self.chain.generate_block(spk, txs, submit=bool(submit))
        out: dict[str, Any] = {"hash": block.hash_hex}
        if not submit:
            out["hex"] = block.serialize().hex()
        return out

    def submitblock(self, hexdata: Any, dummy: Any = None) -> str | None:
        try:
            block = Block.from_hex(str(hexdata))
        except TxDecodeError:
            raise _err(E.RPC_DESERIALIZATION_ERROR, E.MSG_BLOCK_DECODE_FAILED) from None
        if not block.txs or not block.txs[0].is_coinbase():
            raise _err(E.RPC_DESERIALIZATION_ERROR, "Block does not start with a coinbase")
        return self.chain.submit_block(block)

    def setmocktime(self, timestamp: Any) -> None:
        self.chain.mocktime = _int(timestamp, "timestamp")

    # -- control and network ------------------------------------------------------------------

    def getnetworkinfo(self) -> dict[str, Any]:
        pol = self.chain.mempool.policy
        return {
            "version": CORE_VERSION, "subversion": SUBVERSION,
            "protocolversion": PROTOCOL_VERSION, "localservices": "0000000000000c09",
            "localservicesnames": ["NETWORK", "WITNESS", "NETWORK_LIMITED", "P2P_V2"],
            "localrelay": True, "timeoffset": 0, "networkactive": True, "connections": 0,
            "connections_in": 0, "connections_out": 0, "networks": [],
            "relayfee": Amount(pol.min_relay_feerate),
            "incrementalfee": Amount(pol.incremental_relay_feerate),
            "localaddresses": [], "warnings": [],
        }

    def getindexinfo(self, index_name: Any = None) -> dict[str, Any]:
        info = {"txindex": {"synced": True, "best_block_height": self.chain.height}}
        if index_name is not None:
            return {k: v for k, v in info.items() if k == index_name}
        return info

    def uptime(self) -> int:
        return int(time.time() - self._started)

    def stop(self) -> str:
        if self._on_stop is not None:
            self._on_stop()
        return "Bitcoin Core stopping"
