"""What a sandbox is asked for and what it reports, and the interface both engines implement; the
engines (native/, docker/) import this, and engine.py picks between them."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from provisioner.errors import SandboxError

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
