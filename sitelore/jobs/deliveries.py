"""Webhook deliveries: persisted first, then POSTed until a 2xx, with exponential backoff.

A delivery is written to the store before any attempt, so it survives a restart; the
sender loop runs beside the workers and never touches the job it reports on. A delivery to
a job's ``callbackUrl`` is signed with its key's webhook secret, one to an account webhook
with that webhook's ``token`` (the store reads it with the due deliveries).

The network guard applies at send time: the callback URL is judged by the policy before
each attempt, and the client's guarded resolver judges the addresses it resolves to. A
refused delivery is recorded failed with the ``Blocked: ...`` message and never retried.
Redirects are not followed (a 3xx is a failed attempt): a receiver cannot bounce the
signed body to an address the guard would refuse.

Whatever stops an attempt -- the network, the receiver, or a URL the client cannot send to
(stored by an older version that accepted it) -- is a failed attempt, logged in one line:
after ``max_attempts`` the delivery ends ``failed`` with its reason, never leased again.
"""

from __future__ import annotations

import asyncio
import logging
import time

import httpx

from sitelore.core.netpolicy import NetworkPolicy
from sitelore.crawl.transport import blocked_cause
from sitelore.jobs.hub import wait_for
from sitelore.jobs.metrics import DELIVERED, GAVE_UP, RETRYING, JobMetrics, unrecorded
from sitelore.jobs.models import Delivery
from sitelore.jobs.store import JobStore, StoreUnavailable
from sitelore.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, sign

log = logging.getLogger("sitelore.webhooks")

FIRST_RETRY = 5.0
MAX_RETRY = 900.0
MAX_ATTEMPTS = 10  # 5 s doubling, capped at 15 min: about an hour of retries in all
LEASE = 60.0  # a delivery being sent is nobody else's for this long
INTERRUPTED = "interrupted: the sender stopped"
BLOCKED = "Blocked: "  # the prefix of errors the network guard gives: never retried


def retry_delay(attempts: int, first: float = FIRST_RETRY) -> float:
    delay: float = first * 2.0 ** max(attempts - 1, 0)
    return min(delay, MAX_RETRY)


class DeliverySender:
    """Sends due deliveries; ``run()`` until cancelled, ``send_due()`` once (tests, burst).

    ``client`` should come from :func:`~sitelore.crawl.transport.build_client` with the same
    ``policy``, so that the addresses a callback host resolves to are judged too.
    """

    def __init__(
        self,
        store: JobStore,
        client: httpx.AsyncClient,
        *,
        timeout: float = 10.0,
        first_retry: float = FIRST_RETRY,
        max_attempts: int = MAX_ATTEMPTS,
        poll_interval: float = 1.0,
        policy: NetworkPolicy | None = None,
        metrics: JobMetrics | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.timeout = timeout
        self.first_retry = first_retry
        self.max_attempts = max_attempts
        self.poll_interval = poll_interval
        self.policy = policy
        self.metrics = metrics or unrecorded()
        self.wakeup = asyncio.Event()

    async def run(self) -> None:
        trouble: str | None = None  # logged once while it lasts, not once per poll
        while True:
            try:
                await self.send_due()
            except Exception as error:  # mostly the store away: a broken loop stops every webhook
                condition = _describe(error)
                if condition != trouble:  # a bug (not the store) shows its traceback, once
                    bug = not isinstance(error, StoreUnavailable)
                    log.warning("webhook deliveries paused: %s", condition, exc_info=bug)
                trouble = condition
            else:
                if trouble is not None:
                    log.info("webhook deliveries resumed")
                trouble = None
            await wait_for(self.wakeup, self.poll_interval)

    async def send_due(self) -> int:
        due = await self.store.due_deliveries(time.time(), limit=50, lease=LEASE)
        await asyncio.gather(*(self._send(delivery) for delivery in due))
        return len(due)

    async def _send(self, delivery: Delivery) -> None:
        secret = await self._secret(delivery)
        if secret is None:
            gone = "API key deleted" if delivery.webhook_id is None else "webhook deleted"
            await self.store.record_delivery(delivery.id, delivered=False, error=gone, next_at=None)
            self.metrics.delivery(GAVE_UP)
            return
        try:
            error = await self._attempt(delivery, secret)
        except asyncio.CancelledError:
            # This process is stopping: the delivery is due again at once (for any sender),
            # rather than when its lease runs out.
            interrupted = self.store.record_delivery(
                delivery.id, delivered=False, error=INTERRUPTED, next_at=time.time()
            )
            await asyncio.shield(interrupted)
            raise
        await self._record(delivery, error)

    async def _secret(self, delivery: Delivery) -> str | None:
        """What signs ``delivery``: its account webhook's token, else its key's secret;
        None when that is gone."""
        if delivery.webhook_id is not None:
            return delivery.token
        key = await self.store.get_key(delivery.key_id)
        return None if key is None else key.webhook_secret

    async def _attempt(self, delivery: Delivery, secret: str) -> str | None:
        """None when delivered, else why not. Any error building or sending the request is
        a failed attempt: escaping here, it would leave the delivery leased, to be tried
        again when the lease runs out, forever."""
        try:
            body = delivery.body.encode()
            headers = {
                "content-type": "application/json",
                EVENT_ID_HEADER: delivery.id,
                SIGNATURE_HEADER: sign(secret, body),
            }
            return await self._post(delivery.url, body, headers)
        except Exception as error:  # e.g. httpx.InvalidURL, or UnicodeError from IDNA
            return _describe(error)

    async def _record(self, delivery: Delivery, error: str | None) -> None:
        if error is None:
            await self.store.record_delivery(delivery.id, delivered=True, error=None, next_at=None)
            self.metrics.delivery(DELIVERED)
            return
        attempts = delivery.attempts + 1
        retry = attempts < self.max_attempts and not error.startswith(BLOCKED)
        delay = retry_delay(attempts, self.first_retry)
        next_at = time.time() + delay if retry else None
        await self.store.record_delivery(delivery.id, delivered=False, error=error, next_at=next_at)
        self.metrics.delivery(RETRYING if retry else GAVE_UP)
        log.warning(
            "webhook %s of %s: attempt %d of %d failed (%s); %s",
            delivery.event,
            delivery.subject,
            attempts,
            self.max_attempts,
            error,
            f"next in {delay:g}s" if retry else "given up",
        )

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> str | None:
        """None when delivered, else the error; a ``Blocked:`` error is final."""
        problem = None if self.policy is None else self.policy.url_problem(url)
        if problem is not None:
            return f"{BLOCKED}{problem}"
        try:
            response = await asyncio.wait_for(
                self.client.post(url, content=body, headers=headers, follow_redirects=False),
                self.timeout,
            )
        except TimeoutError:
            return f"timeout after {self.timeout:g}s"
        except httpx.HTTPError as error:
            blocked = blocked_cause(error)
            return str(blocked) if blocked is not None else _describe(error)
        if 200 <= response.status_code < 300:
            return None
        if response.is_redirect:
            return f"HTTP {response.status_code} (redirects are not followed)"
        return f"HTTP {response.status_code}"


def _describe(error: Exception) -> str:
    """The error on one line, named by its type (a log line, a stored reason)."""
    return " ".join(f"{type(error).__name__}: {error}".split())
