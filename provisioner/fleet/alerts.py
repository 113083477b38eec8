"""A webhook per broken connection, for `verify --inventory --alert webhook:URL`: the same kind of target
and the same retries as the hand-off (bearer from $ENROLLAIT_WEBHOOK_TOKEN, https except on loopback),
one POST per broken site. No token is ever in an alert: only the site, its cause and the step that fixes it.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from provisioner.errors import HandoffError
from provisioner.fleet.health import HealthReport
from provisioner.handoff.targets import WebhookTarget
from provisioner.handoff.webhook import post_json
from provisioner.secrets import redact_all

EVENT = "moodle-connection-broken"


def alert_broken(report: HealthReport, target: WebhookTarget, post: Callable[..., str] = post_json,
                 **webhook_kwargs) -> tuple[list[str], list[str]]:
    """(what was sent, what failed): every broken site is tried, whatever happened to the one before."""
    sent, failed = [], []
    for health in report.failed:
        payload = redact_all({"event": EVENT, "site": health.site, "site_url": health.url, "cause": health.cause,
                              "step": health.step, "step_name": health.step_name, "release": health.release,
                              "checked_at": report.checked_at})
        # the same alert retried (or re-sent by a re-run of the same check) is recognisable as one
        key = hashlib.sha256(f"{health.site}|{report.checked_at}|{health.cause}".encode()).hexdigest()[:32]
        try:
            sent.append(f"{health.site}: " + post(target.url, payload, key, target.bearer, **webhook_kwargs))
        except HandoffError as exc:
            failed.append(f"{health.site}: {exc}")
    return sent, failed
