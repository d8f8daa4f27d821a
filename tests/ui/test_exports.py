"""The export and curl functions of the dashboard, run in the browser on hostile text: a
crawled site's words must neither break a CSV row, nor run as a spreadsheet formula, nor
escape the shell quoting of a copied command."""

from __future__ import annotations

import csv
import io
import json
import shlex
import subprocess
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.ui.uikit import Dashboard

HOSTILE = [
    "plain",
    'say "hi", then\nleave\r\nnow',
    '=HYPERLINK("http://evil.test","x")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\ttabbed",
    "Ünïcödé — “quotes” ✓",
    "",
]
GUARDED = ("=", "+", "-", "@", "\t", "\r")


def _module(page: Page, dashboard: Dashboard, call: str, *args: Any) -> Any:
    page.goto(dashboard.url)
    return page.evaluate(
        f"async (args) => {{ const m = await import('./exports.js'); return m.{call}(...args); }}",
        list(args),
    )


def _item(text: str) -> dict[str, str]:
    return {
        "category": "FAQ",
        "title": text,
        "description": text,
        "content": text,
        "source": "http://acme.test/faq/",
    }


def test_csv_keeps_every_cell_whole_and_defuses_formulas(ui: Page, dashboard: Dashboard) -> None:
    result = {"knowledgeItems": [_item(text) for text in HOSTILE]}
    text = _module(ui, dashboard, "toCsv", result)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 1 + len(HOSTILE)
    for row, original in zip(rows[1:], HOSTILE, strict=True):
        expected = "'" + original if original.startswith(GUARDED) else original
        assert row == ["FAQ", expected, expected, expected, "http://acme.test/faq/"], original


@pytest.mark.parametrize(
    "url",
    ["http://acme.test/", "http://acme.test/it's/", "http://acme.test/$(touch x)/`id`/"],
)
def test_curl_quotes_what_the_shell_would_read(ui: Page, dashboard: Dashboard, url: str) -> None:
    request = {"url": url, "maxPages": 3, "includePatterns": ["/a'b*"]}
    command = _module(ui, dashboard, "curlFor", "http://127.0.0.1:1", request, None)
    words = shlex.split(command.replace("\\\n", " "))
    assert words[words.index("-d") + 1] == json.dumps(request, separators=(",", ":"))
    # The shell itself reads it the same way (echo, not curl: nothing is sent).
    shown = subprocess.run(
        ["bash", "-c", command.replace("curl ", "printf '%s\\n' ", 1)],
        capture_output=True,
        text=True,
        env={"SITELORE_API_KEY": "sl_k"},
        check=True,
    ).stdout.splitlines()
    assert json.loads(shown[shown.index("-d") + 1]) == request
    assert "x-api-key: sl_k" in shown


def test_markdown_puts_each_item_under_its_category(ui: Page, dashboard: Dashboard) -> None:
    items = [_item("One"), {**_item("Two"), "category": "USE_CASE"}]
    result = {"business": {"name": "Acme", "domain": "acme.test"}, "knowledgeItems": items}
    text = _module(ui, dashboard, "toMarkdown", result)
    assert text.startswith("# Acme\n")
    assert "## FAQ (1)\n\n### One\n" in text and "## Use case (1)\n\n### Two\n" in text
