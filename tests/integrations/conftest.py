"""Fixtures of the loader tests: both frameworks behind one signature, a local store filled
by ``sitelore extract --save``, and a real sitelore server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sitelore.cli import main
from tests.apikit import PROXY_VARIABLES, Api, ApiServer, create_key, quick_settings
from tests.webserver import WebServer


@dataclass(frozen=True)
class Loaded:
    """A framework's document, as the tests compare them: its id, text and metadata."""

    id: str | None
    text: str
    metadata: dict[str, Any]


Load = Callable[..., list[Loaded]]  # load(url=None, **options): a loader's documents


def langchain_load(url: str | None = None, **options: Any) -> list[Loaded]:
    from sitelore.integrations.langchain import SiteloreLoader

    documents = SiteloreLoader(url, **options).load()
    return [Loaded(doc.id, doc.page_content, doc.metadata) for doc in documents]


def langchain_aload(url: str | None = None, **options: Any) -> list[Loaded]:
    from sitelore.integrations.langchain import SiteloreLoader

    async def run() -> list[Loaded]:
        loader = SiteloreLoader(url, **options)
        return [Loaded(doc.id, doc.page_content, doc.metadata) async for doc in loader.alazy_load()]

    return asyncio.run(run())


def llamaindex_load(url: str | None = None, **options: Any) -> list[Loaded]:
    from sitelore.integrations.llamaindex import SiteloreReader

    documents = SiteloreReader(url, **options).load_data()
    return [Loaded(doc.id_, doc.text, doc.metadata) for doc in documents]


def llamaindex_aload(url: str | None = None, **options: Any) -> list[Loaded]:
    from sitelore.integrations.llamaindex import SiteloreReader

    async def run() -> list[Loaded]:
        documents = await SiteloreReader(url, **options).aload_data()
        return [Loaded(doc.id_, doc.text, doc.metadata) for doc in documents]

    return asyncio.run(run())


LOADERS = {
    "langchain": langchain_load,
    "langchain-async": langchain_aload,
    "llamaindex": llamaindex_load,
    "llamaindex-async": llamaindex_aload,
}


@pytest.fixture(params=["langchain", "llamaindex"])
def load(request: pytest.FixtureRequest) -> Load:
    """Each framework's loader: ``load(url, **options)``, its documents."""
    return LOADERS[request.param]


@pytest.fixture(params=list(LOADERS))
def each_load(request: pytest.FixtureRequest) -> Load:
    """:func:`load` and each framework's async loading."""
    return LOADERS[request.param]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:  # every request stays on loopback
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def local_site(web: WebServer, sites: Path) -> str:
    """The acme fixture site on the literal loopback address; its home URL."""
    web.add_site("127.0.0.1", sites / "acme")
    return f"http://127.0.0.1:{web.port}/"


@dataclass(frozen=True)
class Saved:
    """What ``sitelore extract --save`` printed, and the store it saved it in."""

    result: dict[str, Any]
    data_dir: Path


@pytest.fixture
def saved(
    local_site: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Saved:
    """The local site extracted by the CLI (5 pages) and saved to a local store."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("SITELORE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("SITELORE_DATABASE_URL", raising=False)
    out = tmp_path / "result.json"
    assert main(["extract", local_site, "-q", "--max-pages", "5", "--save", "-o", str(out)]) == 0
    capsys.readouterr()
    return Saved(json.loads(out.read_text(encoding="utf-8")), data_dir)


@pytest.fixture
def server(tmp_path: Path, web: WebServer) -> Iterator[Api]:
    """A real sitelore server (uvicorn on 127.0.0.1) that resolves the web server's sites."""
    directory = tmp_path / "server"
    key, other = create_key(directory, "main"), create_key(directory, "other")
    running = ApiServer(quick_settings(directory), web.resolver()).start()
    api = Api(running, key, other, directory)
    yield api
    api.close()
    running.stop()
