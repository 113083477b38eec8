"""pytest fixtures for a real Moodle: `moodle_sandbox` (session) and `fresh_moodle` (reset first).

Registered as the pytest11 entry point `moodle_sandbox`. Tests marked `integration` are skipped,
with one loud reason, where no Moodle source can be found; everything else still runs.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest

from provisioner.sandbox import sql as sql_mod
from provisioner.sandbox import state as state_mod
from provisioner.sandbox.engine import UpRequest, engine_for
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.source import SourceCache
from provisioner.secrets import Secret

NAME_ENV, DEFAULT_NAME, DEFAULT_PORT = "PROVISIONER_TEST_SANDBOX", "pytest", 8179
_SKIP_REASON = pytest.StashKey[str]()
_SKIPPED_COUNT = pytest.StashKey[int]()


@dataclass
class MoodleSandbox:
    name: str
    url: str
    admin_user: str
    admin_password: Secret
    version: str  # "5.0"
    release: str  # "5.0.6+ (Build: 20260403)"
    _engine: object = field(repr=False, default=None)

    def sql(self, query: str, *params: object) -> list[tuple[str | None, ...]]:
        """Rows as tuples of strings (None for NULL); %s placeholders take params."""
        return sql_mod.parse(self._engine.sql(self.name, sql_mod.render(query, params)))

    def reset(self) -> None:
        self._engine.reset(self.name)


def sandbox_name() -> str:
    return os.environ.get(NAME_ENV, DEFAULT_NAME)


def why_no_moodle(name: str) -> str | None:
    """None when a Moodle can be had: an installed sandbox, MOODLE_SRC, or a cached release."""
    try:
        current = state_mod.load(SandboxPaths(name).state_file)
    except Exception:  # noqa: BLE001 - a broken state file is reported by the fixture itself
        return None
    if (current and current.installed) or os.environ.get("MOODLE_SRC") or SourceCache().find():
        return None
    return ("no Moodle source: set MOODLE_SRC to a Moodle tree or release .tgz/.zip "
            "(or run `provisioner sandbox up --moodle-src PATH` once to cache one)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    integration = [item for item in items if item.get_closest_marker("integration")]
    reason = why_no_moodle(sandbox_name()) if integration else None
    if reason:
        config.stash[_SKIP_REASON] = reason
        config.stash[_SKIPPED_COUNT] = len(integration)
        for item in integration:
            item.add_marker(pytest.mark.skip(reason=f"integration: {reason}"))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    reason = config.stash.get(_SKIP_REASON, None)
    if reason:
        count = config.stash.get(_SKIPPED_COUNT, 0)
        terminalreporter.write_sep("!", f"{count} integration tests SKIPPED: {reason}",
                                   yellow=True, bold=True)


@pytest.fixture(scope="session")
def moodle_sandbox() -> MoodleSandbox:
    """Bring up (or reuse) the test sandbox and leave it running: the next session reuses it in
    a second, and a parallel session may still be using it. PROVISIONER_TEST_STOP_SANDBOX=1 stops
    it at the end; `provisioner sandbox down --name pytest` does it by hand."""
    name = sandbox_name()
    engine = engine_for(name)
    installed = state_mod.load(SandboxPaths(name).state_file)
    port = None if installed and installed.installed else DEFAULT_PORT
    up = engine.up(UpRequest(name=name, port=port))
    yield MoodleSandbox(name=name, url=up.url, admin_user=up.admin_user,
                        admin_password=up.admin_password, version=up.version,
                        release=up.release, _engine=engine)
    if os.environ.get("PROVISIONER_TEST_STOP_SANDBOX") == "1":
        engine.down(name)


@pytest.fixture
def fresh_moodle(moodle_sandbox: MoodleSandbox) -> MoodleSandbox:
    """The same site, put back to just-installed before the test."""
    moodle_sandbox.reset()
    return moodle_sandbox
