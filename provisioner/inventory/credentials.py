"""A selected site's sign-in, read from where its inventory entry says, before any browser starts.

Only the sites a run selects are read: a CI job that holds one shard's secrets can run that shard. Every
problem is bad input (exit 2) naming the inventory's line and the site; no value is ever echoed.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from provisioner import session_file
from provisioner.errors import PlaybookError
from provisioner.inventory.model import SecretSource, Site
from provisioner.secrets import Secret
from provisioner.session_file import SavedSession
from provisioner.totp import Totp


@dataclass
class SignIn:
    admin_user: str
    password: Secret | None = None
    totp: Totp | None = None
    session: SavedSession | None = None


def read_sign_in(site: Site, inventory: Path, env: Mapping[str, str] | None = None) -> SignIn:
    env = os.environ if env is None else env
    who = f"site '{site.name}': "
    if site.session_file is not None:
        try:
            session = session_file.read(site.session_file, site.url)
        except PlaybookError as exc:
            message = str(exc).replace("--session-file", "session_file", 1)
            raise PlaybookError(f"{who}{message}", file=inventory, line=site.line) from None
        return SignIn(site.admin_user, session=session)
    password = Secret(read_secret(site.admin_password, f"{who}admin_password", inventory, env, strip=False))
    totp = None
    if site.totp_secret is not None:
        origin = f"{who}totp_secret ({site.totp_secret})"
        text = read_secret(site.totp_secret, f"{who}totp_secret", inventory, env, strip=True)
        try:
            totp = Totp(Secret(text), origin)
        except PlaybookError as exc:
            raise PlaybookError(str(exc), file=inventory, line=site.totp_secret.line) from None
    return SignIn(site.admin_user, password=password, totp=totp)


def read_secret(source: SecretSource, label: str, inventory: Path, env: Mapping[str, str], *, strip: bool) -> str:
    """The value from the environment variable or file; a file's final newline (an editor's) is dropped."""
    if source.kind == "env":
        value = env.get(source.ref)
        if value is None:
            raise PlaybookError(f"{label}: environment variable {source.ref} is not set", file=inventory,
                                line=source.line)
    else:
        try:
            value = Path(source.ref).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problem = getattr(exc, "strerror", None) or "not a text file"
            raise PlaybookError(f"{label}: {source.ref}: {problem}", file=inventory, line=source.line) from None
    value = value.strip() if strip else value.rstrip("\r\n")
    if not value:
        raise PlaybookError(f"{label}: {source} is empty", file=inventory, line=source.line)
    return value
