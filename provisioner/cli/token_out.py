"""`--token-out FILE`: where a run saves the token, and reads it back on the next run.

Written by the hand-off's private writer: created 0600 (never world-readable, not even for a moment),
flushed and renamed over the target, so a reader sees either the old file or the complete new one.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from provisioner.errors import PlaybookError
from provisioner.secrets import Secret


def check_writable(path: Path, label: str = "--token-out") -> None:
    """Fail before the run (exit 2) rather than after a token was minted that could not be saved."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise PlaybookError(f"{label} {path}: is a folder, not a file")
    if not folder.is_dir():
        raise PlaybookError(f"{label} {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PlaybookError(f"{label} {path}: folder {folder} is not writable")


def write_token_file(path: Path, site_url: str, token: Secret) -> None:
    """Raises HandoffError when the file cannot be written (the same private writer as hand-off files)."""
    from provisioner.handoff.files import write_private

    write_private(path, json.dumps({"site_url": site_url, "token": token.reveal()}, indent=2) + "\n")


def read_known_token(path: Path | None, site_url: str) -> Secret | None:
    """The token an earlier run saved for this same site, so a re-run can still verify and hand it off.

    MOODLE_TOKEN wins over the file. Anything unreadable or for another site counts as unknown.
    """
    if os.environ.get("MOODLE_TOKEN"):
        return Secret(os.environ["MOODLE_TOKEN"])
    return read_saved_token(path, site_url)


def read_saved_token(path: Path | None, site_url: str) -> Secret | None:
    """The token in a --token-out file, if it was saved for this site."""
    if path is None or not path.is_file():
        return None
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("site_url") != site_url or not saved.get("token"):
        return None
    return Secret(str(saved["token"]))


def token_from_saved_json(text: str) -> str:
    """`provisioner run --token-out` saves {site_url, token}: the token of such a file, else the text as it is
    (a bare token; anything else is then refused as not letters and digits, without echoing it)."""
    if not text.startswith("{"):
        return text
    try:
        saved = json.loads(text)
    except ValueError:
        return text
    return str(saved.get("token", "")).strip() if isinstance(saved, dict) else text
