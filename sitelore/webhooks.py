"""Webhook signatures: how sitelore signs a delivery and how a receiver checks one.

Each POST carries ``x-sitelore-signature: t=<unix seconds>,v1=<hex>`` where the hex is
HMAC-SHA256 of ``"<t>.<raw body>"`` under the secret (a ``callbackUrl``'s: the API key's
webhook secret; an account webhook's: its ``token``), and a unique
``x-sitelore-event-id`` that receivers use to drop duplicates (delivery is at least once).

    from sitelore.webhooks import verify
    if not verify(secret, request.headers, raw_body):
        return 400
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

SIGNATURE_HEADER = "x-sitelore-signature"
EVENT_ID_HEADER = "x-sitelore-event-id"
DEFAULT_TOLERANCE = 300.0


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for ``body`` sent at ``timestamp`` (now by default)."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True when ``headers`` carry a valid signature of ``body`` made within ``tolerance`` s."""
    value = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), None)
    if value is None:
        return False
    fields = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
    try:
        moment = int(fields["t"])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - moment) > tolerance:
        return False
    expected = sign(secret, body, moment).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))
