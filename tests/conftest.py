"""Shared fixtures. The Moodle sandbox fixtures (moodle_sandbox, fresh_moodle) come from the
pytest11 plugin provisioner.sandbox.testing.plugin, installed with the package."""
from __future__ import annotations

from pathlib import Path

import pytest

FAKE_VERSION_PHP = """<?php
defined('MOODLE_INTERNAL') || die();
$version  = {version};
$release  = '{release}';
$branch   = '{branch}';
"""


@pytest.fixture
def sandbox_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Sandbox state and the source cache in a temporary folder; no MOODLE_SRC from outside."""
    home = tmp_path / "home"
    monkeypatch.setenv("PROVISIONER_HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MOODLE_SRC", raising=False)
    return home


def make_fake_moodle(root: Path, release: str = "4.5.3 (Build: 20250310)",
                     version: str = "2024100703.00", public: bool = False, cli_at_root: bool = False) -> Path:
    """The few files that make a folder look like Moodle code (no PHP is run against it).
    public=True: 5.1+'s layout, web files under public/; cli_at_root=True: the 5.1 release's
    admin/cli/ at the code root (later builds keep it under public/)."""
    code = root / "public" if public else root
    cli = (root if cli_at_root else code) / "admin" / "cli"
    cli.mkdir(parents=True)
    code.mkdir(parents=True, exist_ok=True)
    (cli / "install.php").write_text("<?php // fake\n")
    (code / "index.php").write_text("<?php // fake\n")
    (code / "version.php").write_text(FAKE_VERSION_PHP.format(
        version=version, release=release, branch=release[:3].replace(".", "0")))
    return root


@pytest.fixture
def make_moodle():
    """make_moodle(root, release=..., version=..., public=False, cli_at_root=False) -> a fake Moodle tree."""
    return make_fake_moodle


@pytest.fixture
def fake_moodle(tmp_path: Path) -> Path:
    return make_fake_moodle(tmp_path / "src" / "moodle")
