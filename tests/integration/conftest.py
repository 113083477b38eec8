"""Shared by the integration tests: run the real CLI against the sandbox, drive its admin UI, read its DB."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from provisioner.secrets import Secret
from tests.integration import lanes

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "playbooks" / "enrollait.yml"
SEVEN = ("core_webservice_get_site_info", "core_course_get_courses", "core_course_get_categories",
         "core_user_get_users", "core_user_create_users", "core_enrol_get_course_enrolment_methods",
         "enrol_manual_enrol_users")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups into the test ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup`, a worker runs whole versions (lanes.py): fewer sandbox copies and first
    converges than test by test."""
    for item, lane in lanes.assign(items).items():
        item.add_marker(pytest.mark.xdist_group(lane))


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict:
        return json.loads(self.stdout)

    def statuses(self) -> dict[str, str]:
        return {step["kind"]: step["status"] for step in self.report["steps"]}


def run_cli(sandbox, *args: str, password: Secret | None = None, env: dict | None = None) -> CliResult:
    """`python -m provisioner ...` as a user would run it, the admin password in the environment."""
    environment = dict(os.environ, MOODLE_SITE_URL=sandbox.url, MOODLE_ADMIN_USER=sandbox.admin_user,
                       MOODLE_ADMIN_PASSWORD=(password or sandbox.admin_password).reveal())
    environment.update(env or {})
    environment.pop("MOODLE_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "provisioner", *args], env=environment, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    return CliResult(done.returncode, done.stdout, done.stderr)


@contextmanager
def admin_ui(sandbox):
    """A logged-in admin browser session on the sandbox: how tests change things 'by hand'."""
    from provisioner.browser import BrowserOptions, open_tab
    from provisioner.pages.login import LoginPage
    from provisioner.pages.site import MoodleSite

    with open_tab(BrowserOptions()) as tab:
        site = MoodleSite(tab, sandbox.url)
        LoginPage(site).login(sandbox.admin_user, sandbox.admin_password)
        yield site


def db_state(sandbox) -> dict:
    """What the playbook declares, read straight from Moodle's database."""
    def one(query, *params):
        rows = sandbox.sql(query, *params)
        return rows[0][0] if rows else None

    config = dict(sandbox.sql("SELECT name, value FROM mdl_config WHERE name IN "
                              "('enablewebservices', 'webserviceprotocols', 'siteadmins')"))
    user = sandbox.sql("SELECT id, email, firstname, lastname, suspended FROM mdl_user "
                       "WHERE username = 'enrollait-user' AND deleted = 0")
    service = sandbox.sql("SELECT id, name, enabled, restrictedusers FROM mdl_external_services "
                          "WHERE shortname = 'enrollait'")
    state = {"enablewebservices": config.get("enablewebservices"),
             "protocols": sorted(filter(None, (config.get("webserviceprotocols") or "").split(","))),
             "user": user[0][1:] if user else None, "service": service[0][1:] if service else None,
             "functions": [], "authorised": False, "site_admin": False, "tokens": []}
    if user:
        state["site_admin"] = user[0][0] in (config.get("siteadmins") or "").split(",")
    if service:
        sid = service[0][0]
        state["functions"] = sorted(r[0] for r in sandbox.sql(
            "SELECT functionname FROM mdl_external_services_functions WHERE externalserviceid = %s", sid))
        if user:
            state["authorised"] = bool(one("SELECT COUNT(*) FROM mdl_external_services_users WHERE "
                                           "externalserviceid = %s AND userid = %s", sid, user[0][0]) != "0")
            name = "name" if has_column(sandbox, "external_tokens", "name") else "NULL"  # 4.3+ name tokens
            state["tokens"] = sandbox.sql(f"SELECT {name}, validuntil FROM mdl_external_tokens WHERE "
                                          "externalserviceid = %s AND userid = %s", sid, user[0][0])
    state["users_total"] = one("SELECT COUNT(*) FROM mdl_user")
    state["config_log"] = one("SELECT COUNT(*) FROM mdl_config_log")
    return state


DECLARED = {
    "enablewebservices": "1",
    "protocols": ["rest"],
    "user": ("enrollait-user@example.invalid", "Enrollait", "Integration", "0"),
    "service": ("Enrollait Service", "1", "1"),
    "functions": sorted(SEVEN),
    "authorised": True,
    "site_admin": True,
}


def converge_then_rerun(site, tmp_path: Path) -> tuple[Path, dict]:
    """The playbook run twice through the CLI: the first run converges (8 changed, verified, the database
    as declared, one token with no expiry), the second changes nothing and keeps that token. Returns the
    token file and the database's state."""
    token_file = tmp_path / "token.json"
    run = ("run", str(PLAYBOOK), "--json", "--token-out", str(token_file), "--artifacts-dir", str(tmp_path / "artifacts"))
    first = run_cli(site, *run)
    assert first.code == 0, first.stderr
    report = json.loads(first.stdout)
    assert [s["status"] for s in report["steps"]] == ["changed"] * 8
    assert report["verification"]["ok"] is True
    state = db_state(site)
    assert {key: state[key] for key in DECLARED} == DECLARED
    assert [valid_until for _name, valid_until in state["tokens"]] == ["0"]

    again = run_cli(site, *run)
    assert again.code == 0, again.stderr
    assert {s["status"] for s in json.loads(again.stdout)["steps"]} == {"unchanged"}
    assert db_state(site)["tokens"] == state["tokens"]
    return token_file, state


@dataclass
class ConvergingRun:
    """The run through the admin UI that first provisioned a site in this session, and what it wrote."""
    result: CliResult
    token_file: Path     # as the run wrote it (its mode); later tests may write to it again
    token_json: bytes    # its content then, which matches the snapshot
    artifacts: Path


@dataclass
class ProvisionedSite:
    url: str
    token: Secret
    sandbox: object
    token_file: Path
    converged_by: ConvergingRun


# (sandbox, run arguments) -> the run that converged it, for the sites provisioned in this session.
# Tests get there through the fixtures: pytest loads this file as a conftest module of its own, apart
# from the `tests.integration.conftest` that tests import, and each copy would keep its own record.
_PROVISIONED: dict[tuple[str, tuple[str, ...]], ConvergingRun] = {}


def provision(sandbox, tmp_path: Path, *args: str) -> ProvisionedSite:
    """The playbook converged on a reset sandbox. The first time in a session it runs through the admin
    UI (and must succeed); later tests asking for the same get the site back from a snapshot of that
    result in seconds, and that first run to assert on. What the run itself does is tested by the tests
    that read `converged_by`."""
    token_file = tmp_path / "token.json"
    key = (sandbox.name, args)
    label = "provisioned_" + "_".join(re.sub(r"[^a-z0-9]", "_", arg.lower()) for arg in args)[:28]
    if key in _PROVISIONED and sandbox.restore_snapshot(label):
        converging = _PROVISIONED[key]
        token_file.write_bytes(converging.token_json)
        token_file.chmod(0o600)
    else:
        artifacts = tmp_path / "artifacts"
        result = run_cli(sandbox, "run", str(PLAYBOOK), "--json", "--token-out", str(token_file),
                         "--artifacts-dir", str(artifacts), *args)
        assert result.code == 0, result.stderr
        converging = ConvergingRun(result, token_file, token_file.read_bytes(), artifacts)
        if sandbox.snapshot(label):
            _PROVISIONED[key] = converging
    token = Secret(json.loads(token_file.read_text())["token"])
    return ProvisionedSite(sandbox.url, token, sandbox, token_file, converging)


@pytest.fixture
def provisioned_site(fresh_moodle, tmp_path) -> ProvisionedSite:
    """A freshly reset sandbox that the Enrollait playbook has converged, and the token it minted."""
    return provision(fresh_moodle, tmp_path)


@pytest.fixture
def role_site(fresh_moodle, tmp_path) -> ProvisionedSite:
    """The same in role mode: the integration user holds the Enrollait role and is not a site admin."""
    return provision(fresh_moodle, tmp_path, "--var", "access=role")


@pytest.fixture
def site(provisioned_site) -> ProvisionedSite:
    """The REST-side tests' name for a provisioned site."""
    return provisioned_site


@contextmanager
def forced_in_config_php(sandbox, **settings):
    """Settings defined in the sandbox's config.php, as a school's server admin might (the admin UI then
    shows them but cannot change them); config.php is put back afterwards (and by any reset)."""
    for name, value in settings.items():
        sandbox.force_config(name, value)
    try:
        yield
    finally:
        sandbox.restore_config()


def insert_row(sandbox, table: str, **values) -> int:
    """A row written straight into Moodle's database (arranging a site's state); returns its id."""
    columns = ", ".join(values)
    placeholders = ", ".join(["%s"] * len(values))
    return int(sandbox.sql(f"INSERT INTO mdl_{table} ({columns}) VALUES ({placeholders}) RETURNING id",
                           *values.values())[0][0])


def one_lasting_token(sandbox) -> list[tuple]:
    """db_state's tokens when the playbook's one token with no expiry exists: named where Moodle names
    tokens (4.3+), unnamed on 4.1."""
    return [("Enrollait Token" if has_column(sandbox, "external_tokens", "name") else None, "0")]


def has_column(sandbox, table: str, column: str) -> bool:
    return bool(sandbox.sql("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                            f"mdl_{table}", column))
