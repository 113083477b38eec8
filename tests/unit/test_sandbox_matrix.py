"""The test matrix: which sandbox each test runs on, and what happens where a version cannot be had.

The plugin is exercised with pytester on generated test files; the engine is stood in for, so no
Moodle is installed here (tests/integration does that for real).
"""
from __future__ import annotations

import pytest

from provisioner.sandbox import matrix, workers
from provisioner.sandbox.langpacks import LangPackCache, read_pack
from provisioner.sandbox.model import Status
from provisioner.sandbox.source import SourceCache
from provisioner.sandbox.state import SandboxState
from provisioner.secrets import Secret
from tests.conftest import make_fake_moodle
from tests.unit.test_sandbox_langpacks import make_pack

pytest_plugins = ["pytester"]
ENV = (matrix.NAME_ENV, matrix.VERSIONS_ENV, matrix.PREFIX_ENV, matrix.PORT_BASE_ENV, matrix.PROFILE_ENV,
       matrix.LANGUAGES_ENV, "CI", "MOODLE_SRC")

TESTS = """
import pytest

pytestmark = pytest.mark.integration

def test_only_on_the_default(moodle_sandbox):
    assert moodle_sandbox.version == "5.0"

@pytest.mark.matrix
def test_on_every_version(moodle_sandbox, moodle_target):
    assert moodle_sandbox.name == moodle_target.name and moodle_sandbox.profile == "school"

def test_without_a_sandbox():
    pass
"""


@pytest.fixture
def clean_env(sandbox_home, monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    # the inner session is not an xdist worker, even when this test runs in one (else: worker copies)
    monkeypatch.delenv(workers.WORKER_ENV, raising=False)
    return sandbox_home


class FakeEngine:
    """Brings nothing up; records what the fixture asked for."""

    def __init__(self):
        self.requests = []

    def status(self, name):
        up = any(r.name == name for r in self.requests)
        return Status(name=name, state="running" if up else "absent", installed=up or None,
                      profile="school" if up else None, languages=["es"] if up else [])

    def up(self, request):
        self.requests.append(request)
        return SandboxState(name=request.name, engine="native", port=request.port, version=request.moodle_version,
                            release=f"{request.moodle_version}.1 (Build: 20250101)", admin_user="admin",
                            admin_password=Secret("pw-pw-pw"), installed=True)


@pytest.fixture
def engine(monkeypatch):
    fake = FakeEngine()
    monkeypatch.setattr("provisioner.sandbox.testing.plugin.engine_for", lambda name, kind="auto": fake)
    return fake


def cache(tmp_path, *versions: str) -> None:
    builds = {"4.1": "2022112801.00", "4.5": "2024100705.00", "5.0": "2025041406.00", "5.1": "2025100600.00"}
    for version in versions:
        tree = make_fake_moodle(tmp_path / "src" / version, release=f"{version}.1 (Build: 20250101)",
                                version=builds[version])
        SourceCache().add(tree)


def test_default_targets_one_sandbox_per_version_and_the_full_suite_on_50(clean_env):
    found = matrix.targets()
    assert [(t.version, t.name, t.port, t.full) for t in found] == [
        ("4.1", "pytest-41", 8141, False), ("4.5", "pytest-45", 8145, False),
        ("5.0", "pytest-50", 8150, True), ("5.1", "pytest-51", 8151, False)]
    assert matrix.profile() == "school" and matrix.languages() == ["es"]


def test_a_parallel_session_chooses_its_prefix_ports_and_versions(clean_env, monkeypatch):
    monkeypatch.setenv(matrix.PREFIX_ENV, "sb")
    monkeypatch.setenv(matrix.PORT_BASE_ENV, "8300")
    monkeypatch.setenv(matrix.VERSIONS_ENV, "4.5, 5.1")
    assert [(t.name, t.port, t.full) for t in matrix.targets()] == [("sb-45", 8345, True), ("sb-51", 8351, False)]
    monkeypatch.setenv(matrix.VERSIONS_ENV, "3.9")
    with pytest.raises(Exception, match="3.9"):
        matrix.targets()


def test_one_named_sandbox_runs_everything(clean_env, monkeypatch, tmp_path):
    monkeypatch.setenv(matrix.NAME_ENV, "mine")
    cache(tmp_path, "4.5")
    assert [(t.version, t.name, t.port, t.full) for t in matrix.targets()] == [("4.5", "mine", 8179, True)]


def test_one_named_sandbox_already_installed_keeps_its_port(clean_env, monkeypatch):
    installed = SandboxState(name="lg-50", engine="native", port=8250, version="5.0", release="5.0.6+",
                             admin_user="admin", admin_password=Secret("pw-pw-pw"), installed=True)
    monkeypatch.setenv(matrix.NAME_ENV, "lg-50")
    monkeypatch.setattr(matrix.Target, "installed", lambda self: installed)
    assert [(t.version, t.name, t.port) for t in matrix.targets()] == [("5.0", "lg-50", 8250)]


@pytest.mark.parametrize("value, ci", [("true", True), ("1", True), ("", False), ("false", False), ("0", False)])
def test_ci_is_detected_from_the_ci_variable(monkeypatch, value, ci):
    monkeypatch.setenv("CI", value)
    assert matrix.in_ci() is ci


def test_matrix_tests_run_on_every_cached_version_and_a_missing_one_is_skipped_loudly(
        clean_env, engine, pytester, tmp_path):
    cache(tmp_path, "4.5", "5.0", "5.1")
    pytester.makepyfile(TESTS)

    result = pytester.runpytest_inprocess("-v", "-rs", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=5, skipped=1)
    result.stdout.fnmatch_lines([
        "*test_only_on_the_default?5.0? PASSED*", "*test_on_every_version?4.1? SKIPPED*",
        "*test_on_every_version?4.5? PASSED*", "*test_on_every_version?5.1? PASSED*",
        "*Moodle 5.0  pytest-50*tests in*", "*Moodle 4.5  pytest-45*",
        "*1 integration tests SKIPPED: no Moodle 4.1 source for sandbox 'pytest-41'*--moodle-src PATH*"])
    # pytest (9.1) may set the 5.0 fixture up twice, around the other versions: asked again, a running
    # sandbox answers at once
    assert sorted({r.name for r in engine.requests}) == ["pytest-45", "pytest-50", "pytest-51"]
    assert {r.profile for r in engine.requests} == {"school"}
    request = next(r for r in engine.requests if r.name == "pytest-45")
    assert (request.port, request.moodle_version) == (8145, "4.5")
    assert request.source == SourceCache().find("4.5").root  # installed from the source cache


def test_in_ci_a_missing_version_fails_the_run_naming_it(clean_env, engine, pytester, tmp_path, monkeypatch):
    cache(tmp_path, "4.5", "5.0", "5.1")
    LangPackCache().add(read_pack(make_pack(tmp_path / "packs" / "es")))  # 4.5's: serves 4.5-5.1
    monkeypatch.setenv("CI", "true")
    pytester.makepyfile(TESTS)

    result = pytester.runpytest_inprocess("-v", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=5, errors=1)
    assert result.ret != 0
    result.stdout.fnmatch_lines([
        "*test_on_every_version?4.1? ERROR*",
        "*1 integration tests FAILED (CI is set): no Moodle 4.1 source*"])
    assert {r.langpacks for r in engine.requests} == {("es",)}


def test_in_ci_a_missing_language_pack_fails_naming_it(clean_env, engine, pytester, tmp_path, monkeypatch):
    cache(tmp_path, "5.0")
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv(matrix.VERSIONS_ENV, "5.0")
    pytester.makepyfile(TESTS)

    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(["*no cached language pack es for Moodle 5.0*--langpack DIR*"])


def test_without_any_moodle_ci_fails_and_a_person_gets_skips(clean_env, engine, pytester, monkeypatch):
    pytester.makepyfile(TESTS)
    skipped = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    skipped.assert_outcomes(skipped=6)
    assert skipped.ret == 0
    skipped.stdout.fnmatch_lines(["*integration tests SKIPPED: no Moodle 5.0 source*"])

    monkeypatch.setenv("CI", "1")
    failed = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    failed.assert_outcomes(errors=6)
    failed.stdout.fnmatch_lines(["*integration tests FAILED (CI is set): no Moodle 5.0 source*"])
    assert engine.requests == []


def test_unit_only_runs_ask_for_nothing(clean_env, engine, pytester, monkeypatch):
    monkeypatch.setenv("CI", "1")
    pytester.makepyfile("def test_plain():\n    pass\n")
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
