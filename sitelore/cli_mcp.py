"""``sitelore mcp``: the MCP tools for a desktop agent, over stdio (the extra ``sitelore[mcp]``).

Heavy modules are imported inside the command so that ``sitelore --help`` starts fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from sitelore.cli_args import check_range
from sitelore.cli_server import DataDirOption

HELP = """Serve sitelore's tools to an AI agent over MCP on stdin/stdout.

The agent starts it (its MCP configuration: command "sitelore", args ["mcp"]). Crawls run
as jobs in this process, on the data directory (or SITELORE_DATABASE_URL); what they find
is kept for the local owner, so `sitelore search` sees it too. The data directory is
locked while it runs: beside a running `sitelore serve`, give the agent the server's /mcp.

The network guard is on, as for `sitelore serve`, since the agent chooses the URLs: no
private, loopback or link-local addresses, only ports 80, 443 and 8000-8999. For an
intranet, start it with SITELORE_ALLOW_PRIVATE_NETWORKS=10.0.0.0/8 (CIDR blocks, or *) and
SITELORE_ALLOWED_PORTS=80,443,8080 (or *) in its environment (the "env" of its MCP entry).
"""


def register(app: typer.Typer) -> None:
    app.command(name="mcp", help=HELP)(mcp)


def mcp(
    workers: Annotated[
        int | None,
        typer.Option(help="Jobs run at once in this process [default: 4, SITELORE_WORKERS]."),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    import importlib.util

    from sitelore.cli_server import _lock, _run, _settings
    from sitelore.errors import SiteloreError

    if importlib.util.find_spec("mcp") is None:
        raise SiteloreError("sitelore mcp needs the mcp package: pip install 'sitelore[mcp]'")
    if workers is not None:
        check_range("--workers", workers, 1, 64)
    settings = _settings(workers=workers, data_dir=data_dir)
    from sitelore.mcp.stdio import serve_stdio

    lock = _lock(settings)  # workers recover the store's running jobs: one process only
    try:
        _run(serve_stdio(settings))
    finally:
        if lock is not None:
            lock.release()
