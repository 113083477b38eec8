"""Settings forced in config.php: written where Moodle counts them as forced, and put back by reset."""
import os

import pytest

from provisioner.errors import SandboxError
from provisioner.sandbox.site_cli import FORCED_MARK, SiteCli, force_setting, php_literal, unforced
from provisioner.sandbox.source import open_tree

CONFIG = """<?php  // Moodle configuration file

unset($CFG);
global $CFG;
$CFG = new stdClass();

$CFG->wwwroot   = 'http://127.0.0.1:8150';
$CFG->directorypermissions = 02777;

require_once(__DIR__ . '/lib/setup.php');

// There is no php closing tag in this file,
"""


def test_php_literals():
    assert php_literal("it's") == r"'it\'s'" and php_literal("a\\b") == r"'a\\b'"
    assert php_literal(True) == "true" and php_literal(3) == "3"
    assert php_literal(["rest", "soap"]) == "['rest', 'soap']"
    with pytest.raises(TypeError):
        php_literal(object())


def test_a_forced_setting_goes_before_moodle_loads_and_replaces_an_earlier_force():
    once = force_setting(CONFIG, "siteadmins", "2,5")
    twice = force_setting(once, "siteadmins", "2")
    lines = twice.splitlines()
    setup = lines.index("require_once(__DIR__ . '/lib/setup.php');")
    assert lines[setup - 1] == f"$CFG->siteadmins = '2';  {FORCED_MARK}"
    assert sum("$CFG->siteadmins" in line for line in lines) == 1
    assert unforced(twice) == CONFIG


def test_a_config_php_without_the_setup_line_is_refused():
    with pytest.raises(SandboxError, match="lib/setup.php"):
        force_setting("<?php\n$CFG = new stdClass();\n", "theme", "classic")
    with pytest.raises(SandboxError, match="not a config.php setting name"):
        force_setting(CONFIG, "theme; evil()", "x")


@pytest.mark.parametrize("layout", [{}, {"public": True, "cli_at_root": True}])
def test_restore_puts_config_php_back_with_a_newer_mtime(tmp_path, make_moodle, layout):
    root = make_moodle(tmp_path / "code", **layout)
    tree = open_tree(root)
    tree.config_php.write_text(CONFIG)
    cli = SiteCli(tree, "php", tmp_path / "config.php.template")

    cli.force_config("theme", "classic")
    forced_at = tree.config_php.stat().st_mtime
    assert "$CFG->theme = 'classic';" in tree.config_php.read_text()
    assert cli.config_template.read_text() == CONFIG and oct(cli.config_template.stat().st_mode & 0o777) == "0o600"

    assert cli.restore_config() is True
    assert tree.config_php.read_text() == CONFIG
    assert tree.config_php.stat().st_mtime > forced_at  # opcache in php -S must see a new file
    assert cli.restore_config() is False


def test_a_template_taken_while_a_setting_is_forced_leaves_it_out(tmp_path, make_moodle):
    tree = open_tree(make_moodle(tmp_path / "code"))
    tree.config_php.write_text(force_setting(CONFIG, "theme", "classic"))
    cli = SiteCli(tree, "php", tmp_path / "template")
    cli.ensure_config_template()
    assert cli.config_template.read_text() == CONFIG
    os.utime(tree.config_php, (0, 0))
    cli.restore_config()
    assert tree.config_php.read_text() == CONFIG
