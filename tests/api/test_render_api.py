"""Rendering through the API: ``render`` on the request, ``rendered`` on page events,
``warnings`` on the result, and ``POST /v1/screenshot`` through the guarded browser."""

from __future__ import annotations

import base64

from tests.api.conftest import StartApi
from tests.apikit import error_body, submit, wait_job
from tests.spakit import serve_app
from tests.webserver import WebServer

PNG = b"\x89PNG\r\n\x1a\n"


def test_a_client_rendered_site_through_the_api(start_api: StartApi, web: WebServer) -> None:
    home = serve_app(web, "lumen.test", "lumen-spa")
    client = start_api().client()
    job = wait_job(client, submit(client, {"url": home, "maxPages": 3}), timeout=60)
    assert job["status"] == "completed", job
    assert job["result"]["business"]["name"] == "Lumen Ledger"
    assert job["result"]["warnings"] == []
    events = client.get(f"/v1/jobs/{job['id']}/events", headers={"accept": "text/event-stream"})
    assert '"rendered":true' in events.text


def test_render_never_and_a_bad_mode(start_api: StartApi, web: WebServer) -> None:
    home = serve_app(web, "lumen.test", "lumen-spa")
    client = start_api().client()
    job = wait_job(client, submit(client, {"url": home, "render": "never"}), timeout=60)
    assert job["result"]["knowledgeItems"] == []
    response = client.post("/v1/extract/async", json={"url": home, "render": "sometimes"})
    assert "render" in error_body(response, 400)


def test_without_a_browser_always_fails_and_auto_warns(start_api: StartApi, web: WebServer) -> None:
    home = serve_app(web, "lumen.test", "lumen-spa")
    client = start_api(chromium="/nonexistent/chromium").client()
    failed = wait_job(client, submit(client, {"url": home, "render": "always"}), timeout=60)
    assert failed["status"] == "failed"
    assert "apt-get install chromium-headless-shell" in failed["error"]
    warned = wait_job(client, submit(client, {"url": home}), timeout=60)
    assert warned["status"] == "completed"
    assert "apt-get install chromium-headless-shell" in warned["result"]["warnings"][0]


def test_a_screenshot_is_a_png_of_the_rendered_page(start_api: StartApi, web: WebServer) -> None:
    home = serve_app(web, "lumen.test", "lumen-spa")
    client = start_api().client()
    response = client.post("/v1/screenshot", json={"url": home})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["url"] == home
    assert base64.b64decode(body["screenshot"]).startswith(PNG)


def test_a_screenshot_obeys_the_guard_and_needs_a_browser(
    start_api: StartApi, web: WebServer
) -> None:
    guarded = start_api(allow_private_networks="", allowed_ports="80,443").client()
    refused = guarded.post("/v1/screenshot", json={"url": "http://10.0.0.5/"})
    assert "10.0.0.5 is a private address" in error_body(refused, 400)
    home = serve_app(web, "lumen.test", "lumen-spa")
    without = start_api(chromium="/nonexistent/chromium").client()
    missing = without.post("/v1/screenshot", json={"url": home})
    assert "apt-get install chromium-headless-shell" in error_body(missing, 503)
