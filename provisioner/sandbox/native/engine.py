"""The native engine: system PHP serving a private code copy, a private PostgreSQL cluster.

Fresh `up` installs once (~90 s) and keeps a template (database + moodledata, taken after a first
page load so Moodle's caches are warm); a later `up` only restarts. `reset` swaps in a spare copy
of the template database, made in the background after the previous reset, and restores
moodledata, while php -S keeps running; that is what makes it take seconds.
"""
from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from provisioner.errors import SandboxError
from provisioner.sandbox import langpacks
from provisioner.sandbox import profile as profile_mod
from provisioner.sandbox import state as state_mod
from provisioner.sandbox.langpacks import LangPack
from provisioner.sandbox.lock import locked
from provisioner.sandbox.model import ADMIN_USER, Status, UpRequest, port_for, site_path
from provisioner.sandbox.native import template as native_template
from provisioner.sandbox.native.folders import document_root, wipe_leftovers
from provisioner.sandbox.native.installer import DB_NAME, PHP_INI, run_installer
from provisioner.sandbox.native.php import check_php, find_php
from provisioner.sandbox.native.postgres import Cluster, check_postgres, detached_copy_marker
from provisioner.sandbox.native.snapshots import Snapshots
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.process import (is_alive, kill_group, port_is_free, require_free_port,
                                         start_detached, tail, wait_for_http, wait_until_gone)
from provisioner.sandbox.progress import Progress, quiet
from provisioner.sandbox.requirements import requirements
from provisioner.sandbox.site_cli import SiteCli
from provisioner.sandbox.source import MoodleTree, SourceCache, copy_tree, open_tree, resolve_source
from provisioner.sandbox.sql import PSQL_OUTPUT_FLAGS
from provisioner.sandbox.state import RUNNING, STOPPED, SandboxState
from provisioner.sandbox.templates import (REPLACE_SCRIPT, Template, TemplateStore, best_template, copy_record,
                                           renamed_site_sql, replace_url_arguments)
from provisioner.secrets import generate_password

DB_TEMPLATE, DB_SPARE = "moodle_template", "moodle_spare"
SERVER_WORKERS = "4"  # parallel CSS/JS/AJAX requests; a single worker serialises every page load
START_TIMEOUT = 120


class NativeEngine(Snapshots):
    name = "native"

    def __init__(self, php: str | None = None, pg_bindir: Path | None = None, progress: Progress = quiet):
        self._php, self._pg_bindir, self.progress = php, pg_bindir, progress

    # --- commands -------------------------------------------------------------------------
    def up(self, request: UpRequest) -> SandboxState:
        paths = SandboxPaths(request.name)
        with locked(paths):
            existing = state_mod.load(paths.state_file)
            if existing and existing.installed:
                _check_request_fits(existing, request)
                packs = langpacks.resolve(list(request.langpacks), existing.version)
                current = self._start(existing, paths)
            else:
                current, packs = self._install_fresh(request, paths)
            if request.profile or packs:
                self._apply_profile(current, paths, request.profile, packs)
            return current

    def down(self, name: str, *, purge: bool = False) -> None:
        paths = SandboxPaths(name)
        with locked(paths):
            current = state_mod.load(paths.state_file)
            if current:
                self._stop(current, paths)
        if purge:
            shutil.rmtree(paths.root, ignore_errors=True)

    def status(self, name: str) -> Status:
        paths = SandboxPaths(name)
        current = state_mod.load(paths.state_file)
        if not current:
            return Status(name=name, state=state_mod.ABSENT)
        processes = {"php": is_alive(current.pids.get("php"), _php_server(current)),
                     "postgres": Cluster(paths, self._pg_bindir).running()}
        record = profile_mod.load(paths.profile_file)
        return Status(name=name, state=RUNNING if all(processes.values()) else STOPPED,
                      engine=self.name, version=current.version, release=current.release,
                      url=current.url, admin_user=current.admin_user, installed=current.installed,
                      processes=processes, profile=record.profile, languages=record.languages)

    def reset(self, name: str) -> SandboxState:
        paths = SandboxPaths(name)
        with locked(paths):
            current = state_mod.load(paths.state_file)
            if not current or not current.installed:
                raise SandboxError(f"sandbox '{name}' is not installed: run `provisioner sandbox up` first")
            self._restore_template(current, paths)
            return current

    def _installed(self, name: str, paths: SandboxPaths) -> SandboxState:
        current = state_mod.load(paths.state_file)
        if not current or not current.installed:
            raise SandboxError(f"sandbox '{name}' is not installed: run `provisioner sandbox up` first")
        return current

    def sql(self, name: str, query: str) -> str:
        """Raw psql output in sql.py's separators; the pytest fixture parses it into rows."""
        return Cluster(SandboxPaths(name), self._pg_bindir).psql(query, database=DB_NAME,
                                                                 extra=PSQL_OUTPUT_FLAGS)

    def logs(self, name: str, lines: int = 40) -> dict[str, str]:
        paths = SandboxPaths(name)
        return {"php": tail(paths.php_log, lines), "postgres": tail(paths.pg_log, lines),
                "install": tail(paths.install_log, lines), "profile": tail(paths.profile_log, lines)}

    def site_cli(self, name: str) -> SiteCli:
        paths = SandboxPaths(name)
        current = state_mod.load(paths.state_file)
        if not current or not current.installed:
            raise SandboxError(f"sandbox '{name}' is not installed: run `provisioner sandbox up` first")
        return self._site_cli(paths)

    # --- steps ----------------------------------------------------------------------------
    def _install_fresh(self, request: UpRequest, paths: SandboxPaths) -> tuple[SandboxState, list]:
        """A new sandbox: a copy of this release's kept template where there is one (seconds), else
        Moodle's installer (minutes), which keeps one for next time."""
        tree = resolve_source(request)
        needs = requirements(tree)
        php = check_php(tree.release, self._php, needs.php)
        check_postgres(tree.release.short, needs.postgres, self._pg_bindir)
        # a wrong pack fails before minutes of install
        packs = langpacks.resolve(list(request.langpacks), tree.release.short)
        port = port_for(request.name, request.port)
        path = site_path(request.path or "")
        require_free_port(port)
        template = None if request.fresh_install else best_template(
            TemplateStore(native_template.ENGINE), request, tree.release, packs)
        cluster = Cluster(paths, self._pg_bindir)
        wipe_leftovers(paths, cluster)
        paths.root.mkdir(parents=True, exist_ok=True)
        paths.root.chmod(0o711)  # the cluster's user must reach pg/ inside it; nothing else is shared
        paths.logs.mkdir(exist_ok=True)
        current = SandboxState(
            name=request.name, engine=self.name, port=port, path=path, version=tree.release.short,
            release=tree.release.release, admin_user=template.admin_user if template else ADMIN_USER,
            admin_password=template.admin_password if template else generate_password(),
            paths={"root": str(paths.root), "code": str(paths.code), "moodledata": str(paths.moodledata),
                   "pg_socket_dir": str(paths.pg_socket_dir), "logs": str(paths.logs)})
        state_mod.save(current, paths.state_file)  # from here on, `down` can find what to stop
        try:
            if template:
                record = self._copy_template(template, current, tree, paths, cluster)
                code = open_tree(paths.code)
            else:
                copy_tree(tree.root, paths.code, hardlink=True)  # install.php writes config.php there
                code = open_tree(paths.code)
                record = profile_mod.ProfileRecord()
                self._install(current, code, php, paths, cluster)
            profile_mod.save(record, paths.profile_file)
            self._take_template(current, paths, cluster, record)
            current.installed = True
            self._start(current, paths)
            self._prepare_spare(current, paths, cluster)
            return current, packs
        except BaseException:
            self._stop(current, paths)  # nothing is left running after a failed install
            raise

    def _install(self, current: SandboxState, code: MoodleTree, php: str, paths: SandboxPaths,
                 cluster: Cluster) -> None:
        cluster.init()
        cluster.start()
        cluster.create_database(DB_NAME)
        paths.moodledata.mkdir()
        run_installer(current, code, php, paths, self.progress)

    def _copy_template(self, template: Template, current: SandboxState, tree: MoodleTree,
                       paths: SandboxPaths, cluster: Cluster) -> profile_mod.ProfileRecord:
        """The code and the kept site copied in, then moved to this sandbox's URL as Moodle documents for
        a moved site (config.php's wwwroot, then the database's search and replace, which purges caches)."""
        task = self.progress.start(f"copying the kept Moodle {template.release} site")
        # Two copies that wait on the disk more than on a core: side by side (measured: 10.5 s for the
        # whole copy, 4 s of it linking the code's 38k files, 1-6 s the cluster and moodledata)
        with ThreadPoolExecutor(max_workers=1) as side:
            code_copied = side.submit(copy_tree, tree.root, paths.code, hardlink=True)
            native_template.copy_site(template, paths, cluster)
            cluster.start()
            code_copied.result()
        native_template.write_config(template, paths, current.url)
        paths.install_log.write_text(copy_record(template))
        cluster.psql(renamed_site_sql(current.name), database=DB_NAME)
        code = open_tree(paths.code)
        if template.url != current.url:
            self._site_cli(paths).script(code.web_script(REPLACE_SCRIPT),
                                         *replace_url_arguments(template.url, current.url))
        task.finish()
        return profile_mod.ProfileRecord(**template.profile)

    def _take_template(self, current: SandboxState, paths: SandboxPaths, cluster: Cluster,
                       record: profile_mod.ProfileRecord) -> None:
        """What reset returns to: database, moodledata and config.php as they are now; also kept for
        new sandboxes of this release and profile (templates.py) when none is kept yet."""
        self._start(current, paths)  # the first page fills Moodle's caches in moodledata...
        # ...then no connection may stay open: between two requests php -S holds none, so ending a
        # straggler is enough, and the server keeps running (and its opcache warm)
        cluster.end_sessions(DB_NAME)
        wait_until_gone(current.pids.pop("spare", None), detached_copy_marker(paths), timeout=120)
        self._drop_snapshots(paths)  # taken from the old template's world
        for stale in (DB_SPARE, DB_TEMPLATE):
            cluster.drop_database(stale)
        cluster.create_database(DB_TEMPLATE, template=DB_NAME)
        shutil.rmtree(paths.moodledata_template, ignore_errors=True)
        shutil.copytree(paths.moodledata, paths.moodledata_template, symlinks=True)
        self._site_cli(paths).save_config_template()
        native_template.keep(current, paths, cluster, record, open_tree(paths.code).release.key,
                             (DB_NAME, DB_TEMPLATE))

    def _restore_template(self, current: SandboxState, paths: SandboxPaths) -> None:
        """The database, moodledata and config.php back to the template's state, site served."""
        # php -S keeps running (its opcache stays warm, saving seconds); DROP ... WITH (FORCE)
        # ends its database sessions, and no request is expected while a test resets.
        cluster = Cluster(paths, self._pg_bindir)
        cluster.start()
        wait_until_gone(current.pids.pop("spare", None), detached_copy_marker(paths), timeout=120)
        cluster.drop_database(DB_NAME)
        if cluster.has_database(DB_SPARE):  # copied from the template after the last reset
            cluster.rename_database(DB_SPARE, DB_NAME)
        else:
            cluster.create_database(DB_NAME, template=DB_TEMPLATE)
        shutil.rmtree(paths.moodledata)
        shutil.copytree(paths.moodledata_template, paths.moodledata, symlinks=True)
        self._site_cli(paths).restore_config()  # settings a test forced in config.php
        self._start(current, paths)
        self._prepare_spare(current, paths, cluster)

    def _apply_profile(self, current: SandboxState, paths: SandboxPaths, profile: str | None,
                       packs: list[LangPack]) -> None:
        cluster = Cluster(paths, self._pg_bindir)
        if profile_mod.apply(_NativeSite(self, current, paths, cluster), profile, packs, current.version,
                             self.progress):
            self._start(current, paths)
            self._prepare_spare(current, paths, cluster)

    def _site_cli(self, paths: SandboxPaths) -> SiteCli:
        return SiteCli(open_tree(paths.code), self._php or find_php(), paths.config_template, paths.profile_log)

    def _start(self, current: SandboxState, paths: SandboxPaths) -> SandboxState:
        Cluster(paths, self._pg_bindir).start()
        php_pid = current.pids.get("php")
        if not is_alive(php_pid, _php_server(current)):
            require_free_port(current.port)
            code = open_tree(paths.code)
            php = self._php or find_php()
            # revalidate_freq=0: a setting a test forces in config.php counts from the next request
            argv = [php, *PHP_INI, "-d", "display_errors=0", "-d", "log_errors=1",
                    "-d", "opcache.revalidate_freq=0", "-S", f"127.0.0.1:{current.port}",
                    "-t", str(document_root(code.webroot, current.path, paths))]
            php_pid = start_detached(argv, cwd=code.root, log=paths.php_log,
                                     env={"PHP_CLI_SERVER_WORKERS": SERVER_WORKERS})
            current.pids["php"] = php_pid
            state_mod.save(current, paths.state_file)
        try:
            wait_for_http(f"{current.url}/login/index.php", timeout=START_TIMEOUT, what="php -S",
                          alive=lambda: is_alive(php_pid, _php_server(current)))
        except SandboxError as exc:
            self._stop(current, paths)
            raise SandboxError(f"{exc}\n--- {paths.php_log} ---\n{tail(paths.php_log)}") from exc
        return current

    def _prepare_spare(self, current: SandboxState, paths: SandboxPaths, cluster: Cluster) -> None:
        """Copy the template into a spare database in the background: the next reset only has to
        rename it, instead of waiting for a copy (seconds to tens of seconds on a busy disk)."""
        if not cluster.has_database(DB_SPARE):
            current.pids["spare"] = cluster.copy_database_detached(DB_SPARE, DB_TEMPLATE, paths.logs / "spare.log")
        state_mod.save(current, paths.state_file)

    def _stop(self, current: SandboxState, paths: SandboxPaths) -> None:
        spare = current.pids.pop("spare", None)
        try:  # let a spare copy finish (seconds): the next reset needs it, or must copy while waited on
            wait_until_gone(spare, detached_copy_marker(paths), timeout=60)
        except SandboxError:
            kill_group(spare, detached_copy_marker(paths))
        kill_group(current.pids.get("php", 0), _php_server(current))
        Cluster(paths, self._pg_bindir).stop()
        deadline = time.monotonic() + 5
        while not port_is_free(current.port) and time.monotonic() < deadline:
            time.sleep(0.1)  # the kernel lets go of the socket a moment after the process dies
        current.pids.pop("php", None)
        if paths.state_file.exists():
            state_mod.save(current, paths.state_file)


def _check_request_fits(current: SandboxState, request: UpRequest) -> None:
    """An installed site is bound to its port and path (wwwroot) and release; say so rather than guess."""
    if request.port and request.port != current.port:
        raise SandboxError(f"sandbox '{current.name}' is installed for port {current.port} "
                           f"({current.url}); omit --port, or `down --purge` it to reinstall")
    if request.path is not None and site_path(request.path) != current.path:
        raise SandboxError(f"sandbox '{current.name}' is installed at {current.url}; omit --path, "
                           f"or `down --purge` it to reinstall")
    wanted = request.moodle_version
    if request.source and not wanted:  # 0.2 s: a known archive is recognised by its checksum
        wanted = SourceCache().add(request.source).release.release
    if wanted and wanted not in (current.version, current.release):
        raise SandboxError(f"sandbox '{current.name}' runs Moodle {current.release}; "
                           f"`down --purge` it or use another --name for {wanted}")


class _NativeSite:
    """A native sandbox as profile.apply() sees it."""
    def __init__(self, engine: NativeEngine, current: SandboxState, paths: SandboxPaths, cluster: Cluster):
        self.engine, self.current, self.paths, self.cluster = engine, current, paths, cluster
        self.record_file = paths.profile_file

    def restore(self) -> None:
        self.engine._restore_template(self.current, self.paths)

    def cli(self) -> SiteCli:
        return self.engine._site_cli(self.paths)

    def install_pack(self, pack: LangPack) -> None:
        langpacks.install(pack, self.paths.moodledata)

    def languages(self) -> list[str]:
        return langpacks.installed(self.paths.moodledata)

    def retake(self, record: profile_mod.ProfileRecord) -> None:
        self.engine._take_template(self.current, self.paths, self.cluster, record)


# A pid kept in state.json outlives its process; with pid_max at 32768 and a test suite starting tens of
# thousands of processes, it is soon another's. Two sandboxes' servers both say "-S", so a stale pid
# once stopped the wrong sandbox's server: these checks name this sandbox's own.
def _php_server(current: SandboxState) -> str:
    return f"-S 127.0.0.1:{current.port} "  # only one server can hold a port
