"""The docker engine: Moodle HQ's PHP+Apache image and PostgreSQL, driven through the Docker SDK.

Kept thin on purpose: everything Moodle-specific (install options, template reset) mirrors the
native engine, and every SDK call is visible to the unit tests through a mock client.
"""
from __future__ import annotations

import shutil
import time

from provisioner.errors import SandboxError
from provisioner.sandbox import compose
from provisioner.sandbox import state as state_mod
from provisioner.sandbox.engine import ADMIN_EMAIL, ADMIN_USER, Status, UpRequest, port_for, resolve_source
from provisioner.sandbox.install import moodle_message
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.process import require_free_port, wait_for_http
from provisioner.sandbox.source import copy_tree
from provisioner.sandbox.sql import PSQL_OUTPUT_FLAGS
from provisioner.sandbox.state import RUNNING, STOPPED, SandboxState
from provisioner.secrets import generate_password

SERVICES = ("db", "moodle")  # start order
DATA, TEMPLATE = "/var/www/moodledata", "/var/www/moodledata.template"
PSQL = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", "moodle"]


class DockerEngine:
    name = "docker"

    def __init__(self, client=None):
        self._client = client

    @property
    def client(self):
        if self._client is None:
            import docker

            try:
                self._client = docker.from_env()
            except docker.errors.DockerException as exc:
                raise SandboxError(f"no Docker engine answers ({exc}); use --engine native") from exc
        return self._client

    def up(self, request: UpRequest) -> SandboxState:
        if request.profile or request.langpacks:
            raise SandboxError("--profile and --langpack need the native engine for now (--engine native)")
        paths = SandboxPaths(request.name)
        existing = state_mod.load(paths.state_file)
        if existing and existing.installed:
            for container in self._containers(request.name):
                container.start()
            return self._wait(existing)
        tree = resolve_source(request)
        port = port_for(request.name, request.port)
        require_free_port(port)
        shutil.rmtree(paths.root, ignore_errors=True)
        copy_tree(tree.root, paths.code, hardlink=True)  # bind-mounted; install writes config.php
        current = SandboxState(name=request.name, engine=self.name, port=port,
                               version=tree.release.short, release=tree.release.release,
                               admin_user=ADMIN_USER, admin_password=generate_password(),
                               paths={"root": str(paths.root), "code": str(paths.code)})
        state_mod.save(current, paths.state_file)
        try:
            self._create(request.name, {"MOODLE_CODE": str(paths.code), "MOODLE_PORT": str(port)})
            self._until_db_ready(request.name)
            self._install(current)
            self._exec("db", request.name, [*PSQL, "-d", "postgres", "-c",
                                            "CREATE DATABASE moodle_template TEMPLATE moodle"])
            self._exec("moodle", request.name, ["cp", "-a", DATA, TEMPLATE])
            current.installed = True
            state_mod.save(current, paths.state_file)
            return self._wait(current)
        except BaseException:
            self.down(request.name)
            raise

    def down(self, name: str, *, purge: bool = False) -> None:
        for container in self._containers(name):
            container.stop(timeout=10)
            if purge:
                container.remove(v=True)
        if purge:
            for volume in self.client.volumes.list(filters={"label": f"{compose.LABEL}={name}"}):
                volume.remove()
            for network in self.client.networks.list(names=[compose.prefix(name)]):
                network.remove()
            shutil.rmtree(SandboxPaths(name).root, ignore_errors=True)

    def status(self, name: str) -> Status:
        current = state_mod.load(SandboxPaths(name).state_file)
        if not current:
            return Status(name=name, state=state_mod.ABSENT)
        processes = {c.labels.get(f"{compose.LABEL}.service", c.name): c.status == "running"
                     for c in self._containers(name)}
        running = bool(processes) and all(processes.values())
        return Status(name=name, state=RUNNING if running else STOPPED, engine=self.name,
                      version=current.version, release=current.release, url=current.url,
                      admin_user=current.admin_user, installed=current.installed,
                      processes=processes)

    def reset(self, name: str) -> SandboxState:
        current = state_mod.load(SandboxPaths(name).state_file)
        if not current or not current.installed:
            raise SandboxError(f"sandbox '{name}' is not installed: run `provisioner sandbox up` first")
        self._exec("db", name, [*PSQL, "-d", "postgres", "-c", "DROP DATABASE moodle WITH (FORCE)",
                                "-c", "CREATE DATABASE moodle TEMPLATE moodle_template"])
        self._exec("moodle", name, ["sh", "-c", f"rm -rf {DATA}/* && cp -a {TEMPLATE}/. {DATA}/"])
        return self._wait(current)

    def sql(self, name: str, query: str) -> str:
        return self._exec("db", name, [*PSQL, *PSQL_OUTPUT_FLAGS, "-d", "moodle", "-c", query])

    def logs(self, name: str, lines: int = 40) -> dict[str, str]:
        return {c.name: c.logs(tail=lines).decode(errors="replace") for c in self._containers(name)}

    def site_cli(self, name: str):
        raise SandboxError("running Moodle's command line in a docker sandbox is not supported yet")

    # --- SDK boundary ---------------------------------------------------------------------
    def _containers(self, name: str) -> list:
        return self.client.containers.list(all=True, filters={"label": f"{compose.LABEL}={name}"})

    def _create(self, name: str, variables: dict[str, str]) -> None:
        spec = compose.load(variables)
        labels = {compose.LABEL: name}
        self.client.networks.create(compose.prefix(name), labels=labels)
        for volume in spec.get("volumes") or {}:
            self.client.volumes.create(f"{compose.prefix(name)}-{volume}", labels=labels)
        for service in SERVICES:
            self.client.containers.run(**compose.run_arguments(name, service, spec["services"][service]))

    def _exec_raw(self, service: str, name: str, argv: list[str], user: str = "") -> tuple[int, str]:
        container = self.client.containers.get(f"{compose.prefix(name)}-{service}")
        result = container.exec_run(argv, user=user, workdir="/var/www/html" if service == "moodle" else None)
        return result.exit_code, (result.output or b"").decode(errors="replace")

    def _exec(self, service: str, name: str, argv: list[str], user: str = "") -> str:
        exit_code, output = self._exec_raw(service, name, argv, user)
        if exit_code:
            raise SandboxError(f"{service}: `{' '.join(argv[:3])} …` failed: {output.strip()[-400:]}")
        return output

    def _until_db_ready(self, name: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._exec("db", name, ["pg_isready", "-U", "moodle", "-d", "moodle"])
                return
            except SandboxError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def _install(self, current: SandboxState) -> None:
        argv = ["php", "admin/cli/install.php", "--non-interactive", "--agree-license", "--lang=en",
                f"--wwwroot={current.url}", f"--dataroot={DATA}", "--dbtype=pgsql", "--dbhost=db",
                "--dbname=moodle", "--dbuser=moodle", "--dbpass=moodle", "--prefix=mdl_",
                f"--fullname=Sandbox {current.name}", f"--shortname=sandbox-{current.name}",
                f"--adminuser={current.admin_user}", f"--adminpass={current.admin_password.reveal()}",
                f"--adminemail={ADMIN_EMAIL}"]
        exit_code, output = self._exec_raw("moodle", current.name, argv, user="www-data")
        if exit_code:
            raise SandboxError(f"Moodle install failed: {moodle_message(output)}")

    def _wait(self, current: SandboxState) -> SandboxState:
        wait_for_http(f"{current.url}/login/index.php", timeout=120, what="the moodle container")
        return current
