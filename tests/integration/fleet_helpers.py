"""What the fleet tests share: a fleet of sandboxes of different Moodle versions, an inventory of them plus
a site that cannot be reached, and the CLI run over it.

The sandboxes (named by PROVISIONER_TEST_FLEET, "name:port:version,..."; default fl-50, fl-45, fl-41 on
8450-8452) are brought up through the sandbox API, installed the first time (minutes each) from the
cached Moodle releases. Versions with no cached source are left out; the tests are skipped when none is left.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from provisioner.sandbox import state as state_mod
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.engine import engine_for
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.testing.sandbox import MoodleSandbox
from provisioner.sandbox.source import SourceCache
from tests.integration.conftest import PLAYBOOK

FLEET_ENV = "PROVISIONER_TEST_FLEET"
DEFAULT_FLEET = "fl-50:8450:5.0,fl-45:8451:4.5,fl-41:8452:4.1"
UNREACHABLE_PORT = int(os.environ.get("PROVISIONER_TEST_UNREACHABLE_PORT", "8499"))
UNREACHABLE_PASSWORD = "Unreachable-Adm1n-Pass!"


@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str
    seconds: float


def sandboxes_wanted() -> list[tuple[str, int, str]]:
    specs = []
    for item in os.environ.get(FLEET_ENV, DEFAULT_FLEET).split(","):
        name, port, version = item.strip().split(":")
        specs.append((name, int(port), version))
    return specs


@pytest.fixture(scope="module")
def fleet() -> list[MoodleSandbox]:
    cache, sandboxes = SourceCache(), []
    for name, port, version in sandboxes_wanted():
        installed = state_mod.load(SandboxPaths(name).state_file)
        if not (installed and installed.installed) and cache.find(version) is None:
            continue  # no source for this version here: the others still make a fleet
        engine = engine_for(name, "native")  # where Docker also answers: these are native sandboxes
        up = engine.up(UpRequest(name=name, port=None if installed and installed.installed else port,
                                 moodle_version=version))
        sandboxes.append(MoodleSandbox(name=name, url=up.url, admin_user=up.admin_user,
                                       admin_password=up.admin_password, version=up.version, release=up.release,
                                       _engine=engine))
    if not sandboxes:
        pytest.skip(f"no Moodle source cached for any of {os.environ.get(FLEET_ENV, DEFAULT_FLEET)}")
    return sandboxes


def write_inventory(tmp_path: Path, fleet: list[MoodleSandbox]) -> tuple[Path, dict[str, str]]:
    """Half the passwords in files (0600), half in environment variables; returns the environment."""
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700)
    env = {"UNREACHABLE_PASSWORD": UNREACHABLE_PASSWORD}
    lines = ["defaults:", "  admin_user: admin", "sites:"]
    for n, sandbox in enumerate(fleet):
        lines += [f"  {sandbox.name}:", f"    url: {sandbox.url}"]
        if n % 2:
            variable = sandbox.name.upper().replace("-", "_") + "_PASSWORD"
            env[variable] = sandbox.admin_password.reveal()
            lines.append(f"    admin_password: {{env: {variable}}}")
        else:
            password_file = secrets / sandbox.name
            password_file.touch(mode=0o600)
            password_file.write_text(sandbox.admin_password.reveal() + "\n")
            lines.append(f"    admin_password: {{file: secrets/{sandbox.name}}}")
    lines += ["  unreachable:", f"    url: http://127.0.0.1:{UNREACHABLE_PORT}",
              "    admin_password: {env: UNREACHABLE_PASSWORD}",
              "groups:", f"  sandboxes: [{', '.join(s.name for s in fleet)}]"]
    inventory = tmp_path / "inventory.yml"
    inventory.write_text("\n".join(lines) + "\n")
    return inventory, env


def run_fleet(tmp_path: Path, env: dict[str, str], *args: str) -> CliRun:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("MOODLE_SITE_URL", "MOODLE_ADMIN_PASSWORD", "MOODLE_TOKEN")}
    environment.update(env)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "provisioner", "run", str(PLAYBOOK), *args], env=environment,
                          cwd=tmp_path, capture_output=True, text=True, timeout=1500)
    return CliRun(done.returncode, done.stdout, done.stderr, round(time.monotonic() - started, 1))


def admin_signed_in_at(sandbox: MoodleSandbox) -> str:
    """Moodle stamps the admin's currentlogin at every sign-in: unchanged means the run never came."""
    return sandbox.sql("SELECT currentlogin FROM mdl_user WHERE username = %s", sandbox.admin_user)[0][0]


def sites_of(report: Path) -> dict[str, dict]:
    return {site["site"]: site for site in json.loads(report.read_text())["sites"]}
