"""A private PostgreSQL cluster per sandbox: its own folder, a unix socket only, no TCP port.

initdb and postgres refuse to run as root, so as root every cluster command runs as the
`postgres` system user and the cluster folder belongs to it.
"""
from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path

from provisioner.errors import SandboxError
from provisioner.sandbox import paths as paths_mod
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.process import is_alive, start_detached, tail

SUPERUSER = "postgres"
_SOCKET_PATH_MAX = 107 - len("/.s.PGSQL.5432")  # sun_path is 108 bytes on Linux
# A sandbox is thrown away rather than recovered, so durability is traded for a faster install.
_SETTINGS = """
# --- moodle-provisioner sandbox ---
listen_addresses = ''
unix_socket_directories = '{socket_dir}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
"""


def find_bindir() -> Path:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if not candidates:
        raise SandboxError("PostgreSQL not found: install it (Debian: apt-get install postgresql)")
    return Path(candidates[-1]).parent


def check_postgres(release: str, needed: int | None, bindir: Path | None = None) -> None:
    """Fail before anything is made when this machine's PostgreSQL is older than the release needs."""
    if needed is None:
        return
    bindir = bindir or find_bindir()
    done = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True)
    match = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
    if match and int(match.group(1)) < needed:
        raise SandboxError(f"Moodle {release} needs PostgreSQL >= {needed}, but this machine has "
                           f"{match.group(1)}: install a newer one, or use --engine docker (its database "
                           "image is chosen to suit the release)")


class Cluster:
    def __init__(self, sandbox: SandboxPaths, bindir: Path | None = None):
        self.paths = sandbox
        self.bindir = bindir or find_bindir()
        self.as_root = paths_mod.is_root()

    def _run(self, tool: str, *args: str, check_what: str | None = None) -> subprocess.CompletedProcess:
        argv = [str(self.bindir / tool), *args]
        if self.as_root:
            argv = ["runuser", "-u", SUPERUSER, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if check_what and done.returncode:
            detail = (done.stderr or done.stdout).strip()[-600:]
            raise SandboxError(f"PostgreSQL {check_what} failed: {detail}\n"
                               f"--- {self.paths.pg_log} ---\n{tail(self.paths.pg_log)}")
        return done

    def prepare_folders(self) -> None:
        """pg/ and its socket folder, owned by the cluster's user; the data folder is initdb's or a copy."""
        socket_dir = str(self.paths.pg_socket_dir)
        if len(socket_dir) > _SOCKET_PATH_MAX:
            raise SandboxError(f"sandbox folder path too long for a unix socket: {socket_dir} "
                               "(set PROVISIONER_HOME to a shorter folder)")
        self.paths.pg.mkdir(parents=True, exist_ok=True)
        self.paths.pg_socket_dir.mkdir(exist_ok=True)
        if self.as_root:
            user = pwd.getpwnam(SUPERUSER)
            for folder in (self.paths.pg, self.paths.pg_socket_dir):
                os.chown(folder, user.pw_uid, user.pw_gid)

    def init(self) -> None:
        self.prepare_folders()
        socket_dir = str(self.paths.pg_socket_dir)
        self._run("initdb", "-D", str(self.paths.pg_data), "-U", SUPERUSER, "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync", check_what="initdb")
        with (self.paths.pg_data / "postgresql.conf").open("a") as conf:
            conf.write(_SETTINGS.format(socket_dir=socket_dir))

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.paths.pg_data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def running(self) -> bool:
        # this cluster's postmaster, not any: a stale pid file (a copied or killed cluster's) may name
        # another sandbox's, which would then pass for this one's and leave this cluster stopped
        return is_alive(self.postmaster_pid(), f"postgres -D {self.paths.pg_data} ")

    def start(self) -> None:
        if self.running():
            return
        # A cluster killed outright (machine restart, CI teardown) leaves its pid file; if that pid
        # now belongs to another process, postgres would refuse to start, so drop the stale file.
        (self.paths.pg_data / "postmaster.pid").unlink(missing_ok=True)
        self._run("pg_ctl", "start", "-D", str(self.paths.pg_data), "-l", str(self.paths.pg_log),
                  "-w", "-t", "60", check_what="start")

    def stop(self) -> None:
        if self.running():
            self._run("pg_ctl", "stop", "-D", str(self.paths.pg_data), "-m", "fast", "-w", "-t", "60",
                      check_what="stop")

    def psql(self, sql: str, *, database: str = "postgres", extra: tuple[str, ...] = ()) -> str:
        argv = [str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", str(self.paths.pg_socket_dir), "-U", SUPERUSER, "-d", database, *extra]
        done = subprocess.run(argv, input=sql, capture_output=True, text=True)
        if done.returncode:
            raise SandboxError(f"SQL failed on sandbox '{self.paths.name}': {done.stderr.strip()[-600:]}")
        return done.stdout

    def create_database(self, name: str, template: str = "template0") -> None:
        how = "ENCODING 'UTF8'" if template == "template0" else ""
        if template != "template0" and int(self.psql("SHOW server_version_num")) >= 150000:
            how = "STRATEGY FILE_COPY"  # 15+ defaults to WAL_LOG, slower for Moodle's ~500 small tables
        self.psql(f'CREATE DATABASE "{name}" {how} TEMPLATE "{template}"')

    def has_database(self, name: str) -> bool:
        return self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() == "1"

    def databases(self, prefix: str) -> list[str]:
        listed = self.psql(f"SELECT datname FROM pg_database WHERE datname LIKE '{prefix}%'")
        return [line for line in listed.splitlines() if line.strip()]

    def end_sessions(self, database: str) -> None:
        self.psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  f"WHERE datname = '{database}' AND pid <> pg_backend_pid()")

    def rename_database(self, old: str, new: str) -> None:
        self.psql(f'ALTER DATABASE "{old}" RENAME TO "{new}"')

    def copy_database_detached(self, name: str, template: str, log: Path) -> int:
        """Start copying template to name in the background; returns psql's pid. Copying takes
        1-10 s depending on disk load, which `reset` then need not wait for."""
        argv = [str(self.bindir / "psql"), *_detached_psql_options(self.paths), "-U", SUPERUSER, "-d", "postgres",
                "-c", f'CREATE DATABASE "{name}" TEMPLATE "{template}"']
        return start_detached(argv, cwd=self.paths.root, log=log, env={})

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # FORCE ends open sessions


def detached_copy_marker(paths: SandboxPaths) -> str:
    """What the command line of this cluster's detached copy holds and no other process's: a pid kept
    in the sandbox's state is checked against it before it is waited on or killed (pids are reused)."""
    return "psql " + " ".join(_detached_psql_options(paths)) + " "


def _detached_psql_options(paths: SandboxPaths) -> list[str]:
    return ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(paths.pg_socket_dir)]
