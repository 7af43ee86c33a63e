"""The `amiko` command: `amiko [--dir DIR] [--network NET] COMMAND ...`.

`amiko node` runs a node in the foreground (`--daemon` detaches). Every other command
talks to the running node over JSON-RPC, prints JSON on stdout and exits 0; on failure
it prints `{"error": {"code": ..., "message": ...}}` and exits non-zero.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from amiko import __version__
from amiko.cli.commands import COMMANDS, Command
from amiko.rpc.client import DEFAULT_CLIENT_TIMEOUT, call
from amiko.rpc.errors import RpcError

if TYPE_CHECKING:
    from amiko.routing.gossip.addresses import Address

NETWORKS = ("regtest", "signet", "testnet", "bitcoin")


def default_dir() -> str:
    return os.environ.get("AMIKO_DIR") or os.path.join(os.path.expanduser("~"), ".amiko")


def parse_hostport(text: str, default_port: int = 9735) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, default_port
    try:
        return host.strip("[]") or "127.0.0.1", int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}") from None


def _accept_option(text: str) -> tuple[bytes, int]:
    from amiko.channels.trust.service import parse_accept_option

    try:
        return parse_accept_option(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _announce_address(text: str) -> Address:
    from amiko.routing.gossip.addresses import address_from_text

    try:
        address = address_from_text(text)
        address.encode()  # the checks of the descriptor (port, onion length, ASCII name)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return address


_DIR_HELP = "data directory (default: $AMIKO_DIR or ~/.amiko)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="amiko", description="amiko, a Lightning Network node")
    p.add_argument("--dir", default=None, help=_DIR_HELP)
    p.add_argument("--network", choices=NETWORKS, default="regtest")
    p.add_argument("--version", action="version", version=f"amiko {__version__}")
    # --dir and --network also after the command (`amiko demo --dir D`): given there, they
    # win; not given, the command's parser leaves the values before it alone
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", default=argparse.SUPPRESS, help=_DIR_HELP)
    common.add_argument("--network", choices=NETWORKS, default=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    node = sub.add_parser("node", help="run a node in the foreground", parents=[common])
    node.add_argument("--listen", type=parse_hostport, default=("127.0.0.1", 9735),
                      help="HOST:PORT for peers (default 127.0.0.1:9735)")
    node.add_argument("--no-listen", action="store_true", help="accept no incoming connections")
    node.add_argument("--rpc-port", type=int, default=0, help="JSON-RPC port (default: random)")
    node.add_argument("--alias", default=None)
    node.add_argument("--bitcoind", default=None, metavar="URL",
                      help="bitcoind JSON-RPC http://user:pass@host:port (default: an in-process dev chain)")
    node.add_argument("--bitcoind-cookie", default=None, metavar="FILE", help="bitcoind's .cookie file")
    node.add_argument("--daemon", action="store_true", help="run in the background")
    node.add_argument("--log-level", default="INFO")
    node.add_argument("--gossip-interval", type=float, default=60.0, metavar="SECONDS",
                      help="how often gathered gossip is relayed to peers (default 60)")
    node.add_argument("--no-payment-helper", action="store_true",
                      help="never start the helper process that decodes invoices and draws onion keys "
                           "on another core when many payments run at once")
    node.add_argument("--announce-addr", action="append", default=[], metavar="HOST:PORT",
                      type=_announce_address,
                      help="where other nodes can reach this one, in its node_announcement: a public "
                           "IP, [IPv6], a .onion or a DNS name, with the port (repeatable)")
    node.add_argument("--accept-trust-from", action="append", default=[], metavar="ID:LIMIT",
                      type=_accept_option, help="accept trust lines from ID, extending up to LIMIT msat back")

    devchain = sub.add_parser("devchain", help="run a standalone dev chain (regtest, Bitcoin Core's engine)",
                              parents=[common])
    devchain.add_argument("--rpc-port", type=int, default=18443, help="JSON-RPC port (default 18443)")
    devchain.add_argument("--log-level", default="INFO")

    demo = sub.add_parser("demo", help="run a local network of amiko nodes on a dev chain")
    demo.add_argument("--dir", default=argparse.SUPPRESS,
                      help="where the nodes and the dev chain keep their data (default: a temporary "
                           "directory, removed at the end unless --keep)")
    demo.add_argument("--nodes", type=int, default=6, help="how many nodes (default 6)")
    demo.add_argument("--keep", action="store_true", help="leave the network running")
    demo.add_argument("--payments", type=int, default=40, help="how many payments (default 40)")

    for cmd in COMMANDS:
        sp = sub.add_parser(cmd.name, help=cmd.help, parents=[common])
        for a in cmd.args:
            sp.add_argument(a.name, help=a.help, type=a.type, nargs="?" if a.optional else None)
        for o in cmd.opts:
            if o.type is None:
                sp.add_argument(o.flag, help=o.help, action="store_true", dest=o.dest)
            else:
                sp.add_argument(o.flag, help=o.help, type=o.type, dest=o.dest)
    return p


def rpc_params(cmd: Command, ns: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for a in cmd.args:
        value = getattr(ns, a.name)
        if value is not None:
            params[cmd.rpc_names.get(a.name, a.name)] = value
    for o in cmd.opts:
        value = getattr(ns, o.dest)
        if value is not None and value is not False:
            params[cmd.rpc_names.get(o.dest, o.dest)] = value
    return params


def client_timeout(cmd: Command, params: dict[str, Any]) -> float | None:
    """How long the command waits for the node's answer: longer than the wait it asked
    for (`--timeout`), and without end for a command that waits for an event without one
    (`waitinvoice`: an invoice expires)."""
    if "timeout" in params:
        return max(DEFAULT_CLIENT_TIMEOUT, float(params["timeout"]) + 30.0)
    if cmd.waits_for_event:
        return None
    return DEFAULT_CLIENT_TIMEOUT


def print_error(code: int, message: str, data: object = None) -> None:
    """An error as the node reported it: its data too, when it has any (a failed payment,
    an invoice that was not paid)."""
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    print(json.dumps({"error": error}, indent=2 if data is not None else None))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ns = build_parser().parse_args(argv)
    datadir = os.path.abspath(ns.dir or default_dir())
    if ns.command == "node":
        return run_node(ns, datadir, argv)
    if ns.command == "devchain":
        return run_devchain(ns, datadir)
    if ns.command == "demo":
        from amiko.cli.demo import run_demo

        if ns.network != "regtest":
            print("amiko demo runs on its own dev chain (regtest); --network does not apply", file=sys.stderr)
            return 2
        return run_demo(ns.nodes, ns.dir, ns.keep, ns.payments)
    cmd = next(c for c in COMMANDS if c.name == ns.command)
    params = rpc_params(cmd, ns)
    if cmd.name == "importgraph":
        params["file"] = os.path.abspath(params["file"])  # the node may run elsewhere
    try:
        result = call(datadir, cmd.rpc_method, params, timeout=client_timeout(cmd, params))
    except RpcError as e:
        print_error(e.code, e.message, e.data)
        return 1
    print(json.dumps(result, indent=2))
    return 0


def run_node(ns: argparse.Namespace, datadir: str, argv: list[str]) -> int:
    from amiko.cli import daemon
    from amiko.node import NodeConfig
    from amiko.payments.payer import HELPER_FROM_PAYMENTS

    if ns.daemon:
        return daemon.detach(argv, datadir)
    daemon.setup_logging(datadir, ns.log_level)
    config = NodeConfig(
        datadir=datadir,
        network=ns.network,
        listen=None if ns.no_listen else ns.listen,
        alias=ns.alias,
        bitcoind=ns.bitcoind,
        bitcoind_cookie=ns.bitcoind_cookie,
        trust_accept=dict(ns.accept_trust_from),
        gossip_flush_interval=ns.gossip_interval,
        announce_addresses=tuple(ns.announce_addr),
        payment_helper_from=None if ns.no_payment_helper else HELPER_FROM_PAYMENTS,
    )
    try:
        asyncio.run(daemon.run(config, ns.rpc_port))
    except KeyboardInterrupt:
        pass
    except (OSError, ValueError) as e:
        print_error(-1, f"cannot start the node: {e}")
        return 1
    return 0


def run_devchain(ns: argparse.Namespace, datadir: str) -> int:
    """`amiko [--dir D] devchain`: the chain lives in D/devchain; its RPC URL is printed and
    written to D/devchain/rpc_url, for `amiko node --bitcoind URL` of several nodes."""
    from amiko.chain.devchain import run_standalone
    from amiko.cli import daemon

    if ns.network != "regtest":
        print_error(-1, "the dev chain is a regtest chain")
        return 1
    daemon.setup_logging(datadir, ns.log_level)
    try:
        asyncio.run(run_standalone(os.path.join(datadir, "devchain"), ns.rpc_port))
    except KeyboardInterrupt:
        pass
    except OSError as e:
        print_error(-1, f"cannot start the dev chain: {e}")
        return 1
    return 0
