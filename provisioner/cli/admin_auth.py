"""How `run` signs in as the admin: read and checked before any browser starts (bad input exits 2).

A saved session (`--session-file`, from `provisioner login`) replaces the password; otherwise the password
comes from $MOODLE_ADMIN_PASSWORD or a file, and MFA's TOTP secret, where the site asks for it, from
$MOODLE_TOTP_SECRET or a file. Secrets never come from a flag's value (shell history, the process list).
"""
from __future__ import annotations

import os
from pathlib import Path

import click

from provisioner import session_file
from provisioner.errors import PlaybookError
from provisioner.secrets import Secret
from provisioner.session_file import SavedSession
from provisioner.totp import Totp

TOTP_SECRET_ENV = "MOODLE_TOTP_SECRET"


def session_option(command):
    return click.option(
        "--session-file", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
        help="Sign in with the admin session `provisioner login` saved, instead of a password.")(command)


def totp_option(command):
    return click.option(
        "--totp-secret-file", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
        help="File holding the admin's TOTP secret (base32, or an otpauth:// URI), to answer MFA's "
             f"authenticator-app factor after the password; otherwise ${TOTP_SECRET_ENV}.")(command)


def read_session(path: Path | None, site_url: str, totp_file: Path | None) -> SavedSession | None:
    if path is None:
        return None
    if totp_file is not None:
        raise PlaybookError("--totp-secret-file is for password logins: a saved session has been through "
                            "MFA already")
    return session_file.read(path, site_url)


def read_totp(path: Path | None) -> Totp | None:
    """From the file if given, else from $MOODLE_TOTP_SECRET, else None (the site may not ask)."""
    if path is not None:
        origin = f"--totp-secret-file {path}"
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise PlaybookError(f"{origin}: {getattr(exc, 'strerror', None) or 'not a text file'}") from None
    else:
        origin, text = f"${TOTP_SECRET_ENV}", os.environ.get(TOTP_SECRET_ENV, "").strip()
        if not text:
            return None
    if not text:
        raise PlaybookError(f"{origin} is empty")
    return Totp(Secret(text), origin)
