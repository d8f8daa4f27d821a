"""Server settings: every bound of the service, built once at the edge from the environment.

Only :meth:`Settings.from_env` reads environment variables; everything below it takes
the :class:`Settings` object (or plain values) through constructors.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.models import CrawlOptions

DAY = 86_400.0


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 4
    data_dir: Path = field(default_factory=lambda: default_data_dir({}))
    max_pages_cap: int = 50
    sync_timeout: float = 300.0
    rate_limit_per_minute: int = 600
    max_concurrent_jobs_per_key: int = 20
    max_body_bytes: int = 256 * 1024
    retention_seconds: float = 7 * DAY
    stale_after: float = 30.0
    max_attempts: int = 3
    heartbeat_interval: float = 1.0
    ping_interval: float = 15.0
    webhook_first_retry: float = 5.0
    housekeeping_interval: float = 15.0
    job_timeout: float = 1800.0
    # A page whose parse takes longer fails alone; pages are parsed in this many processes.
    page_timeout: float = 20.0
    page_processes: int = 2
    # A page over these caps is refused before it is parsed (sitelore.core.treecaps).
    page_max_elements: int = 200_000
    page_max_depth: int = 5_000
    # The browser for script-shell pages (sitelore.crawl.sources.browser): its executable
    # (empty: looked for where the OS packages put it), the pages it renders at once, a
    # page's render budget, and the pages after which it is restarted (bounded memory).
    chromium: str = ""
    render_tabs: int = 4
    render_timeout: float = 20.0
    render_restart_after: int = 100
    # PostgreSQL for many processes on many machines (empty: the embedded SQLite file).
    database_url: str = ""
    database_pool_size: int = 10
    shutdown_timeout: float = 25.0  # a stopping worker's jobs are handed back after this
    # The door (sitelore.api.connections): 0 connections = the open-file limit less a reserve.
    max_connections: int = 0
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_streams_per_key: int = 20
    # GET /metrics (Prometheus, no key needed); SITELORE_METRICS=off removes the route.
    metrics: bool = True
    metrics_port: int = 0  # where `sitelore worker` serves its metrics (0: nowhere)
    # The dashboard at /ui (sitelore.api.ui); SITELORE_UI=off or `serve --no-ui` removes it.
    ui: bool = True
    crawl: CrawlOptions = field(default_factory=CrawlOptions)
    # The network guard (SECURITY.md): CIDR blocks opened to crawls and webhooks ("*" = all),
    # and the ports URLs may use ("*" = any).
    allow_private_networks: str = ""
    allowed_ports: str = "80,443,8000-8999"
    # What one MCP tool answer may hold, in characters of JSON (sitelore.mcp.paging).
    mcp_max_chars: int = 25_000

    def network_policy(self) -> NetworkPolicy:
        """The guard of crawls, webhooks and submissions; ``ValueError`` names a bad setting."""
        networks = _parsed("SITELORE_ALLOW_PRIVATE_NETWORKS", self.allow_private_networks, None)
        ports = _parsed("SITELORE_ALLOWED_PORTS", None, self.allowed_ports)
        return replace(networks, allowed_ports=ports.allowed_ports)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "sitelore.db"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``SITELORE_*`` variables; keyword overrides (CLI flags) win."""
        source = os.environ if env is None else env
        values: dict[str, Any] = {"data_dir": default_data_dir(source)}
        for name, convert in _ENVIRONMENT.items():
            variable = "SITELORE_" + name.upper()
            raw = source.get(variable)
            if raw is not None and raw.strip():
                values[name] = _converted(variable, raw.strip(), convert)
        settings = cls(**values)
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


# The setting that widens each allowance of the network guard (see SECURITY.md), by the
# ``opened_by`` of a :class:`~sitelore.errors.RefusedByGuard`.
GUARD_SETTINGS = {
    "networks": "SITELORE_ALLOW_PRIVATE_NETWORKS (networks in CIDR form, or *)",
    "ports": "SITELORE_ALLOWED_PORTS",
}


class SettingError(ValueError):
    """An environment variable holds a value its setting cannot take (the message names it)."""


SWITCH = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}


def switch(raw: str) -> bool:
    """``on``/``off`` (also ``true``/``false``, ``1``/``0``), in any case."""
    try:
        return SWITCH[raw.lower()]
    except KeyError:
        raise ValueError(raw) from None


_ACCEPTS = {int: "a whole number", float: "a number", switch: "on or off"}
_NUMBERS = (int, float)


def _converted(variable: str, raw: str, convert: Any) -> Any:
    """``raw`` as its setting's type, or :class:`SettingError` naming the variable."""
    try:
        value = convert(raw)
    except ValueError:
        raise SettingError(f"{variable}={raw!r}: expected {_ACCEPTS[convert]}") from None
    if convert in _NUMBERS and value < 0:
        raise SettingError(f"{variable}={raw!r}: expected {_ACCEPTS[convert]} of 0 or more")
    return value


def _parsed(variable: str, networks: str | None, ports: str | None) -> NetworkPolicy:
    try:
        return NetworkPolicy.from_strings(networks, ports)
    except ValueError as error:
        raise ValueError(f"{variable}: {error}") from None


def default_data_dir(env: Mapping[str, str]) -> Path:
    """``SITELORE_DATA_DIR``, else the per-user data directory."""
    explicit = env.get("SITELORE_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "sitelore"


_ENVIRONMENT: dict[str, Any] = {
    "host": str,
    "port": int,
    "workers": int,
    "max_pages_cap": int,
    "sync_timeout": float,
    "rate_limit_per_minute": int,
    "max_concurrent_jobs_per_key": int,
    "max_body_bytes": int,
    "retention_seconds": float,
    "stale_after": float,
    "max_attempts": int,
    "webhook_first_retry": float,
    "housekeeping_interval": float,
    "job_timeout": float,
    "page_timeout": float,
    "page_processes": int,
    "page_max_elements": int,
    "page_max_depth": int,
    "chromium": str,
    "render_tabs": int,
    "render_timeout": float,
    "render_restart_after": int,
    "database_url": str,
    "database_pool_size": int,
    "shutdown_timeout": float,
    "max_connections": int,
    "header_timeout": float,
    "body_timeout": float,
    "max_streams_per_key": int,
    "metrics": switch,
    "metrics_port": int,
    "ui": switch,
    "allow_private_networks": str,
    "allowed_ports": str,
    "mcp_max_chars": int,
}
# The settings the environment can set (the README's table lists each of them).
SETTING_NAMES: tuple[str, ...] = tuple(_ENVIRONMENT)
