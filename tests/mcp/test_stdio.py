"""A real ``sitelore mcp`` process, spoken to over stdio by the SDK's client.

The fixture site is on the literal address 127.0.0.1 (the child resolves no test names),
so the child's network guard is opened for loopback the documented way: the
``SITELORE_ALLOW_PRIVATE_NETWORKS`` and ``SITELORE_ALLOWED_PORTS`` of its environment.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from sitelore.cli import main
from sitelore.models import ExtractRequest
from tests.apikit import child_env, create_key, run_store
from tests.mcp.toolkit import QUERY, Session, acceptance, check_acceptance, check_not_found, error
from tests.webserver import WebServer

SMALL = 3_000


def sitelore_mcp(data_dir: Path, **env: str) -> StdioServerParameters:
    command = ["-m", "sitelore", "mcp", "--data-dir", str(data_dir), "--workers", "2"]
    # The settings are the test's alone, whatever the environment of the test run says.
    quiet = {"SITELORE_DATABASE_URL": "", "SITELORE_ALLOW_PRIVATE_NETWORKS": ""}
    return StdioServerParameters(
        command=sys.executable, args=command, env=child_env(**{**quiet, **env})
    )


@pytest.fixture
def site(web: WebServer, sites: Path) -> str:
    web.add_site("127.0.0.1", sites / "acme")
    return f"http://127.0.0.1:{web.port}/"


def test_the_acceptance_over_stdio(
    site: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    other = create_key(data_dir, "a key of a server on the same data")
    request = ExtractRequest(site, single_page=True)
    theirs = run_store(data_dir / "sitelore.db", lambda store: store.create_job(other.id, request))
    opened = {
        "SITELORE_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
        "SITELORE_ALLOWED_PORTS": site.rsplit(":", 1)[1].strip("/"),
        "SITELORE_MCP_MAX_CHARS": str(SMALL),
    }

    async def work() -> Session:
        async with Client(sitelore_mcp(data_dir, **opened)) as client:
            session = await acceptance(client, site, SMALL)
            await check_not_found(client, theirs.id)
            return session

    check_acceptance(asyncio.run(work()), "127.0.0.1")
    # What the agent extracted is the local owner's: `sitelore search` finds it.
    assert main(["search", QUERY, "--data-dir", str(data_dir)]) == 0
    found: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert found["total"] >= 1 and found["hits"][0]["domain"] == "127.0.0.1"


def test_the_guard_is_on_by_default_and_says_how_to_open_it(site: str, tmp_path: Path) -> None:
    async def work() -> str:
        async with Client(sitelore_mcp(tmp_path / "data", SITELORE_ALLOWED_PORTS="*")) as client:
            return error(await client.call_tool("extract_knowledge", {"url": site}))

    said = asyncio.run(work())
    assert "127.0.0.1" in said and "SITELORE_ALLOW_PRIVATE_NETWORKS" in said, said
    assert "sitelore mcp allows it" in said, said
