"""`provisioner run --inventory` through click's CliRunner: provision() and the browser replaced by fakes,
so these tests cover the fleet's own logic: input checks, isolation, exit codes, reports, per-site files."""
from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from provisioner import app
from provisioner.cli import cli
from provisioner.errors import StepError
from provisioner.fleet import pool
from provisioner.runner.report import RunReport, StepResult
from provisioner.secrets import Secret

ENROLLAIT = str(Path(__file__).resolve().parents[2] / "playbooks" / "enrollait.yml")
PASSWORDS = {"north": "North-Adm1n-Pass!", "south": "South-Adm1n-Pass!", "west": "West-Adm1n-Pass!"}
TOKENS = {name: f"{n}" * 32 for n, name in enumerate(PASSWORDS, start=1)}


class FakeFleet:
    """Stands in for app.provision: answers each site as told: a status for every step, or an exception."""

    def __init__(self):
        self.behaviour: dict[str, object] = {}
        self.calls: list[app.RunOptions] = []
        self.lock = threading.Lock()
        self.barrier: threading.Barrier | None = None

    def __call__(self, playbook, options, on_start=None, on_result=None):
        with self.lock:
            self.calls.append(options)
        name = next(n for n in PASSWORDS if f"//{n}." in options.site_url)
        if self.barrier is not None:
            self.barrier.wait(timeout=5)  # only passes when the sites really run at the same time
        behaviour = self.behaviour.get(name, "changed")
        if isinstance(behaviour, Exception):
            raise behaviour
        status = "pending" if options.check and behaviour == "changed" else behaviour
        report = RunReport(site=options.site_url, check=options.check, moodle_release="4.5.5+ (Build: 20250613)")
        for step in playbook.steps:
            on_start(step)
            result = StepResult(step.name, step.kind, status, reason="as told",
                                changes=["a change"] if status in ("changed", "pending") else [])
            report.steps.append(result)
            on_result(result)
        if not options.check and status != "failed":
            report.verification = {"ok": True, "site_info": {"sitename": name}}
        return app.RunOutcome(report, Secret(TOKENS[name]) if status == "changed" else None)


class FakeBrowser:
    connected = True


@pytest.fixture
def fake(monkeypatch):
    fake = FakeFleet()
    monkeypatch.setattr(app, "provision", fake)
    opened = []

    @contextmanager
    def open_browser(options):
        opened.append(options)
        yield FakeBrowser()
    monkeypatch.setattr(pool, "open_browser", open_browser)
    fake.browsers = opened
    return fake


@pytest.fixture
def inventory(tmp_path, monkeypatch):
    for name, password in PASSWORDS.items():
        monkeypatch.setenv(f"{name.upper()}_PASSWORD", password)
    for name in ("MOODLE_SITE_URL", "MOODLE_TOKEN", "PLAYWRIGHT_CHROMIUM_EXECUTABLE", "ENROLLAIT_USER_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "inventory.yml"
    path.write_text("".join(f"  {name}:\n    url: https://{name}.example.edu\n"
                            f"    admin_password: {{env: {name.upper()}_PASSWORD}}\n" for name in PASSWORDS)
                    .join(["sites:\n", "groups:\n  pair: [north, south]\n"]))
    return path


@pytest.fixture
def invoke(inventory):
    def _invoke(*args: str):
        result = CliRunner().invoke(cli, ["run", ENROLLAIT, "--inventory", str(inventory), *args],
                                    catch_exceptions=False)
        for secret in [*PASSWORDS.values(), *TOKENS.values()]:
            assert secret not in result.output and secret not in result.stderr
        return result
    return _invoke


def test_every_site_converges_exit_0(fake, invoke):
    result = invoke("--parallel", "2")

    assert result.exit_code == 0, result.stderr
    assert sorted(o.site_url for o in fake.calls) == [f"https://{n}.example.edu" for n in ("north", "south", "west")]
    assert {o.admin_password.reveal() for o in fake.calls} == set(PASSWORDS.values())
    assert "3 converged" in result.stderr


def test_one_site_failing_never_stops_the_others_and_the_run_exits_1(fake, invoke, tmp_path):
    fake.behaviour["south"] = StepError("the site cannot be reached: net::ERR_CONNECTION_REFUSED",
                                        url="https://south.example.edu/login/index.php")
    fake.behaviour["west"] = RuntimeError("a bug")

    result = invoke("--parallel", "3", "--report-json", "r.json")

    assert result.exit_code == 1
    sites = {s["site"]: s for s in json.loads((tmp_path / "r.json").read_text())["sites"]}
    assert {name: s["outcome"] for name, s in sites.items()} == {"north": "converged", "south": "failed",
                                                                 "west": "failed"}
    assert "ERR_CONNECTION_REFUSED" in sites["south"]["reason"]
    assert "internal error (RuntimeError: a bug)" in sites["west"]["reason"]
    assert "Traceback" in result.stderr  # a bug shows its traceback
    assert sites["north"]["changed"] == 8 and sites["north"]["verification"] == "ok"


def test_sites_run_at_the_same_time_up_to_parallel(fake, invoke):
    fake.barrier = threading.Barrier(3)

    result = invoke("--parallel", "3")

    assert result.exit_code == 0, result.stderr
    assert len(fake.browsers) == 3  # a browser per worker thread


def test_a_worker_reuses_its_browser_for_its_next_sites(fake, invoke):
    assert invoke("--parallel", "1").exit_code == 0
    assert len(fake.browsers) == 1 and len(fake.calls) == 3
    assert all(o.browser is not None for o in fake.calls)


def test_check_across_the_inventory_exits_3_and_writes_nothing(fake, invoke, tmp_path):
    result = invoke("--check", "--token-out", "{site}.json")

    assert result.exit_code == 3, result.stderr
    assert all(o.check for o in fake.calls)
    assert not list(tmp_path.glob("*.json"))


def test_token_out_is_per_site(fake, invoke, tmp_path):
    (tmp_path / "tokens").mkdir()

    result = invoke("--token-out", "tokens/{site}.json")

    assert result.exit_code == 0, result.stderr
    for name, token in TOKENS.items():
        saved = json.loads((tmp_path / "tokens" / f"{name}.json").read_text())
        assert saved == {"site_url": f"https://{name}.example.edu", "token": token}
        assert (tmp_path / "tokens" / f"{name}.json").stat().st_mode & 0o777 == 0o600


def test_a_saved_token_is_read_back_for_its_own_site_only(fake, invoke, tmp_path):
    (tmp_path / "north.json").write_text(json.dumps({"site_url": "https://north.example.edu", "token": "n" * 32}))

    invoke("--token-out", "{site}.json", "--limit", "pair")

    known = {o.site_url: o.known_token for o in fake.calls}
    assert known["https://north.example.edu"].reveal() == "n" * 32
    assert known["https://south.example.edu"] is None


def test_handoff_files_are_per_site(fake, invoke, tmp_path):
    result = invoke("--handoff", "file:{site}.env", "--limit", "north")

    assert result.exit_code == 0, result.stderr
    assert f'MOODLE_TOKEN="{TOKENS["north"]}"' in (tmp_path / "north.env").read_text()


@pytest.mark.parametrize("args, words", [
    (["--token-out", "token.json"], "put {site} in the path"),
    (["--handoff", "stdout"], "--handoff stdout would mix"),
    (["--handoff", "file:conn.env"], "put {site} in the path"),
    (["--site", "https://x.example.edu"], "--site does not go with --inventory"),
    (["--session-file", "s.json"], "--session-file does not go with --inventory"),
    (["--limit", "nowhere"], "no site or group of that name"),
    (["--shard", "3/2"], "K must be between 1 and N"),
    (["--parallel", "0"], "0"),
    (["--report-json", "missing/r.json"], "does not exist"),
    (["--only-failed", "missing.json"], "--only-failed missing.json"),
    (["--browser-endpoint", "localhost:3000"], "ws://host:port/"),
])
def test_bad_input_exits_2_before_any_site_runs(fake, invoke, args, words):
    result = invoke(*args)

    assert result.exit_code == 2
    assert words in result.output + result.stderr
    assert fake.calls == [] and fake.browsers == []


def test_a_site_without_its_secret_is_bad_input_only_when_selected(fake, invoke, monkeypatch):
    monkeypatch.delenv("WEST_PASSWORD")

    assert invoke("--limit", "pair").exit_code == 0

    result = invoke()
    assert result.exit_code == 2
    assert "site 'west': admin_password: environment variable WEST_PASSWORD is not set" in result.stderr


@pytest.mark.parametrize("flag", ["--limit", "--shard", "--parallel", "--only-failed", "--report-json"])
def test_inventory_options_without_an_inventory_are_bad_input(fake, flag, monkeypatch):
    monkeypatch.setenv("MOODLE_ADMIN_PASSWORD", "x" * 12)
    value = {"--shard": "1/2", "--parallel": "2"}.get(flag, "x")
    result = CliRunner().invoke(cli, ["run", ENROLLAIT, "--site", "https://a.example.edu", flag, value])
    assert result.exit_code == 2
    assert f"{flag} is for runs over an inventory" in result.stderr


def test_only_failed_reruns_just_the_failed_sites(fake, invoke, tmp_path):
    fake.behaviour["south"] = StepError("the site cannot be reached")
    assert invoke("--report-json", "first.json").exit_code == 1
    fake.calls.clear()
    fake.behaviour.clear()

    result = invoke("--only-failed", "first.json", "--report-json", "second.json")

    assert result.exit_code == 0, result.stderr
    assert [o.site_url for o in fake.calls] == ["https://south.example.edu"]
    second = json.loads((tmp_path / "second.json").read_text())
    assert [s["site"] for s in second["sites"]] == ["south"]
    assert second["selection"]["only_failed"] == ["first.json"]


def test_only_failed_with_nothing_failed_runs_nothing(fake, invoke, tmp_path):
    assert invoke("--report-json", "first.json").exit_code == 0
    fake.calls.clear()

    result = invoke("--only-failed", "first.json")

    assert result.exit_code == 0
    assert fake.calls == [] and "nothing failed" in result.stderr


def test_shards_together_run_every_site_once(fake, invoke):
    runs = []
    for k in (1, 2):
        fake.calls.clear()
        assert invoke("--shard", f"{k}/2").exit_code == 0
        runs.append(sorted(o.site_url for o in fake.calls))
    assert runs == [["https://north.example.edu", "https://west.example.edu"], ["https://south.example.edu"]]


def test_reports_json_and_junit(fake, invoke, tmp_path):
    import xml.etree.ElementTree as ET

    fake.behaviour["south"] = StepError("wrong password", url="https://south.example.edu/login/index.php")
    fake.behaviour["west"] = "failed"

    result = invoke("--report-json", "r.json", "--report-junit", "r.xml", "--json")

    assert result.exit_code == 1
    report = json.loads((tmp_path / "r.json").read_text())
    assert json.loads(result.stdout) == report
    assert report["counts"] == {"converged": 1, "pending": 0, "failed": 2}
    junit = ET.parse(tmp_path / "r.xml").getroot()
    suites = {suite.get("name"): suite for suite in junit.iter("testsuite")}
    assert set(suites) == {"north", "south", "west"}
    assert suites["north"].get("failures") == "0" and suites["north"].get("tests") == "9"  # 8 steps + verification
    assert suites["south"].get("errors") == "1"
    assert suites["south"].find("testcase").get("name") == "sign in"
    assert "wrong password" in suites["south"].find("testcase/error").get("message")
    assert suites["west"].get("failures") == "8"
    assert junit.get("failures") == "8" and junit.get("errors") == "1"


def test_the_summary_names_each_site_and_why_one_failed(fake, invoke):
    fake.behaviour["south"] = StepError("the site cannot be reached: net::ERR_NAME_NOT_RESOLVED")

    result = invoke()

    for name in PASSWORDS:
        assert name in result.stderr
    assert "south: the site cannot be reached: net::ERR_NAME_NOT_RESOLVED" in result.stderr
    assert "2 converged, 1 failed" in result.stderr


def test_artifacts_go_to_a_folder_per_site(fake, invoke, tmp_path):
    invoke("--artifacts-dir", "shots")
    assert sorted(o.artifacts_dir for o in fake.calls) == [Path("shots") / n for n in sorted(PASSWORDS)]


def test_only_failed_skips_with_a_warning_a_site_no_longer_in_the_inventory(fake, invoke, tmp_path):
    (tmp_path / "old.json").write_text(json.dumps({
        "format": "moodle-provisioner-fleet-report/1",
        "sites": [{"site": "closed-school", "outcome": "failed"}, {"site": "west", "outcome": "failed"}]}))

    result = invoke("--only-failed", "old.json")

    assert result.exit_code == 0, result.stderr
    assert [o.site_url for o in fake.calls] == ["https://west.example.edu"]
    assert "closed-school failed last time but is no longer in" in result.stderr


def test_live_lines_on_a_terminal(fake, monkeypatch):
    import io

    from rich.console import Console

    from provisioner.cli.fleet_progress import FleetProgress
    from provisioner.fleet.report import FleetReport, SiteResult
    from provisioner.runner.report import RunReport, StepResult

    out = io.StringIO()
    progress = FleetProgress(total=2, console=Console(file=out, force_terminal=True, width=100))
    assert progress.live
    progress.start()
    step = type("Step", (), {"name": "Enable web services"})()
    progress.site_started("north", 8)
    progress.step_started("north", step)
    rendered = io.StringIO()
    Console(file=rendered, width=100).print(progress._render())
    assert "north" in rendered.getvalue() and "1/8" in rendered.getvalue() and step.name in rendered.getvalue()
    report = RunReport(site="https://north.example.edu", check=False, moodle_release="4.1.1+ (Build: 1)")
    report.steps.append(StepResult("Enable web services", "webservices", "changed", changes=["on"]))
    north = SiteResult("north", "https://north.example.edu", report=report)
    progress.site_finished(north)
    progress.site_finished(SiteResult("south", "https://south.example.edu", error="cannot be reached"))
    progress.stop()
    progress.summary(FleetReport("b.yml", "i.yml", False, "t", 2, sites=[north], seconds=3.0))
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    assert "[1/2]" in text and "[2/2]" in text and "south — cannot be reached" in text and "4.1.1+" in text
