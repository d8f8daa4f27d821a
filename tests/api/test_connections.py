"""The door of a real ``sitelore serve``: slow clients are timed out, idle connections past
the cap get ``503`` (never a reset or a ``500``), the open-file limit is lifted, event
streams are capped per key, and SIGTERM ends the process with a stream still open."""

from __future__ import annotations

import signal
import socket
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.apikit import Key, ServeProcess, create_key, submit
from tests.webserver import Response, WebServer

PATIENCE = 15.0  # far above the 1 s timeouts the servers below run with


@pytest.fixture
def key(tmp_path: Path) -> Key:
    return create_key(tmp_path / "data", "main")


def start(
    tmp_path: Path,
    started: list[ServeProcess],
    file_limit: tuple[int, int] | None = None,
    /,
    **env: str,
) -> ServeProcess:
    server = ServeProcess(tmp_path / "data", tmp_path / "serve.log", file_limit, workers=1, **env)
    started.append(server)
    return server.wait_ready()


def answer_to(server: ServeProcess, sent: bytes) -> bytes:
    """Send ``sent`` and stop; what the server says before it closes the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE) as client:
        client.sendall(sent)
        received = b""
        while chunk := client.recv(65536):  # a timeout raises: the server held on
            received += chunk
    return received


@pytest.mark.parametrize(
    ("setting", "sent"),
    [
        ("SITELORE_HEADER_TIMEOUT", b"GET /healthz HTTP/1.1\r\nHost: x\r\n"),
        ("SITELORE_HEADER_TIMEOUT", b""),
        (
            "SITELORE_BODY_TIMEOUT",
            b"POST /v1/extract/async HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"url": ',
        ),
    ],
    ids=["partial-headers", "nothing-sent", "partial-body"],
)
def test_a_client_too_slow_to_send_its_request_gets_408_and_is_closed(
    tmp_path: Path, serve: list[ServeProcess], setting: str, sent: bytes
) -> None:
    server = start(tmp_path, serve, **{setting: "1"})
    began = time.monotonic()
    answer = answer_to(server, sent)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"not sent in time" in answer
    assert time.monotonic() - began < PATIENCE


def test_idle_connections_past_the_cap_get_503_and_the_server_recovers(
    tmp_path: Path, serve: list[ServeProcess], key: Key
) -> None:
    """Soft file limit 200, hard 300: the server lifts it to 300 and holds at most 172
    connections; 250 idle ones would exhaust the files it had at start."""
    server = start(tmp_path, serve, (200, 300))
    assert open_file_limits(server) == (300, 300)
    assert "up to 172 connections" in server.stderr()
    with ExitStack() as idle:
        for _ in range(250):
            idle.enter_context(socket.create_connection(("127.0.0.1", server.port)))
        with httpx.Client(base_url=server.url, timeout=PATIENCE) as client:
            health = client.get("/healthz")
            submission = client.post(
                "/v1/extract/async", json={"url": "http://127.0.0.1:9/"},
                headers={"x-api-key": key.key},
            )  # fmt: skip
        for response in (health, submission):
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "1"
            assert "too many open connections" in response.json()["message"]
    with httpx.Client(base_url=server.url, timeout=PATIENCE) as client:
        assert client.get("/healthz").status_code == 200


def open_file_limits(server: ServeProcess) -> tuple[int, int]:
    limits = Path(f"/proc/{server.process.pid}/limits").read_text()
    line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    soft, hard = line.split()[3:5]
    return int(soft), int(hard)


@pytest.fixture
def slow_site(web: WebServer) -> str:
    """A site whose home page takes a minute to answer: its job stays running."""
    web.add_route("127.0.0.1", "/", Response(body=b"<p>late</p>", delay=60))
    return f"http://127.0.0.1:{web.port}/"


def test_event_streams_are_capped_per_key(
    tmp_path: Path, serve: list[ServeProcess], key: Key, slow_site: str
) -> None:
    other = create_key(tmp_path / "data", "other")
    server = start(tmp_path, serve, SITELORE_MAX_STREAMS_PER_KEY="2")
    mine = httpx.Client(base_url=server.url, headers={"x-api-key": key.key}, timeout=PATIENCE)
    theirs = httpx.Client(base_url=server.url, headers={"x-api-key": other.key}, timeout=PATIENCE)
    with ExitStack() as streams, mine, theirs:
        job = submit(mine, {"url": slow_site, "singlePage": True})
        events = f"/v1/jobs/{job}/events"
        first = streams.enter_context(mine.stream("GET", events))
        second = streams.enter_context(mine.stream("GET", events))
        assert (first.status_code, second.status_code) == (200, 200)
        refused = mine.get(events)
        assert refused.status_code == 429, refused.text
        assert "2 event streams open" in refused.json()["message"]
        assert refused.headers["retry-after"] == "5"
        stream_body = {"url": slow_site, "singlePage": True}
        assert mine.post("/v1/extract/stream", json=stream_body).status_code == 429
        theirs_job = submit(theirs, {"url": slow_site, "singlePage": True})
        with theirs.stream("GET", f"/v1/jobs/{theirs_job}/events") as response:
            assert response.status_code == 200
        first.close()
        with mine.stream("GET", events) as again:
            assert again.status_code == 200


def test_sigterm_with_an_event_stream_open_ends_within_the_shutdown_timeout(
    tmp_path: Path, serve: list[ServeProcess], key: Key, slow_site: str
) -> None:
    server = start(tmp_path, serve, SITELORE_SHUTDOWN_TIMEOUT="2")
    with httpx.Client(base_url=server.url, headers={"x-api-key": key.key}, timeout=30) as client:
        job = submit(client, {"url": slow_site, "singlePage": True})
        with client.stream("GET", f"/v1/jobs/{job}/events") as stream:
            assert stream.status_code == 200
            server.process.send_signal(signal.SIGTERM)
            server.process.wait(timeout=PATIENCE)  # raises if it hangs on the stream
