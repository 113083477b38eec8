"""Sandbox profiles: what a site holds beyond a fresh install. "plain" is the fresh install; "school"
looks like a school's site: Moodle's own test-site generator (courses, activities, enrolled users),
thousands of students and hundreds of Moodle-app tokens, with web services left at their defaults
(off), as the product's tests expect to find them.

The profile and the installed languages are recorded in <sandbox>/profile.json, next to state.json.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from provisioner.errors import SandboxError
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
