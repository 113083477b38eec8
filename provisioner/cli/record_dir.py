"""`run --record DIR`: the folder checked (and made) before anything starts; the screenshots taken after
each change kept in a hidden folder of it until they are embedded in the site's record, then removed."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from provisioner.errors import PlaybookError
from provisioner.runner.report import RunReport


def prepare_record(folder: Path | None, site: str = "site") -> Path | None:
    """Where the screenshots for `site`'s record go; None without --record. Bad folders exit 2."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlaybookError(f"--record {folder}: cannot create it: {exc.strerror}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PlaybookError(f"--record {folder}: not writable")
    shots = folder / f".screenshots-{site}"
    shots.mkdir(exist_ok=True)
    return shots


def finish_record(folder: Path, report: RunReport, shots: Path | None, name: str | None = None) -> Path:
    from provisioner.record import write_record

    try:
        return write_record(folder, report, name)
    finally:
        if shots is not None:
            shutil.rmtree(shots, ignore_errors=True)
