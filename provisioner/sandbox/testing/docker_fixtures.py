"""pytest fixtures for a Moodle on Docker: `docker_moodle` (session) and `fresh_docker_moodle` (reset
first), served by testing/plugin.py like the native ones.

One docker sandbox per session: PROVISIONER_TEST_DOCKER_SANDBOX (default dk-50) on
PROVISIONER_TEST_DOCKER_PORT (default 8390), Moodle 5.0 from the source cache, images from
MOODLE_PHP_IMAGE / MOODLE_DB_IMAGE (else the compose file's defaults), never pulled. Where no Docker
engine answers or an image is missing, its tests are skipped with one loud line, or fail where CI is set.
"""
from __future__ import annotations

import os
from functools import cache

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox import matrix
from provisioner.sandbox.docker import compose
from provisioner.sandbox.docker import images as docker_images
from provisioner.sandbox import state as state_mod
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.engine import docker_answers
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.source import SourceCache
from provisioner.sandbox.testing.sandbox import LIVE, MoodleSandbox

NAME_ENV, PORT_ENV = "PROVISIONER_TEST_DOCKER_SANDBOX", "PROVISIONER_TEST_DOCKER_PORT"
VERSION = "5.0"  # the plain docker sandbox's; test_docker_school_site.py runs 5.1 (public/) on docker too
FIXTURES = ("docker_moodle", "fresh_docker_moodle")


def name() -> str:
    return os.environ.get(NAME_ENV, "dk-50")


def port() -> int:
    return int(os.environ.get(PORT_ENV, "8390"))


def images() -> dict[str, str]:
    """service -> image, as `sandbox up` would choose them from the environment."""
    return compose.images_for()


@cache
def missing() -> str | None:
    """Why the docker sandbox cannot be had here, or None. Asked once per session."""
    if not docker_answers():
        return "no Docker engine answers: install docker.io and start dockerd (.ci/run does both)"
    import docker

    client = docker.from_env()
    try:
        docker_images.require_local(client, list(images().values()))
    except SandboxError as exc:
        return f"docker sandbox: {exc}"
    finally:
        client.close()
    installed = state_mod.load(SandboxPaths(name()).state_file)
    if not (installed and installed.installed) and not SourceCache().find(VERSION):
        return f"no Moodle {VERSION} source for the docker sandbox '{name()}': cache one with --moodle-src"
    return None


def bring_up(engine) -> state_mod.SandboxState:
    return engine.up(UpRequest(name=name(), port=port(), moodle_version=VERSION, pull="never",
                               php_image=os.environ.get("MOODLE_PHP_IMAGE") or None,
                               db_image=os.environ.get("MOODLE_DB_IMAGE") or None))


@pytest.fixture(scope="session")
def docker_moodle(pytestconfig: pytest.Config):
    """This session's docker sandbox, installed the first time and left running for the next session.
    The same object as moodle_sandbox's: sql(), reset(), php(), cfg(), force_config() (PHP runs in the
    moodle container); a plain site (test_docker_school_site.py brings up a school-profiled one)."""
    from provisioner.sandbox.docker.engine import DockerEngine

    engine = DockerEngine()
    up = bring_up(engine)
    sandbox = MoodleSandbox(name=up.name, url=up.url, admin_user=up.admin_user, admin_password=up.admin_password,
                            version=up.version, release=up.release, _engine=engine)
    pytestconfig.stash[LIVE].append(sandbox)  # a setting a test forces ends with that test, as on native
    yield sandbox
    if os.environ.get(matrix.STOP_ENV) == "1":
        engine.down(up.name)


@pytest.fixture
def fresh_docker_moodle(docker_moodle):
    """The docker sandbox put back to just-installed (database and moodledata) before the test."""
    docker_moodle.reset()
    return docker_moodle
