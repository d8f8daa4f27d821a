"""Pure helpers for HTML bytes: content types, "is this HTML?" sniffing, and charset decoding.

No I/O here; :mod:`sitelore.crawl.fetcher` calls these on what it streamed.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["HTML_TYPES", "SNIFF_TYPES", "decode_html", "looks_like_html", "parse_content_type"]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# Content types that say nothing about the body, so the body's first bytes decide.
SNIFF_TYPES = frozenset({"", "unknown/unknown", "application/unknown", "*/*"})

META_SCAN_BYTES = 4096

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:\-]+)""", re.IGNORECASE
)

# WHATWG MIME sniffing's "HTML" patterns: a known tag name followed by a space, ">" or "/".
_HTML_START = re.compile(
    rb"""\s*(?:<\?xml[^>]*>\s*)?(?:<!--|<!doctype\s+html|<(?:html|head|body|title|meta|script|
    iframe|h1|div|font|table|a|style|b|br|p|link)[\s/>])""",
    re.IGNORECASE | re.VERBOSE,
)


def parse_content_type(header: str | None) -> tuple[str, str | None]:
    """Split a Content-Type header into ``(mime type in lower case, charset or None)``."""
    if not header:
        return "", None
    mime, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return mime.strip().lower(), charset


def looks_like_html(prefix: bytes) -> bool:
    """Whether the first bytes of a body with no useful content type look like an HTML page."""
    for bom, _codec in _BOMS:
        if prefix.startswith(bom):
            prefix = prefix[len(bom) :]
            break
    return _HTML_START.match(prefix[:1024]) is not None


def decode_html(body: bytes, declared: str | None) -> tuple[str, str]:
    """Decode an HTML body; returns ``(text, Python codec name)``.

    Order: a byte-order mark, the charset the header declared, ``<meta charset>`` /
    ``http-equiv`` in the first 4 KB, UTF-8 if the bytes are valid UTF-8, else windows-1252.
    The BOM comes first (as in browsers, WHATWG "encoding sniffing") because it cannot be
    wrong, while headers and meta tags often are. Unknown charset names are skipped, and
    decoding never fails: undecodable bytes become U+FFFD.
    """
    candidates = (_bom_codec(body), _usable_codec(declared), _meta_codec(body))
    for codec in candidates:
        if codec is not None:
            return body.decode(codec, errors="replace"), _report_name(codec)
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), "cp1252"


def _bom_codec(body: bytes) -> str | None:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec
    return None


def _meta_codec(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:META_SCAN_BYTES])
    if match is None:
        return None
    codec = _usable_codec(match.group(1).decode("ascii"))
    # A meta tag readable as ASCII cannot be in UTF-16/32 (WHATWG says: use UTF-8).
    if codec is not None and codec.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return codec


def _usable_codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None if Python has no such text encoding."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
        b"".decode(name)  # rejects codecs that are not text encodings (base64, rot13...)
    except LookupError:
        return None
    # Pages labelled latin-1 or ASCII are in practice windows-1252, which browsers use for them.
    if name in ("iso8859-1", "ascii"):
        return "cp1252"
    return name


def _report_name(codec: str) -> str:
    return "utf-8" if codec == "utf-8-sig" else codec
