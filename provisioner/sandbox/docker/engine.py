"""The docker engine: a PHP+Apache image serving the sandbox's code copy, PostgreSQL beside it, driven
through the Docker SDK from docker/moodle-compose.yml.

Like the native engine, `up` installs once and keeps a template (a template database in the db
container, a copy of moodledata in its own volume), taken after a first page load so Moodle's caches
are warm; `reset` swaps them back in while Apache keeps running. `down` removes the containers and the
network (the data stays in volumes, so the next `up` is quick); `down --purge` removes the volumes too.
Missing images are pulled as compose pulls them (--pull, docker_images.py).
"""
from __future__ import annotations

import shutil
import time

from provisioner.errors import SandboxError
from provisioner.sandbox import langpacks
from provisioner.sandbox import profile as profile_mod
from provisioner.sandbox import state as state_mod
from provisioner.sandbox.docker import compose
from provisioner.sandbox.docker import images as docker_images
from provisioner.sandbox.docker import template as docker_template
from provisioner.sandbox.docker.site import DockerSite, serve_under_path
from provisioner.sandbox.docker.site_cli import CODE, DATA, DockerSiteCli
from provisioner.sandbox.install import InstallProgress, moodle_message
from provisioner.sandbox.langpacks import LangPack
from provisioner.sandbox.lock import locked
from provisioner.sandbox.model import ADMIN_EMAIL, ADMIN_USER, Status, UpRequest, port_for, site_path
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.process import port_is_free, require_free_port, tail, wait_for_http
from provisioner.sandbox.progress import Progress, quiet
from provisioner.sandbox.requirements import requirements
from provisioner.sandbox.source import copy_tree, open_tree, resolve_source
from provisioner.sandbox.sql import PSQL_OUTPUT_FLAGS
from provisioner.sandbox.state import RUNNING, STOPPED, SandboxState
from provisioner.sandbox.templates import (REPLACE_SCRIPT, Template, TemplateStore, best_template, copy_record,
                                           renamed_site_sql, replace_url_arguments, rewritten_config)
from provisioner.secrets import generate_password

SERVICES = ("db", "moodle")  # start order
TEMPLATE = "/var/www/moodledata.template"
PSQL = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", "moodle"]
START_TIMEOUT = 120


class DockerEngine:
    name = "docker"

    def __init__(self, client=None, progress: Progress = quiet):
        self._client, self.progress = client, progress

    @property
    def client(self):
        if self._client is None:
            import docker

            try:
                client = docker.from_env()
                client.ping()  # from_env() does not connect: say "no engine" here, not mid-install
            except docker.errors.DockerException as exc:
                raise SandboxError(f"no Docker engine answers ({exc}); start dockerd, or use --engine native") from exc
            self._client = client
        return self._client

    # --- commands -------------------------------------------------------------------------
    def up(self, request: UpRequest) -> SandboxState:
        paths = SandboxPaths(request.name)
        with locked(paths):  # as on native: a second `up` of this name waits, then finds it made
            return self._up(request, paths)

    def _up(self, request: UpRequest, paths: SandboxPaths) -> SandboxState:
        existing = state_mod.load(paths.state_file)
        if existing and existing.installed:
            _check_request_fits(existing, request)
            packs = langpacks.resolve(list(request.langpacks), existing.version)
            current = self._start(existing)
        else:
            current, packs = self._install_fresh(request, paths)
        if request.profile or packs:
            profile_mod.apply(DockerSite(self, current, paths), request.profile, packs, current.version,
                              self.progress)
        return current

    def down(self, name: str, *, purge: bool = False) -> None:
        paths = SandboxPaths(name)
        with locked(paths):
            current = state_mod.load(paths.state_file)
            self._remove(name, volumes=purge)
            if current:
                _wait_port_free(current.port)
            if purge:
                shutil.rmtree(paths.root, ignore_errors=True)

    def status(self, name: str) -> Status:
        current = state_mod.load(SandboxPaths(name).state_file)
        if not current:
            return Status(name=name, state=state_mod.ABSENT)
        processes = {c.labels.get(f"{compose.LABEL}.service", c.name): c.status == "running"
                     for c in self._containers(name)}
        running = bool(processes) and all(processes.values())
        record = profile_mod.load(SandboxPaths(name).profile_file)
        return Status(name=name, state=RUNNING if running else STOPPED, engine=self.name,
                      version=current.version, release=current.release, url=current.url,
                      admin_user=current.admin_user, installed=current.installed,
                      processes=processes, profile=record.profile, languages=record.languages)

    def reset(self, name: str) -> SandboxState:
        with locked(SandboxPaths(name)):
            return self._reset(name)

    def _reset(self, name: str) -> SandboxState:
        """reset() for a caller that holds the sandbox's lock already (profile.apply() within `up`)."""
        current = state_mod.load(SandboxPaths(name).state_file)
        if not current or not current.installed:
            raise SandboxError(f"sandbox '{name}' is not installed: run `provisioner sandbox up` first")
        if self.status(name).state != RUNNING:  # after `down`: bring it back first
            self._start(current)
        # Apache keeps running (its opcache stays warm); WITH (FORCE) ends the site's DB sessions.
        self._exec("db", name, [*PSQL, "-d", "postgres", "-c", "DROP DATABASE moodle WITH (FORCE)",
                                "-c", "CREATE DATABASE moodle TEMPLATE moodle_template"])
        self._exec("moodle", name, ["sh", "-c", f"find {DATA} -mindepth 1 -delete && cp -a {TEMPLATE}/. {DATA}/"])
        self._site_cli(name).restore_config()  # settings a test forced in config.php
        return self._wait(current)

    def sql(self, name: str, query: str) -> str:
        return self._exec("db", name, [*PSQL, *PSQL_OUTPUT_FLAGS, "-d", "moodle", "-c", query])

    def logs(self, name: str, lines: int = 40) -> dict[str, str]:
        found = {c.labels.get(f"{compose.LABEL}.service", c.name): c.logs(tail=lines).decode(errors="replace")
                 for c in self._containers(name)}
        return found | {"install": tail(SandboxPaths(name).install_log, lines)}

    def site_cli(self, name: str) -> DockerSiteCli:
        current = state_mod.load(SandboxPaths(name).state_file)
        if not current or not current.installed:
            raise SandboxError(f"sandbox '{name}' is not installed: run `provisioner sandbox up` first")
        return self._site_cli(name)

    # --- steps ----------------------------------------------------------------------------
    def _install_fresh(self, request: UpRequest, paths: SandboxPaths) -> tuple[SandboxState, list[LangPack]]:
        """A new sandbox: a copy of this release's kept template where there is one, else Moodle's
        installer, which keeps one for next time. 5.1+ (public/) is served from public/, as Moodle HQ's
        image does."""
        tree = resolve_source(request)
        # a wrong pack fails before minutes of install
        packs = langpacks.resolve(list(request.langpacks), tree.release.short)
        port = port_for(request.name, request.port)
        images = compose.images_for(request.php_image, request.db_image, requirements(tree))
        docker_images.ensure(self.client, list(images.values()), request.pull, self.progress)  # before anything is made
        require_free_port(port)
        template = None if request.fresh_install else best_template(
            TemplateStore(docker_template.ENGINE), request, tree.release, packs, docker_template.key_suffix(images["db"]))
        self._remove(request.name, volumes=True)  # a failed earlier install: start over, keep nothing
        shutil.rmtree(paths.root, ignore_errors=True)
        copy_tree(tree.root, paths.code, hardlink=True)  # bind-mounted; install writes config.php
        paths.logs.mkdir(parents=True)
        current = SandboxState(name=request.name, engine=self.name, port=port, path=site_path(request.path or ""),
                               version=tree.release.short, release=tree.release.release,
                               admin_user=template.admin_user if template else ADMIN_USER,
                               admin_password=template.admin_password if template else generate_password(),
                               paths={"root": str(paths.root), "code": str(paths.code), "logs": str(paths.logs)},
                               images=images)
        state_mod.save(current, paths.state_file)  # from here on, `down` can find what to remove
        try:
            if template:
                record = self._copy_template(template, current, paths)
            else:
                record = profile_mod.ProfileRecord()
                self._create(current)
                self._until_db_ready(request.name)
                self._own_code_root(request.name)
                self._install(current, paths)
            profile_mod.save(record, paths.profile_file)
            self._wait(current)  # the first page fills Moodle's caches in moodledata, then...
            self._take_template(current, paths, record)  # ...the template keeps them warm
            current.installed = True
            state_mod.save(current, paths.state_file)
            return current, packs
        except BaseException:
            self._remove(request.name, volumes=False)  # nothing left running; the next `up` starts over
            raise

    def _copy_template(self, template: Template, current: SandboxState, paths: SandboxPaths) -> profile_mod.ProfileRecord:
        """The kept site's volumes and config.php, moved to this sandbox's URL as Moodle documents for a
        moved site (config.php's wwwroot, then the database's search and replace, which purges caches)."""
        task = self.progress.start(f"copying the kept Moodle {template.release} site")
        docker_template.copy_site(self.client, template, current.name, current.images["moodle"])
        (paths.code / "config.php").write_text(
            rewritten_config((template.folder / docker_template.CONFIG).read_text(), template, paths.root, current.url))
        paths.install_log.write_text(copy_record(template))
        self._create(current)
        self._until_db_ready(current.name)
        self.sql(current.name, renamed_site_sql(current.name))
        self._own_code_root(current.name)
        if template.url != current.url:
            cli = self._site_cli(current.name)
            cli.script(cli.tree.web_script(REPLACE_SCRIPT), *replace_url_arguments(template.url, current.url))
        task.finish()
        return profile_mod.ProfileRecord(**template.profile)

    def _own_code_root(self, name: str) -> None:
        # install.php writes config.php into the code root: only that folder changes owner, the
        # files in it are hard links shared with the source cache
        self._exec("moodle", name, ["chown", "www-data:", CODE])

    def _start(self, current: SandboxState) -> SandboxState:
        containers = self._containers(current.name)
        if len(containers) < len(SERVICES):  # after `down`: made again on the volumes kept
            self._remove(current.name, volumes=False)
            require_free_port(current.port)
            self._create(current)
        else:
            for container in containers:
                container.start()
        return self._wait(current)

    def _take_template(self, current: SandboxState, paths: SandboxPaths, record: profile_mod.ProfileRecord) -> None:
        """What reset returns to; also kept for new sandboxes of this release and profile when none is."""
        name = current.name
        self._exec("db", name, [*PSQL, "-d", "postgres", "-c", "DROP DATABASE IF EXISTS moodle_template",
                                "-c", "CREATE DATABASE moodle_template TEMPLATE moodle"])
        self._exec("moodle", name, ["sh", "-c", f"find {TEMPLATE} -mindepth 1 -delete && cp -a {DATA}/. {TEMPLATE}/"])
        self._site_cli(name).save_config_template()
        docker_template.keep(self, current, paths, record, open_tree(paths.code).release.key)

    def _site_cli(self, name: str) -> DockerSiteCli:
        paths = SandboxPaths(name)

        def run(argv: list[str], environment: dict[str, str]) -> tuple[int, str, str]:
            container = self.client.containers.get(f"{compose.prefix(name)}-moodle")
            result = container.exec_run(argv, user="www-data", workdir=CODE, environment=environment, demux=True)
            stdout, stderr = result.output or (None, None)
            return result.exit_code, (stdout or b"").decode(errors="replace"), (stderr or b"").decode(errors="replace")
        return DockerSiteCli(run, open_tree(paths.code), paths.config_template, paths.profile_log)

    def _install(self, current: SandboxState, paths: SandboxPaths) -> None:
        script = open_tree(paths.code).install_script.relative_to(paths.code)  # 5.1 keeps admin/cli at the root
        argv = ["php", str(script), "--non-interactive", "--agree-license", "--lang=en",
                f"--wwwroot={current.url}", f"--dataroot={DATA}", "--dbtype=pgsql", "--dbhost=db",
                "--dbname=moodle", "--dbuser=moodle", "--dbpass=moodle", "--prefix=mdl_",
                f"--fullname=Sandbox {current.name}", f"--shortname=sandbox-{current.name}",
                f"--adminuser={current.admin_user}", f"--adminpass={current.admin_password.reveal()}",
                f"--adminemail={ADMIN_EMAIL}"]
        task = self.progress.start(f"installing Moodle {current.release}", unit="plugins")
        counted = InstallProgress(open_tree(paths.code), task)
        exit_code, output = self._exec_streamed("moodle", current.name, argv, "www-data", counted.feed)
        task.finish()
        paths.install_log.write_text(output)
        if exit_code:
            raise SandboxError(f"Moodle install failed: {moodle_message(output)} (full log: {paths.install_log})")

    def _wait(self, current: SandboxState) -> SandboxState:
        wait_for_http(f"{current.url}/login/index.php", timeout=START_TIMEOUT, what="the moodle container")
        return current

    def _until_db_ready(self, name: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:  # over TCP as Moodle connects: the first start's initdb also listens, on the socket only
                self._exec("db", name, ["pg_isready", "-h", "127.0.0.1", "-U", "moodle", "-d", "moodle"])
                return
            except SandboxError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    # --- SDK boundary ---------------------------------------------------------------------
    def _containers(self, name: str) -> list:
        return self.client.containers.list(all=True, filters={"label": f"{compose.LABEL}={name}"})

    def _create(self, current: SandboxState) -> None:
        name = current.name
        spec = compose.load({"MOODLE_CODE": current.paths["code"], "MOODLE_PORT": str(current.port),
                             "MOODLE_PHP_IMAGE": current.images.get("moodle", ""),
                             "MOODLE_DB_IMAGE": current.images.get("db", "")})
        docker_images.require_local(self.client, list(compose.images(spec).values()))
        labels = {compose.LABEL: name}
        network = self.client.networks.create(compose.network_name(name), labels=labels)
        existing = {volume.name for volume in self.client.volumes.list()}
        for volume in spec.get("volumes") or {}:
            if compose.volume_name(name, volume) not in existing:  # docker-compose's labels: it takes them as its own
                self.client.volumes.create(compose.volume_name(name, volume), labels=compose.volume_labels(name, volume))
        for service in SERVICES:
            arguments = compose.run_arguments(name, service, spec["services"][service])
            if service == "moodle" and current.path:
                serve_under_path(arguments, current, SandboxPaths(name))
            alias = self.client.api.create_endpoint_config(aliases=[service])
            self.client.containers.run(**arguments, networking_config={network.name: alias})

    def _remove(self, name: str, *, volumes: bool) -> None:
        """Containers and network of this sandbox; with volumes=True its data too."""
        for container in self._containers(name):
            if container.status == "running":
                container.stop(timeout=10)  # PostgreSQL shuts down cleanly rather than being killed
            container.remove(force=True)
        for network in self.client.networks.list(names=[compose.network_name(name)]):
            if network.name == compose.network_name(name):  # `names` also matches part of a name
                network.remove()
        if volumes:
            for volume in self.client.volumes.list():
                if volume.name.startswith(f"{compose.prefix(name)}_"):  # made here or by docker-compose
                    volume.remove(force=True)

    def _exec_raw(self, service: str, name: str, argv: list[str], user: str = "") -> tuple[int, str]:
        container = self.client.containers.get(f"{compose.prefix(name)}-{service}")
        result = container.exec_run(argv, user=user, workdir=CODE if service == "moodle" else None)
        return result.exit_code, (result.output or b"").decode(errors="replace")

    def _exec_streamed(self, service: str, name: str, argv: list[str], user: str, on_output) -> tuple[int, str]:
        """Like _exec_raw, with the output handed to on_output as it comes (the SDK's exec_run gives no
        exit code when it streams)."""
        container = self.client.containers.get(f"{compose.prefix(name)}-{service}")
        created = self.client.api.exec_create(container.id, argv, user=user,
                                              workdir=CODE if service == "moodle" else None)
        output = []
        for chunk in self.client.api.exec_start(created["Id"], stream=True):
            output.append(chunk.decode(errors="replace"))
            on_output(output[-1])
        return self.client.api.exec_inspect(created["Id"])["ExitCode"], "".join(output)

    def _exec(self, service: str, name: str, argv: list[str], user: str = "") -> str:
        exit_code, output = self._exec_raw(service, name, argv, user)
        if exit_code:
            raise SandboxError(f"{service}: `{' '.join(argv[:3])} …` failed: {output.strip()[-400:]}")
        return output


def _check_request_fits(current: SandboxState, request: UpRequest) -> None:
    """An installed site is bound to its port and path (wwwroot), release and images; say so rather than guess."""
    asked = {"--port": (request.port, current.port),
             "--path": (None if request.path is None else site_path(request.path) or "/", current.path or "/"),
             "--moodle-version": (request.moodle_version, current.version),
             "--php-image": (request.php_image, current.images.get("moodle")),
             "--db-image": (request.db_image, current.images.get("db"))}
    for option, (wanted, installed) in asked.items():
        if wanted and wanted != installed:
            raise SandboxError(f"sandbox '{current.name}' is installed with {option} {installed}; omit "
                               f"{option}, or `down --purge` it to reinstall")


def _wait_port_free(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.1)  # docker-proxy lets go of the published port a moment after the container
