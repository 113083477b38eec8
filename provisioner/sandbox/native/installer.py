"""Moodle's installer (admin/cli/install.php) run on a native sandbox, its progress read from its log."""
from __future__ import annotations

import subprocess
import time

from provisioner.errors import SandboxError
from provisioner.sandbox.install import InstallProgress, moodle_message
from provisioner.sandbox.model import ADMIN_EMAIL
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.progress import Progress
from provisioner.sandbox.source import MoodleTree
from provisioner.sandbox.state import SandboxState

DB_NAME = "moodle"
PHP_INI = ["-d", "max_input_vars=5000", "-d", "memory_limit=512M"]  # 5000: Moodle's required check
INSTALL_TIMEOUT = 900


def run_installer(current: SandboxState, code: MoodleTree, php: str, paths: SandboxPaths, progress: Progress) -> None:
    argv = [php, *PHP_INI, str(code.install_script), "--non-interactive", "--agree-license",
            "--lang=en", f"--wwwroot={current.url}", f"--dataroot={paths.moodledata}",
            "--dbtype=pgsql", "--dbhost=localhost", f"--dbname={DB_NAME}", "--dbuser=postgres",
            "--dbpass=unused", f"--dbsocket={paths.pg_socket_dir}", "--prefix=mdl_",
            f"--fullname=Sandbox {current.name}", f"--shortname=sandbox-{current.name}",
            f"--adminuser={current.admin_user}",
            f"--adminpass={current.admin_password.reveal()}", f"--adminemail={ADMIN_EMAIL}"]
    task = progress.start(f"installing Moodle {current.release}", unit="plugins")
    counted = InstallProgress(code, task)
    deadline = time.monotonic() + INSTALL_TIMEOUT
    with paths.install_log.open("w") as log, paths.install_log.open() as written:
        installer = subprocess.Popen(argv, cwd=code.root, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        while installer.poll() is None:  # the log as it grows: one line per plugin installed
            counted.feed(written.read())
            if time.monotonic() > deadline:
                installer.kill()
                installer.wait()
                raise SandboxError(f"Moodle install did not finish in {INSTALL_TIMEOUT} s "
                                   f"(log: {paths.install_log})")
            time.sleep(0.5)
        counted.feed(written.read())
    task.finish()
    if installer.returncode:
        message = moodle_message(paths.install_log.read_text(errors="replace"))
        raise SandboxError(f"Moodle install failed: {message} (full log: {paths.install_log})")
