"""Bad input to the native engine fails with one clear message and leaves nothing behind."""
import socket
import stat

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.native.engine import NativeEngine
from provisioner.sandbox.paths import SandboxPaths


def leftovers(name: str) -> list:
    root = SandboxPaths(name).root
    return list(root.iterdir()) if root.exists() else []


def test_a_folder_that_is_not_moodle(sandbox_home, tmp_path):
    with pytest.raises(SandboxError, match="not a Moodle tree"):
        NativeEngine().up(UpRequest(source=tmp_path))
    assert leftovers("default") == []


def test_a_port_in_use(sandbox_home, fake_moodle, monkeypatch):
    monkeypatch.setattr("provisioner.sandbox.native.engine.check_php", lambda release, php=None, needed=None: "php")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SandboxError, match=f"port {port} is in use"):
            NativeEngine().up(UpRequest(name="qa", port=port, source=fake_moodle))
    assert leftovers("qa") == []


def test_php_without_pgsql(sandbox_home, fake_moodle, tmp_path):
    php = tmp_path / "php"
    php.write_text("#!/bin/sh\necho 8.2\necho curl\n")
    php.chmod(php.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(SandboxError, match=r"missing: pgsql.*php8\.2-pgsql"):
        NativeEngine(php=str(php)).up(UpRequest(source=fake_moodle))
    assert leftovers("default") == []


def test_reset_before_install(sandbox_home):
    with pytest.raises(SandboxError, match="not installed: run `provisioner sandbox up` first"):
        NativeEngine().reset("default")


def test_down_of_an_absent_sandbox_is_quiet(sandbox_home):
    NativeEngine().down("never-made", purge=True)


def installed_state(name: str, port: int = 8080):
    from provisioner.sandbox.state import SandboxState, save
    from provisioner.secrets import Secret

    save(SandboxState(name=name, engine="native", port=port, version="5.0",
                      release="5.0.6+ (Build: 20260403)", admin_user="admin",
                      admin_password=Secret("pw-pw-pw"), installed=True),
         SandboxPaths(name).state_file)


def test_an_installed_sandbox_keeps_its_port(sandbox_home):
    installed_state("default")
    with pytest.raises(SandboxError, match=r"installed for port 8080 .*omit --port"):
        NativeEngine().up(UpRequest(port=8090))


def test_an_installed_sandbox_keeps_its_release(sandbox_home, fake_moodle):
    installed_state("default")
    with pytest.raises(SandboxError, match=r"runs Moodle 5\.0\.6\+ .*for 4\.5\.3"):
        NativeEngine().up(UpRequest(source=fake_moodle))
    with pytest.raises(SandboxError, match=r"runs Moodle 5\.0\.6\+ .*for 4\.5"):
        NativeEngine().up(UpRequest(moodle_version="4.5"))


def test_an_installed_sandbox_keeps_its_path(sandbox_home):
    installed_state("default")
    with pytest.raises(SandboxError, match=r"installed at http://127\.0\.0\.1:8080; omit --path"):
        NativeEngine().up(UpRequest(path="/moodle"))


def test_a_sub_path_site_is_served_through_a_link_to_the_web_root(sandbox_home, tmp_path):
    from provisioner.sandbox.native.folders import document_root

    webroot = tmp_path / "code"
    webroot.mkdir()
    paths = SandboxPaths("qa")
    assert document_root(webroot, "", paths) == webroot
    served = document_root(webroot, "/school/moodle", paths)
    assert (served / "school" / "moodle").resolve() == webroot.resolve()
    assert document_root(webroot, "/school/moodle", paths) == served  # again: the link is kept
