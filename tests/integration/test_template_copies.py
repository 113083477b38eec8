"""A new native sandbox of a release installed once on this machine is a copy of its kept template: no
installer, the profile and language packs carried, the site moved to its own URL, reset working."""
from __future__ import annotations

import httpx
import pytest

from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.testing.sandbox import MoodleSandbox
from tests.integration.conftest import run_cli

pytestmark = [pytest.mark.integration, pytest.mark.matrix]


def test_a_new_sandbox_of_an_installed_release_is_a_copy_moved_to_its_own_url(fresh_moodle):
    moodle_sandbox = fresh_moodle  # reset: the copy is compared with the site as the profile left it
    engine = moodle_sandbox._engine
    name = f"tp-{moodle_sandbox.version.replace('.', '')}"
    port = 8600 + int(moodle_sandbox.version.replace(".", ""))
    engine.down(name, purge=True)
    try:
        up = engine.up(UpRequest(name=name, port=port, moodle_version=moodle_sandbox.version, path="/lms",
                                 profile=moodle_sandbox.profile, langpacks=tuple(moodle_sandbox.languages)))
        assert up.url == f"http://127.0.0.1:{port}/lms"
        assert "Moodle's installer did not run" in SandboxPaths(name).install_log.read_text()
        status = engine.status(name)
        assert (status.profile, status.languages) == (moodle_sandbox.profile, moodle_sandbox.languages)
        copy = MoodleSandbox(name=name, url=up.url, admin_user=up.admin_user, admin_password=up.admin_password,
                             version=up.version, release=up.release, _engine=engine)
        page = httpx.get(f"{up.url}/login/index.php", timeout=30)
        assert page.status_code == 200 and f'"wwwroot":"http:\\/\\/127.0.0.1:{port}\\/lms"' in page.text
        assert copy.sql("SELECT COUNT(*) FROM mdl_user") == moodle_sandbox.sql("SELECT COUNT(*) FROM mdl_user")
        assert copy.sql("SELECT shortname FROM mdl_course WHERE id = 1") == [(f"sandbox-{name}",)]  # its own name
        # the admin signs in at the copy's URL (the product's own login), and a reset keeps it working
        checked = run_cli(copy, "run", "playbooks/enrollait.yml", "--check")
        assert checked.code == 3, checked.stderr  # changes pending: a fresh site, read through its admin pages
        copy.cfg("enablewebservices", "1")
        copy.reset()
        assert copy.cfg("enablewebservices") in ("0", "", None)
    finally:
        engine.down(name, purge=True)
