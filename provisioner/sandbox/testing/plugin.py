"""pytest fixtures for a real Moodle: `moodle_sandbox` (session, one per version; under pytest-xdist one
per version and worker, copied from the version's template) and `fresh_moodle` (reset first); on Docker, `docker_moodle` and `fresh_docker_moodle` (docker_fixtures.py). Registered as
the pytest11 entry point `moodle_sandbox`.

Tests that use a sandbox run on the default version's; those marked `matrix` run on every version's
(see matrix.py for the sandboxes and their environment variables). A version whose source cannot be
found is skipped with one loud line, or fails where CI is set: a green CI must have run them all.
"""
from __future__ import annotations

import os
import time

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox import matrix, workers
from provisioner.sandbox.engine import engine_for
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.source import SourceCache
from provisioner.sandbox.testing import docker_fixtures
from provisioner.sandbox.testing.sandbox import LIVE, MoodleSandbox

from provisioner.sandbox.testing.docker_fixtures import docker_moodle, fresh_docker_moodle  # noqa: E402,F401 - served here

_TARGETS = pytest.StashKey[list]()
_PROBLEMS = pytest.StashKey[dict]()   # reason -> number of tests it stopped
_TIMES = pytest.StashKey[dict]()      # target name -> {"up": s, "installed": bool, "tests": s, "count": n}
_REASON = pytest.StashKey[str]()      # on an item that cannot run
_GROUP_LOST = pytest.StashKey[bool]()  # on an item that pytest-xdist should have grouped and did not
_SOURCE_PROBLEM = pytest.StashKey[object]()  # MOODLE_SRC given but unusable
_OPENED = pytest.StashKey[dict]()     # sandbox name -> its engine, for the sandboxes used this session


# --- collection: which sandbox each test runs on ------------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "matrix: also run on every Moodle version of the test matrix, "
                                       "not only the default one")
    config.stash[_TIMES], config.stash[LIVE], config.stash[_PROBLEMS], config.stash[_OPENED] = {}, [], {}, {}
    _SESSION_TIMES.clear()


def _targets(config: pytest.Config) -> list[matrix.Target]:
    """Worked out once, when the first test that needs a sandbox is collected."""
    if _TARGETS not in config.stash:
        config.stash[_SOURCE_PROBLEM] = _cache_moodle_src()
        config.stash[_TARGETS] = matrix.targets()
    return config.stash[_TARGETS]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "moodle_sandbox" not in metafunc.fixturenames:
        return
    every = metafunc.definition.get_closest_marker("matrix") is not None
    chosen = [t for t in _targets(metafunc.config) if every or t.full]
    metafunc.parametrize("moodle_target", chosen, ids=[t.id for t in chosen], indirect=True, scope="session")


@pytest.hookimpl(trylast=True)  # after -m/-k deselection and pytest-xdist's groups: count only what runs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in workers.groups_lost(config, items):
        item.stash[_GROUP_LOST] = True
    integration = [item for item in items if item.get_closest_marker("integration")]
    if not integration:
        return
    full = next(t for t in _targets(config) if t.full)
    for item in integration:
        target = _target_of(item) or full  # tests without a sandbox still need a Moodle source
        reason = config.stash[_SOURCE_PROBLEM] or target.missing()
        if not reason and any(name in item.fixturenames for name in docker_fixtures.FIXTURES):
            reason = docker_fixtures.missing()  # no Docker engine, or an image not built/pulled
        if _target_of(item):
            config.stash[_TIMES].setdefault(target.name, {"version": target.version, "tests": 0.0, "count": 0})
        if reason:
            item.stash[_REASON] = reason
            config.stash[_PROBLEMS][reason] = config.stash[_PROBLEMS].get(reason, 0) + 1
            if not matrix.in_ci():
                item.add_marker(pytest.mark.skip(reason=f"integration: {reason}"))


def _target_of(item: pytest.Item) -> matrix.Target | None:
    spec = getattr(item, "callspec", None)
    return spec.params.get("moodle_target") if spec else None


def _cache_moodle_src() -> str | None:
    """MOODLE_SRC joins the source cache, where each version's sandbox looks for its source."""
    source = os.environ.get("MOODLE_SRC")
    if not source:
        return None
    try:
        SourceCache().add(source)
    except SandboxError as exc:
        return f"MOODLE_SRC: {exc}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.stash.get(_GROUP_LOST, False):  # not run: it would fight its group's tests for their sandbox
        pytest.fail(workers.GROUPS_LOST, pytrace=False)
    reason = item.stash.get(_REASON, None)
    if reason and matrix.in_ci():
        pytest.fail(f"integration: {reason} (CI is set: the real-Moodle tests cannot be skipped)", pytrace=False)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    for sandbox in item.config.stash.get(LIVE, []):
        if sandbox._forced:  # a setting a test forced in config.php ends with that test
            sandbox.restore_config()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    times = _SESSION_TIMES.get(report.nodeid)
    if times is not None:
        times["tests"] += report.duration
        times["count"] += report.when == "call"


_SESSION_TIMES: dict[str, dict] = {}  # nodeid -> its target's times (logreport gets no config)


def pytest_collection_finish(session: pytest.Session) -> None:
    times = session.config.stash.get(_TIMES, {})
    for item in session.items:
        target = _target_of(item)
        if target and target.name in times:
            _SESSION_TIMES[item.nodeid] = times[target.name]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    times = config.stash.get(_TIMES, {})
    ran = {name: t for name, t in times.items() if t["count"]}
    if ran:
        terminalreporter.write_sep("-", "Moodle versions: sandbox up (install/profile) + tests")
        for name, t in ran.items():
            up = t.get("up", 0.0)
            how = "installed and profiled" if t.get("installed") else "profiled" if t.get("profiled") else "up"
            terminalreporter.write_line(
                f"Moodle {t['version']:<4} {name:<14} {how} in {up:6.1f} s, {t['count']:3d} tests in "
                f"{t['tests'] - up:7.1f} s, total {t['tests']:7.1f} s")
    for reason, count in config.stash.get(_PROBLEMS, {}).items():
        what = "FAILED (CI is set)" if matrix.in_ci() else "SKIPPED"
        terminalreporter.write_sep("!", f"{count} integration tests {what}: {reason}",
                                   red=matrix.in_ci(), yellow=not matrix.in_ci(), bold=True)


# --- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def moodle_target(request: pytest.FixtureRequest) -> matrix.Target:
    """The sandbox this test runs on (parametrised by pytest_generate_tests)."""
    return request.param


@pytest.fixture(scope="session")
def moodle_sandbox(moodle_target: matrix.Target, pytestconfig: pytest.Config) -> MoodleSandbox:
    """Bring up (or reuse) this version's sandbox with the test profile, and leave it running: the
    next session reuses it in seconds, and a parallel session may still be using it.
    PROVISIONER_TEST_STOP_SANDBOX=1 stops it at the end."""
    target = moodle_target
    wanted = matrix.languages()
    missing = target.missing_languages(wanted)
    if missing and matrix.in_ci():
        pytest.fail(f"no cached language pack {', '.join(missing)} for Moodle {target.version}: "
                    f"give it once with `provisioner sandbox up --name {target.name} --langpack DIR`", pytrace=False)
    # Native even where a Docker engine answers: the matrix's school profile and language packs are
    # applied through the native engine, and a sandbox keeps the engine it was installed with.
    engine = engine_for(target.name, "native")
    before = engine.status(target.name)
    started = time.monotonic()
    langpacks = tuple(code for code in wanted if code not in missing)
    up = _bring_up(engine, target.name, target, langpacks)
    worker = workers.current()
    if worker:  # pytest-xdist: this worker's own copy of the target, made from its template in seconds
        name = workers.sandbox_name(target.name, worker)
        port = workers.port_for(target.port, worker, name)
        up = engine.up(UpRequest(name=name, port=port, moodle_version=target.version, profile=matrix.profile(),
                                 langpacks=langpacks))
    opened = pytestconfig.stash[_OPENED]
    if up.name not in opened:
        # Once a session: snapshots kept by an earlier session (maybe by other code) are dropped. pytest
        # sets this fixture up again each time a worker comes back to a version: the copy, its snapshots
        # and what provision() knows of them must then still be there.
        if hasattr(engine, "drop_snapshots"):
            engine.drop_snapshots(up.name)
        opened[up.name] = engine
    status = engine.status(up.name)
    times = pytestconfig.stash[_TIMES].setdefault(target.name, {"version": target.version, "tests": 0.0,
                                                               "count": 0})
    times["up"] = times.get("up", 0.0) + time.monotonic() - started
    times["installed"] = times.get("installed", False) or not before.installed
    times["profiled"] = times.get("profiled", False) or (
        (before.profile, before.languages) != (status.profile, status.languages))
    sandbox = MoodleSandbox(name=up.name, url=up.url, admin_user=up.admin_user,
                            admin_password=up.admin_password, version=up.version, release=up.release,
                            profile=status.profile or "plain", languages=status.languages, _engine=engine)
    pytestconfig.stash[LIVE].append(sandbox)
    yield sandbox
    if not worker and os.environ.get(matrix.STOP_ENV) == "1":
        engine.down(target.name)
        del opened[up.name]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker's copies end with its session, not when it moves on to another version's tests."""
    opened = session.config.stash.get(_OPENED, {})
    if workers.current():
        for name, engine in opened.items():
            engine.down(name, purge=True)
    opened.clear()


def _bring_up(engine, name: str, target: matrix.Target, langpacks: tuple[str, ...]):
    """The target's sandbox, installed and given the test profile the first time; what it keeps as its
    template is what a worker's copy is made from."""
    tree = None if target.installed() else SourceCache().find(target.version)
    return engine.up(UpRequest(name=name, port=None if tree is None else target.port,
                               source=tree.root if tree else None, moodle_version=target.version,
                               profile=matrix.profile(), langpacks=langpacks))


@pytest.fixture
def fresh_moodle(moodle_sandbox: MoodleSandbox) -> MoodleSandbox:
    """The same site, put back to its profile's state (as installed, or school) before the test."""
    moodle_sandbox.reset()
    return moodle_sandbox
