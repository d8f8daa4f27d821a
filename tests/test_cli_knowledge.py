"""``sitelore extract --save`` keeps what it extracted in the local store, and ``sitelore
search`` finds it: all words required, phrases, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitelore.cli import main
from tests.webserver import WebServer


@pytest.fixture
def local_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SITELORE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SITELORE_DATABASE_URL", raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "data"


@pytest.fixture
def site(web: WebServer, sites: Path) -> str:
    web.add_site("127.0.0.1", sites / "acme")
    return f"http://127.0.0.1:{web.port}/"


def search(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["search", *args]) == 0
    found: dict[str, object] = json.loads(capsys.readouterr().out)
    return found


def test_extract_save_then_search(
    site: str, local_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", site, "-q", "--max-pages", "5", "--save"]) == 0
    said = capsys.readouterr().err
    assert "saved the knowledge of 127.0.0.1 to" in said and str(local_store) in said
    found = search(capsys, "technicians")
    assert isinstance(found["total"], int) and found["total"] >= 1
    assert found["query"] == "technicians"
    hits = found["hits"]
    assert isinstance(hits, list) and all(hit["domain"] == "127.0.0.1" for hit in hits)
    assert search(capsys, "zebra crossing unicorn")["total"] == 0


def test_a_partial_save_keeps_the_other_pages_items(
    site: str, local_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", site, "-q", "--max-pages", "5", "--save"]) == 0
    capsys.readouterr()
    before = search(capsys, "technicians")["total"]
    assert main(["extract", site + "pricing/", "-q", "--single-page", "--save"]) == 0
    capsys.readouterr()
    assert search(capsys, "technicians")["total"] == before


@pytest.mark.parametrize(
    ("args", "said"),
    [(['"'], "no words"), (["pricing", "--category", "nope"], "--category must be one of")],
)
def test_bad_searches_are_one_line_and_exit_2(
    local_store: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert main(["search", *args]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and said in error
