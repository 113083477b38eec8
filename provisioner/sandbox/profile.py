"""Sandbox profiles: what a site holds beyond a fresh install. "plain" is the fresh install; "school"
looks like a school's site: Moodle's own test-site generator (courses, activities, enrolled users),
thousands of students and hundreds of Moodle-app tokens, with web services left at their defaults
(off), as the product's tests expect to find them.

The profile and the installed languages are recorded in <sandbox>/profile.json, next to state.json.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from provisioner.errors import SandboxError
from provisioner.sandbox.langpacks import LangPack, LangPackCache
from provisioner.sandbox.progress import Progress, quiet
from provisioner.sandbox.site_cli import SiteCli

PROFILES = ("plain", "school")
_PEOPLE_SCRIPT = Path(__file__).parent / "php" / "school_people.php"


@dataclass(frozen=True)
class School:
    # tool_generator's site size "M": 73 courses, 1000 enrolled users; about 75 s on Moodle 5.1 here
    # (S: 12 courses, 100 users, 20 s; L takes hours). Files are capped at 1 kB: size on disk only
    # slows every reset, which copies moodledata.
    generator_size: str = "M"
    file_size_limit: int = 1000
    students: int = 2000  # on top of the generator's 1000: ~3000 accounts
    app_tokens: int = 500


SCHOOL = School()


@dataclass
class ProfileRecord:
    profile: str = "plain"
    languages: list[str] = field(default_factory=list)  # installed language packs, besides English
    users: int | None = None
    app_tokens: int | None = None
    courses: int | None = None
    seconds: float | None = None  # how long applying the profile took

    def to_dict(self) -> dict:
        return asdict(self)


def load(path: Path) -> ProfileRecord:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return ProfileRecord()
    except (OSError, ValueError) as exc:
        raise SandboxError(f"unreadable sandbox profile {path}: {exc}") from exc
    known = ProfileRecord.__dataclass_fields__
    return ProfileRecord(**{k: v for k, v in data.items() if k in known})


def save(record: ProfileRecord, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(record.to_dict(), indent=2, sort_keys=True))
    os.replace(partial, path)


def check_name(profile: str | None, current: ProfileRecord) -> None:
    if profile is None:
        return
    if profile not in PROFILES:
        raise SandboxError(f"unknown profile {profile!r}: use {' or '.join(PROFILES)}")
    if profile == "plain" and current.profile != "plain":
        raise SandboxError(f"this sandbox already has the {current.profile} profile, which cannot be taken "
                           "off: `provisioner sandbox down --purge` it, or use another --name")


def make_school(cli: SiteCli, school: School = SCHOOL) -> dict:
    """Fill the site; returns {"users", "tokens", "courses"} as counted afterwards."""
    generator = cli.tree.web_script("admin/tool/generator/cli/maketestsite.php")
    if not generator.is_file():
        raise SandboxError(f"Moodle's test-site generator is missing: {generator}")
    done = cli.php_json("echo json_encode($DB->count_records_select('course', \"shortname LIKE 'testcourse_%'\"));")
    if not done:  # the generator numbers its courses on from the last one: never run it twice
        cli.script(generator, f"--size={school.generator_size}", "--fixeddataset", "--bypasscheck",
                   f"--filesizelimit={school.file_size_limit}", "--quiet")
    output = cli.script(_PEOPLE_SCRIPT, f"--students={school.students}", f"--tokens={school.app_tokens}")
    try:
        return json.loads(output.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise SandboxError(f"{_PEOPLE_SCRIPT.name} printed no counts: {output.strip()[-300:]!r}") from exc


class ProfiledSite(Protocol):
    """What an engine gives apply(): its sandbox's record, command line, language folder and template."""
    record_file: Path

    def restore(self) -> None: ...  # back to the reset template
    def cli(self) -> SiteCli: ...
    def install_pack(self, pack: LangPack) -> None: ...
    def languages(self) -> list[str]: ...  # installed packs, besides English
    def retake(self, record: ProfileRecord) -> None: ...  # the reset template from the site as it is now


def apply(site: ProfiledSite, profile: str | None, packs: list[LangPack], version: str,
          progress: Progress = quiet) -> bool:
    """Fill an installed site and install language packs, then retake the reset template, so that reset
    returns to this state. What is already there is not done again; False when nothing was to do."""
    record = load(site.record_file)
    check_name(profile, record)
    make = profile == "school" and record.profile != "school"
    if profile == "school" and not packs:
        packs = LangPackCache().suiting(version)  # the cached ones: no argument needed
    new_packs = [pack for pack in packs if pack.code not in record.languages]
    if not (make or new_packs):
        return False
    started = time.monotonic()
    # From the template, not from whatever the last test left: the new template must be a
    # just-installed site plus the profile, or every later reset would bring that state back.
    site.restore()
    cli = site.cli()
    if make:
        task = progress.start("school profile: courses, users, app tokens")
        counts = make_school(cli)
        task.finish()
        record.profile = "school"
        record.users, record.app_tokens, record.courses = counts["users"], counts["tokens"], counts["courses"]
    for pack in new_packs:
        site.install_pack(pack)
    cli.script(cli.tree.cli_dir / "purge_caches.php")  # new strings, new courses: no stale cache
    record.languages = site.languages()
    site.retake(record)
    if make:
        record.seconds = round(time.monotonic() - started, 1)
    save(record, site.record_file)
    return True
