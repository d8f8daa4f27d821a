"""The network policy: which addresses, ports and URLs sitelore may connect to (the SSRF guard).

Pure: it judges strings and never touches the network. The transport asks it about every
address a hostname resolves to (:meth:`NetworkPolicy.address_problem`), the fetcher, the
request validation and the webhook sender about every URL (:meth:`NetworkPolicy.url_problem`).

Refused unless ``allowed_networks`` covers them (or ``allow_all_networks``):

- unspecified and "this network": ``0.0.0.0/8``, ``::``
- loopback: ``127.0.0.0/8``, ``::1``
- cloud metadata: ``169.254.169.254``, ``169.254.170.2``, ``100.100.100.200``,
  ``fd00:ec2::254``
- link-local: ``169.254.0.0/16``, ``fe80::/10``
- private (RFC 1918): ``10.0.0.0/8``, ``172.16.0.0/12``, ``192.168.0.0/16``
- carrier-grade NAT (shared address space): ``100.64.0.0/10``
- IPv6 unique-local ``fc00::/7`` and the deprecated site-local ``fec0::/10``
- multicast: ``224.0.0.0/4``, ``ff00::/8``
- broadcast ``255.255.255.255`` and reserved ``240.0.0.0/4``
- every other special-purpose block the IANA registries mark as not globally reachable
  (documentation, benchmarking, IETF protocol assignments, discard-only, ORCHID ...)
- IPv6 forms that carry an IPv4 address are judged by that address: IPv4-mapped
  ``::ffff:0:0/96``, IPv4-compatible ``::/96``, IPv4-translated ``::ffff:0:0:0/96``,
  NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16`` and Teredo ``2001::/32`` (server and client);
  the local-use NAT64 prefix ``64:ff9b:1::/48`` is refused outright.

URLs are refused for a scheme other than http/https, a port outside ``allowed_ports``
(default 80, 443 and 8000-8999), a user name or password, a ``localhost`` name, and a literal
host in any spelling that parses as a refused address: dotted, decimal (``2130706433``),
octal (``0177.0.0.1``), hex (``0x7f.1``), short (``127.1``) forms as ``inet_aton`` reads
them, trailing dots, bracketed IPv6 with zone ids, and Unicode digits or full stops that
IDNA folds to ASCII (``①②⑦.0.0.1``).
"""

from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

__all__ = ["DEFAULT_PORTS", "IPAddress", "IPNetwork", "NetworkPolicy", "literal_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS: frozenset[int] = frozenset({80, 443, *range(8000, 9000)})
SCHEMES = {"http": 80, "https": 443}
MAX_PORT = 65_535

_METADATA = "a cloud metadata address"
_UNSPECIFIED = "an unspecified address"
_RESERVED = "a reserved address"

# First match wins: the specific blocks come before the wider ones that contain them.
_V4_BLOCKS: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", _UNSPECIFIED),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.169.254/32", _METADATA),
    ("169.254.170.2/32", _METADATA),
    ("169.254.0.0/16", "a link-local address"),
    ("10.0.0.0/8", "a private address"),
    ("172.16.0.0/12", "a private address"),
    ("192.168.0.0/16", "a private address"),
    ("100.100.100.200/32", _METADATA),
    ("100.64.0.0/10", "a carrier-grade NAT address"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "a broadcast address"),
    ("240.0.0.0/4", _RESERVED),
    ("192.0.0.0/24", _RESERVED),
    ("192.88.99.0/24", _RESERVED),
    ("192.0.2.0/24", "a documentation address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("198.18.0.0/15", "a benchmarking address"),
)
_V6_BLOCKS: tuple[tuple[str, str], ...] = (
    ("::/128", _UNSPECIFIED),
    ("::1/128", "a loopback address"),
    ("fd00:ec2::254/128", _METADATA),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("fc00::/7", "a unique-local address"),
    ("ff00::/8", "a multicast address"),
    ("64:ff9b:1::/48", "a local-use NAT64 address"),
    ("100::/64", _RESERVED),
    ("2001:db8::/32", "a documentation address"),
    ("2001:2::/48", "a benchmarking address"),
    ("2001::/23", _RESERVED),
    ("::/8", _RESERVED),
)
# IPv6 prefixes whose last 32 bits are an IPv4 address (mapped, compatible, translated, NAT64).
_V4_IN_LAST_32 = tuple(
    ipaddress.IPv6Network(prefix)
    for prefix in ("::ffff:0:0/96", "::/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
# ``::`` and ``::1`` sit inside ``::/96`` but are IPv6's own unspecified and loopback.
_IPV6_OWN = ipaddress.IPv6Network("::/127")


def _table(rows: tuple[tuple[str, str], ...]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(cidr), reason) for cidr, reason in rows)


_BLOCKS = {4: _table(_V4_BLOCKS), 6: _table(_V6_BLOCKS)}


@dataclass(frozen=True)
class NetworkPolicy:
    """Where connections may go; the defaults refuse everything that is not public.

    ``allowed_networks`` opens chosen blocks (an intranet, a test network);
    ``allow_all_networks`` opens every address; ``allowed_ports`` ``None`` allows any port.
    """

    allowed_networks: tuple[IPNetwork, ...] = ()
    allow_all_networks: bool = False
    allowed_ports: frozenset[int] | None = DEFAULT_PORTS

    @classmethod
    def permissive(cls) -> NetworkPolicy:
        """Every address and port (the local CLI runs with its user's own rights)."""
        return cls(allow_all_networks=True, allowed_ports=None)

    @classmethod
    def from_strings(cls, networks: str | None, ports: str | None) -> NetworkPolicy:
        """From settings text: networks ``"10.0.0.0/8,fd00::/8"`` or ``"*"``, ports
        ``"80,443,8000-8999"`` or ``"*"``.

        Blank values mean the defaults (no extra network; 80, 443, 8000-8999).
        Raises ``ValueError`` naming the bad entry.
        """
        allowed, allow_all = _parse_networks(networks or "")
        return cls(allowed, allow_all, _parse_ports(ports or ""))

    def address_problem(self, ip: str) -> str | None:
        """Why connecting to ``ip`` is refused (``"10.0.0.5 is a private address"``), or None."""
        try:
            address = ipaddress.ip_address(ip.strip("[]"))
        except ValueError:
            return f"{ip!r} is not an IP address"
        if self.allow_all_networks:
            return None
        embedded = _embedded_ipv4(address)
        if self._allowed(address) or any(self._allowed(inner) for inner in embedded):
            return None
        for inner in embedded:
            reason = _classify(inner)
            if reason is not None:
                return f"{address} is {reason} (it embeds {inner})"
        if isinstance(address, ipaddress.IPv6Address) and _carries_ipv4(address):
            return None  # a transition form of a public IPv4 address
        reason = _classify(address)
        return None if reason is None else f"{address} is {reason}"

    def port_problem(self, port: int) -> str | None:
        """Why connecting to ``port`` is refused, or None."""
        if self.allowed_ports is None or port in self.allowed_ports:
            return None
        return f"port {port} is not allowed (allowed: {describe_ports(self.allowed_ports)})"

    def url_problem(self, url: str) -> str | None:
        """Why fetching ``url`` is refused before any connection, or None.

        Judges the scheme, a literal address in any spelling, ``localhost`` names, the port
        and user info. Hostnames are judged later, by the addresses they resolve to.
        """
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as error:
            return f"{url} is not a valid URL ({error})"
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            shown = f"{scheme}:" if scheme else "scheme-less"
            return f"{shown} URLs are not allowed (only http and https)"
        host = parts.hostname
        if not host:
            return f"{url} has no host"
        problem = self.host_problem(host)
        if problem is None:
            problem = self.port_problem(SCHEMES[scheme] if port is None else port)
        if problem is None and "@" in parts.netloc:
            problem = "URLs with a user name or password are not allowed"
        return problem

    def opened_by(self, url: str) -> str | None:
        """Which allowance would admit ``url`` if it were widened: ``"networks"`` for its
        address, ``"ports"`` for its port, None when neither would (a bad scheme ...)."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES or not parts.hostname:
            return None
        if self.host_problem(parts.hostname) is not None:
            name = fold_host(parts.hostname)
            local = name == "localhost" or name.endswith(".localhost")
            return "networks" if local or literal_address(name) is not None else None
        if self.port_problem(SCHEMES[scheme] if port is None else port) is not None:
            return "ports"
        return None

    def host_problem(self, host: str) -> str | None:
        """Why a URL's host is refused: a refused literal address or a localhost name."""
        name = fold_host(host)
        address = literal_address(name)
        if address is not None:
            return self.address_problem(str(address))
        if _looks_numeric(name):
            return f"{host} is not a valid IP address"
        if name == "localhost" or name.endswith(".localhost"):
            loopback = self.address_problem("127.0.0.1")
            return None if loopback is None else f"{host} is a loopback name"
        return None

    def _allowed(self, address: IPAddress) -> bool:
        return any(
            network.version == address.version and address in network
            for network in self.allowed_networks
        )


def describe_ports(ports: frozenset[int]) -> str:
    """``80, 443, 8000-8999``: the ports as sorted single values and ranges."""
    ranges: list[list[int]] = []
    for port in sorted(ports):
        if ranges and port == ranges[-1][1] + 1:
            ranges[-1][1] = port
        else:
            ranges.append([port, port])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def fold_host(host: str) -> str:
    """The host as the most lenient URL parser sees it: percent-decoded, NFKC-folded (as IDNA
    does, so Unicode digits and full stops become ASCII), lower case, without the final dot."""
    name = unicodedata.normalize("NFKC", unquote(host.strip()).strip("[]"))
    name = name.replace("\u3002", ".").replace("\uff0e", ".").replace("\uff61", ".")
    return name.lower().rstrip(".")


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form ``inet_aton`` or an IPv6 literal allows."""
    name = fold_host(host)
    if ":" in name:
        try:
            return ipaddress.IPv6Address(name)
        except ValueError:
            return None
    value = _inet_aton(name)
    return None if value is None else ipaddress.IPv4Address(value)


def _inet_aton(name: str) -> int | None:
    """The BSD ``inet_aton`` reading: 1 to 4 parts, each decimal, 0-octal or 0x-hex."""
    parts = name.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_number(part) for part in parts]
    if any(number is None for number in numbers):
        return None
    values = [number for number in numbers if number is not None]
    *head, last = values
    if any(value > 255 for value in head) or last >= 256 ** (5 - len(values)):
        return None
    result = last
    for position, value in enumerate(head):
        result |= value << (24 - 8 * position)
    return result


def _number(part: str) -> int | None:
    if part[:2] in ("0x", "0X"):
        digits, base = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if not digits.isascii() or not digits.isalnum():
        return None
    try:
        return int(digits, base)
    except ValueError:
        return None


def _looks_numeric(name: str) -> bool:
    """A last label of digits (or 0x-hex) makes a host an address to URL parsers, never a name."""
    last = name.rsplit(".", 1)[-1]
    if last[:2] == "0x":
        last = last[2:] or "0"
        return all(char in "0123456789abcdef" for char in last)
    return last.isascii() and last.isdigit()


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 transition form carries (none for plain addresses)."""
    if not isinstance(address, ipaddress.IPv6Address) or address in _IPV6_OWN:
        return []
    found: list[ipaddress.IPv4Address] = []
    if any(address in prefix for prefix in _V4_IN_LAST_32):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def _carries_ipv4(address: ipaddress.IPv6Address) -> bool:
    return bool(_embedded_ipv4(address))


def _classify(address: IPAddress) -> str | None:
    for network, reason in _BLOCKS[address.version]:
        if address in network:
            return reason
    if not address.is_global:
        return "a non-public address"
    return None


def _parse_networks(text: str) -> tuple[tuple[IPNetwork, ...], bool]:
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    if "*" in entries:
        if len(entries) > 1:
            raise ValueError("allowed networks: '*' allows every network and stands alone")
        return (), True
    networks: list[IPNetwork] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry))
        except ValueError as error:
            raise ValueError(f"allowed networks: {entry!r} is not a CIDR block ({error})") from None
    return tuple(networks), False


def _parse_ports(text: str) -> frozenset[int] | None:
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    if not entries:
        return DEFAULT_PORTS
    if "*" in entries:
        if len(entries) > 1:
            raise ValueError("allowed ports: '*' allows every port and stands alone")
        return None
    ports: set[int] = set()
    for entry in entries:
        ports.update(_port_range(entry))
    return frozenset(ports)


def _port_range(entry: str) -> range:
    low, dash, high = entry.partition("-")
    bounds = [low.strip(), high.strip()] if dash else [low.strip()]
    if not all(bound.isascii() and bound.isdigit() for bound in bounds):
        raise ValueError(f"allowed ports: {entry!r} is not a port or a range like 8000-8999")
    first, last = int(bounds[0]), int(bounds[-1])
    if not 1 <= first <= last <= MAX_PORT:
        raise ValueError(f"allowed ports: {entry!r} is out of 1-{MAX_PORT} or reversed")
    return range(first, last + 1)
