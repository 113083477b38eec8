"""What this tool knows of Moodle's releases: which it was tested on, and until when Moodle gives each
security fixes. For notes in reports only: nothing in a run is keyed on a release, so a newer one (5.2,
5.3, later) runs like any other, and the report says it has not been tested.

Dates from Moodle's release calendar (moodledev.io/general/releases, its versions.json of 2026-08-07).
"""
from __future__ import annotations

import re
from datetime import date

# The releases this version's integration tests run on (tests/ matrix: real sites of each).
TESTED = ("4.1", "4.5", "5.0", "5.1")

SECURITY_SUPPORT_ENDS = {
    "4.1": date(2025, 12, 8), "4.2": date(2024, 10, 7), "4.3": date(2025, 4, 21), "4.4": date(2025, 12, 8),
    "4.5": date(2027, 10, 4), "5.0": date(2026, 10, 5), "5.1": date(2027, 4, 19), "5.2": date(2027, 10, 4),
    "5.3": date(2029, 10, 1),
}


def branch(release: str) -> str | None:
    """'5.0.6+ (Build: 20260403)' → '5.0'; None where no X.Y can be read."""
    match = re.match(r"\s*(\d+)\.(\d+)", release or "")
    return f"{match.group(1)}.{match.group(2)}" if match else None


def release_notes(release: str, today: date | None = None) -> list[str]:
    """What a reader should know about the site's release: not tested with this tool, or past Moodle's
    security support (or of unknown support, for a release newer than this tool)."""
    version = branch(release)
    if version is None:
        return []
    today = today or date.today()
    notes = []
    if version not in TESTED:
        notes.append(f"Moodle {version} has not been tested with this version of the tool (tested: "
                     f"{', '.join(TESTED)}); report anything that does not work")
    ends = SECURITY_SUPPORT_ENDS.get(version)
    if ends is None and _newer_than_known(version):
        notes.append(f"Moodle {version} is newer than this tool knows: its support dates are not known here")
    elif ends is not None and ends < today:
        notes.append(f"Moodle {version} no longer gets security fixes from Moodle (since "
                     f"{ends.strftime('%d %B %Y').lstrip('0')}): the school should upgrade")
    return notes


def _newer_than_known(version: str) -> bool:
    def key(v: str) -> tuple[int, int]:
        major, minor = v.split(".")
        return int(major), int(minor)
    return key(version) > max(map(key, SECURITY_SUPPORT_ENDS))
