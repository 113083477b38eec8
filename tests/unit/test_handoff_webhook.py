"""Webhook hand-off against a local HTTP receiver this test starts on 127.0.0.1.

The receiver plays a script of answers, one per request: a status code, or "slow" (answers after the
client's timeout), and records each request's headers and body.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from provisioner.errors import HandoffError
from provisioner.handoff import Connection, RetryPolicy, deliver
from provisioner.handoff.webhook import post_connection
from provisioner.secrets import Secret

TOKEN = "c0ffee00c0ffee00c0ffee00c0ffee00"
BEARER = "enrollait-bearer-xyz"
FAST = RetryPolicy(attempts=4, first_delay=0.01, max_delay=0.05, timeout=0.5)


class Receiver:
    def __init__(self, script: list):
        self.script, self.requests = list(script), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                answer = receiver.script.pop(0) if receiver.script else 200
                if answer == "slow":
                    time.sleep(FAST.timeout * 3)
                    answer = 200
                self.send_response(answer)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"detail": "bad bearer"}' if answer == 401 else b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/moodle"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(request):
    made = []

    def start(*script):
        made.append(Receiver(list(script)))
        return made[0]
    yield start
    for r in made:
        r.close()


@pytest.fixture
def connection() -> Connection:
    return Connection("https://school.example", Secret(TOKEN), {"sitename": "School", "release": "5.0.6+"},
                      {"ok": True}, verified=True)


def post(url, connection, sleeps=None, policy=FAST):
    return post_connection(url, connection, Secret(BEARER), policy,
                           sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_fails_twice_then_succeeds_with_back_off_and_one_idempotency_key(receiver, connection, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    hook = receiver(503, 502, 201)
    sleeps: list[float] = []
    description = post(hook.url, connection, sleeps)
    assert len(hook.requests) == 3 and "HTTP 201, attempt 3" in description
    assert sleeps == [0.01, 0.02]  # exponential
    keys = {r["headers"]["Idempotency-Key"] for r in hook.requests}
    assert len(keys) == 1 and TOKEN not in keys.pop()
    first = hook.requests[0]
    assert first["headers"]["Authorization"] == f"Bearer {BEARER}"
    assert json.loads(first["body"]) == {"site_url": "https://school.example", "token": TOKEN,
                                         "site_info": connection.site_info, "verification": {"ok": True}}
    out, err = capfd.readouterr()
    for text in (caplog.text, out, err, description):
        assert TOKEN not in text and BEARER not in text


def test_401_fails_at_once_without_retry(receiver, connection, caplog):
    caplog.set_level(logging.DEBUG)
    hook = receiver(401)
    with pytest.raises(HandoffError, match="HTTP 401") as caught:
        post(hook.url, connection, [])
    assert len(hook.requests) == 1
    assert "ENROLLAIT_WEBHOOK_TOKEN" in str(caught.value) and "not retried" in str(caught.value)
    assert TOKEN not in str(caught.value) + caplog.text and BEARER not in str(caught.value) + caplog.text


def test_gives_up_after_the_configured_attempts_on_5xx(receiver, connection):
    hook = receiver(500, 500, 500, 500, 200)
    sleeps: list[float] = []
    with pytest.raises(HandoffError, match="gave up after 4 attempts; last: HTTP 500"):
        post(hook.url, connection, sleeps)
    assert len(hook.requests) == 4 and sleeps == [0.01, 0.02, 0.04]


def test_back_off_is_capped(connection):
    assert [RetryPolicy(first_delay=1, max_delay=5).delay(n) for n in range(1, 6)] == [1, 2, 4, 5, 5]


def test_a_timeout_is_retried(receiver, connection):
    hook = receiver("slow", 200)
    assert "attempt 2" in post(hook.url, connection, [])


def test_connection_refused_is_retried_then_reported(connection):
    hook = Receiver([])
    url = hook.url
    hook.close()  # nothing listens there any more
    with pytest.raises(HandoffError, match="gave up after 2 attempts; last: connection failed"):
        post(url, connection, [], RetryPolicy(attempts=2, first_delay=0.01, timeout=0.5))


def test_redirects_are_not_followed(connection):
    hook = Receiver([])
    hook.script = [307]
    try:
        with pytest.raises(HandoffError, match="redirects"):
            post(hook.url, connection, [])
        assert len(hook.requests) == 1
    finally:
        hook.close()


def test_deliver_reads_the_bearer_from_the_environment(receiver, connection):
    hook = receiver(200)
    [description] = deliver([f"webhook:{hook.url}"], connection, policy=FAST,
                            env={"ENROLLAIT_WEBHOOK_TOKEN": BEARER})
    assert hook.requests[0]["headers"]["Authorization"] == f"Bearer {BEARER}"
    assert description.startswith("webhook http://127.0.0.1:")
