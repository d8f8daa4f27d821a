"""URLs: normalisation, the dedup key, and what counts as the same site.

One page must be fetched once whatever spelling links use, so every URL that
enters the crawl goes through :func:`normalize_url`, and pages are compared by
:func:`url_key`, which also forgets the scheme, ``www.`` and a trailing slash.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import idna

from sitelore.core.suffixes import bundled_rules

TRACKING_PARAMS = frozenset(
    {
        "gclid",
        "gclsrc",
        "dclid",
        "fbclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",
        "igshid",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "ref_src",
        "vero_conv",
        "vero_id",
        "wickedid",
        "s_cid",
        "spm",
        "trk",
        "sessionid",
        "phpsessid",
        "jsessionid",
        "sid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
INDEX_FILES = frozenset({"index.html", "index.htm", "index.php", "default.htm", "default.aspx"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
MAX_URL_LENGTH = 4096
MAX_HOST_LENGTH = 253  # RFC 1035, without the trailing dot
MAX_LABEL_LENGTH = 63
_SURROGATE = re.compile("[\ud800-\udfff]")
_LABEL = re.compile(r"^[a-z0-9_-]+$")  # DNS letters, digits, hyphens; underscores resolve too
_IPV4_STYLE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$")  # what httpx takes for IPv4


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The domain a business registers: ``www.shop.acme.co.uk`` → ``acme.co.uk``.

    IP addresses and single labels are their own site. An unknown top-level
    label counts as a public suffix, as the Public Suffix List's ``*`` rule says.
    """
    host = host.lower().rstrip(".")
    if not host or is_ip_address(host) or "." not in host:
        return host
    labels = host.split(".")
    keep = bundled_rules().suffix_labels(labels) + 1
    return ".".join(labels[-keep:] if keep <= len(labels) else labels[-2:])


def is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def site_host(host: str) -> str:
    """The host without a leading ``www.``: www and the bare domain are one site."""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def normalize_url(url: str, base: str | None = None) -> str | None:
    """An absolute, canonical http(s) URL, or ``None`` when ``url`` is not one.

    Lower-cases scheme and host, drops default ports, fragments (but hash routes:
    :func:`is_hash_route`), user info, tracking parameters and ``index.html``, sorts the
    query and normalises percent-encoding. The trailing slash is kept: servers may tell
    the two apart.
    """
    # isascii() first: it answers for nearly every URL at a fraction of the regex's cost.
    if len(url) > MAX_URL_LENGTH or (not url.isascii() and _SURROGATE.search(url)):
        return None  # lone surrogates cannot be encoded: no such URL can be requested
    return _normalize(url, None if base is None else _join_base(url, base))


def _join_base(url: str, base: str) -> str | None:
    """The part of ``base`` that joining ``url`` depends on: none for an absolute URL, the
    origin for a root-relative path. The same template link on every page of a site then
    hits the cache once, whatever page it is on."""
    head = url.lstrip()[:8].lower()
    if head.startswith(("http://", "https://")):
        return None
    if head.startswith("/") and not head.startswith(("//", "/\\")):
        return _origin(base)
    return base


@lru_cache(maxsize=1024)
def _origin(base: str) -> str:
    scheme, netloc, _, _, _ = urlsplit(base)
    return f"{scheme}://{netloc}" if scheme and netloc else base


@lru_cache(maxsize=16_384)
def _normalize(url: str, base: str | None) -> str | None:
    # Cached: a site's template repeats the same links on every page.
    url = url.strip()
    if base is not None:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host or not _valid_host(host):
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    route = parts.fragment if is_hash_route(parts.fragment) else ""
    return urlunsplit((scheme, netloc, _clean_path(parts.path), _clean_query(parts.query), route))


def is_hash_route(fragment: str) -> bool:
    """``#/pricing`` or ``#!/pricing``: a page of a site that routes in the browser by the
    fragment (a hash router), not a place in a page (``#pricing``)."""
    return fragment.startswith(("/", "!/"))


def _valid_host(host: str) -> bool:
    return host_syntax_problem(host) is None


def host_syntax_problem(host: str) -> str | None:
    """What stops a request to ``host`` (a URL's host, without brackets), or None.

    These are the refusals of the HTTP client and the system resolver at send time (IDNA,
    label and name lengths, characters): a URL they would refuse must never be accepted,
    or its request fails the same way on every attempt.
    """
    name = host.lower().rstrip(".")
    if not name:
        return "it has no host name"
    if is_ip_address(name):
        return None
    if _IPV4_STYLE.match(name):
        return f"host {host!r} is not a valid IPv4 address"
    try:
        encoded = name if name.isascii() else idna.encode(name).decode("ascii")
    except idna.IDNAError as error:
        return f"host {host!r} is not a valid internationalised domain name: {error}"
    if len(encoded) > MAX_HOST_LENGTH:
        return f"host name is {len(encoded)} characters long, more than {MAX_HOST_LENGTH}"
    return _labels_problem(host, encoded)


def _labels_problem(host: str, encoded: str) -> str | None:
    labels = encoded.split(".")
    for label in labels:
        if not label:
            return f"host {host!r} has an empty label (a dot at the start or two in a row)"
        if len(label) > MAX_LABEL_LENGTH:
            return (
                f"host {host!r} has a label of {len(label)} characters, "
                f"more than {MAX_LABEL_LENGTH}"
            )
        if not _LABEL.match(label):
            return f"host {host!r} may hold only letters, digits, hyphens, underscores and dots"
    if any(label.startswith("xn--") for label in labels):
        try:  # the client decodes a host with an A-label (xn--) to show it
            idna.decode(encoded)
        except idna.IDNAError as error:
            return f"host {host!r} is not a valid internationalised domain name: {error}"
    return None


_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _decode_unreserved(match: re.Match[str]) -> str:
    """RFC 3986 6.2.2: decode only unreserved characters, upper-case the other escapes
    (``%2F`` stays a slash that is not a segment break, ``%25`` a literal percent sign)."""
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _clean_path(path: str) -> str:
    if not path:
        return "/"
    path = quote(_PERCENT.sub(_decode_unreserved, path), safe=_SAFE_PATH)
    trailing = path.endswith("/")
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if trailing and path != "/":
        path += "/"
    head, _, last = path.rpartition("/")
    if last.lower() in INDEX_FILES:
        path = head + "/"
    return path


def _clean_query(query: str) -> str:
    if not query:
        return ""
    pairs = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not _is_tracking(key)
    ]
    pairs.sort()
    return urlencode(pairs, quote_via=quote, safe="/:@!$'()*,;~")


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def url_key(url: str) -> str:
    """The identity of a page: host without ``www.``, path without a trailing slash, query,
    and a hash route (``#/pricing``).

    The scheme is left out because http and https of a site serve the same pages.
    """
    parts = urlsplit(url)
    host = site_host(parts.netloc)
    path = parts.path.rstrip("/") or "/"
    key = f"{host}{path}?{parts.query}" if parts.query else f"{host}{path}"
    return f"{key}#{parts.fragment}" if is_hash_route(parts.fragment) else key


def url_path(url: str) -> str:
    return urlsplit(url).path or "/"


class SiteScope:
    """The site being crawled: every host under the start URL's registrable domain."""

    def __init__(self, start_url: str) -> None:
        parts = urlsplit(start_url)
        self.host = (parts.hostname or "").lower()
        self.domain = registrable_domain(self.host)
        self._port = self._port_of(parts.scheme, parts.port)

    @staticmethod
    def _port_of(scheme: str, port: int | None) -> int | None:
        """None for the default ports (http and https count as one site), else the port."""
        return None if port is None or port == DEFAULT_PORTS.get(scheme) else port

    def contains(self, url: str) -> bool:
        """True for an http(s) URL on the same registrable domain (any subdomain, either scheme)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return False
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return False
        host = parts.hostname.lower().rstrip(".")
        if self._port_of(parts.scheme, port) != self._port:
            return False
        return host == self.domain or registrable_domain(host) == self.domain
