"""Every way the way to a site can fail, through the real CLI against real servers: one line each, about
the site and what to do, with no Playwright, Node or Python text, and exit 1 with nothing changed."""
from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.integration.conftest import PLAYBOOK, forced_in_config_php, run_cli

pytestmark = [pytest.mark.integration]

LIBRARY_WORDS = ("APIRequestContext", "net::ERR", "Node.js", "Errno", "ECONN", "ENOTFOUND", "httpx", "Traceback",
                 "Playwright", "Page.goto")


class _Nowhere:
    """Stands in for a sandbox in run_cli: a URL and an admin password, for a site that is not Moodle."""
    admin_user = "admin"

    def __init__(self, url: str):
        from provisioner.secrets import Secret

        self.url, self.admin_password = url, Secret("not-used-1")


def _one_line(result) -> str:
    assert result.code == 1, (result.code, result.stderr)
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, line
    assert not [w for w in LIBRARY_WORDS if w in line], line
    return line


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(status: int, body: bytes):
    """A real HTTP server answering every GET with `status` and `body`."""
    class Answer(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@contextmanager
def _silent_server():
    """Accepts connections and never answers, as a site behind a dropping firewall seems to."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def _run(url: str, *extra: str):
    return run_cli(_Nowhere(url), "run", str(PLAYBOOK), "--check", "--site", url, *extra)


def test_refused():
    line = _one_line(_run(f"http://127.0.0.1:{_free_port()}"))
    assert "nothing answers at 127.0.0.1" in line and "port" in line


def test_unknown_name():
    line = _one_line(_run("https://moodle.no-such-school.invalid"))
    assert "moodle.no-such-school.invalid is unknown to this machine's DNS" in line


def test_no_answer_in_time():
    with _silent_server() as url:
        line = _one_line(_run(url, "--timeout", "3"))
    assert "did not answer within 3 s" in line


def test_https_spoken_to_a_plain_http_site():
    with _server(200, b"<html>hello</html>") as url:
        line = _one_line(_run(url.replace("http://", "https://")))
    assert "no secure connection could be set up" in line


def test_a_page_that_is_not_moodles():
    with _server(200, b"<html><body><h1>It works!</h1></body></html>") as url:
        line = _one_line(_run(url))
    assert "does not answer as a Moodle site" in line


def test_server_error():
    with _server(500, b"<html><body>Internal Server Error</body></html>") as url:
        line = _one_line(_run(url))
    assert "(HTTP 500)" in line and "error log" in line


def test_not_the_root_url_of_moodle(moodle_sandbox):
    line = _one_line(_run(f"{moodle_sandbox.url}/no-such-folder"))
    assert "was not found on this site (HTTP 404)" in line and "Moodle's root URL" in line


@pytest.mark.matrix
def test_a_renamed_admin_folder_moodle_cannot_serve_is_a_missing_page_not_a_refused_admin(fresh_moodle):
    # $CFG->admin names a folder the site does not have, as on a 5.1+ site where an admin renamed it: Moodle
    # (or its web server) answers 404 on every admin page.
    with forced_in_config_php(fresh_moodle, admin="siteadmin"):
        result = run_cli(fresh_moodle, "run", str(PLAYBOOK), "--check")
    line = _one_line(result)
    assert "siteadmin/environment.php was not found" in line and "renamed admin folder" in line
    assert "not a site administrator" not in line


def test_rest_checks_say_it_in_the_same_words(tmp_path):
    nowhere = _Nowhere(f"http://127.0.0.1:{_free_port()}")
    token_file = tmp_path / "token"
    token_file.write_text("a" * 32)
    result = run_cli(nowhere, "doctor", "--site", nowhere.url, "--token-file", str(token_file), "--json")
    assert result.code == 1
    finding = json.loads(result.stdout)["findings"][0]
    assert finding["cause"] == "The site cannot be reached" and "nothing answers at 127.0.0.1" in finding["detail"]
    assert not [w for w in LIBRARY_WORDS if w in result.stdout + result.stderr]
