"""Hand-off targets chosen per run: `stdout`, `file:PATH` (.env by extension, else JSON), `webhook:URL`.

Targets are parsed, and the webhook credential looked up, before anything is verified or delivered, so
a typo is bad input (exit 2) and not a half-done hand-off.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from provisioner.errors import HandoffError, PlaybookError
from provisioner.handoff.connection import Connection
from provisioner.handoff.files import write_connection
from provisioner.handoff.webhook import RetryPolicy, describe_url, post_connection
from provisioner.secrets import Secret, redact

WEBHOOK_TOKEN_ENV = "ENROLLAIT_WEBHOOK_TOKEN"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class StdoutTarget:
    def deliver(self, connection: Connection, *, out: TextIO, policy: RetryPolicy, **_) -> str:
        out.write(json.dumps(connection.payload(), indent=2, sort_keys=True) + "\n")
        out.flush()
        return "stdout (JSON)"


@dataclass(frozen=True)
class FileTarget:
    path: Path

    def deliver(self, connection: Connection, *, out: TextIO, policy: RetryPolicy, **_) -> str:
        return write_connection(self.path, connection)


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    bearer: Secret

    def deliver(self, connection: Connection, *, out: TextIO, policy: RetryPolicy, **webhook_kwargs) -> str:
        return post_connection(self.url, connection, self.bearer, policy, **webhook_kwargs)


Target = StdoutTarget | FileTarget | WebhookTarget


def parse_target(spec: str, env: Mapping[str, str] | None = None) -> Target:
    env = os.environ if env is None else env
    kind, _, rest = spec.partition(":")
    if spec == "stdout":
        return StdoutTarget()
    if kind == "file" and rest:
        return FileTarget(Path(rest).expanduser())
    if kind == "webhook" and rest:
        parts = urlsplit(rest)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PlaybookError(f"hand-off {redact(spec)!r}: the webhook needs an http(s) URL")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise PlaybookError(f"hand-off webhook {describe_url(rest)}: use https; plain http would send "
                                "the Moodle token in clear (http is accepted for loopback only)")
        if not env.get(WEBHOOK_TOKEN_ENV):
            raise PlaybookError(f"hand-off webhook {describe_url(rest)}: set {WEBHOOK_TOKEN_ENV} to the "
                                "Enrollait bearer credential")
        return WebhookTarget(rest, Secret(env[WEBHOOK_TOKEN_ENV]))
    raise PlaybookError(f"unknown hand-off target {redact(spec)!r}: use stdout, file:PATH or webhook:URL")


def parse_targets(specs: list[str], env: Mapping[str, str] | None = None) -> list[Target]:
    return [parse_target(spec, env) for spec in specs]


def deliver(targets: list[str] | list[Target], connection: Connection, *, out: TextIO | None = None,
            policy: RetryPolicy = RetryPolicy(), env: Mapping[str, str] | None = None,
            **webhook_kwargs) -> list[str]:
    """Hand the connection to every target; returns what was done, without secrets.

    An unverified connection is never handed off. Every target is tried even if one fails, so a broken
    webhook does not also cost the file; the error then lists both what failed and what was delivered.
    """
    if not connection.verified:
        raise HandoffError("verification failed, so nothing was handed off")
    parsed = [t if not isinstance(t, str) else parse_target(t, env) for t in targets]
    delivered: list[str] = []
    failed: list[str] = []
    for target in parsed:
        try:
            delivered.append(target.deliver(connection, out=out or sys.stdout, policy=policy, **webhook_kwargs))
        except HandoffError as exc:
            failed.append(redact(str(exc)))
    if failed:
        done = f" (delivered: {', '.join(delivered)})" if delivered else ""
        error = HandoffError("hand-off failed: " + "; ".join(failed) + done)
        error.delivered = delivered
        raise error
    return delivered
