"""Moodle language packs given as folders: which language and Moodle branch each is, a cached copy
per branch (~/.cache/moodle-provisioner/langpacks/<branch>/<code>/), and which packs suit a site.

A pack is installed by copying its folder to <moodledata>/lang/<code>/, as Moodle's own language
import does. Its language and branch come from the header AMOS writes into langconfig.php
("Strings for component 'langconfig', language 'es', version '4.5'").
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from provisioner.errors import SandboxError
from provisioner.sandbox import paths

_HEADER = re.compile(r"component 'langconfig', language '([a-z][a-z0-9_]*)', version '(\d+\.\d+)'")
# A pack serves its own branch and the later ones up to the next LTS (strings added since then show
# in English): the 4.1 packs serve 4.1-4.4, the 4.5 packs 4.5 onwards (5.0, 5.1).
LTS_BRANCHES = ("4.1", "4.5")


def _key(branch: str) -> tuple[int, int]:
    major, minor = branch.split(".")[:2]
    return int(major), int(minor)


def suits(pack_branch: str, site_branch: str) -> bool:
    pack, site = _key(pack_branch), _key(site_branch)
    return pack <= site and not any(pack < _key(lts) <= site for lts in LTS_BRANCHES)


@dataclass(frozen=True)
class LangPack:
    code: str    # "es": the folder name under <moodledata>/lang/
    branch: str  # "4.5": the Moodle branch it was exported for
    path: Path

    def check_suits(self, site_branch: str) -> LangPack:
        if not suits(self.branch, site_branch):
            raise SandboxError(f"the '{self.code}' language pack at {self.path} is for Moodle {self.branch}; "
                               f"this site runs Moodle {site_branch}: give a pack for its branch "
                               f"(the {LTS_BRANCHES[-1]} packs serve {LTS_BRANCHES[-1]} and later, "
                               f"the {LTS_BRANCHES[0]} packs {LTS_BRANCHES[0]} only up to the next LTS)")
        return self


def read_pack(folder: Path) -> LangPack:
    folder = Path(folder).expanduser()
    langconfig = folder / "langconfig.php"
    if not langconfig.is_file():
        raise SandboxError(f"not a Moodle language pack: {folder} has no langconfig.php")
    header = _HEADER.search(langconfig.read_text(errors="replace")[:4000])
    if not header:
        raise SandboxError(f"cannot tell which language and Moodle branch {langconfig} is for (no "
                           "\"Strings for component 'langconfig', language '..', version '..'\" header)")
    return LangPack(code=header.group(1), branch=header.group(2), path=folder)


class LangPackCache:
    """One copy per (branch, language), so later `up`s and CI need no --langpack argument."""

    def __init__(self, root: Path | None = None):
        self.root = root or paths.cache_home() / "langpacks"

    def entries(self) -> list[LangPack]:
        found = []
        for langconfig in sorted(self.root.glob("*/*/langconfig.php")):
            try:
                found.append(read_pack(langconfig.parent))
            except SandboxError:
                continue  # a half-copied folder is not a pack
        return found

    def add(self, pack: LangPack) -> LangPack:
        target = self.root / pack.branch / pack.code
        if pack.path.resolve() == target.resolve():
            return pack
        staging = target.with_name(f".{pack.code}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(pack.path, staging)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)  # a newer copy of the same pack replaces the old one whole
        return LangPack(pack.code, pack.branch, target)

    def find(self, code: str, site_branch: str) -> LangPack | None:
        """The newest cached pack of this language that suits the site."""
        matching = [p for p in self.entries() if p.code == code and suits(p.branch, site_branch)]
        return max(matching, key=lambda p: _key(p.branch), default=None)

    def suiting(self, site_branch: str) -> list[LangPack]:
        return [pack for code in sorted({p.code for p in self.entries()})
                if (pack := self.find(code, site_branch))]


def resolve(given: list[str], site_branch: str, cache: LangPackCache | None = None) -> list[LangPack]:
    """Each --langpack value is a pack's folder (checked, then cached) or a language code (taken from
    the cache). Folders are checked before anything is installed, so a wrong one costs nothing."""
    cache = cache or LangPackCache()
    packs = []
    for value in given:
        folder = Path(value).expanduser()
        if folder.is_dir():
            packs.append(cache.add(read_pack(folder).check_suits(site_branch)))
            continue
        if "/" in value or not re.fullmatch(r"[a-z][a-z0-9_]*", value):
            raise SandboxError(f"--langpack {value}: no such folder (give a language pack's folder, "
                               "or the code of one cached before, e.g. es)")
        cached = cache.find(value, site_branch)
        if not cached:
            raise SandboxError(f"--langpack {value}: no cached '{value}' pack suits Moodle {site_branch}: "
                               f"pass its folder once (--langpack DIR); it is cached under {cache.root}")
        packs.append(cached)
    return packs


def install(pack: LangPack, moodledata: Path) -> None:
    target = moodledata / "lang" / pack.code
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(pack.path, target)


def installed(moodledata: Path) -> list[str]:
    lang = moodledata / "lang"
    return sorted(p.name for p in lang.iterdir() if (p / "langconfig.php").is_file()) if lang.is_dir() else []
