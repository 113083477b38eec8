"""What a QA suite gets under pytest-xdist (`pytest -n 3 --dist loadgroup`): each worker its own site, copied
from the version's template, reset before each test that asks for `fresh_moodle`. Without xdist these
run on the one session sandbox, as before."""
import json
import os

import pytest

from provisioner.sandbox import workers

pytestmark = pytest.mark.integration


def _record_site(tmp_path_factory, sandbox) -> dict[str, str]:
    """Which site each worker used, in a file that all workers of this run share."""
    shared = tmp_path_factory.getbasetemp().parent / "worker-sites.jsonl"
    worker = workers.current() or "main"
    with shared.open("a") as out:
        out.write(json.dumps({"worker": worker, "url": sandbox.url, "name": sandbox.name}) + "\n")
    seen = [json.loads(line) for line in shared.read_text().splitlines()]
    return {entry["url"]: entry["worker"] for entry in seen}


@pytest.mark.parametrize("run", range(3))
def test_each_worker_has_a_fresh_site_of_its_own(fresh_moodle, tmp_path_factory, run):
    owners = _record_site(tmp_path_factory, fresh_moodle)
    worker = workers.current()
    if worker:
        assert fresh_moodle.name.endswith(f"-{worker}")
        assert owners[fresh_moodle.url] == worker, "another worker used this site"
    # fresh: the profile's state, nobody has provisioned it (no integration user, web services off)
    assert fresh_moodle.sql("SELECT COUNT(*) FROM mdl_user WHERE username = 'enrollait-user'") == [("0",)]
    assert fresh_moodle.cfg("enablewebservices") in ("0", "", None)
    # a change made here is seen by this test only: the next reset takes it away
    fresh_moodle.cfg("enablewebservices", "1")
    assert fresh_moodle.cfg("enablewebservices") == "1"
    assert os.environ.get("PYTEST_XDIST_WORKER", "main") == (worker or "main")
