"""Moodle's command line on a docker sandbox: the same SiteCli, with PHP run inside the moodle container
as www-data. config.php is edited on the host, where the code copy is bind-mounted from."""
from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from provisioner.errors import SandboxError
from provisioner.sandbox.install import moodle_message
from provisioner.sandbox.site_cli import CONFIG_ENV, PHP_INI, SiteCli
from provisioner.sandbox.source import MoodleTree

CODE = "/var/www/html"  # where the container sees the code copy
DATA = "/var/www/moodledata"  # and moodledata
# (argv, environment) -> (exit code, stdout, stderr), run in the moodle container
Run = Callable[[list[str], dict[str, str]], tuple[int, str, str]]


class DockerSiteCli(SiteCli):
    def __init__(self, run: Run, tree: MoodleTree, config_template: Path, log: Path | None = None):
        super().__init__(tree, "php", config_template, log)
        self._run = run

    def site_config(self) -> str:
        return f"{CODE}/config.php"

    def script(self, script: Path, *args: str, timeout: float = 1800) -> str:
        with self._inside(script) as path:  # no timeout: exec has none; the sandbox's own scripts end
            code, stdout, stderr = self._run(["php", *PHP_INI, path, *args], {CONFIG_ENV: self.site_config()})
        if self.log:
            with self.log.open("a") as out:
                out.write(f"$ php {script} {' '.join(args)}\n{stdout}{stderr}\n")
        if code:
            raise SandboxError(f"{script.name} failed: {moodle_message(stdout + stderr)}")
        return stdout

    @contextmanager
    def _inside(self, script: Path) -> Iterator[str]:
        """The script's path in the container; one from outside the code copy (a snippet, our own PHP)
        is copied in for the run, as only the code copy is mounted."""
        try:
            yield f"{CODE}/{script.resolve().relative_to(self.tree.root.resolve())}"
            return
        except ValueError:
            pass
        copy = self.tree.root / f".sandbox-{uuid.uuid4().hex}{script.suffix}"
        shutil.copyfile(script, copy)
        copy.chmod(0o644)  # www-data reads it
        try:
            yield f"{CODE}/{copy.name}"
        finally:
            copy.unlink(missing_ok=True)
