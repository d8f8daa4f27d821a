"""Hostile addresses: what a DNS answer or a URL may carry that the network guard must refuse.

Shared by the pure policy tests and the resolver-seam tests; plain data, no imports.
"""

from __future__ import annotations

# (address a DNS answer may carry, the reason the default policy gives for refusing it)
HOSTILE_ADDRESSES: list[tuple[str, str]] = [
    ("10.0.0.5", "a private address"),
    ("172.16.0.1", "a private address"),
    ("172.31.255.254", "a private address"),
    ("192.168.1.1", "a private address"),
    ("127.0.0.1", "a loopback address"),
    ("127.8.9.10", "a loopback address"),
    ("::1", "a loopback address"),
    ("169.254.169.254", "a cloud metadata address"),
    ("169.254.170.2", "a cloud metadata address"),
    ("100.100.100.200", "a cloud metadata address"),
    ("fd00:ec2::254", "a cloud metadata address"),
    ("169.254.1.1", "a link-local address"),
    ("fe80::1", "a link-local address"),
    ("fe80::1%eth0", "a link-local address"),
    ("100.64.0.1", "a carrier-grade NAT address"),
    ("100.127.255.254", "a carrier-grade NAT address"),
    ("0.0.0.0", "an unspecified address"),
    ("0.1.2.3", "an unspecified address"),
    ("::", "an unspecified address"),
    ("224.0.0.1", "a multicast address"),
    ("239.255.255.250", "a multicast address"),
    ("ff02::1", "a multicast address"),
    ("255.255.255.255", "a broadcast address"),
    ("240.0.0.1", "a reserved address"),
    ("192.0.0.8", "a reserved address"),
    ("192.0.2.1", "a documentation address"),
    ("198.18.0.1", "a benchmarking address"),
    ("2001:db8::1", "a documentation address"),
    ("fd00::1", "a unique-local address"),
    ("fc00::1", "a unique-local address"),
    ("fec0::1", "a site-local address"),
    ("64:ff9b:1::a00:5", "a local-use NAT64 address"),
    ("100::1", "a reserved address"),
    ("::ffff:127.0.0.1", "a loopback address (it embeds 127.0.0.1)"),
    ("::ffff:10.0.0.5", "a private address (it embeds 10.0.0.5)"),
    ("::ffff:169.254.169.254", "a cloud metadata address (it embeds 169.254.169.254)"),
    ("::127.0.0.1", "a loopback address (it embeds 127.0.0.1)"),
    ("::ffff:0:10.0.0.5", "a private address (it embeds 10.0.0.5)"),
    ("64:ff9b::10.0.0.5", "a private address (it embeds 10.0.0.5)"),
    ("64:ff9b::169.254.169.254", "a cloud metadata address (it embeds 169.254.169.254)"),
    ("2002:7f00:1::", "a loopback address (it embeds 127.0.0.1)"),
    ("2002:a9fe:a9fe::1", "a cloud metadata address (it embeds 169.254.169.254)"),
    # Teredo: server 65.54.227.120, client (obfuscated in the address) 127.0.0.1.
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "a loopback address (it embeds 127.0.0.1)"),
]
