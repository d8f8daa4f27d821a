"""One page in its own browser context: opened, loaded, let settle, read, closed.

Every target of the page (the page, its out-of-process iframes, workers and service
workers, attached as they appear and held until they are set up) has CDP ``Fetch``
enabled, so every request it makes is paused and answered here: the page's own document
from the HTML it was given or from :class:`~sitelore.crawl.sources.browsernet.BrowserNetwork`,
any later navigation of the page by a script with "204 No Content" (the page stays), and
everything else by the network. Without a network (``network=None``, the unconfined test
mode) nothing is intercepted and the browser fetches for itself.

Settling: after the ``load`` event the page is read once no request has been in flight and
the DOM (its nodes and text) has not changed for :data:`QUIET` seconds, or at the cap.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import Coroutine
from functools import partial
from typing import Any

from sitelore.crawl.fetcher import REDIRECT_STATUSES
from sitelore.crawl.sources.browsernet import Answer, BrowserNetwork, Refusal
from sitelore.crawl.sources.cdp import Browser, BrowserGone, CDPError
from sitelore.errors import FetchError

__all__ = ["QUIET", "Tab", "TabFailed"]

log = logging.getLogger("sitelore.browser")

QUIET = 0.1  # seconds without a request in flight or a DOM change: the page is done
POLL = 0.025
CLOSE_TIMEOUT = 5.0
FETCH_EVERYTHING = {"patterns": [{"urlPattern": "*", "requestStage": "Request"}]}
# Targets the page starts (iframes in other processes, workers, service workers) wait for
# us: nothing of theirs runs before their requests are intercepted too.
AUTO_ATTACH = {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True}
WORLD = "sitelore"
# Runs in an isolated world: the page's scripts can neither see it nor change what it uses.
# Attribute changes are left out: carousels and animations change them forever.
OBSERVER = """(() => {
  let last = performance.now();
  new MutationObserver(() => { last = performance.now(); }).observe(
    document, {subtree: true, childList: true, characterData: true});
  globalThis.__siteloreQuiet = () => performance.now() - last;
})()"""
SNAPSHOT = """[
  (document.doctype ? '<!DOCTYPE ' + document.doctype.name + '>' : '') +
    (document.documentElement ? document.documentElement.outerHTML : ''),
  document.URL]"""


class TabFailed(Exception):
    """The page could not be rendered; the message says why."""


class Tab:
    """One page in a fresh browser context of ``browser``; :meth:`close` disposes of both.

    ``pictures``: images and fonts are fetched too (screenshots); a render refuses them.
    """

    def __init__(
        self, browser: Browser, network: BrowserNetwork | None, *, pictures: bool = False
    ) -> None:
        self.browser = browser
        self.network = network
        self.pictures = pictures
        self.context: str | None = None
        self.session = ""
        self.frame_id = ""
        self.status = 0  # the document's status as served; 0 when the browser fetched it
        self.document_error: FetchError | None = None
        self._document: tuple[bytes, str, int] | None = None
        self._document_done = False
        self._sessions: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loads: set[str] = set()
        self._changed = asyncio.Event()
        self._failure: str | None = None
        self._in_flight = 0
        self._activity = 0.0
        self._world: int | None = None

    async def open(self, width: int, height: int) -> None:
        """Create the context and its page, attached and (when confined) intercepted."""
        created = await self.browser.send("Target.createBrowserContext", {"disposeOnDetach": True})
        self.context = created["browserContextId"]
        # A document that is a download (a PDF, an archive) must not write files.
        deny = {"behavior": "deny", "browserContextId": self.context}
        await self.browser.send("Browser.setDownloadBehavior", deny)
        target = await self.browser.send(
            "Target.createTarget",
            {"url": "about:blank", "browserContextId": self.context, "width": width,
             "height": height},
        )  # fmt: skip
        attached = await self.browser.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        self.session = attached["sessionId"]
        self._follow(self.session)
        setup = [
            self._send("Page.enable"),
            self._send("Page.setLifecycleEventsEnabled", {"enabled": True}),
        ]
        if self.network is not None:
            setup += [self._send("Fetch.enable", FETCH_EVERYTHING)]
            setup += [self._send("Target.setAutoAttach", AUTO_ATTACH)]
        await asyncio.gather(*setup)
        tree = await self._send("Page.getFrameTree")
        self.frame_id = tree["frameTree"]["frame"]["id"]

    async def load(self, url: str, document: tuple[bytes, str, int] | None = None) -> None:
        """Navigate to ``url`` and wait for its ``load`` event. ``document`` (body, content
        type, status) is served as the page's document instead of fetching it."""
        self._document = document
        self._activity = _now()
        navigated = await self._send("Page.navigate", {"url": url})
        if navigated.get("errorText"):
            if self.document_error is not None:
                raise self.document_error
            raise TabFailed(f"the browser could not open it ({navigated['errorText']})")
        loader = navigated.get("loaderId", "")
        while loader not in self._loads:
            await self._wait()

    async def settle(self, cap: float) -> None:
        """Wait until no request is in flight and the DOM is still for :data:`QUIET` s."""
        deadline = _now() + cap
        context = await self._isolated_world()
        await self._evaluate(OBSERVER, context)
        while (left := deadline - _now()) > 0:
            self._check()
            network_quiet = _now() - self._activity
            if self._in_flight or network_quiet < QUIET:
                await asyncio.sleep(min(POLL, left))
                continue
            dom_quiet = float(await self._evaluate("__siteloreQuiet()", context)) / 1000
            if dom_quiet >= QUIET:
                return
            await asyncio.sleep(min(QUIET - dom_quiet, left))

    async def snapshot(self) -> tuple[str, str]:
        """The page's HTML now, and its URL (scripts may have changed it)."""
        html, url = await self._evaluate(SNAPSHOT, await self._isolated_world())
        return str(html), str(url)

    async def screenshot(self) -> bytes:
        """A PNG of the page's viewport."""
        shot = await self._send("Page.captureScreenshot", {"format": "png"})
        return base64.b64decode(shot["data"])

    async def close(self) -> None:
        """Stop answering for the page and dispose of its context (and so of its targets).

        Raises ``TimeoutError`` when the browser does not answer: it is stuck.
        """
        for task in self._tasks:
            task.cancel()
        for session in self._sessions:
            self.browser.forget(session)
        if self.context is not None and self.browser.alive:
            with contextlib.suppress(BrowserGone, CDPError):
                await asyncio.wait_for(
                    self.browser.send(
                        "Target.disposeBrowserContext", {"browserContextId": self.context}
                    ),
                    CLOSE_TIMEOUT,
                )

    # -- events -------------------------------------------------------------------------

    def _follow(self, session: str) -> None:
        self._sessions.add(session)
        self.browser.listen(session, partial(self._on_event, session))

    def _on_event(self, session: str, method: str, params: dict[str, Any]) -> None:
        if method == "Fetch.requestPaused":
            self._spawn(self._answer(session, params))
        elif method == "Target.attachedToTarget":
            self._spawn(self._adopt(params))
        elif method == "Target.detachedFromTarget":
            self._sessions.discard(params.get("sessionId", ""))
            self.browser.forget(params.get("sessionId", ""))
        elif method == "Page.lifecycleEvent":
            if params.get("name") == "load" and params.get("frameId") == self.frame_id:
                self._loads.add(params.get("loaderId", ""))
                self._changed.set()
        elif method == "Page.javascriptDialogOpening":
            self._spawn(self._quietly("Page.handleJavaScriptDialog", {"accept": False}))
        elif method == "Inspector.targetCrashed":
            self._failure = "the page's process crashed"
            self._changed.set()

    async def _adopt(self, params: dict[str, Any]) -> None:
        """A target the page started: intercept it, then let it run."""
        child = params["sessionId"]
        self._follow(child)
        try:
            await self.browser.send("Fetch.enable", FETCH_EVERYTHING, child)
        except CDPError as error:  # left waiting: it never runs, so it fetches nothing
            log.debug("cannot intercept %s: %s", params.get("targetInfo"), error)
            return
        with contextlib.suppress(CDPError):  # workers have no targets of their own
            await self.browser.send("Target.setAutoAttach", AUTO_ATTACH, child)
        await self._quietly("Runtime.runIfWaitingForDebugger", {}, child)

    async def _answer(self, session: str, paused: dict[str, Any]) -> None:
        self._in_flight += 1
        self._activity = _now()
        request_id = paused["requestId"]
        try:
            try:
                answer = await self._choose(session, paused)
            except Refusal as refusal:
                failed = {"requestId": request_id, "errorReason": refusal.reason}
                await self._quietly("Fetch.failRequest", failed, session)
                return
            except Exception:  # a bug must not leave the request paused: the page would hang
                log.exception("answering %s failed", paused["request"].get("url"))
                failed = {"requestId": request_id, "errorReason": "Failed"}
                await self._quietly("Fetch.failRequest", failed, session)
                return
            await self._quietly("Fetch.fulfillRequest", answer.fulfil(request_id), session)
        finally:
            self._in_flight -= 1
            self._activity = _now()

    async def _choose(self, session: str, paused: dict[str, Any]) -> Answer:
        assert self.network is not None
        own_document = (
            session == self.session
            and paused.get("frameId") == self.frame_id
            and paused.get("resourceType") == "Document"
        )
        if not own_document:
            return await self.network.answer(paused, pictures=self.pictures)
        if self._document_done:  # a script navigating away: "No Content", the page stays
            return Answer(204, ())
        if self._document is not None:
            body, content_type, status = self._document
            self._document_done, self.status = True, status
            return Answer(status, (("Content-Type", content_type),), body)
        try:
            answer = await self.network.answer(paused)
        except Refusal as refusal:
            self.document_error = refusal.error
            raise
        if answer.status not in REDIRECT_STATUSES:
            self._document_done, self.status = True, answer.status
        return answer

    # -- plumbing -----------------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            if not isinstance(error, BrowserGone):
                log.warning("browser event handling failed: %r", error)

    async def _send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        return await self.browser.send(method, params, session or self.session)

    async def _quietly(
        self, method: str, params: dict[str, Any], session: str | None = None
    ) -> None:
        """A command whose failure changes nothing (the request or page is already gone)."""
        with contextlib.suppress(CDPError, BrowserGone):
            await self._send(method, params, session)

    async def _isolated_world(self) -> int:
        if self._world is None:
            world = await self._send(
                "Page.createIsolatedWorld", {"frameId": self.frame_id, "worldName": WORLD}
            )
            self._world = int(world["executionContextId"])
        return self._world

    async def _evaluate(self, expression: str, context: int) -> Any:
        evaluated = await self._send(
            "Runtime.evaluate",
            {"expression": expression, "contextId": context, "returnByValue": True},
        )
        if "exceptionDetails" in evaluated:
            detail = evaluated["exceptionDetails"].get("text", "an exception")
            raise TabFailed(f"reading the page failed ({detail})")
        return evaluated["result"].get("value")

    async def _wait(self) -> None:
        """Until the next event that matters, or the end of the page or the browser."""
        self._check()
        self._changed.clear()
        waits = [asyncio.ensure_future(self._changed.wait())]
        waits.append(asyncio.ensure_future(self.browser.dead.wait()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
        self._check()

    def _check(self) -> None:
        if not self.browser.alive:
            raise BrowserGone("the browser stopped")
        if self._failure is not None:
            raise TabFailed(self._failure)


def _now() -> float:
    return asyncio.get_running_loop().time()
