"""`node_announcement` address descriptors.

# BOLT #7: The following `address descriptor` types are defined:
#    * `1`: ipv4; data = `[4:ipv4_addr][2:port]` (length 6)
#    * `2`: ipv6; data = `[16:ipv6_addr][2:port]` (length 18)
#    * `3`: Deprecated (length 12). Used to contain Tor v2 onion services.
#    * `4`: Tor v3 onion service; data = `[35:onion_addr][2:port]` (length 37)
#    * `5`: DNS hostname; data = `[1:hostname_len][hostname_len:hostname][2:port]`
"""

from __future__ import annotations

import base64
import enum
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass


class AddressType(enum.IntEnum):
    IPV4 = 1
    IPV6 = 2
    TORV2 = 3
    TORV3 = 4
    DNS = 5


_FIXED_LEN = {AddressType.IPV4: 4, AddressType.IPV6: 16, AddressType.TORV2: 10, AddressType.TORV3: 35}


@dataclass(frozen=True, slots=True)
class Address:
    kind: AddressType
    host: str  # dotted IPv4, IPv6 text, `<56 base32>.onion`, or an ASCII hostname
    port: int

    def __str__(self) -> str:
        if self.kind is AddressType.IPV6:
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"

    def encode(self) -> bytes:
        """The descriptor bytes (type, data, port)."""
        if not 0 < self.port < 65536:
            # BOLT #7: MUST NOT create a `type 1`, `type 2` or `type 5` address descriptor
            # with `port` equal to 0.
            raise ValueError("port must be 1..65535")
        port = self.port.to_bytes(2, "big")
        if self.kind is AddressType.IPV4:
            return b"\x01" + ipaddress.IPv4Address(self.host).packed + port
        if self.kind is AddressType.IPV6:
            return b"\x02" + ipaddress.IPv6Address(self.host).packed + port
        if self.kind is AddressType.TORV3:
            name = self.host.removesuffix(".onion")
            try:
                raw = base64.b32decode(name.upper())
            except ValueError:
                raw = b""
            if len(raw) != 35:
                raise ValueError(f"{self.host!r}: a Tor v3 address is 35 bytes (56 base32 characters)")
            return b"\x04" + raw + port
        if self.kind is AddressType.DNS:
            # BOLT #7: `hostname` bytes MUST be ASCII characters.
            if not self.host.isascii():
                raise ValueError(f"{self.host!r}: a hostname must be ASCII (its punycode form)")
            name_bytes = self.host.encode("ascii")
            if not 0 < len(name_bytes) < 256:
                raise ValueError("hostname must be 1..255 bytes")
            return b"\x05" + bytes((len(name_bytes),)) + name_bytes + port
        raise ValueError("Tor v2 addresses are deprecated")


@dataclass(frozen=True, slots=True)
class ParsedAddresses:
    addresses: tuple[Address, ...]
    malformed: bool = False  # a known descriptor ran past `addrlen`
    forwardable: bool = True  # False with more than one DNS hostname


def parse_addresses(data: bytes) -> ParsedAddresses:
    """Read the descriptors of `addresses`, applying the receiving node's rules. Never
    raises: a truncated descriptor sets `malformed`."""
    out: list[Address] = []
    pos, end = 0, len(data)
    dns_seen = False
    forwardable = True
    while pos < end:
        t = data[pos]
        pos += 1
        if not AddressType.IPV4 <= t <= AddressType.DNS:
            # BOLT #7: SHOULD ignore the first `address descriptor` that does NOT match the
            # types defined above. (Its length is unknown: nothing after it can be read.)
            break
        kind = AddressType(t)
        if kind is AddressType.DNS:
            if pos >= end:
                return ParsedAddresses(tuple(out), malformed=True, forwardable=forwardable)
            n = data[pos]
            pos += 1
            size = n
        else:
            size = _FIXED_LEN[kind]
        if pos + size + 2 > end:
            # BOLT #7: if `addrlen` is insufficient to hold the address descriptors of the
            # known types: SHOULD send a `warning`. MAY close the connection.
            return ParsedAddresses(tuple(out), malformed=True, forwardable=forwardable)
        body = data[pos:pos + size]
        port = int.from_bytes(data[pos + size:pos + size + 2], "big")
        pos += size + 2
        if kind is AddressType.TORV2:
            continue  # BOLT #7: SHOULD ignore Tor v2 onion services.
        if kind is AddressType.DNS:
            if dns_seen:
                # BOLT #7: if more than one `type 5` address is announced: SHOULD ignore the
                # additional data. MUST not forward the `node_announcement`.
                forwardable = False
                continue
            dns_seen = True
        if port == 0:
            # BOLT #7: if `port` is equal to 0: SHOULD ignore `ipv6_addr` OR `ipv4_addr` OR
            # `hostname`.
            continue
        host = _host(kind, body)
        if host is not None:
            out.append(Address(kind, host, port))
    return ParsedAddresses(tuple(out), malformed=False, forwardable=forwardable)


def _host(kind: AddressType, body: bytes) -> str | None:
    if kind is AddressType.IPV4:
        return str(ipaddress.IPv4Address(body))
    if kind is AddressType.IPV6:
        return str(ipaddress.IPv6Address(body))
    if kind is AddressType.TORV3:
        return base64.b32encode(body).decode("ascii").lower() + ".onion"
    # DNS. BOLT #7: `hostname` bytes MUST be ASCII characters. Anything else (or a name
    # that could not be a hostname) is dropped rather than shown.
    if not body or not all(0x21 <= b < 0x7F for b in body):
        return None
    return body.decode("ascii")


def encode_addresses(addresses: Iterable[Address]) -> bytes:
    """Descriptors for our own `node_announcement`.

    # BOLT #7: MUST place address descriptors in ascending order.
    # MUST NOT announce more than one `type 5` DNS hostname.
    """
    items = sorted(addresses, key=lambda a: int(a.kind))
    if sum(1 for a in items if a.kind is AddressType.DNS) > 1:
        raise ValueError("at most one DNS hostname may be announced")
    return b"".join(a.encode() for a in items)


def address_from_text(text: str) -> Address:
    """`1.2.3.4:9735`, `[::1]:9735`, `xxxx.onion:9735` or `host.example:9735`."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit():
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    port = int(port_text)
    if host.startswith("[") and host.endswith("]"):
        return Address(AddressType.IPV6, str(ipaddress.IPv6Address(host[1:-1])), port)
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        kind = AddressType.IPV4 if ip.version == 4 else AddressType.IPV6
        return Address(kind, str(ip), port)
    if host.endswith(".onion"):
        return Address(AddressType.TORV3, host.lower(), port)
    return Address(AddressType.DNS, host, port)
