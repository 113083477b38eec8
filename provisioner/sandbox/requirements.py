"""What a Moodle tree says it needs, read from its own admin/environment.xml: the PHP and PostgreSQL
versions Moodle's installer will insist on. Read from the tree rather than kept in a table of ours, so a
release newer than this tool (5.2: PHP 8.3 and PostgreSQL 16; 5.3: PostgreSQL 17) is checked before
anything is started, and the docker engine picks images that can run it."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from provisioner.sandbox.source import MoodleTree


@dataclass(frozen=True)
class Requirements:
    php: tuple[int, int] | None = None   # major, minor
    postgres: int | None = None          # major


def requirements(tree: MoodleTree) -> Requirements:
    """The block of environment.xml for this tree's own release; empty where there is none to read."""
    for folder in (tree.root, tree.webroot):
        path = folder / "admin" / "environment.xml"
        if path.is_file():
            break
    else:
        return Requirements()
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError:
        return Requirements()
    block = next((m for m in root.iter("MOODLE") if m.get("version") == tree.release.short), None)
    if block is None:
        return Requirements()
    php = block.find("PHP")
    postgres = next((v for v in block.iterfind("DATABASE/VENDOR") if v.get("name") == "postgres"), None)
    return Requirements(php=_major_minor(php.get("version")) if php is not None else None,
                        postgres=_major(postgres.get("version")) if postgres is not None else None)


def _major_minor(version: str | None) -> tuple[int, int] | None:
    match = re.match(r"(\d+)\.(\d+)", version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _major(version: str | None) -> int | None:
    match = re.match(r"(\d+)", version or "")
    return int(match.group(1)) if match else None
