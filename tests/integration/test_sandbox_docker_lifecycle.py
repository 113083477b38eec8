"""The docker engine on a real Docker engine, through the CLI: Moodle installed in containers, the main
job converging on it, reset, logs, the compose file serving the same site, and down leaving nothing.

One sandbox (dk-50 on 8390 unless PROVISIONER_TEST_DOCKER_SANDBOX/_PORT say otherwise) goes through its
life in this file's order, and the last test purges it. Images come from MOODLE_PHP_IMAGE and
MOODLE_DB_IMAGE (.ci/run sets them to the stand-ins of docker/standin/) and are never pulled.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import docker
import httpx
import pytest

from provisioner.sandbox import matrix
from provisioner.sandbox.docker import compose
from provisioner.sandbox.testing import docker_fixtures as pytest_docker
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.process import port_is_free
from tests.integration.conftest import DECLARED, PLAYBOOK, ROOT, db_state, one_lasting_token

# One worker under pytest-xdist (--dist loadgroup): these tests share sandboxes of fixed names.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("docker-sandbox")]
KINDS = ["webservices", "protocol", "user", "service", "service_functions", "authorised_user", "access",
         "token"]
REINSTALL = 60  # s: an install takes ~100 s on two cores; reset and a later up take seconds


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOODLE_SITE")}
    return subprocess.run([sys.executable, "-m", "provisioner", *args], capture_output=True, text=True,
                          timeout=900, cwd=ROOT, env=env)


def timed(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = cli(*args)
    return done, time.monotonic() - started


def status(name: str) -> dict:
    return json.loads(cli("sandbox", "status", "--name", name, "--json").stdout)


def login_page(url: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            page = httpx.get(f"{url}/login/index.php", timeout=10)
            if page.status_code == 200:
                return page.text
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"no login page at {url} within 60 s")
        time.sleep(1)


def left_behind(name: str) -> dict[str, list[str]]:
    """What Docker still holds of this sandbox, found by name as well as by label."""
    client = docker.from_env()
    prefix = compose.prefix(name)
    try:
        return {"containers": [c.name for c in client.containers.list(all=True) if c.name.startswith(prefix)],
                "networks": [n.name for n in client.networks.list() if n.name.startswith(prefix)],
                "volumes": [v.name for v in client.volumes.list() if v.name.startswith(f"{prefix}_")]}
    finally:
        client.close()


def compose_command() -> list[str]:
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    reason = "neither `docker compose` nor docker-compose is installed (Debian: apt-get install docker-compose)"
    if matrix.in_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def test_up_installs_moodle_in_containers_from_the_images_asked_for(docker_moodle):
    found = status(docker_moodle.name)

    assert (found["engine"], found["state"], found["installed"]) == ("docker", "running", True)
    assert found["processes"] == {"db": True, "moodle": True}
    assert 'name="username"' in login_page(docker_moodle.url)
    assert docker_moodle.sql("SELECT username FROM mdl_user WHERE id = 2") == [("admin",)]
    client = docker.from_env()
    used = {service: client.containers.get(f"{compose.prefix(docker_moodle.name)}-{service}").attrs["Config"]["Image"]
            for service in ("db", "moodle")}
    client.close()
    assert used == pytest_docker.images()


def test_the_main_job_converges_then_reset_takes_the_site_back_in_seconds(fresh_docker_moodle, tmp_path):
    site = fresh_docker_moodle
    token_file = tmp_path / "enrollait.json"

    run = cli("run", str(PLAYBOOK), "--sandbox", site.name, "--json", "--token-out", str(token_file))

    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert {step["kind"]: step["status"] for step in report["steps"]} == {kind: "changed" for kind in KINDS}
    assert report["verification"]["ok"] is True  # the new token answered over REST
    state = db_state(site)
    assert {key: state[key] for key in DECLARED} == DECLARED
    assert state["tokens"] == one_lasting_token(site)
    token = json.loads(token_file.read_text())["token"]
    assert not [s for s in (token, site.admin_password.reveal()) if s in run.stdout + run.stderr]

    reset, seconds = timed("sandbox", "reset", "--name", site.name)

    assert reset.returncode == 0, reset.stderr
    assert seconds < REINSTALL, f"reset took {seconds:.1f} s"
    assert site.sql("SELECT id FROM mdl_external_services WHERE shortname = 'enrollait'") == []
    assert site.sql("SELECT id FROM mdl_user WHERE username = 'enrollait-user'") == []
    assert 'name="username"' in login_page(site.url)


def test_moodles_command_line_runs_in_the_container_and_reset_undoes_a_forced_setting(docker_moodle):
    site = docker_moodle

    site.cfg("noreplyaddress", "qa@example.invalid")  # admin/cli/cfg.php, as www-data in the container
    site.force_config("enablewebservices", True)  # config.php, bind-mounted from the host

    assert site.sql("SELECT value FROM mdl_config WHERE name = 'noreplyaddress'") == [("qa@example.invalid",)]
    assert site.php_json("echo json_encode($CFG->config_php_settings['enablewebservices'] ?? null);") is True

    site.reset()

    assert site.php_json("echo json_encode($CFG->config_php_settings['enablewebservices'] ?? null);") is None
    assert site.sql("SELECT value FROM mdl_config WHERE name = 'noreplyaddress'") != [("qa@example.invalid",)]


def test_logs_show_apache_postgresql_and_the_install(docker_moodle):
    logs = cli("sandbox", "logs", "--name", docker_moodle.name, "-n", "400")

    assert logs.returncode == 0, logs.stderr
    moodle, db, install = (logs.stdout.split(f"--- {part} ---")[1] for part in ("moodle", "db", "install"))
    assert "GET /login/index.php" in moodle.split("--- ")[0]
    assert "database system is ready to accept connections" in db.split("--- ")[0]
    # how the site was made: Moodle's installer, or a copy of the release's kept template
    assert "Installation completed successfully" in install or "copied from the kept template" in install
    assert docker_moodle.admin_password.reveal() not in logs.stdout


def test_the_compose_file_serves_the_same_site_from_the_same_volumes(docker_moodle):
    command = compose_command()
    down = cli("sandbox", "down", "--name", docker_moodle.name)
    assert down.returncode == 0, down.stderr
    project = [*command, "-p", compose.prefix(docker_moodle.name), "-f", str(compose.COMPOSE_FILE)]
    env = dict(os.environ, MOODLE_CODE=str(SandboxPaths(docker_moodle.name).code),
               MOODLE_PORT=docker_moodle.url.rsplit(":", 1)[1])
    try:
        started = subprocess.run([*project, "up", "-d"], env=env, capture_output=True, text=True, timeout=300)
        assert started.returncode == 0, started.stderr

        assert f"sandbox-{docker_moodle.name}" in login_page(docker_moodle.url)  # the installed site's name
    finally:
        stopped = subprocess.run([*project, "down"], env=env, capture_output=True, text=True, timeout=300)
    assert stopped.returncode == 0, stopped.stderr
    assert left_behind(docker_moodle.name)["containers"] == []


def test_down_leaves_nothing_running_up_comes_back_quickly_and_purge_removes_the_volumes(docker_moodle):
    name, port = docker_moodle.name, int(docker_moodle.url.rsplit(":", 1)[1])
    assert cli("sandbox", "up", "--name", name).returncode == 0

    down = cli("sandbox", "down", "--name", name)

    assert down.returncode == 0, down.stderr
    kept = left_behind(name)
    assert (kept["containers"], kept["networks"]) == ([], [])
    assert port_is_free(port)
    assert len(kept["volumes"]) == 3  # database, moodledata and its reset template stay for the next up
    assert status(name)["state"] == "stopped"

    up, seconds = timed("sandbox", "up", "--name", name)

    assert up.returncode == 0, up.stderr
    assert seconds < REINSTALL, f"up of an installed sandbox took {seconds:.1f} s"
    assert docker_moodle.sql("SELECT username FROM mdl_user WHERE id = 2") == [("admin",)]

    purged = cli("sandbox", "down", "--name", name, "--purge")

    assert purged.returncode == 0, purged.stderr
    assert left_behind(name) == {"containers": [], "networks": [], "volumes": []}
    assert port_is_free(port)
    assert status(name)["state"] == "absent"
    assert not SandboxPaths(name).root.exists()
