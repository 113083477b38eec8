"""pytest-xdist workers: a group that pytest-xdist failed to keep on one worker is caught, not run."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from provisioner.sandbox import workers

pytest_plugins = ["pytester"]


class _Item:
    def __init__(self, nodeid: str, grouped: bool):
        self.nodeid, self._grouped = nodeid, grouped

    def get_closest_marker(self, name: str):
        return object() if name == "xdist_group" and self._grouped else None


def test_a_dropped_group_is_found_in_a_worker_under_loadgroup_only(monkeypatch):
    kept, lost, free = _Item("t.py::a@fleet", True), _Item("t.py::b", True), _Item("t.py::c", False)
    loadgroup = SimpleNamespace(option=SimpleNamespace(loadgroup=True))
    monkeypatch.setenv(workers.WORKER_ENV, "gw1")
    assert workers.groups_lost(loadgroup, [kept, lost, free]) == [lost]
    assert workers.groups_lost(SimpleNamespace(option=SimpleNamespace(loadgroup=False)), [lost]) == []
    monkeypatch.delenv(workers.WORKER_ENV)
    assert workers.groups_lost(loadgroup, [lost]) == []


def test_the_pinned_pytest_keeps_a_group_on_one_worker(pytester, monkeypatch):
    monkeypatch.delenv(workers.WORKER_ENV, raising=False)  # the inner session is not a worker of ours
    pytester.makepyfile(test_grouped="""
        import os, pytest
        pytestmark = pytest.mark.xdist_group("shared")
        @pytest.mark.parametrize("i", range(6))
        def test_in_group(i):
            print("WORKER", os.environ["PYTEST_XDIST_WORKER"])
    """, test_free="""
        import pytest
        @pytest.mark.parametrize("i", range(6))
        def test_alone(i):
            pass
    """)
    result = pytester.runpytest_subprocess("-n", "2", "--dist", "loadgroup", "-rA", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=12)
    assert len({line.split()[-1] for line in result.outlines if line.startswith("WORKER ")}) == 1
