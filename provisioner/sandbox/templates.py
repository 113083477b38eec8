"""Installed sites kept per engine, release and profile, so that a new sandbox of a release already
installed once on this machine is a copy of that site, not another run of Moodle's installer.

A template is taken whenever a sandbox takes its reset template (after install, after a profile or a
language pack) and none with its key exists yet. It lives under <state home>/templates/<engine>/<key>/:
template.json (mode 0600: it holds the admin password, which the copy keeps) and what the engine keeps
(native: the stopped cluster's data folder, moodledata, config.php; docker: config.php here, the data
in volumes). A copy rewrites the site's URL the way Moodle documents for a moved site: config.php's
$CFG->wwwroot, then admin/tool/replace's search and replace over the database (which purges caches).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

from provisioner.errors import SandboxError
from provisioner.sandbox import paths as paths_mod
from provisioner.sandbox.langpacks import LangPack, LangPackCache
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.source import MoodleRelease
from provisioner.secrets import Secret

META = "template.json"
REPLACE_SCRIPT = "admin/tool/replace/cli/replace.php"  # under the web root


def template_key(release_key: str, profile: str | None, languages: list[str] | tuple[str, ...]) -> str:
    """e.g. "5.0.6+-20260403" (as installed) or "5.0.6+-20260403_school_es"."""
    parts = [release_key, *(["school"] if profile == "school" else []), *sorted(set(languages))]
    return "_".join(parts)


@dataclass
class Template:
    engine: str
    key: str
    version: str   # "5.0"
    release: str   # "5.0.6+ (Build: 20260403)"
    url: str       # the wwwroot it was taken with: a copy rewrites it
    root: str      # the sandbox folder it was taken from: config.php's paths start with it
    admin_user: str
    admin_password: Secret
    profile: dict = field(default_factory=dict)  # profile.ProfileRecord as a dict
    folder: Path | None = None  # where it is kept (not written)

    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "folder"}
        return json.dumps(data | {"admin_password": self.admin_password.reveal()}, indent=2, sort_keys=True)

    @classmethod
    def from_file(cls, meta: Path) -> Template:
        try:
            data = json.loads(meta.read_text())
            data["admin_password"] = Secret(data["admin_password"])
            return cls(**data, folder=meta.parent)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            # from None: a chained traceback would show the text, the password in it
            raise SandboxError(f"unreadable sandbox template {meta}: {exc}") from None


class TemplateStore:
    def __init__(self, engine: str, home: Path | None = None):
        self.engine = engine
        self.root = (home or paths_mod.state_home()) / "templates" / engine

    def folder(self, key: str) -> Path:
        return self.root / key

    def find(self, key: str) -> Template | None:
        meta = self.folder(key) / META
        return Template.from_file(meta) if meta.is_file() else None

    def entries(self) -> list[Template]:
        return [Template.from_file(meta) for meta in sorted(self.root.glob(f"*/{META}"))]

    def save(self, template: Template, fill: Callable[[Path], None]) -> Template:
        """Write a template: fill(folder) puts the engine's part in a staging folder, which then
        replaces the kept one at once, so a half-written template is never found."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)  # a template's moodledata is as writable as Moodle made it, and only we copy it
        staging = self.root / f".{template.key}.{os.getpid()}.partial"  # two installs of one release
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            fill(staging)
            fd = os.open(staging / META, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(template.to_json())
            self.remove(template.key)
            staging.rename(self.folder(template.key))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        template.folder = self.folder(template.key)
        return template

    def remove(self, key: str) -> None:
        folder = self.folder(key)
        if folder.exists():
            gone = folder.with_name(f".{key}.removing")
            shutil.rmtree(gone, ignore_errors=True)
            folder.rename(gone)  # at once: a copy starting now finds it whole or not at all
            shutil.rmtree(gone, ignore_errors=True)


def best_template(store: TemplateStore, request: UpRequest, release: MoodleRelease, packs: list[LangPack],
                  key_suffix: str = "") -> Template | None:
    """The kept site closest to what `request` asks of `release`: the same profile and languages, else the
    school profile without them, else as installed; `up` then adds what the copy lacks. key_suffix: what
    else a template must match on this engine (docker: its database image)."""
    languages = [pack.code for pack in packs]
    if request.profile == "school" and not packs:
        languages = [pack.code for pack in LangPackCache().suiting(release.short)]
    wanted = [template_key(release.key, request.profile, languages)]
    if request.profile == "school":
        wanted.append(template_key(release.key, "school", []))
    wanted.append(template_key(release.key, None, []))
    return next((found for key in wanted if (found := store.find(key + key_suffix))), None)


def rewritten_config(text: str, template: Template, root: Path, url: str) -> str:
    """The template's config.php for a copy at `root` serving `url`: its paths and wwwroot moved."""
    old_root = template.root.rstrip("/") + "/"
    return text.replace(f"'{template.url}'", f"'{url}'").replace(old_root, str(root).rstrip("/") + "/")


def renamed_site_sql(name: str) -> str:
    """The copy's site named after its sandbox, as the installer names it ("Sandbox <name>"), not after the
    template's. Sandbox names are plain (paths.check_name), so they go into the SQL as they are."""
    return (f"UPDATE mdl_course SET fullname = 'Sandbox {name}', shortname = 'sandbox-{name}' "
            "WHERE id = (SELECT MIN(id) FROM mdl_course)")  # the site's own course, SITEID


def copy_record(template: Template) -> str:
    """What a copy writes where an install writes install.php's log: where the site came from."""
    return (f"copied from the kept template {template.key} (Moodle {template.release}), taken at {template.url}; "
            "Moodle's installer did not run\n")


def replace_url_arguments(old: str, new: str) -> list[str]:
    """admin/tool/replace's CLI: --shorten lets a longer URL in (a sub-path), cutting only what cannot fit."""
    return [f"--search={old}", f"--replace={new}", "--shorten", "--non-interactive"]


def copy_preserving(src: Path, dst: Path) -> None:
    """cp -a: owners kept too (a native cluster's files belong to the `postgres` user when run as root),
    which shutil's copies do not do."""
    done = subprocess.run(["cp", "-a", str(src), str(dst)], capture_output=True, text=True)
    if done.returncode:
        raise SandboxError(f"cannot copy {src} to {dst}: {done.stderr.strip()[-400:]}")
