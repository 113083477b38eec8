"""Release notes for reports: not tested with this tool, past Moodle's security support, newer than known."""
from __future__ import annotations

from datetime import date

from provisioner.releases import branch, release_notes

DAY = date(2026, 12, 4)


def test_the_branch_is_read_from_the_release_moodle_shows():
    assert branch("5.0.6+ (Build: 20260403)") == "5.0"
    assert branch("4.1.1+ (Build: 20230112)") == "4.1"
    assert branch("not a release") is None


def test_a_tested_supported_release_needs_no_note():
    assert release_notes("4.5.5+ (Build: 20250613)", DAY) == []
    assert release_notes("5.1 (Build: 20251006)", DAY) == []


def test_a_release_past_security_support_says_so_with_the_date():
    (note,) = release_notes("4.1.1+ (Build: 20230112)", DAY)
    assert "no longer gets security fixes" in note and "8 December 2025" in note
    assert "5 October 2026" in release_notes("5.0.6+", DAY)[0]


def test_a_newer_release_runs_and_is_named_as_not_yet_tested():
    notes = release_notes("5.3 (Build: 20261005)", DAY)
    assert len(notes) == 1 and "5.3 has not been tested" in notes[0]
    later = release_notes("5.4dev (Build: 20270101)", DAY)
    assert "has not been tested" in later[0] and "newer than this tool knows" in later[1]
