"""Validation of an :class:`~sitelore.models.ExtractRequest`: one place, one message per rule.

Every URL is checked as a request would send it (host name, IDNA, port): a URL the HTTP client
would refuse is a 400 now, not a job or webhook that fails the same way on every attempt.

With a :class:`~sitelore.core.netpolicy.NetworkPolicy`, every URL (``url``, each of ``urls``,
``callbackUrl``) that the network guard would refuse for certain -- a literal private address
in any spelling, a port or scheme not allowed -- is refused here already, before any job runs.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import SplitResult, urlsplit

from sitelore.core.globs import PathFilter
from sitelore.core.netpolicy import NetworkPolicy
from sitelore.core.urls import SiteScope, host_syntax_problem, normalize_url
from sitelore.errors import InvalidRequest, RefusedByGuard
from sitelore.models import ExtractRequest

DEFAULT_MAX_PAGES_CAP = 50
# A local extraction (the CLI, the library's loaders) runs with its user's rights and time.
LOCAL_MAX_PAGES_CAP = 1000
MAX_URL_LENGTH = 2048
MAX_PATTERNS = 100
WEB_SCHEMES = ("http://", "https://")


def validate_request(
    request: ExtractRequest,
    max_pages_cap: int = DEFAULT_MAX_PAGES_CAP,
    policy: NetworkPolicy | None = None,
) -> ExtractRequest:
    """The request with its URLs normalised, or :class:`InvalidRequest` naming the bad field.

    ``policy`` (the network guard) refuses URLs it can judge without resolving names.
    """
    url = check_url(request.url, "url", policy)
    if not isinstance(request.explain, bool):
        raise InvalidRequest("explain must be true or false", field="explain")
    if not 1 <= request.max_pages <= max_pages_cap:
        raise InvalidRequest(f"maxPages must be between 1 and {max_pages_cap}", field="maxPages")
    for name, patterns in (
        ("includePatterns", request.include_patterns),
        ("excludePatterns", request.exclude_patterns),
    ):
        if len(patterns) > MAX_PATTERNS:
            raise InvalidRequest(f"{name} may hold at most {MAX_PATTERNS} patterns", field=name)
        try:
            PathFilter(patterns)
        except InvalidRequest as error:
            raise InvalidRequest(f"{name}: {error}", field=name) from None
    urls = None
    if request.urls is not None:
        urls = _check_urls(request.urls, url, request.max_pages, policy)
    callback = None
    if request.callback_url is not None:
        callback = check_url(request.callback_url, "callbackUrl", policy)
    return replace(request, url=url, urls=urls, callback_url=callback)


def check_url(value: str, field: str, policy: NetworkPolicy | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"{field} is required and must be an http(s) URL", field=field)
    if len(value) > MAX_URL_LENGTH:
        raise InvalidRequest(f"{field} is longer than {MAX_URL_LENGTH} characters", field=field)
    candidate = value.strip()
    if not candidate.lower().startswith(WEB_SCHEMES):
        # No guessing: "example.com:8080" could mean either scheme, and a wrong guess fails
        # later with a TLS error. The command line guesses, saying so (sitelore.crawl.scheme).
        raise InvalidRequest(
            f"{field} must start with http:// or https://, got {value!r}", field=field
        )
    invalid = InvalidRequest(f"{field} is not a valid http(s) URL: {value!r}", field=field)
    try:
        parts = urlsplit(candidate)
    except ValueError:
        raise invalid from None
    if "@" in parts.netloc:
        raise InvalidRequest(f"{field} must not contain a user name or password", field=field)
    if parts.scheme.lower() in ("http", "https"):
        _check_authority(parts, candidate, field, policy)
    normalized = normalize_url(candidate)
    if normalized is None:
        raise invalid
    if policy is not None:
        _check_policy(policy, field, normalized)
    return normalized


def _check_authority(
    parts: SplitResult, given: str, field: str, policy: NetworkPolicy | None
) -> None:
    """The host and port, as a request would send them. The guard judges before the host's
    spelling: ``0177.0.0.1`` is refused as the loopback address it means."""
    problem = _port_problem(parts) or (None if parts.hostname else "it has no host name")
    if problem is None and policy is not None:
        _check_policy(policy, field, given)
    problem = problem or host_syntax_problem(parts.hostname or "")
    if problem is not None:
        raise InvalidRequest(f"{field} is not a valid URL: {problem}", field=field)


def _port_problem(parts: SplitResult) -> str | None:
    try:
        port = parts.port
    except ValueError:
        given = parts.netloc.rpartition(":")[2]
        return f"the port must be a number from 1 to 65535, got {given!r}"
    return "the port must be a number from 1 to 65535, got 0" if port == 0 else None


def _check_policy(policy: NetworkPolicy, field: str, url: str) -> None:
    # Called on the given URL and on its normalised form: normalising must not turn a
    # refused URL into an accepted one.
    problem = policy.url_problem(url)
    if problem is None:
        return
    message = f"{field} is not allowed: {problem}"
    opened_by = policy.opened_by(url)
    if opened_by is None:
        raise InvalidRequest(message, field=field)
    raise RefusedByGuard(message, field, opened_by)


def _check_urls(
    urls: tuple[str, ...], start: str, max_pages: int, policy: NetworkPolicy | None
) -> tuple[str, ...]:
    if not urls:
        raise InvalidRequest("urls must list at least one URL when given", field="urls")
    if len(urls) > max_pages:
        raise InvalidRequest(
            f"urls lists {len(urls)} URLs, more than maxPages ({max_pages})", field="urls"
        )
    scope = SiteScope(start)
    checked: list[str] = []
    for value in urls:
        url = check_url(value, "urls", policy)
        if not scope.contains(url):
            raise InvalidRequest(f"urls: {value} is not on the same site as {start}", field="urls")
        if url not in checked:
            checked.append(url)
    return tuple(checked)
