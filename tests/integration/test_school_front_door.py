"""A school's staging site behind its own front door: HTTPS with a certificate from the school's private CA,
HTTP basic authentication before Moodle, reached directly or through a forward proxy. Real programs (nginx,
tinyproxy, openssl) in front of a real Moodle (a copy of the 5.0 sandbox, moved to its HTTPS address)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.testing.sandbox import MoodleSandbox, unavailable
from tests.integration.conftest import DECLARED, PLAYBOOK, db_state, run_cli
from tests.integration.front_door import CA_NAME, forward_proxy, https_front_end, outward_address, private_ca

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("front-door")]

PORT, PROXY_PORT = 8471, 8898
BASIC_AUTH = ("staging", "front-door-pass-7")
LIBRARY_WORDS = ("APIRequestContext", "net::ERR", "Node.js", "Errno", "ECONN", "httpx", "Playwright", "Traceback")


@dataclass
class FrontDoor:
    site: MoodleSandbox      # its url is the HTTPS address
    ca: Path
    auth_file: Path
    proxy_log: Path
    proxy_url: str


@pytest.fixture(scope="module")
def front_door(moodle_sandbox, tmp_path_factory):
    host = outward_address()
    if host is None:
        unavailable("this machine has no non-loopback address for an HTTPS front end reached through a proxy")
    folder = tmp_path_factory.mktemp("front-door")
    engine, name = moodle_sandbox._engine, "front-door"
    engine.down(name, purge=True)
    up = engine.up(UpRequest(name=name, port=PORT, moodle_version=moodle_sandbox.version))
    daemons = []
    try:
        url = f"https://{host}:{PORT}"
        site_cli = engine.site_cli(name)
        site_cli.force_config("wwwroot", url)  # Moodle moved behind its TLS front end, as documented
        site_cli.force_config("sslproxy", True)
        ca, cert, key = private_ca(folder, host)
        daemons.append(https_front_end(folder, (host, PORT), PORT, cert, key, BASIC_AUTH))
        daemons.append(forward_proxy(folder, PROXY_PORT, (PORT,)))
        auth_file = folder / "http-auth"
        auth_file.write_text(":".join(BASIC_AUTH) + "\n")
        auth_file.chmod(0o600)
        site = MoodleSandbox(name=name, url=url, admin_user=up.admin_user, admin_password=up.admin_password,
                             version=up.version, release=up.release, _engine=engine)
        yield FrontDoor(site, ca, auth_file, folder / "tinyproxy.log", f"http://127.0.0.1:{PROXY_PORT}")
    finally:
        for daemon in daemons:
            daemon.stop()
        engine.down(name, purge=True)


def _no_library_words(text: str) -> None:
    assert not [w for w in LIBRARY_WORDS if w in text], text


def test_without_the_schools_ca_one_clear_line_and_nothing_changed(front_door, tmp_path):
    door = front_door
    before = db_state(door.site)
    result = run_cli(door.site, "run", str(PLAYBOOK), "--http-auth-file", str(door.auth_file),
                     "--artifacts-dir", str(tmp_path), env={"SSL_CERT_FILE": ""})
    assert result.code == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, line
    assert "not trusted" in line and CA_NAME in line and "--ca-file" in line and door.site.url.split("//")[1] in line
    _no_library_words(line)
    assert db_state(door.site) == before


def test_basic_auth_in_front_of_moodle_is_asked_for_in_our_words(front_door, tmp_path):
    result = run_cli(front_door.site, "run", str(PLAYBOOK), "--check", "--ca-file", str(front_door.ca),
                     "--artifacts-dir", str(tmp_path))
    assert result.code == 1
    assert "HTTP authentication" in result.stderr and "--http-auth-file" in result.stderr, result.stderr
    _no_library_words(result.stderr)


def test_with_the_ca_converged_and_verified_over_https_then_through_a_proxy_unchanged(front_door, tmp_path):
    door = front_door
    token_file = tmp_path / "token.json"
    first = run_cli(door.site, "run", str(PLAYBOOK), "--json", "--ca-file", str(door.ca), "--http-auth-file",
                    str(door.auth_file), "--token-out", str(token_file), "--artifacts-dir", str(tmp_path))
    assert first.code == 0, first.stderr
    report = first.report
    assert [s["status"] for s in report["steps"]] == ["changed"] * 8
    assert report["verification"]["ok"] is True  # the REST check went through the front door too
    state = db_state(door.site)
    assert {key: state[key] for key in DECLARED} == DECLARED

    # the CA from $SSL_CERT_FILE, the way to the site from $HTTPS_PROXY: both honoured by browser and REST
    proxied_env = {"SSL_CERT_FILE": str(door.ca), "HTTPS_PROXY": door.proxy_url, "NO_PROXY": "",
                   "MOODLE_HTTP_AUTH_FILE": str(door.auth_file)}
    again = run_cli(door.site, "run", str(PLAYBOOK), "--json", "--token-out", str(token_file),
                    "--artifacts-dir", str(tmp_path), env=proxied_env)
    assert again.code == 0, again.stderr
    assert {s["status"] for s in again.report["steps"]} == {"unchanged"}
    assert again.report["verification"]["ok"] is True
    tunnelled = door.proxy_log.read_text()
    assert f"CONNECT {door.site.url.split('//')[1]}" in tunnelled

    verified = run_cli(door.site, "verify", "--site", door.site.url, "--token-file", str(token_file), "--json",
                       "--ca-file", str(door.ca), "--proxy", door.proxy_url,
                       env={"MOODLE_HTTP_AUTH_FILE": str(door.auth_file)})
    assert verified.code == 0, verified.stderr
    assert json.loads(verified.stdout)["site_info"]["siteurl"] == door.site.url
    assert str(door.auth_file) not in verified.stdout and BASIC_AUTH[1] not in verified.stdout + verified.stderr
