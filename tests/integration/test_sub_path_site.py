"""A site under a sub-path of its host (https://school.example/moodle), as many schools' are: every URL the
tool builds, reads or follows must keep the sub-path. A 5.0 sandbox installed with `--path /moodle`
(PROVISIONER_TEST_SUB_PATH_SITE, "name:port:version"; installed the first time from the source cache, kept
afterwards, reset before the test); acted on through the CLI, asserted through the database."""
from __future__ import annotations

import os

import httpx
import pytest

from provisioner.sandbox import matrix
from provisioner.sandbox import state as state_mod
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.engine import engine_for
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.testing.sandbox import MoodleSandbox
from provisioner.sandbox.source import SourceCache
from tests.integration.conftest import converge_then_rerun, run_cli

# One worker under pytest-xdist (--dist loadgroup): these tests share sandboxes of fixed names.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("sub-path-site")]
SUB_PATH = "/moodle"


@pytest.fixture(scope="module")
def sub_path_site() -> MoodleSandbox:
    name, port, version = os.environ.get("PROVISIONER_TEST_SUB_PATH_SITE", "sp-50:8155:5.0").split(":")
    installed = state_mod.load(SandboxPaths(name).state_file)
    fresh_install = not (installed and installed.installed)
    if fresh_install and SourceCache().find(version) is None:
        message = f"no cached Moodle {version} source for the sub-path site '{name}'"
        if matrix.in_ci():
            pytest.fail(f"integration: {message} (CI is set: the real-Moodle tests cannot be skipped)")
        pytest.skip(message)
    engine = engine_for(name, "native")
    up = engine.up(UpRequest(name=name, port=int(port) if fresh_install else None, moodle_version=version,
                             path=SUB_PATH))
    engine.reset(name)
    return MoodleSandbox(name=name, url=up.url, admin_user=up.admin_user, admin_password=up.admin_password,
                         version=up.version, release=up.release, _engine=engine)


def test_a_site_under_a_sub_path_converges_and_reruns_unchanged(sub_path_site, tmp_path):
    site = sub_path_site
    assert site.url.endswith(SUB_PATH)
    host_root = site.url.removesuffix(SUB_PATH)
    assert httpx.get(f"{host_root}/login/index.php").status_code == 404  # Moodle really is only under /moodle

    token_file, _state = converge_then_rerun(site, tmp_path)

    checked = run_cli(site, "verify", "--token-file", str(token_file))
    assert checked.code == 0, checked.stdout + checked.stderr
