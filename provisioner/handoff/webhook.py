"""POST the verified connection to an Enrollait endpoint.

Retried, with exponential back-off, only when the failure may be passing: a timeout, a broken
connection, or a 5xx. A 4xx is the receiver's considered answer (bad credential, bad payload) and a retry
would get the same, so it fails at once. Every attempt of one hand-off carries the same Idempotency-Key,
so a receiver that stored an attempt whose answer was lost can recognise the retry.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from provisioner.errors import HandoffError
from provisioner.handoff.connection import Connection
from provisioner.secrets import Secret, redact

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5            # in all, the first one included
    first_delay: float = 1.0     # seconds before the first retry; doubles each time
    max_delay: float = 30.0
    timeout: float = 10.0        # per attempt

    def delay(self, retry: int) -> float:
        return min(self.first_delay * (2 ** (retry - 1)), self.max_delay)


def describe_url(url: str) -> str:
    """Scheme, host and path only: a query string or user info may hold credentials."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}{parts.path}"


class _Retryable(Exception):
    pass


def post_connection(url: str, connection: Connection, bearer: Secret, policy: RetryPolicy = RetryPolicy(),
                    *, sleep: Callable[[float], None] = time.sleep,
                    transport: httpx.BaseTransport | None = None) -> str:
    return post_json(url, connection.payload(), connection.idempotency_key(), bearer, policy, sleep=sleep,
                     transport=transport)


def post_json(url: str, payload: dict, idempotency_key: str, bearer: Secret, policy: RetryPolicy = RetryPolicy(),
              *, sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None) -> str:
    """POST one JSON document with the retries above; returns what was done, raises HandoffError."""
    where = describe_url(url)
    body = json.dumps(payload).encode()
    headers = {
        "Authorization": f"Bearer {bearer.reveal()}",
        "Content-Type": "application/json",
        "Idempotency-Key": idempotency_key,
        "User-Agent": "moodle-enrollait-provisioner",
    }
    last = "no attempt made"
    with httpx.Client(timeout=policy.timeout, follow_redirects=False, transport=transport) as client:
        for attempt in range(1, policy.attempts + 1):
            try:
                status = _attempt(client, url, body, headers, where)
                return f"webhook {where} (HTTP {status}, attempt {attempt} of {policy.attempts})"
            except _Retryable as exc:
                last = str(exc)
            if attempt < policy.attempts:
                wait = policy.delay(attempt)
                log.warning("webhook %s: attempt %d of %d failed (%s); retrying in %.1fs",
                            where, attempt, policy.attempts, last, wait)
                sleep(wait)
    raise HandoffError(f"webhook {where}: gave up after {policy.attempts} attempts; last: {last}")


def _attempt(client: httpx.Client, url: str, body: bytes, headers: dict[str, str], where: str) -> int:
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.TimeoutException:
        raise _Retryable("timed out") from None
    except httpx.TransportError as exc:
        raise _Retryable(redact(f"connection failed: {type(exc).__name__} {exc}")) from None
    status = response.status_code
    if status >= 500:
        raise _Retryable(f"HTTP {status}")
    if 300 <= status < 400:
        # Following it would resend the token and the bearer credential to wherever Location points.
        raise HandoffError(f"webhook {where} redirects (HTTP {status}); not followed: give its final URL")
    if status >= 400:
        hint = " (check ENROLLAIT_WEBHOOK_TOKEN)" if status in (401, 403) else ""
        said = redact(response.text[:200]).strip()
        raise HandoffError(f"webhook {where} refused the hand-off: HTTP {status}{hint}; not retried"
                           + (f"; it said: {said}" if said else ""))
    return status
