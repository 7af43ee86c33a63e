"""The table of `amiko` subcommands that talk to a running node over JSON-RPC.

Each entry names the RPC method, its positional arguments and its options; `main.py`
builds the argument parser from it. Adding a command is adding a row here and a method
in `amiko/rpc/methods.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Arg:
    name: str
    help: str
    type: type = str
    optional: bool = False


@dataclass(frozen=True)
class Opt:
    flag: str  # "--feerate"
    help: str
    type: type | None = str  # None: a switch (store_true)

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    args: tuple[Arg, ...] = ()
    opts: tuple[Opt, ...] = ()
    method: str = ""
    rpc_names: dict[str, str] = field(default_factory=dict)  # CLI dest -> RPC param name
    # the node may take as long as it takes to answer (without a --timeout): the command waits
    waits_for_event: bool = False

    @property
    def rpc_method(self) -> str:
        return self.method or self.name


COMMANDS: tuple[Command, ...] = (
    Command("getinfo", "the node's id, alias, network, address, peers and version"),
    Command("connect", "connect to a peer", (Arg("target", "ID@HOST:PORT"),)),
    Command("listpeers", "peers: address, connection, features"),
    Command("disconnect", "disconnect a peer (and stop reconnecting to it)", (Arg("id", "node id"),)),
    Command("stop", "stop the node"),
    Command("newaddr", "a new on-chain address of the wallet"),
    Command("listfunds", "the wallet's outputs and balance"),
    Command("withdraw", "pay from the on-chain wallet",
            (Arg("address", "destination address"), Arg("amount", "amount in sat, or all")),
            (Opt("--feerate", "fee rate in sat/vB (default: the chain's estimate)", int),)),
    Command("openchannel", "open a Lightning channel funded from the wallet",
            (Arg("id", "peer node id"), Arg("amount", "channel size in sat")),
            (Opt("--push-msat", "give the peer this much at open", int),
             Opt("--type", "anchors or static_remotekey (default: anchors when the peer supports it)"),
             Opt("--private", "do not announce the channel", None))),
    Command("listchannels", "our channels: state, type, capacity, balances, HTLCs in flight",
            opts=(Opt("--all", "every channel of the network graph instead", None),)),
    Command("listnodes", "nodes of the network graph", (Arg("id", "only this node", optional=True),)),
    Command("getroute", "a route to a node for an amount", (Arg("id", "node id"), Arg("amount_msat", "msat", int))),
    Command("listmission", "what payments learned about channels' liquidity, and what routes leave out"),
    Command("resetmission", "forget what payments learned about channels' liquidity"),
    Command("importgraph", "load a graph from LND's describegraph JSON (unverified, never relayed)",
            (Arg("file", "path to the JSON (.gz too)"),)),
    Command("closechannel", "close a channel cooperatively (or unilaterally with --force)",
            (Arg("channel", "channel id, short channel id, or peer id"),),
            (Opt("--feerate", "closing fee rate in sat/vB", int),
             Opt("--force", "broadcast our commitment now; funds return after the delay", None))),
    Command("listclosed", "channels closed on chain: how, and where each output went"),
    Command("listsweeps", "transactions that claim our outputs on chain, and their status"),
    Command("backup", "write an encrypted static channel backup (only this node's seed opens it)",
            (Arg("file", "where to write it"),)),
    Command("restorebackup", "on a fresh node with the same seed: ask each backed-up channel's peer "
            "to close, and sweep our funds", (Arg("file", "a file written by `backup`"),)),
    Command("invoice", "create a BOLT 11 invoice",
            (Arg("amount", "amount in msat, or any"), Arg("label", "a unique label")),
            (Opt("--description", "what the payment is for"), Opt("--expiry", "seconds until it expires", int))),
    Command("listinvoices", "our invoices and their status", (Arg("label", "only this one", optional=True),)),
    Command("waitinvoice", "wait until an invoice is paid (an error if it is canceled or expires first)",
            (Arg("label", "the invoice's label"),), (Opt("--timeout", "give up after this many seconds", int),),
            waits_for_event=True),
    Command("waitanyinvoice", "wait for the next invoice paid after the one numbered LASTPAY_INDEX "
            "(every invoice has its pay_index once paid; 0: the first ever)",
            (Arg("lastpay_index", "the pay_index of the last paid invoice you handled", int, optional=True),),
            (Opt("--timeout", "give up after this many seconds", int),), waits_for_event=True),
    Command("decode", "decode and check a BOLT 11 invoice", (Arg("bolt11", "the invoice"),)),
    Command("holdinvoice", "an invoice whose preimage only you know (settle it with settleinvoice)",
            (Arg("amount", "amount in msat, or any"), Arg("label", "a unique label"),
             Arg("payment_hash", "sha256 of your preimage")),
            (Opt("--description", "what the payment is for"), Opt("--expiry", "seconds until it expires", int))),
    Command("settleinvoice", "settle a held payment", (Arg("preimage", "the preimage"),)),
    Command("cancelinvoice", "cancel an invoice (and roll back held payments)", (Arg("payment_hash", "hex"),)),
    Command("pay", "pay a BOLT 11 invoice", (Arg("bolt11", "the invoice"),),
            (Opt("--amount-msat", "for invoices without an amount", int),
             Opt("--max-fee-msat", "most fee to pay", int), Opt("--timeout", "seconds", int),
             Opt("--max-parts", "split into at most this many parts at once (1: never split)", int),
             Opt("--max-delay", "most blocks our funds may be locked for, the payee's delta included", int))),
    Command("keysend", "pay a node without an invoice", (Arg("id", "node id"), Arg("amount_msat", "msat", int)),
            (Opt("--max-fee-msat", "most fee to pay", int),
             Opt("--max-delay", "most blocks our funds may be locked for, the payee's delta included", int))),
    Command("listpays", "our payments"),
    Command("setchannel", "set our forwarding fees on a channel", (Arg("channel", "channel id or scid"),),
            (Opt("--base", "base fee in msat", int), Opt("--ppm", "proportional fee in millionths", int),
             Opt("--cltv-delta", "blocks we keep", int))),
    Command("listforwards", "HTLCs we forwarded"),
    Command("opentrust", "open a trust line: extend credit to a peer (it may come to owe us that much)",
            (Arg("id", "peer node id"),),
            (Opt("--limit-msat", "credit we extend to the peer, in msat", int),
             Opt("--request-msat", "credit we ask the peer to extend to us, in msat", int))),
    Command("closetrust", "close a trust line with a final co-signed state (no HTLC may be pending)",
            (Arg("channel", "channel id, alias short channel id, or the peer's id"),),
            (Opt("--settle", "if we owe, pay the balance on chain from the wallet", None),
             Opt("--keep", "end with the final co-signed state, no on-chain payment", None))),
    Command("trustproof", "the latest co-signed state of a trust line, both signatures checked",
            (Arg("channel", "channel id, alias short channel id, or the peer's id"),)),
    Command("verifytrustproof", "check a trust proof (JSON) someone showed us", (Arg("proof", "the proof, JSON"),)),
    Command("trustaccept", "accept trust lines from a peer, extending up to LIMIT msat back",
            (Arg("id", "peer node id"), Arg("limit_msat", "the most credit we extend back, in msat"))),
    Command("mine", "mine blocks (dev chain or regtest bitcoind)", (Arg("blocks", "how many", int),),
            (Opt("--to", "address to pay (default: a new wallet address)"),)),
    Command("help", "list the node's RPC methods"),
)
