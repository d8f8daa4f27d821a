"""The loaders' framework-free part (:mod:`sitelore.integrations.items`): which options go
together, an item's text, blocking loads from async code; and that the frameworks load
only when asked for and reach no network."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sitelore.integrations.items import ItemSource, LoadedItem, run_blocking
from tests.apikit import child_env
from tests.integrations.conftest import Saved

SERVER = {"base_url": "http://127.0.0.1:1", "api_key": "sl_key"}


@pytest.mark.parametrize(
    ("url", "options", "error", "said"),
    [
        (None, {}, ValueError, "give one of url, job_id or domain (got none)"),
        ("http://a.test/", {"domain": "a.test"}, ValueError, "(got url and domain)"),
        (None, {"job_id": "job_1", "domain": "a.test"}, ValueError, "got job_id and domain"),
        (None, {"job_id": "job_1"}, ValueError, "a job_id names a job on a server"),
        (None, {"domain": "a.test", "base_url": "http://s"}, ValueError, "go together"),
        (None, {"domain": "a.test", "api_key": "k"}, ValueError, "go together"),
        (None, {"domain": "a.test", "max_pages": 3}, ValueError, "max_pages is only for a url"),
        (None, {"job_id": "j", "single_page": True, **SERVER}, ValueError, "only for a url"),
        (None, {"domain": "a", "data_dir": "/x", **SERVER}, ValueError, "in this process"),
        ("http://a.test/", {"chromium": "c", **SERVER}, ValueError, "chromium is only"),
        (None, {"domain": "a.test", "timeout": 3}, ValueError, "from a server"),
        (None, {"domain": "a.test", "maxPages": 3}, TypeError, "unknown option 'maxPages'"),
    ],
)
def test_options_that_do_not_go_together_are_refused(
    url: str | None, options: dict[str, Any], error: type[Exception], said: str
) -> None:
    with pytest.raises(error) as raised:
        ItemSource.of(url, options)
    assert said in str(raised.value)


@pytest.mark.parametrize(
    ("url", "options"),
    [
        ("http://a.test/", {"max_pages": 3, "include_patterns": ["/p*"], "chromium": None}),
        (None, {"domain": "a.test", "data_dir": "/tmp/x", "job_id": None}),
        (None, {"job_id": "job_1", "timeout": 5.0, **SERVER}),
        ("http://a.test/", {"single_page": True, **SERVER}),
    ],
)
def test_options_that_fit_are_taken(url: str | None, options: dict[str, Any]) -> None:
    source = ItemSource.of(url, options)
    assert source.url == url
    assert None not in source.options.values()  # an option given as None is not given


def test_one_pattern_given_as_a_string_is_one_pattern() -> None:
    source = ItemSource.of("http://a.test/", {"include_patterns": "/pricing*"})
    assert source.options.get("include_patterns") == ("/pricing*",)


def item(title: str, content: str) -> LoadedItem:
    return LoadedItem("kn_1", title, "", content, "FAQ", "http://a.test/", "a.test", "A")


@pytest.mark.parametrize(
    ("title", "content", "text"),
    [
        ("Starter", "## Starter\n\n$29/month", "## Starter\n\n$29/month"),
        ("Refunds", "Within 30 days, always.", "Refunds\n\nWithin 30 days, always."),
        ("Refunds", "\n  ## Refunds?\nYes.", "## Refunds?\nYes."),
        ("Hours", "", "Hours"),
        ("", "Just content.", "Just content."),
    ],
)
def test_an_items_text_names_its_title_once(title: str, content: str, text: str) -> None:
    assert item(title, content).text == text


def test_a_blocking_load_works_from_async_code_too(saved: Saved) -> None:
    source = ItemSource.of(None, {"domain": "127.0.0.1", "data_dir": saved.data_dir})

    async def from_a_running_loop() -> list[LoadedItem]:
        return source.load()  # the loop is busy here: the load gets a thread of its own

    assert asyncio.run(from_a_running_loop()) == source.load()
    assert run_blocking(source.aload()) == source.load()


FRAMEWORKS = ("langchain", "llama_index")

# Run in a child process: sitelore imports no framework, then both loaders read the
# local store, and LlamaIndex splits the documents into nodes (its tokenizer and sentence
# splitter are the code that could fetch tiktoken and NLTK files), with every connection
# and name lookup but loopback refused and recorded (an audit hook sees each before it
# happens; recorded too, since LlamaIndex swallows a failed NLTK download).
NO_NETWORK = textwrap.dedent(
    """
    import ipaddress, socket, sys

    def loopback(host):
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return host == "localhost"

    used = []

    def refuse(event, args):
        if event == "socket.connect" and args[0].family in (socket.AF_INET, socket.AF_INET6):
            if not loopback(args[1][0]):
                used.append(args[1])
                raise OSError(f"network used: {args[1]}")
        if event == "socket.getaddrinfo" and args[0] and not loopback(str(args[0])):
            used.append(args[0])
            raise OSError(f"name looked up: {args[0]}")

    sys.addaudithook(refuse)
    import sitelore, sitelore.client, sitelore.integrations.items
    sitelore.Client, sitelore.extract
    loaded = [name for name in sys.modules if name.split(".")[0] in FRAMEWORKS]
    assert not loaded, loaded
    from sitelore.integrations.langchain import SiteloreLoader
    from sitelore.integrations.llamaindex import SiteloreReader
    langchain = SiteloreLoader(domain="127.0.0.1", data_dir=DATA_DIR).load()
    llama = SiteloreReader(domain="127.0.0.1", data_dir=DATA_DIR).load_data()
    from llama_index.core.node_parser import SentenceSplitter
    nodes = SentenceSplitter(chunk_size=256, chunk_overlap=0).get_nodes_from_documents(llama)
    assert len(nodes) >= len(llama) and not used, used
    print(len(langchain), len(llama))
    """
)


def test_the_frameworks_load_when_asked_for_and_reach_no_network(
    saved: Saved, tmp_path: Path
) -> None:
    script = f"FRAMEWORKS = {FRAMEWORKS!r}\nDATA_DIR = {str(saved.data_dir)!r}\n" + NO_NETWORK
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=child_env(HOME=str(tmp_path)),  # and no cache of the user's to find things in
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    count = len(saved.result["knowledgeItems"])
    assert done.stdout.splitlines()[-1].split() == [str(count), str(count)]
