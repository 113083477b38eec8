import stat

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.native.php import REQUIRED_EXTENSIONS, check_php, find_php
from provisioner.sandbox.source import MoodleRelease

MOODLE_50 = MoodleRelease(version="2025041406.11", release="5.0.6+ (Build: 20260403)")


def fake_php(tmp_path, version: str, extensions: list[str]) -> str:
    """A stand-in `php` that answers the probe the way a real one would."""
    script = tmp_path / "php"
    lines = "\n".join([version, *extensions])
    script.write_text(f"#!/bin/sh\ncat <<'OUT'\n{lines}\nOUT\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_missing_php_names_the_debian_packages(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SandboxError, match=r"PHP not found .*php8\.2-cli.*php8\.2-pgsql"):
        find_php()


def test_missing_extension_is_named_with_its_debian_package(tmp_path):
    loaded = [ext for ext in REQUIRED_EXTENSIONS if ext != "pgsql"]
    with pytest.raises(SandboxError) as raised:
        check_php(MOODLE_50, fake_php(tmp_path, "8.2", loaded))
    assert str(raised.value) == ("PHP extension(s) missing: pgsql "
                                 "(Debian: apt-get install php8.2-pgsql)")


def test_packages_follow_the_php_version(tmp_path):
    loaded = [ext for ext in REQUIRED_EXTENSIONS if ext not in ("intl", "dom")]
    with pytest.raises(SandboxError, match=r"apt-get install php8\.3-intl php8\.3-xml\)"):
        check_php(MOODLE_50, fake_php(tmp_path, "8.3", loaded))


def test_too_old_php_for_the_release(tmp_path):
    with pytest.raises(SandboxError, match=r"Moodle 5\.0 needs PHP >= 8\.2, but .* is PHP 8\.1"):
        check_php(MOODLE_50, fake_php(tmp_path, "8.1", list(REQUIRED_EXTENSIONS)))


def test_complete_php_is_accepted(tmp_path):
    php = fake_php(tmp_path, "8.2", [e.upper() if e == "zip" else e for e in REQUIRED_EXTENSIONS])
    assert check_php(MOODLE_50, php) == php
