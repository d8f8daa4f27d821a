"""``sitelore classify``: the classification as JSON on stdout, against the local server
(addressed by its literal loopback address, as in ``test_cli``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitelore.cli import main
from tests.test_cli import PROXY_VARIABLES
from tests.webserver import WebServer


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_classify_prints_the_classification(
    web: WebServer, sites: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    web.add_site("127.0.0.1", sites / "acme")
    home = f"http://127.0.0.1:{web.port}/"
    assert main(["classify", home]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["businessName"] == "Acme" and answer["businessType"] == "Organization"
    assert answer["pages"] == [home, home + "about/"]


def test_a_bad_url_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "ftp://example.test/"]) == 2
    assert "url must start with http:// or https://" in capsys.readouterr().err
