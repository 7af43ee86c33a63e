"""The `amiko` options that need no running node: what they accept and refuse."""

from __future__ import annotations

import json

import pytest

from amiko.cli.commands import COMMANDS
from amiko.cli.main import build_parser, print_error, rpc_params
from amiko.routing.gossip.addresses import Address, AddressType

ONION = "vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd.onion"


def test_announce_addresses_of_each_kind():
    ns = build_parser().parse_args(["node", "--announce-addr", "203.0.113.7:9735", "--announce-addr",
                                    "[2001:db8::7]:9736", "--announce-addr", f"{ONION}:9735",
                                    "--announce-addr", "node.example.com:9735"])
    assert ns.announce_addr == [Address(AddressType.IPV4, "203.0.113.7", 9735),
                                Address(AddressType.IPV6, "2001:db8::7", 9736),
                                Address(AddressType.TORV3, ONION, 9735),
                                Address(AddressType.DNS, "node.example.com", 9735)]
    assert build_parser().parse_args(["node"]).announce_addr == []


@pytest.mark.parametrize("bad, why", [
    ("203.0.113.7", "expected HOST:PORT"),
    ("203.0.113.7:0", "port must be 1..65535"),
    ("203.0.113.7:70000", "port must be 1..65535"),
    ("abc.onion:9735", "Tor v3 address"),
    ("nødé.example:9735", "ascii"),
])
def test_a_bad_announce_address_is_refused_at_the_command_line(bad, why, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["node", "--announce-addr", bad])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--announce-addr" in err and why.lower() in err.lower()


def test_two_dns_names_stop_the_node_before_it_starts(tmp_path):
    from amiko.node import Node, NodeConfig

    names = (Address(AddressType.DNS, "a.example", 9735), Address(AddressType.DNS, "b.example", 9735))
    with pytest.raises(ValueError, match="at most one DNS hostname"):
        Node(NodeConfig(datadir=str(tmp_path), announce_addresses=names))


@pytest.mark.parametrize("argv, where, network", [
    (["demo"], None, "regtest"),
    (["--dir", "/a", "demo"], "/a", "regtest"),
    (["demo", "--dir", "/b"], "/b", "regtest"),
    (["--dir", "/a", "demo", "--dir", "/b"], "/b", "regtest"),  # after the command wins
    (["--dir", "/a", "--network", "signet", "listpays"], "/a", "signet"),
    (["listpays", "--dir", "/c", "--network", "testnet"], "/c", "testnet"),
    (["--network", "signet", "node", "--dir", "/d"], "/d", "signet"),
    (["pay", "lnbc1", "--dir", "/e", "--timeout", "5"], "/e", "regtest"),
])
def test_dir_and_network_before_or_after_the_command(argv, where, network):
    ns = build_parser().parse_args(argv)
    assert (ns.dir, ns.network) == (where, network)


def test_a_bad_network_after_the_command_is_refused(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["node", "--network", "moon"])
    assert "invalid choice" in capsys.readouterr().err


def test_the_demo_takes_no_network_of_its_own(capsys):
    # it always runs on its own dev chain
    with pytest.raises(SystemExit):
        build_parser().parse_args(["demo", "--network", "signet"])
    assert "unrecognized arguments: --network" in capsys.readouterr().err


def test_an_error_is_printed_with_its_data(capsys):
    print_error(-1, "no node")
    assert json.loads(capsys.readouterr().out) == {"error": {"code": -1, "message": "no node"}}
    print_error(500, "payment failed: x", {"status": "failed", "failure": "x"})
    assert json.loads(capsys.readouterr().out) == {
        "error": {"code": 500, "message": "payment failed: x", "data": {"status": "failed", "failure": "x"}}}


def test_pay_and_waitanyinvoice_options_reach_the_rpc():
    cmd = {c.name: c for c in COMMANDS}
    ns = build_parser().parse_args(["pay", "lnbcrt1x", "--max-parts", "2", "--max-delay", "300"])
    assert rpc_params(cmd["pay"], ns) == {"bolt11": "lnbcrt1x", "max_parts": 2, "max_delay": 300}
    ns = build_parser().parse_args(["keysend", "02" * 33, "5000", "--max-delay", "144"])
    assert rpc_params(cmd["keysend"], ns) == {"id": "02" * 33, "amount_msat": 5000, "max_delay": 144}
    assert rpc_params(cmd["waitanyinvoice"], build_parser().parse_args(["waitanyinvoice"])) == {}
    ns = build_parser().parse_args(["waitanyinvoice", "7", "--timeout", "30"])
    assert rpc_params(cmd["waitanyinvoice"], ns) == {"lastpay_index": 7, "timeout": 30}
    with pytest.raises(SystemExit):  # a whole number or nothing, before anything is sent
        build_parser().parse_args(["keysend", "02" * 33, "5000.5"])
