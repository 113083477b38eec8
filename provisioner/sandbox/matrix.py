"""Which Moodle sandboxes a test session runs on, read from the environment (see the README's Tests).

By default, one sandbox per supported version: `pytest-41`, `pytest-45`, `pytest-50`, `pytest-51` on
ports 8141, 8145, 8150, 8151. The full integration suite runs on the default version (5.0); tests
marked `matrix` run on every version. Each sandbox is installed once per machine from the source
cache and given the test profile (school, with the cached language packs asked for).
PROVISIONER_TEST_SANDBOX=NAME instead runs everything, once, on that one sandbox (as before the matrix).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from provisioner.errors import SandboxError
from provisioner.sandbox import state as state_mod
from provisioner.sandbox.download import DEFAULT_VERSION
from provisioner.sandbox.langpacks import LangPackCache
from provisioner.sandbox.paths import SandboxPaths
from provisioner.sandbox.source import SourceCache

SUPPORTED = ("4.1", "4.5", "5.0", "5.1")
NAME_ENV = "PROVISIONER_TEST_SANDBOX"             # one sandbox for everything
VERSIONS_ENV = "PROVISIONER_TEST_VERSIONS"        # "4.1,4.5,5.0,5.1"
PREFIX_ENV = "PROVISIONER_TEST_SANDBOX_PREFIX"    # "pytest": pytest-41, pytest-45, ...
PORT_BASE_ENV = "PROVISIONER_TEST_PORT_BASE"      # 8100: 4.1 on 8141, 5.0 on 8150, ...
PROFILE_ENV = "PROVISIONER_TEST_PROFILE"          # "school" or "plain"
LANGUAGES_ENV = "PROVISIONER_TEST_LANGUAGES"      # "es": cached language packs to install
STOP_ENV = "PROVISIONER_TEST_STOP_SANDBOX"        # "1": stop the sandboxes at the end
SINGLE_PORT = 8179                                # PROVISIONER_TEST_SANDBOX's port on a first install


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@dataclass(frozen=True)
class Target:
    """One sandbox of the session and what runs on it."""
    version: str   # "5.0"
    name: str      # "pytest-50"
    port: int      # used by the first install only
    full: bool     # the whole integration suite runs here (else only tests marked matrix)

    @property
    def id(self) -> str:
        return self.version

    def installed(self) -> state_mod.SandboxState | None:
        try:
            current = state_mod.load(SandboxPaths(self.name).state_file)
        except SandboxError:
            return None  # reported by the fixture when it brings the sandbox up
        return current if current and current.installed else None

    def missing(self) -> str | None:
        """Why this sandbox cannot be had (no source for it), or None."""
        if self.installed() or SourceCache().find(self.version):
            return None
        return (f"no Moodle {self.version} source for sandbox '{self.name}': cache one with `provisioner "
                f"sandbox up --name {self.name} --port {self.port} --moodle-src PATH` (a Moodle "
                f"{self.version} tree or release .tgz/.zip), or leave {self.version} out of {VERSIONS_ENV}")

    def missing_languages(self, wanted: list[str]) -> list[str]:
        cache = LangPackCache()
        return [code for code in wanted if not cache.find(code, self.version)]


def digits(version: str) -> int:
    major, minor = version.split(".")
    return int(major) * 10 + int(minor)


def targets() -> list[Target]:
    single = os.environ.get(NAME_ENV)
    if single:
        installed = Target("", single, SINGLE_PORT, True).installed()  # bound to its port: keep it
        return [Target(_single_version(single), single, installed.port if installed else SINGLE_PORT, full=True)]
    versions = [v.strip() for v in os.environ.get(VERSIONS_ENV, ",".join(SUPPORTED)).split(",") if v.strip()]
    for version in versions:
        if version not in SUPPORTED:
            raise SandboxError(f"{VERSIONS_ENV}: {version!r} is not one of {', '.join(SUPPORTED)}")
    prefix = os.environ.get(PREFIX_ENV, "pytest")
    base = int(os.environ.get(PORT_BASE_ENV, "8100"))
    full = DEFAULT_VERSION if DEFAULT_VERSION in versions else versions[0]
    return [Target(v, f"{prefix}-{digits(v)}", base + digits(v), full=v == full) for v in versions]


def _single_version(name: str) -> str:
    """The version of PROVISIONER_TEST_SANDBOX: as installed, else what its first `up` would install."""
    installed = Target("", name, SINGLE_PORT, True).installed()
    if installed:
        return installed.version
    cache = SourceCache()
    tree = cache.find(DEFAULT_VERSION) or cache.find()
    return tree.release.short if tree else DEFAULT_VERSION


def profile() -> str:
    wanted = os.environ.get(PROFILE_ENV, "school")
    if wanted not in ("school", "plain"):
        raise SandboxError(f"{PROFILE_ENV}: {wanted!r} is not school or plain")
    return wanted


def languages() -> list[str]:
    return [code.strip() for code in os.environ.get(LANGUAGES_ENV, "es").split(",") if code.strip()]
