"""Two runs started together on one site (two terminals, a retried CI job): the second waits for the first
on this machine, then finds the work done. One user, one service, one token; both end well."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.integration.conftest import DECLARED, PLAYBOOK, ROOT, db_state

pytestmark = pytest.mark.integration


def _start(sandbox, tmp_path, name: str) -> subprocess.Popen:
    env = dict(os.environ, MOODLE_SITE_URL=sandbox.url, MOODLE_ADMIN_USER=sandbox.admin_user,
               MOODLE_ADMIN_PASSWORD=sandbox.admin_password.reveal(), XDG_STATE_HOME=str(tmp_path / "state"))
    return subprocess.Popen([sys.executable, "-m", "provisioner", "run", str(PLAYBOOK), "--json",
                             "--artifacts-dir", str(tmp_path / name)],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_runs_started_together_end_with_one_connection(fresh_moodle, tmp_path):
    runs = [_start(fresh_moodle, tmp_path, name) for name in ("first", "second")]
    results = [(run.wait(600), *run.communicate()) for run in runs]

    assert [code for code, _out, _err in results] == [0, 0], [err for _c, _o, err in results]
    waited = [err for _code, _out, err in results if "another run is changing this site" in err]
    assert len(waited) == 1  # the one that started second said it waited, once
    statuses = sorted(tuple({s["status"] for s in json.loads(out)["steps"]}) for _code, out, _err in results)
    assert statuses == [("changed",), ("unchanged",)]
    state = db_state(fresh_moodle)
    assert {key: state[key] for key in DECLARED} == DECLARED
    assert len(state["tokens"]) == 1
    assert fresh_moodle.sql("SELECT (SELECT COUNT(*) FROM mdl_user WHERE username = 'enrollait-user'), "
                            "(SELECT COUNT(*) FROM mdl_external_services WHERE shortname = 'enrollait')") == [("1", "1")]
