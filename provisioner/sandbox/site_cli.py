"""Moodle's own command line, run by the sandbox on its site: PHP snippets and scripts with the site's
config.php loaded, admin/cli/cfg.php, and settings forced in config.php (undone by `reset`).

This is the sandbox's access, never the product's: the product only ever drives the admin UI.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from provisioner.errors import SandboxError
from provisioner.sandbox.install import moodle_message
from provisioner.sandbox.source import MoodleTree

PHP_INI = ["-d", "max_input_vars=5000", "-d", "memory_limit=1024M"]
CONFIG_ENV = "MOODLE_PROVISIONER_CONFIG"  # our own PHP scripts require() the site's config.php from it
FORCED_MARK = "// forced by the sandbox; `provisioner sandbox reset` undoes it"
# install.php's config.php ends by loading Moodle; a setting forced after that line would come too
# late to count as "set in config.php" ($CFG->config_php_settings is taken in lib/setup.php).
_SETUP_LINE = "require_once(__DIR__ . '/lib/setup.php');"


def php_literal(value: object) -> str:
    """A PHP literal for a config.php setting: strings single-quoted, booleans, numbers, lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(php_literal(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} into config.php")


def force_setting(config_text: str, name: str, value: object) -> str:
    """config.php's text with `$CFG->name = value;` set before Moodle loads (replacing an earlier force)."""
    if not name.isidentifier():
        raise SandboxError(f"not a config.php setting name: {name!r}")
    line = f"$CFG->{name} = {php_literal(value)};  {FORCED_MARK}"
    lines = [kept for kept in config_text.splitlines()
             if not (kept.startswith(f"$CFG->{name} ") and kept.endswith(FORCED_MARK))]
    try:
        at = next(i for i, text in enumerate(lines) if text.strip() == _SETUP_LINE)
    except StopIteration:
        raise SandboxError(f"config.php has no `{_SETUP_LINE}` line to force settings before") from None
    return "\n".join([*lines[:at], line, *lines[at:]]) + "\n"


def unforced(config_text: str) -> str:
    return "".join(line for line in config_text.splitlines(keepends=True) if FORCED_MARK not in line)


class SiteCli:
    def __init__(self, tree: MoodleTree, php: str, config_template: Path, log: Path | None = None):
        self.tree, self.php_binary, self.config_template, self.log = tree, php, config_template, log

    # --- PHP ----------------------------------------------------------------------------------
    def site_config(self) -> str:
        """config.php's path as the PHP that runs the scripts sees it (another one inside a container)."""
        return str(self.tree.config_php)

    def script(self, script: Path, *args: str, timeout: float = 1800) -> str:
        """Run a PHP CLI script (Moodle's or ours) from the code root; its stdout, or Moodle's error."""
        env = {**os.environ, CONFIG_ENV: self.site_config(),
               # Moodle's generator runs `php ...` itself: the same PHP as ours
               "PATH": f"{Path(self.php_binary).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        try:
            done = subprocess.run([self.php_binary, *PHP_INI, str(script), *args], cwd=self.tree.root, env=env,
                                  capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise SandboxError(f"{script.name} did not finish in {timeout:.0f} s") from exc
        if self.log:
            with self.log.open("a") as out:
                out.write(f"$ php {script} {' '.join(args)}\n{done.stdout}{done.stderr}\n")
        if done.returncode:
            raise SandboxError(f"{script.name} failed: {moodle_message(done.stdout + done.stderr)}")
        return done.stdout

    def php(self, code: str) -> str:
        """Run a PHP snippet with the site loaded ($CFG, $DB, $USER as admin); returns what it echoes."""
        header = ("<?php\ndefine('CLI_SCRIPT', true);\n"
                  f"require({php_literal(self.site_config())});\n"
                  "\\core\\session\\manager::set_user(get_admin());\n")
        with tempfile.NamedTemporaryFile("w", suffix=".php", prefix="snippet-", delete=False) as handle:
            handle.write(header + code.removeprefix("<?php") + "\n")
        try:
            return self.script(Path(handle.name))
        finally:
            os.unlink(handle.name)

    def php_json(self, code: str):
        """A snippet that echoes json_encode(...): its value."""
        output = self.php(code)
        try:
            return json.loads(output.strip().splitlines()[-1])
        except (ValueError, IndexError) as exc:
            raise SandboxError(f"PHP printed no JSON: {output.strip()[-300:]!r}") from exc

    def cfg(self, name: str, value: str | None = None, *, component: str | None = None) -> str | None:
        """admin/cli/cfg.php: read a setting (None when unset), or set it when value is given."""
        args = [f"--name={name}", *([f"--component={component}"] if component else [])]
        if value is not None:
            self.script(self.tree.cli_dir / "cfg.php", *args, f"--set={value}")
            return value
        try:
            return self.script(self.tree.cli_dir / "cfg.php", *args).rstrip("\n")
        except SandboxError:
            return None  # cfg.php exits 3 for a setting that does not exist

    # --- config.php ---------------------------------------------------------------------------
    def save_config_template(self) -> None:
        """Keep config.php as installed (without anything forced), for reset to put back."""
        text = unforced(self.tree.config_php.read_text())
        self.config_template.write_text(text)
        self.config_template.chmod(0o600)

    def ensure_config_template(self) -> None:
        if not self.config_template.is_file():
            self.save_config_template()

    def force_config(self, name: str, value: object) -> None:
        """Set `$CFG->name = value;` in config.php, as an admin forces a setting; reset undoes it."""
        self.ensure_config_template()
        _write_fresh(self.tree.config_php, force_setting(self.tree.config_php.read_text(), name, value))

    def restore_config(self) -> bool:
        """Put config.php back as installed; True if it had been changed."""
        self.ensure_config_template()
        wanted = self.config_template.read_text()
        if self.tree.config_php.read_text() == wanted:
            return False
        _write_fresh(self.tree.config_php, wanted)
        return True


def _write_fresh(path: Path, text: str) -> None:
    """Replace a PHP file so that PHP's opcache (in php -S) sees a new version: a new mtime, later
    than the old one even within the same second. Mode and owner stay as they were."""
    before = path.stat().st_mtime if path.exists() else 0
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    if path.exists():
        shutil.copymode(path, partial)
        if os.geteuid() == 0:  # root edits a file the web server's user owns (www-data in a container)
            os.chown(partial, path.stat().st_uid, path.stat().st_gid)
    stamp = max(time.time(), before + 1)
    os.utime(partial, (stamp, stamp))
    partial.replace(path)
