"""The network policy alone: addresses, URL spellings, ports and settings text. No network.

Each hostile address and URL spelling is one table row with its own id; every row must be
refused, with the reason the operator will read in ``Blocked: <reason>``.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitelore.core.netpolicy import (
    DEFAULT_PORTS,
    NetworkPolicy,
    describe_ports,
    literal_address,
)
from tests.hostile import HOSTILE_ADDRESSES

DEFAULT = NetworkPolicy()
METADATA = "a cloud metadata address"
RANGE = "Port out of range 0-65535"
IMDS = "169.254.169.254"

PUBLIC_ADDRESSES = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "::ffff:93.184.216.34",
    "64:ff9b::93.184.216.34",
    "2002:5db8:d822::1",
]

# (URL, the reason it is refused): every spelling a URL parser accepts.
HOSTILE_URLS: list[tuple[str, str]] = [
    ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://2130706433/", "127.0.0.1 is a loopback address"),
    ("http://0x7f000001/", "127.0.0.1 is a loopback address"),
    ("http://017700000001/", "127.0.0.1 is a loopback address"),
    ("http://0177.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://0x7f.1/", "127.0.0.1 is a loopback address"),
    ("http://0x7F.0x0.0x0.0x1/", "127.0.0.1 is a loopback address"),
    ("http://127.1/", "127.0.0.1 is a loopback address"),
    ("http://127.0.1/", "127.0.0.1 is a loopback address"),
    ("http://127.0.0.1./", "127.0.0.1 is a loopback address"),
    ("http://127.0.0.1:80/", "127.0.0.1 is a loopback address"),
    ("http://good.test@127.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://good.test:pw@127.0.0.1:8080/", "127.0.0.1 is a loopback address"),
    ("http://①②⑦.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://１２７．０．０．１/", "127.0.0.1 is a loopback address"),
    ("http://127。0。0。1/", "127.0.0.1 is a loopback address"),
    ("http://%31%32%37.0.0.1/", "127.0.0.1 is a loopback address"),
    ("HTTP://LOCALHOST/", "localhost is a loopback name"),
    ("http://localhost./", "localhost. is a loopback name"),
    ("http://api.localhost/", "api.localhost is a loopback name"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://[::ffff:7f00:1]/", "::ffff:7f00:1 is a loopback address (it embeds 127.0.0.1)"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1 is a loopback address (it embeds 127.0.0.1)"),
    ("http://[0:0:0:0:0:ffff:a00:5]/", "::ffff:a00:5 is a private address (it embeds 10.0.0.5)"),
    ("http://[::]/", ":: is an unspecified address"),
    ("http://[fe80::1%25eth0]/", "fe80::1%eth0 is a link-local address"),
    ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"),
    ("http://[fd12:3456::1]/", "fd12:3456::1 is a unique-local address"),
    ("http://[64:ff9b::a9fe:a9fe]/", f"64:ff9b::a9fe:a9fe is {METADATA} (it embeds {IMDS})"),
    ("http://[2002:a00:5::]/", "2002:a00:5:: is a private address (it embeds 10.0.0.5)"),
    ("http://10.0.0.5/", "10.0.0.5 is a private address"),
    ("http://167772165/", "10.0.0.5 is a private address"),
    ("http://012.0.0.5/", "10.0.0.5 is a private address"),
    ("http://10.5/", "10.0.0.5 is a private address"),
    ("http://172.16.0.1/", "172.16.0.1 is a private address"),
    ("http://192.168.0.1/", "192.168.0.1 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
    ("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254 is a cloud metadata address"),
    ("http://2852039166/", "169.254.169.254 is a cloud metadata address"),
    ("http://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address"),
    ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
    ("http://0/", "0.0.0.0 is an unspecified address"),
    ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
    ("http://255.255.255.255/", "255.255.255.255 is a broadcast address"),
    ("http://1.2.3.4.5/", "1.2.3.4.5 is not a valid IP address"),
    ("http://256.0.0.1/", "256.0.0.1 is not a valid IP address"),
    ("http://0x/", "0x is not a valid IP address"),
    ("http://example.test:22/", "port 22 is not allowed (allowed: 80, 443, 8000-8999)"),
    ("http://example.test:6379/", "port 6379 is not allowed (allowed: 80, 443, 8000-8999)"),
    ("https://example.test:25/", "port 25 is not allowed (allowed: 80, 443, 8000-8999)"),
    ("http://example.test:0/", "port 0 is not allowed (allowed: 80, 443, 8000-8999)"),
    ("http://example.test:99999/", f"http://example.test:99999/ is not a valid URL ({RANGE})"),
    ("http://user@example.test/", "URLs with a user name or password are not allowed"),
    ("gopher://example.test:70/_SET", "gopher: URLs are not allowed (only http and https)"),
    ("file:///etc/passwd", "file: URLs are not allowed (only http and https)"),
    ("dict://127.0.0.1:11211/stat", "dict: URLs are not allowed (only http and https)"),
    ("ftp://example.test/", "ftp: URLs are not allowed (only http and https)"),
    ("//example.test/", "scheme-less URLs are not allowed (only http and https)"),
    ("http:///path", "http:///path has no host"),
]  # fmt: skip

ACCEPTED_URLS = [
    "http://example.test/",
    "https://example.test/pricing?plan=pro",
    "http://example.test:8080/",
    "https://example.test:8443/",
    "http://93.184.216.34/",
    "http://[2606:4700:4700::1111]/",
    "http://xn--bcher-kva.test/",
    "http://localhost.example.test/",
    "http://123.example.test/",
]


@pytest.mark.parametrize(
    ("ip", "reason"), HOSTILE_ADDRESSES, ids=[ip for ip, _ in HOSTILE_ADDRESSES]
)
def test_hostile_addresses_are_refused_with_their_reason(ip: str, reason: str) -> None:
    shown = str(ipaddress.ip_address(ip))
    assert DEFAULT.address_problem(ip) == f"{shown} is {reason}"


@pytest.mark.parametrize("ip", PUBLIC_ADDRESSES)
def test_public_addresses_are_allowed(ip: str) -> None:
    assert DEFAULT.address_problem(ip) is None


@pytest.mark.parametrize("text", ["example.test", "", "10.0.0.5:80", "1.2.3.4.5"])
def test_what_is_not_an_address_is_refused(text: str) -> None:
    assert DEFAULT.address_problem(text) == f"{text!r} is not an IP address"


@pytest.mark.parametrize(("url", "reason"), HOSTILE_URLS, ids=[url for url, _ in HOSTILE_URLS])
def test_hostile_urls_are_refused_in_every_spelling(url: str, reason: str) -> None:
    assert DEFAULT.url_problem(url) == reason


@pytest.mark.parametrize("url", ACCEPTED_URLS)
def test_public_urls_pass(url: str) -> None:
    assert DEFAULT.url_problem(url) is None


@pytest.mark.parametrize(
    "spelling",
    [
        "127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "017700000001",
        "0177.0.0.1", "0x7f.1", "0X7F.0.0.1", "10.5", "1.65536", "1.2.65535", "0.0.0.0",
        "00000000000001.1", "255.255.255.255",
        "256.0.0.1", "1.2.65536", "08.1", "0x", "1.2.3.4.5", "1..2", "", "a.b", "0x100000000",
        "4294967296", "-1.0.0.1", "+1.0.0.1", "1.0.0.1 ",
    ],
)  # fmt: skip
def test_numeric_hosts_read_as_inet_aton_reads_them(spelling: str) -> None:
    try:
        expected = socket.inet_ntoa(socket.inet_aton(spelling))
    except OSError:
        expected = None
    found = literal_address(spelling)
    assert (None if found is None else str(found)) == expected


def test_allowed_networks_open_exactly_their_blocks() -> None:
    policy = NetworkPolicy.from_strings("10.0.0.0/8, fd00::/8, 127.0.0.1", None)
    assert policy.address_problem("10.1.2.3") is None
    assert policy.address_problem("::ffff:10.1.2.3") is None  # the embedded address counts
    assert policy.address_problem("fd00::1") is None
    assert policy.address_problem("127.0.0.1") is None
    assert policy.url_problem("http://localhost/") is None  # loopback is open, so is its name
    assert policy.address_problem("127.0.0.2") == "127.0.0.2 is a loopback address"
    assert policy.address_problem("192.168.0.1") == "192.168.0.1 is a private address"
    assert policy.address_problem("fe80::1") == "fe80::1 is a link-local address"


def test_permissive_allows_every_address_and_port_but_only_the_web() -> None:
    policy = NetworkPolicy.permissive()
    for ip, _reason in HOSTILE_ADDRESSES:
        assert policy.address_problem(ip) is None
    assert policy.url_problem("http://127.0.0.1:6379/") is None
    assert policy.url_problem("file:///etc/passwd") is not None


@pytest.mark.parametrize(
    ("networks", "ports", "allow_all", "allowed", "port_set"),
    [
        (None, None, False, (), DEFAULT_PORTS),
        ("", "", False, (), DEFAULT_PORTS),
        ("*", "*", True, (), None),
        (" 10.0.0.0/8 ,", "80, 8080-8081", False, ("10.0.0.0/8",), frozenset({80, 8080, 8081})),
        ("::1/128", "443", False, ("::1/128",), frozenset({443})),
    ],
    ids=["none", "blank", "stars", "lists", "ipv6"],
)
def test_from_strings_reads_the_settings_text(
    networks: str | None,
    ports: str | None,
    allow_all: bool,
    allowed: tuple[str, ...],
    port_set: frozenset[int] | None,
) -> None:
    policy = NetworkPolicy.from_strings(networks, ports)
    assert policy.allow_all_networks is allow_all
    assert policy.allowed_networks == tuple(ipaddress.ip_network(n) for n in allowed)
    assert policy.allowed_ports == port_set


@pytest.mark.parametrize(
    ("networks", "ports", "message"),
    [
        ("10.0.0.0/33", None, r"allowed networks: '10.0.0.0/33' is not a CIDR block"),
        ("10.0.0.5/8", None, r"allowed networks: '10.0.0.5/8' is not a CIDR block .*host bits"),
        ("intranet", None, r"allowed networks: 'intranet' is not a CIDR block"),
        ("*,10.0.0.0/8", None, r"'\*' allows every network and stands alone"),
        (None, "http", r"allowed ports: 'http' is not a port or a range"),
        (None, "0", r"allowed ports: '0' is out of 1-65535"),
        (None, "70000", r"allowed ports: '70000' is out of 1-65535"),
        (None, "9000-8000", r"allowed ports: '9000-8000' is out of 1-65535 or reversed"),
        (None, "80,*", r"'\*' allows every port and stands alone"),
    ],
    ids=[
        "prefix-too-long", "host-bits", "a-name", "star-and-more", "port-name", "port-zero",
        "port-too-big", "reversed-range", "star-port-and-more",
    ],
)  # fmt: skip
def test_from_strings_refuses_bad_settings_clearly(
    networks: str | None, ports: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        NetworkPolicy.from_strings(networks, ports)


def test_port_problem_and_ranges_read_well() -> None:
    assert describe_ports(DEFAULT_PORTS) == "80, 443, 8000-8999"
    assert describe_ports(frozenset({1, 2, 3, 5})) == "1-3, 5"
    assert DEFAULT.port_problem(8999) is None
    assert DEFAULT.port_problem(9000) == "port 9000 is not allowed (allowed: 80, 443, 8000-8999)"
    assert NetworkPolicy(allowed_ports=None).port_problem(22) is None


def spellings(value: int) -> list[str]:
    """Every way ``inet_aton`` lets a URL spell the IPv4 address ``value``."""
    a, b, c, d = value.to_bytes(4, "big")
    return [
        f"{a}.{b}.{c}.{d}",
        str(value),
        hex(value),
        "0" + oct(value)[2:],
        f"{a}.{b}.{c << 8 | d}",
        f"{a}.{b << 16 | c << 8 | d}",
        ".".join(hex(octet) for octet in (a, b, c, d)),
        ".".join("0" + oct(octet)[2:] for octet in (a, b, c, d)),
        f"{a}.{b}.{c}.{d}.",
    ]


@given(st.integers(0, 2**32 - 1))
def test_every_spelling_of_an_address_is_judged_alike(value: int) -> None:
    address = ipaddress.IPv4Address(value)
    expected = DEFAULT.address_problem(str(address))
    for spelling in spellings(value):
        assert DEFAULT.url_problem(f"http://{spelling}/") == expected, spelling


@given(st.integers(0, 2**32 - 1))
def test_ipv6_forms_of_an_ipv4_address_share_its_fate(value: int) -> None:
    inner = ipaddress.IPv4Address(value)
    refused = DEFAULT.address_problem(str(inner)) is not None
    six_to_four = f"2002:{value >> 16:x}:{value & 0xFFFF:x}::1"
    for form in (f"::ffff:{inner}", f"64:ff9b::{inner}", six_to_four):
        assert (DEFAULT.address_problem(form) is not None) is refused, form


@given(st.text(max_size=80))
def test_url_problem_never_raises(text: str) -> None:
    for url in (text, f"http://{text}/", f"http://[{text}]/"):
        problem = DEFAULT.url_problem(url)
        assert problem is None or isinstance(problem, str)


@pytest.mark.parametrize(
    ("url", "opened_by"),
    [
        ("http://10.0.0.5/", "networks"),
        ("http://0x7f.1/", "networks"),
        ("http://[::1]:8000/", "networks"),
        ("http://intranet.localhost/", "networks"),
        ("http://example.test:22/", "ports"),
        ("http://10.0.0.5:22/", "networks"),  # the address first: it is judged first
        ("http://1.2.3.4.5/", None),  # not an address: no allowance admits it
        ("gopher://example.test/", None),
        ("http://example.test/", None),  # nothing refused
    ],
)
def test_opened_by_names_the_allowance_that_would_admit_the_url(
    url: str, opened_by: str | None
) -> None:
    assert NetworkPolicy().opened_by(url) == opened_by
