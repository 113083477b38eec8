"""One webhook POST per broken connection: site, cause and fixing step, never a token; a failed alert
does not stop the others."""
from __future__ import annotations

import json

import httpx

from provisioner.fleet.alerts import EVENT, alert_broken
from provisioner.fleet.health import HealthReport, SiteHealth
from provisioner.handoff.targets import parse_target
from provisioner.handoff.webhook import RetryPolicy, post_json
from provisioner.secrets import Secret

TOKEN = Secret("f" * 32)


def _report() -> HealthReport:
    return HealthReport("schools.yml", "2026-12-04T06:30:00+00:00", 10, {}, [
        SiteHealth("north", "https://north.example", outcome="failed", cause="Web services are disabled",
                   step=1, step_name="Enable web services"),
        SiteHealth("east", "https://east.example"),
        SiteHealth("south", "https://south.example", outcome="failed", cause=f"token {TOKEN.reveal()} invalid", step=8),
    ])


def test_each_broken_site_is_posted_once_and_no_token_leaves():
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers["Idempotency-Key"], json.loads(request.content)))
        return httpx.Response(500 if b"south" in request.content and len(seen) < 2 else 202)
    target = parse_target("webhook:http://127.0.0.1:9/alerts", env={"ENROLLAIT_WEBHOOK_TOKEN": "bearer-1234"})

    def post(url, payload, key, bearer, **kwargs):
        return post_json(url, payload, key, bearer, RetryPolicy(attempts=2, first_delay=0), sleep=lambda s: None,
                         transport=httpx.MockTransport(answer))
    sent, failed = alert_broken(_report(), target, post=post)

    assert [p["site"] for _k, p in seen] == ["north", "south"]
    assert seen[0][1] == {"event": EVENT, "site": "north", "site_url": "https://north.example",
                          "cause": "Web services are disabled", "step": 1, "step_name": "Enable web services",
                          "release": None, "checked_at": "2026-12-04T06:30:00+00:00"}
    assert TOKEN.reveal() not in json.dumps([p for _k, p in seen])
    assert len(sent) == 2 and not failed
    assert len({key for key, _p in seen}) == 2  # one key per alert


def test_a_refused_alert_is_reported_and_the_next_one_still_sent():
    calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content)["site"])
        return httpx.Response(403 if calls[-1] == "north" else 202)
    target = parse_target("webhook:http://127.0.0.1:9/alerts", env={"ENROLLAIT_WEBHOOK_TOKEN": "bearer-1234"})
    sent, failed = alert_broken(_report(), target, transport=httpx.MockTransport(answer))
    assert calls == ["north", "south"] and len(sent) == 1 and failed[0].startswith("north: ")
