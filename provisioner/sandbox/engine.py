"""The interface both engines implement, and the choices made before either is asked to act."""
from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from provisioner.errors import SandboxError
from provisioner.sandbox.download import DEFAULT_VERSION
from provisioner.sandbox.progress import Progress, quiet
from provisioner.sandbox.source import MoodleTree, SourceCache

DEFAULT_NAME = "default"
DEFAULT_PORT = 8080
ADMIN_USER = "admin"
ADMIN_EMAIL = "admin@example.com"  # without one, require_login() sends the admin to a profile form


@dataclass(frozen=True)
class UpRequest:
    name: str = DEFAULT_NAME
    port: int | None = None
    source: Path | None = None  # a Moodle tree or release archive
    moodle_version: str | None = None  # "4.5": choose among cached releases or download one
    profile: str | None = None  # "school": fill the site (see profile.py); None leaves it as it is
    langpacks: tuple[str, ...] = ()  # language packs to install: folders, or codes of cached packs
    php_image: str | None = None  # docker engine: None takes the compose file's (MOODLE_PHP_IMAGE, else HQ's)
    db_image: str | None = None   # docker engine: None takes the compose file's (MOODLE_DB_IMAGE, else postgres)
    path: str | None = None  # "/moodle": serve the site under a sub-path (fixed at install); None: as installed
    pull: str = "missing"  # docker engine: missing | always | never, as `docker compose up --pull`
    fresh_install: bool = False  # run Moodle's installer even where a template of the release is kept


@dataclass
class Status:
    name: str
    state: str  # absent | stopped | running
    engine: str | None = None
    version: str | None = None
    release: str | None = None
    url: str | None = None
    admin_user: str | None = None
    installed: bool | None = None  # False after a failed install: the next `up` starts over
    processes: dict[str, bool] = field(default_factory=dict)
    profile: str | None = None  # "plain" or "school"
    languages: list[str] = field(default_factory=list)  # installed language packs besides English

    def to_dict(self) -> dict:
        return asdict(self)


class Engine(Protocol):
    name: str

    def up(self, request: UpRequest): ...
    def down(self, name: str, *, purge: bool = False) -> None: ...
    def status(self, name: str) -> Status: ...
    def reset(self, name: str): ...
    def logs(self, name: str, lines: int = 40) -> dict[str, str]: ...
    def site_cli(self, name: str): ...  # Moodle's command line on the sandbox (site_cli.SiteCli)


_PATH = re.compile(r"^(/[A-Za-z0-9][A-Za-z0-9._-]*)+$")


def site_path(value: str) -> str:
    """A sub-path the site is served under: "" (the host's root) or e.g. "/moodle", "/school/moodle"."""
    path = value.strip().rstrip("/")
    if path and not _PATH.match(path):
        raise SandboxError(f"--path must look like /moodle or /school/moodle (letters, digits, . _ -), "
                           f"not {value!r}")
    return path


def port_for(name: str, port: int | None) -> int:
    if port:
        return port
    if name == DEFAULT_NAME:
        return DEFAULT_PORT
    raise SandboxError(f"sandbox '{name}' needs a --port the first time it is brought up "
                       f"(only '{DEFAULT_NAME}' defaults to {DEFAULT_PORT})")


def _source_given(request: UpRequest) -> Path | None:
    return request.source or (Path(os.environ["MOODLE_SRC"]) if os.environ.get("MOODLE_SRC") else None)


def resolve_source(request: UpRequest, cache: SourceCache | None = None) -> MoodleTree:
    """--moodle-src (or MOODLE_SRC) wins; then a cached release (the version asked for; else the
    default release, else the newest cached); then a download of the version asked for, or of the
    default release when nothing is asked."""
    cache = cache or SourceCache()
    source = _source_given(request)
    if source:
        tree = cache.add(source)
        if request.moodle_version and tree.release.short != request.moodle_version:
            raise SandboxError(f"--moodle-version {request.moodle_version} asked, but {source} is "
                               f"Moodle {tree.release.release}")
        return tree
    cached = _cached(request, cache)
    if cached:
        return cached
    from provisioner.sandbox.download import download_release

    archive = download_release(request.moodle_version or DEFAULT_VERSION, cache.root / "downloads")
    tree = cache.add(archive)
    archive.unlink(missing_ok=True)  # unpacked into the cache; the index remembers its checksum
    return tree


def _cached(request: UpRequest, cache: SourceCache) -> MoodleTree | None:
    """The version asked for; else the default release, else the newest release cached."""
    if request.moodle_version:
        return cache.find(request.moodle_version)
    return cache.find(DEFAULT_VERSION) or cache.find()


def download_needed(request: UpRequest, cache: SourceCache | None = None) -> str | None:
    """The version `up` would download for this request (to say so before a long silence), or None."""
    if _source_given(request) or _cached(request, cache or SourceCache()):
        return None
    return request.moodle_version or DEFAULT_VERSION


def docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - no engine, no socket, no permission: all mean "no"
        return False


def docker_ready(images: dict[str, str | None] | None = None) -> bool:
    """A Docker engine answers and already holds the images a new sandbox would use (the compose
    file's, after MOODLE_*_IMAGE and the given overrides). Without them a docker sandbox could only
    fail (images are never pulled), so `auto` takes the native engine instead."""
    if not docker_answers():
        return False
    import docker

    from provisioner.sandbox import compose, docker_images

    images = images or {}
    client = docker.from_env(timeout=3)
    try:
        docker_images.require_local(client, list(compose.images_for(images.get("php"), images.get("db")).values()))
        return True
    except Exception:  # noqa: BLE001 - an image missing, or a compose file we cannot read: not ready
        return False
    finally:
        client.close()


def choose_engine(kind: str = "auto", images: dict[str, str | None] | None = None,
                  progress: Progress = quiet) -> Engine:
    if kind == "auto":
        kind = "docker" if docker_ready(images) else "native"
    if kind == "native":
        from provisioner.sandbox.native import NativeEngine

        return NativeEngine(progress=progress)
    if kind == "docker":
        from provisioner.sandbox.docker_engine import DockerEngine

        return DockerEngine(progress=progress)
    raise SandboxError(f"unknown engine {kind!r}: use auto, native or docker")


def engine_for(name: str, kind: str = "auto", images: dict[str, str | None] | None = None,
               progress: Progress = quiet) -> Engine:
    """An existing sandbox keeps the engine it was made with; --engine only chooses for new ones."""
    from provisioner.sandbox import state as state_mod
    from provisioner.sandbox.paths import SandboxPaths

    existing = state_mod.load(SandboxPaths(name).state_file)
    if existing:
        if kind not in ("auto", existing.engine):
            raise SandboxError(f"sandbox '{name}' runs on the {existing.engine} engine, not {kind}: "
                               f"`provisioner sandbox down --purge --name {name}` to start over")
        kind = existing.engine
    return choose_engine(kind, images, progress)
