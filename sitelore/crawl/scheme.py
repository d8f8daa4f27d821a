"""A site typed without its scheme (``example.com``, ``127.0.0.1:8801/docs``): https, or http
when the host does not speak TLS.

The command line's convenience only: the API and the core require ``http://`` or ``https://``
(a guess made behind a caller's back would fail later, far from its cause). Here the guess is
tried at once and said out loud: ``https://`` first, and ``http://`` when the TLS handshake
fails (the port answers, in plain HTTP). A certificate that does not verify is no reason to
fall back: that host speaks TLS, and the crawl reports the certificate.
"""

from __future__ import annotations

import re
import ssl

from sitelore.crawl.fetcher import Fetcher
from sitelore.errors import FetchError

__all__ = ["choose_scheme", "is_bare", "with_scheme"]

# host[:port][/path, ?query or #fragment]: a DNS name, an IPv4 literal or a bracketed IPv6.
_BARE = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:[/?#]\S*)?$"
)
# Bytes enough to prove an answer came over TLS; the probe never reads a page.
_PROBE_BYTES = 1


def is_bare(value: str) -> bool:
    """``value`` is a ``host[:port][/path]`` without a scheme (not some other kind of text)."""
    return bool(_BARE.match(value.strip()))


def with_scheme(value: str, scheme: str) -> str:
    """``value`` with ``scheme`` put in front when it is bare; anything else as given."""
    return f"{scheme}://{value.strip()}" if is_bare(value) else value


async def choose_scheme(bare: str, fetcher: Fetcher) -> tuple[str, str | None]:
    """``https`` unless the TLS handshake with ``bare``'s host fails, then ``http``; with the
    reason for falling back (None when https stays). Any other outcome of the probe -- an
    answer of any status, a refused connection, an unknown host -- keeps https: only TLS
    itself failing says that the port speaks plain HTTP."""
    url = with_scheme(bare, "https")
    try:
        await fetcher.fetch_resource(url, allow=lambda _: False, max_bytes=_PROBE_BYTES)
    except FetchError as error:
        failure = _tls_failure(error)
        if failure is not None:
            return "http", f"{url} does not speak TLS ({failure})"
    return "https", None


def _tls_failure(error: BaseException) -> ssl.SSLError | None:
    """The TLS error under ``error`` (httpx wraps it twice), unless it is about the
    certificate."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return None
        if isinstance(current, ssl.SSLError):
            return current
        current = current.__cause__ or current.__context__
    return None
