"""A tree's own environment.xml says which PHP and PostgreSQL its release needs: checked before anything
starts, and the docker engine's default images raised to suit (5.2: PHP 8.3, PostgreSQL 16; 5.3: 17)."""
from __future__ import annotations

from pathlib import Path

from provisioner.sandbox.docker import compose
from provisioner.sandbox.requirements import Requirements, requirements
from provisioner.sandbox.source import MoodleRelease, MoodleTree

ENVIRONMENT = """<?xml version="1.0" encoding="UTF-8" ?>
<COMPATIBILITY_MATRIX>
  <MOODLE version="5.1" requires="4.2"><DATABASE level="required">
    <VENDOR name="postgres" version="15" /><VENDOR name="mysql" version="8.0" /></DATABASE>
    <PHP version="8.2.0" level="required" /></MOODLE>
  <MOODLE version="5.3" requires="4.4"><DATABASE level="required">
    <VENDOR name="mariadb" version="11.4" /><VENDOR name="postgres" version="17" /></DATABASE>
    <PHP version="8.3.0" level="required" /></MOODLE>
</COMPATIBILITY_MATRIX>
"""


def _tree(tmp_path: Path, short: str, public: bool = True) -> MoodleTree:
    web = tmp_path / "public" if public else tmp_path
    (web / "admin").mkdir(parents=True)
    (web / "index.php").write_text("<?php")
    (web / "admin" / "environment.xml").write_text(ENVIRONMENT)
    return MoodleTree(tmp_path, MoodleRelease(version="2026100500.00", release=f"{short} (Build: 20261005)"))


def test_the_release_block_of_the_trees_own_environment_xml_is_read(tmp_path):
    assert requirements(_tree(tmp_path, "5.3")) == Requirements(php=(8, 3), postgres=17)


def test_a_release_the_file_does_not_list_needs_nothing_known(tmp_path):
    assert requirements(_tree(tmp_path, "5.9")) == Requirements()


def test_docker_defaults_are_raised_to_what_the_release_needs(monkeypatch):
    monkeypatch.delenv("MOODLE_PHP_IMAGE", raising=False)
    monkeypatch.delenv("MOODLE_DB_IMAGE", raising=False)
    plain = compose.images_for()
    newer = compose.images_for(needs=Requirements(php=(8, 3), postgres=17))
    assert newer["moodle"] == plain["moodle"].rpartition(":")[0] + ":8.3"
    assert newer["db"] == "postgres:17"
    assert compose.images_for(needs=Requirements(php=(7, 4), postgres=12)) == plain  # never lowered


def test_images_the_user_chose_are_kept(monkeypatch):
    monkeypatch.setenv("MOODLE_DB_IMAGE", "registry.school/postgres:16")
    images = compose.images_for(php="mirror/php:8.2", needs=Requirements(php=(8, 3), postgres=17))
    assert images == {"moodle": "mirror/php:8.2", "db": "registry.school/postgres:16"}
