"""The node's RPC methods: argument parsing and error mapping over the `Node` API."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from amiko.bitcoin.address import AddressError
from amiko.chain.interfaces import BroadcastError
from amiko.chain.wallet import InsufficientFunds, WalletError
from amiko.channels.bolt.driver import BoltDriver
from amiko.channels.bolt.fees import CommitmentType
from amiko.channels.bolt.onchain.backup import BackupError
from amiko.channels.interface import ChannelState
from amiko.channels.manager import ChannelLookupError, status_json
from amiko.node import Node
from amiko.payments.bolt11 import InvoiceError, decode_invoice
from amiko.payments.invoice_book import InvoiceBookError
from amiko.payments.payer import MAX_PARTS, PaymentError
from amiko.payments.switch import ForwardPolicy
from amiko.routing.gossip import views as gossip_views
from amiko.rpc import routing_methods, trust_methods
from amiko.rpc.errors import (
    CHAIN_ERROR,
    CHANNEL_ERROR,
    INVALID_PARAMS,
    PAYMENT_ERROR,
    PEER_ERROR,
    WALLET_ERROR,
    RpcError,
)
from amiko.rpc.params import parse_int, parse_node_id
from amiko.rpc.server import RpcServer


def parse_peer_address(target: Any, host: Any = None, port: Any = None) -> tuple[bytes, str, int]:
    """`ID@HOST:PORT` (or ID with separate host and port)."""
    if not isinstance(target, str):
        raise RpcError(INVALID_PARAMS, "expected ID@HOST:PORT")
    node_text, _, addr = target.partition("@")
    node_id = parse_node_id(node_text)
    if addr:
        host_text, sep, port_text = addr.rpartition(":")
        if not sep:
            host_text, port_text = addr, "9735"
        host = host_text.strip("[]")
        port = port_text
    if not host:
        raise RpcError(INVALID_PARAMS, "expected ID@HOST:PORT")
    try:
        port_num = int(port if port is not None else 9735)
    except (TypeError, ValueError):
        raise RpcError(INVALID_PARAMS, f"bad port {port!r}") from None
    if not 0 < port_num < 65536:
        raise RpcError(INVALID_PARAMS, f"bad port {port_num}")
    return node_id, str(host), port_num


def register(server: RpcServer, node: Node, stop: asyncio.Event) -> None:
    async def getinfo() -> dict[str, Any]:
        return node.info()

    async def connect(target: str, host: str | None = None, port: int | None = None) -> dict[str, Any]:
        node_id, h, p = parse_peer_address(target, host, port)
        if node_id == node.node_id:
            raise RpcError(PEER_ERROR, "cannot connect to ourselves")
        try:
            rec = await node.connect(node_id, h, p)
        except (TimeoutError, OSError, ConnectionError) as e:
            raise RpcError(PEER_ERROR, f"cannot connect to {h}:{p}: {e or type(e).__name__}") from None
        except Exception as e:
            raise RpcError(PEER_ERROR, f"connection to {h}:{p} failed: {e}") from None
        return {"id": node_id.hex(), "features": rec.remote_features.to_json(),
                "negotiated_features": rec.negotiated.to_json()}

    async def listpeers() -> dict[str, Any]:
        return {"peers": node.peer_list()}

    async def disconnect(id: str) -> dict[str, Any]:
        node_id = parse_node_id(id)
        try:
            await node.disconnect(node_id)
        except KeyError:
            raise RpcError(PEER_ERROR, "peer is not connected") from None
        return {"id": node_id.hex(), "disconnected": True}

    async def stop_() -> dict[str, Any]:
        asyncio.get_running_loop().call_later(0.05, stop.set)
        return {"stopping": True}

    async def help_() -> dict[str, Any]:
        return {"methods": server.methods()}

    async def newaddr() -> dict[str, Any]:
        return {"address": node.wallet.new_address()}

    async def listfunds() -> dict[str, Any]:
        outputs = [
            {
                "txid": u.outpoint.txid_hex,
                "output": u.outpoint.index,
                "amount_sat": u.amount_sat,
                "address": u.address,
                "confirmations": u.confirmations,
                "status": "confirmed" if u.confirmations else "unconfirmed",
                "reserved": u.reserved,
                "coinbase": u.coinbase,
                "spendable": u.mature and not u.reserved,
            }
            for u in node.wallet.list_funds()
        ]
        b = node.wallet.balance()
        return {"outputs": outputs, "balance": {
            "confirmed_sat": b.confirmed_sat, "unconfirmed_sat": b.unconfirmed_sat,
            "reserved_sat": b.reserved_sat, "immature_sat": b.immature_sat, "total_sat": b.total_sat,
        }}

    async def withdraw(address: str, amount: Any, feerate: Any = None) -> dict[str, Any]:
        amount_sat = None if amount == "all" else parse_int(amount, "amount (sat)", 1)
        # sat/vB from the user; the wallet counts in sat per 1000 weight units
        feerate_kw = None if feerate is None else parse_int(feerate, "feerate (sat/vB)", 1) * 250
        try:
            tx = await node.withdraw(address, amount_sat, feerate_kw)
        except AddressError as e:
            raise RpcError(INVALID_PARAMS, f"bad address: {e}") from None
        except (InsufficientFunds, WalletError, ValueError) as e:
            raise RpcError(WALLET_ERROR, str(e)) from None
        except BroadcastError as e:
            raise RpcError(CHAIN_ERROR, f"transaction refused: {e.message} (code {e.code})") from None
        return {"txid": tx.txid_hex, "tx": tx.to_hex(), "vsize": tx.vsize()}

    async def mine(blocks: Any, to: str | None = None) -> dict[str, Any]:
        n = parse_int(blocks, "block count", 1)
        if n > 10_000:
            raise RpcError(INVALID_PARAMS, "at most 10000 blocks at once")
        if node.network.name != "regtest":
            raise RpcError(CHAIN_ERROR, f"mining is refused on {node.network.name}")
        try:
            hashes = await node.mine(n, to)
        except AddressError as e:
            raise RpcError(INVALID_PARAMS, f"bad address: {e}") from None
        except Exception as e:
            raise RpcError(CHAIN_ERROR, f"mining failed: {e}") from None
        return {"blocks": [h[::-1].hex() for h in hashes], "blockheight": node.info()["chain"]["blockheight"]}

    async def openchannel(id: str, amount: Any, push_msat: Any = 0, type: str | None = None,
                          private: bool = False) -> dict[str, Any]:
        node_id = parse_node_id(id)
        funding_sat = parse_int(amount, "amount (sat)", 1)
        push = parse_int(push_msat, "push_msat")
        ctype = {None: None, "anchors": CommitmentType.ANCHORS,
                 "static_remotekey": CommitmentType.STATIC_REMOTEKEY}.get(type, "bad")
        if ctype == "bad":
            raise RpcError(INVALID_PARAMS, "type must be anchors or static_remotekey")
        try:
            driver = await node.open_channel(node_id, funding_sat, push, commitment_type=ctype,
                                             announce=not private)
        except ConnectionError as e:
            raise RpcError(PEER_ERROR, str(e)) from None
        except ValueError as e:
            raise RpcError(CHANNEL_ERROR, str(e)) from None
        # wait until the funding transaction is out (or the open failed)
        for _ in range(600):
            st = driver.status()
            if driver.funding_tx is not None and driver.funding_broadcast:
                return {"channel_id": st.channel_id.hex(), "funding_txid": driver.funding_tx.txid_hex,
                        "state": st.state.value}
            if driver.failure is not None or st.state in (ChannelState.FAILED, ChannelState.CLOSED):
                raise RpcError(CHANNEL_ERROR, f"channel open failed: {driver.failure or st.state.value}")
            await asyncio.sleep(0.05)
        raise RpcError(CHANNEL_ERROR, "the peer did not complete the open in 30 s")

    async def listchannels(all: bool = False) -> dict[str, Any]:
        if all:
            return {"channels": gossip_views.list_channels(node.graph, node.gossiper.chans)}
        rows = []
        for channel in node.channels.channels.values():
            row = status_json(channel.status())
            extra = getattr(channel, "status_extra", None)
            if extra is not None:
                row.update(extra())
            rows.append(row)
        return {"channels": rows}

    async def closechannel(channel: str, feerate: Any = None, force: Any = False) -> dict[str, Any]:
        try:
            driver = node.channels.find(channel)
        except ChannelLookupError as e:
            raise RpcError(CHANNEL_ERROR, str(e)) from None
        if not isinstance(driver, BoltDriver):
            raise RpcError(CHANNEL_ERROR, f"{driver.channel_id.hex()} is a {driver.status().type_name} channel: "
                           "closechannel closes Lightning channels (a trust line closes with closetrust)")
        if force is True or force in ("true", "1"):
            try:
                txid = await node.force_close(driver)
            except ValueError as e:
                raise RpcError(CHANNEL_ERROR, str(e)) from None
            return {"channel_id": driver.channel_id.hex(), "commitment_txid": txid,
                    "state": driver.status().state.value}
        feerate_kw = None if feerate is None else parse_int(feerate, "feerate (sat/vB)", 1) * 250
        try:
            txid = await node.close_channel(driver, feerate_kw)
        except (ValueError, ConnectionError) as e:
            raise RpcError(CHANNEL_ERROR, str(e)) from None
        return {"channel_id": driver.channel_id.hex(), "closing_txid": txid, "state": driver.status().state.value}

    async def listclosed() -> dict[str, Any]:
        return {"channels": [] if node.onchain is None else node.onchain.list_closed()}

    async def backup(file: str) -> dict[str, Any]:
        try:
            n = node.write_backup(str(file))
        except OSError as e:
            raise RpcError(INVALID_PARAMS, f"cannot write {file}: {e}") from None
        return {"file": str(file), "channels": n}

    async def restorebackup(file: str) -> dict[str, Any]:
        try:
            ids = await node.restore_backup(str(file))
        except (OSError, BackupError) as e:
            raise RpcError(INVALID_PARAMS, f"cannot restore {file}: {e}") from None
        return {"restored": ids}

    async def listsweeps() -> dict[str, Any]:
        return {"sweeps": [] if node.onchain is None else node.onchain.list_sweeps()}

    async def invoice(amount: Any, label: str, description: str = "", expiry: Any = 3600) -> dict[str, Any]:
        amount_msat = None if amount == "any" else parse_int(amount, "amount (msat)", 1)
        try:
            rec = node.invoices.create(amount_msat, str(label), description=str(description),
                                       expiry=parse_int(expiry, "expiry (s)", 1),
                                       route_hints=node.invoice_route_hints(amount_msat))
        except (InvoiceBookError, ValueError) as e:
            raise RpcError(INVALID_PARAMS, str(e)) from None
        return {"bolt11": rec.bolt11, "payment_hash": rec.payment_hash.hex(), "expires_at": rec.expires_at}

    async def listinvoices(label: str | None = None) -> dict[str, Any]:
        now = time.time()
        recs = node.invoices.all() if label is None else [r for r in [node.invoices.by_label(label)] if r]
        return {"invoices": [r.to_json(now) for r in recs]}

    async def waitinvoice(label: str, timeout: Any = None) -> dict[str, Any]:
        """The invoice once paid; an error once it is canceled, expired, or still unpaid
        after `timeout` seconds (the invoice in the error's data)."""
        rec = node.invoices.by_label(str(label))
        if rec is None:
            raise RpcError(INVALID_PARAMS, f"no invoice labelled {label!r}")
        rec = await node.invoices.wait(rec.payment_hash, None if timeout is None else parse_int(timeout, "timeout"))
        now = time.time()
        status = rec.effective_status(now)
        if status != "paid":
            why = "still unpaid" if status == "unpaid" else status
            raise RpcError(PAYMENT_ERROR, f"invoice {rec.label!r} {why}", rec.to_json(now))
        return rec.to_json(now)

    async def waitanyinvoice(lastpay_index: Any = 0, timeout: Any = None) -> dict[str, Any]:
        """The first invoice paid after the one numbered `lastpay_index` (its `pay_index`;
        0: the first ever), once its record is durable; an error if none is by `timeout`."""
        after = parse_int(lastpay_index, "lastpay_index")
        seconds = None if timeout is None else parse_int(timeout, "timeout")
        rec = await node.invoices.wait_any(after, seconds)
        if rec is None:
            raise RpcError(PAYMENT_ERROR, f"no invoice paid after pay_index {after} within {seconds} s")
        return rec.to_json(time.time())

    async def decode(bolt11: str) -> dict[str, Any]:
        try:
            inv = decode_invoice(bolt11, expected_network=node.network)
        except InvoiceError as e:
            raise RpcError(INVALID_PARAMS, f"invalid invoice: {e}") from None
        return inv.to_json()

    async def holdinvoice(amount: Any, label: str, payment_hash: str, description: str = "",
                          expiry: Any = 3600) -> dict[str, Any]:
        amount_msat = None if amount == "any" else parse_int(amount, "amount (msat)", 1)
        try:
            h = bytes.fromhex(payment_hash)
            assert len(h) == 32
        except (ValueError, AssertionError):
            raise RpcError(INVALID_PARAMS, "payment_hash must be 32 bytes of hex") from None
        try:
            rec = node.invoices.create(amount_msat, str(label), description=str(description),
                                       expiry=parse_int(expiry, "expiry (s)", 1), payment_hash=h)
        except (InvoiceBookError, ValueError) as e:
            raise RpcError(INVALID_PARAMS, str(e)) from None
        return {"bolt11": rec.bolt11, "payment_hash": rec.payment_hash.hex(), "expires_at": rec.expires_at}

    async def settleinvoice(preimage: str) -> dict[str, Any]:
        try:
            raw = bytes.fromhex(preimage)
        except ValueError:
            raise RpcError(INVALID_PARAMS, "preimage must be hex") from None
        if not node.payee.settle_hold(raw):
            raise RpcError(PAYMENT_ERROR, "no complete payment is held for that preimage")
        return {"settled": True}

    async def cancelinvoice(payment_hash: str) -> dict[str, Any]:
        try:
            h = bytes.fromhex(payment_hash)
        except ValueError:
            raise RpcError(INVALID_PARAMS, "payment_hash must be hex") from None
        node.payee.cancel(h)
        return {"canceled": node.invoices.cancel(h)}

    async def pay(bolt11: str, amount_msat: Any = None, max_fee_msat: Any = None,
                  timeout: Any = 60, max_parts: Any = None, max_delay: Any = None) -> dict[str, Any]:
        try:
            inv = await node.payer.decode(bolt11, expected_network=node.network)
        except InvoiceError as e:
            raise RpcError(INVALID_PARAMS, f"invalid invoice: {e}") from None
        try:
            result = await node.payer.pay_invoice(
                inv, amount_msat=None if amount_msat is None else parse_int(amount_msat, "amount_msat", 1),
                max_fee_msat=None if max_fee_msat is None else parse_int(max_fee_msat, "max_fee_msat"),
                timeout=parse_int(timeout, "timeout", 1), bolt11=bolt11,
                max_parts=MAX_PARTS if max_parts is None else parse_int(max_parts, "max_parts", 1),
                max_delay=None if max_delay is None else parse_int(max_delay, "max_delay (blocks)", 1))
        except PaymentError as e:
            raise RpcError(PAYMENT_ERROR, str(e)) from None
        if result.status != "complete":
            raise RpcError(PAYMENT_ERROR, f"payment failed: {result.failure}", result.to_json())
        return result.to_json()

    async def keysend(id: str, amount_msat: Any, max_fee_msat: Any = None, max_delay: Any = None) -> dict[str, Any]:
        dest = parse_node_id(id)
        try:
            result = await node.payer.keysend(
                dest, parse_int(amount_msat, "amount_msat", 1),
                max_fee_msat=None if max_fee_msat is None else parse_int(max_fee_msat, "max_fee_msat"),
                max_delay=None if max_delay is None else parse_int(max_delay, "max_delay (blocks)", 1))
        except PaymentError as e:
            raise RpcError(PAYMENT_ERROR, str(e)) from None
        if result.status != "complete":
            raise RpcError(PAYMENT_ERROR, f"payment failed: {result.failure}", result.to_json())
        return result.to_json()

    async def listpays() -> dict[str, Any]:
        return {"pays": [r.to_json() for r in node.payer.all()]}

    async def setchannel(channel: str, base: Any = None, ppm: Any = None, cltv_delta: Any = None) -> dict[str, Any]:
        try:
            ch = node.channels.find(channel)
        except ChannelLookupError as e:
            raise RpcError(CHANNEL_ERROR, str(e)) from None
        old = node.policy_of(ch.channel_id)
        new = ForwardPolicy(
            old.fee_base_msat if base is None else parse_int(base, "base (msat)"),
            old.fee_proportional_millionths if ppm is None else parse_int(ppm, "ppm"),
            old.cltv_expiry_delta if cltv_delta is None else parse_int(cltv_delta, "cltv delta", 1),
        )
        node.set_policy(ch.channel_id, new)
        return {"channel_id": ch.channel_id.hex(), "fee_base_msat": new.fee_base_msat,
                "fee_ppm": new.fee_proportional_millionths, "cltv_delta": new.cltv_expiry_delta}

    async def listforwards() -> dict[str, Any]:
        return {"forwards": [
            {"in_channel": c.in_channel.hex(), "in_htlc_id": c.in_htlc_id, "out_channel": c.out_channel.hex(),
             "out_htlc_id": c.out_htlc_id, "payment_hash": c.payment_hash.hex(), "in_msat": c.in_msat,
             "out_msat": c.out_msat, "fee_msat": c.fee_msat, "status": c.status}
            for c in node.switch.forwards()]}

    server.register_all({"holdinvoice": holdinvoice, "settleinvoice": settleinvoice,
                         "cancelinvoice": cancelinvoice, "pay": pay, "keysend": keysend,
                         "listpays": listpays, "setchannel": setchannel,
                         "listforwards": listforwards})

    server.register_all({"invoice": invoice, "listinvoices": listinvoices, "waitinvoice": waitinvoice,
                         "waitanyinvoice": waitanyinvoice,
                         "decode": decode})

    if node.trust is not None:
        trust_methods.register(server, node.trust)

    routing_methods.register(server, node)

    server.register_all({"openchannel": openchannel, "listchannels": listchannels,
                         "closechannel": closechannel, "listclosed": listclosed,
                         "listsweeps": listsweeps, "backup": backup,
                         "restorebackup": restorebackup})

    server.register_all({"getinfo": getinfo, "connect": connect, "listpeers": listpeers,
                         "disconnect": disconnect, "stop": stop_, "help": help_,
                         "newaddr": newaddr, "listfunds": listfunds, "withdraw": withdraw,
                         "mine": mine})
