"""A school-shaped site on the docker engine, as QA on Docker needs it: Moodle 5.1 (public/ layout) with the
school profile, the Spanish pack and a sub-path, the main job converging on it; and a second sandbox of
that release made from its kept template, without Moodle's installer.

The sandbox (PROVISIONER_TEST_DOCKER_SCHOOL, "name:port:version", default dk-51:8395:5.1) is installed and
profiled the first time (about 4 minutes here), then reused. Images as for the other docker tests
(MOODLE_PHP_IMAGE / MOODLE_DB_IMAGE), never pulled.
"""
from __future__ import annotations

import os

import httpx
import pytest

from provisioner.sandbox import matrix
from provisioner.sandbox.testing import docker_fixtures as pytest_docker
from provisioner.sandbox import state as state_mod
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.testing.sandbox import MoodleSandbox
from provisioner.sandbox.source import SourceCache
from tests.integration.conftest import converge_then_rerun, run_cli

# One worker under pytest-xdist (--dist loadgroup): these tests share sandboxes of fixed names.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("docker-school")]
SUB_PATH = "/moodle"


def _request(name: str, port: int | None, version: str) -> UpRequest:
    return UpRequest(name=name, port=port, moodle_version=version, profile="school", langpacks=("es",),
                     path=SUB_PATH, pull="never", php_image=os.environ.get("MOODLE_PHP_IMAGE") or None,
                     db_image=os.environ.get("MOODLE_DB_IMAGE") or None)


@pytest.fixture(scope="module")
def engine():
    reason = pytest_docker.missing()
    if reason:
        (pytest.fail if matrix.in_ci() else pytest.skip)(f"integration: {reason}")
    from provisioner.sandbox.docker.engine import DockerEngine

    return DockerEngine()


@pytest.fixture(scope="module")
def school_site(engine) -> MoodleSandbox:
    name, port, version = os.environ.get("PROVISIONER_TEST_DOCKER_SCHOOL", "dk-51:8395:5.1").split(":")
    installed = state_mod.load(SandboxPaths(name).state_file)
    fresh = not (installed and installed.installed)
    if fresh and SourceCache().find(version) is None:
        (pytest.fail if matrix.in_ci() else pytest.skip)(f"integration: no cached Moodle {version} source")
    up = engine.up(_request(name, int(port) if fresh else None, version))
    engine.reset(name)
    status = engine.status(name)
    return MoodleSandbox(name=name, url=up.url, admin_user=up.admin_user, admin_password=up.admin_password,
                         version=up.version, release=up.release, profile=status.profile,
                         languages=status.languages, _engine=engine)


def test_a_school_shaped_51_site_under_a_sub_path_on_docker_converges_and_reruns_unchanged(school_site, tmp_path):
    site = school_site
    assert site.url.endswith(SUB_PATH) and site.version == "5.1"
    assert (site.profile, site.languages) == ("school", ["es"])
    assert int(site.sql("SELECT COUNT(*) FROM mdl_user")[0][0]) > 2500  # the school's people are there
    host_root = site.url.removesuffix(SUB_PATH)
    assert httpx.get(f"{host_root}/login/index.php").status_code == 404  # Moodle is only under /moodle

    token_file, _state = converge_then_rerun(site, tmp_path)
    checked = run_cli(site, "verify", "--token-file", str(token_file))
    assert checked.code == 0, checked.stdout + checked.stderr


def test_a_second_sandbox_of_the_release_is_a_copy_of_its_template_not_an_install(school_site, engine):
    name, port = f"{school_site.name}-copy", int(school_site.url.split(":")[2].split("/")[0]) + 5
    engine.down(name, purge=True)
    try:
        up = engine.up(_request(name, port, school_site.version))
        assert up.url == f"http://127.0.0.1:{port}{SUB_PATH}"
        assert "Moodle's installer did not run" in SandboxPaths(name).install_log.read_text()
        status = engine.status(name)
        assert (status.profile, status.languages) == ("school", ["es"])
        page = httpx.get(f"{up.url}/login/index.php", timeout=30)
        assert page.status_code == 200 and f'"wwwroot":"http:\\/\\/127.0.0.1:{port}\\/moodle"' in page.text
        copy = MoodleSandbox(name=name, url=up.url, admin_user=up.admin_user, admin_password=up.admin_password,
                             version=up.version, release=up.release, _engine=engine)
        # no URL of the template's site is left in the copy's database
        old = school_site.url
        assert copy.sql("SELECT COUNT(*) FROM mdl_config WHERE value LIKE %s", f"%{old}%") == [("0",)]
    finally:
        engine.down(name, purge=True)
