"""Load an inventory file: YAML → validated sites and groups. Every error names the file and the line, and
is bad input (exit 2): nothing runs on any site until the whole inventory is right.

    defaults:                                  # optional: what every site has unless it says otherwise
      admin_password: {env: MOODLE_ADMIN_PASSWORD}
      vars: {firstname: Enrollait}
    sites:
      north-high:
        url: https://north.example.edu/moodle
        admin_user: admin                      # "admin" when left out
        admin_password: {file: secrets/north}  # or {env: NAME}; relative paths from the inventory's folder
        totp_secret: {env: NORTH_TOTP}         # where MFA asks for the authenticator app
        vars: {email: it@north.example.edu}
      south:
        url: https://south.example.edu
        session_file: sessions/south.json      # saved by `provisioner login`, instead of a password
        ca_file: certs/south-ca.pem            # the school's own certificate authority (PEM), if it has one
        token: {file: tokens/south.json}       # for `verify --inventory`: its token (or {env: NAME})
    groups:
      district-a: [north-high, south]
"""
from __future__ import annotations

import difflib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from provisioner.errors import PlaybookError
from provisioner.inventory.model import Inventory, SecretSource, Site, VarsLayer
from provisioner.playbook.yaml_source import LineDict, LineList, describe, load_yaml
from provisioner.site_url import normalise_site_url

TOP_LEVEL = ("defaults", "sites", "groups")
SITE_KEYS = ("url", "admin_user", "admin_password", "totp_secret", "session_file", "ca_file", "token", "vars")
DEFAULT_KEYS = SITE_KEYS[1:]
SECRET_KEYS = ("admin_password", "totp_secret")  # ways to sign in: a site's own replace the defaults'
TOKEN_KEY = "token"  # where the site's web-service token is, for `verify --inventory` (never the value)
ALL = "all"  # every site; not a group one can define
# Names become file names (`--token-out 'tokens/{site}.json'`), JUnit suites and --limit words.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def load_inventory(path: str | Path, *, sign_in: bool = True) -> Inventory:
    """`sign_in=False`: the sites need no admin sign-in (health checks over REST use their tokens only)."""
    path = Path(path)
    document = load_yaml(path)
    if not isinstance(document, LineDict):
        raise PlaybookError(f"an inventory is a mapping with 'sites:' (and optional 'defaults:', 'groups:'), "
                            f"not {describe(document)}", file=path, line=getattr(document, "line", None))
    _no_unknown_keys(document, TOP_LEVEL, path, who="")
    entries = document.get("sites")
    if not isinstance(entries, LineDict) or not entries:
        raise PlaybookError(f"'sites:' must map each site's name to its settings, not {describe(entries)}",
                            file=path, line=document.line_of("sites"))
    defaults = _fields(document.get("defaults"), path, who="defaults: ", allowed=DEFAULT_KEYS,
                       line=document.line_of("defaults"))

    sites: dict[str, Site] = {}
    first_with_url: dict[str, tuple[str, int]] = {}
    for name, entry in entries.items():
        line = entries.line_of(name)
        _check_name(name, "site", path, line)
        site = _site(name, entry, defaults, path, line, sign_in)
        if site.url in first_with_url:
            other, other_line = first_with_url[site.url]
            raise PlaybookError(f"site '{name}': url {site.url} is already site '{other}' (line {other_line}): "
                                "two runs at once on one Moodle would race", file=path, line=line)
        first_with_url[site.url] = (name, line)
        sites[name] = site

    groups = _groups(document.get("groups"), sites, path, document.line_of("groups"))
    for name, site in sites.items():
        sites[name] = replace(site, groups=tuple(g for g, members in groups.items() if name in members))
    return Inventory(path=path, sites=sites, groups=groups)


def _site(name: str, entry: Any, defaults: dict[str, Any], path: Path, line: int, sign_in: bool = True) -> Site:
    who = f"site '{name}': "
    if not isinstance(entry, LineDict):
        raise PlaybookError(f"{who}expected a mapping with 'url:' and how to sign in, not {describe(entry)}",
                            file=path, line=line)
    own = _fields(entry, path, who=who, allowed=SITE_KEYS, line=line)
    if "url" not in own:
        raise PlaybookError(f"{who}'url:' is missing (the Moodle site's root URL)", file=path, line=line)
    how = _sign_in(own, defaults, who, path, line) if sign_in else {}
    layers = tuple(layer for layer in (defaults.get("vars"), own.get("vars")) if layer is not None)
    admin_user = own.get("admin_user", defaults.get("admin_user", "admin"))
    ca_file = own.get("ca_file", defaults.get("ca_file"))
    return Site(name=name, url=own["url"], line=line, admin_user=admin_user, vars_layers=layers, ca_file=ca_file,
                token=own.get(TOKEN_KEY, defaults.get(TOKEN_KEY)), **how)


def _sign_in(own: dict[str, Any], defaults: dict[str, Any], who: str, path: Path, line: int) -> dict[str, Any]:
    """A site's own choice of sign-in wins over the defaults' as a whole: its own session file drops the
    default password, its own password drops the default session file."""
    merged = {**defaults, **own}
    if "session_file" in own:
        merged = {k: v for k, v in merged.items() if k not in SECRET_KEYS or k in own}
    elif "admin_password" in own:
        merged.pop("session_file", None)
    if "session_file" in merged and any(k in merged for k in SECRET_KEYS):
        extra = next(k for k in SECRET_KEYS if k in merged)
        raise PlaybookError(f"{who}{extra} is for a password sign-in, but this site signs in with session_file "
                            "(a saved session has been through MFA already): keep one", file=path, line=line)
    if "session_file" not in merged and "admin_password" not in merged:
        raise PlaybookError(f"{who}no way to sign in: give admin_password: {{env: NAME}} (or {{file: PATH}}), or "
                            "session_file: PATH, on the site or under defaults:", file=path, line=line)
    return {key: merged[key] for key in ("admin_password", "totp_secret", "session_file") if key in merged}


def _fields(mapping: Any, path: Path, who: str, allowed: tuple[str, ...], line: int) -> dict[str, Any]:
    """The keys of a site (or of `defaults:`), each checked and converted; absent keys are left out."""
    if mapping is None:
        return {}
    if not isinstance(mapping, LineDict):
        raise PlaybookError(f"{who.rstrip(': ') or 'defaults'}: expected a mapping, not {describe(mapping)}",
                            file=path, line=line)
    _no_unknown_keys(mapping, allowed, path, who)
    if "session_file" in mapping and "admin_password" in mapping:
        raise PlaybookError(f"{who}give admin_password or session_file, not both",
                            file=path, line=mapping.line_of("session_file"))
    fields: dict[str, Any] = {}
    for key, value in mapping.items():
        at = mapping.line_of(key)
        if key == "url":
            try:
                fields[key] = normalise_site_url(_text(value, key, who, path, at), label=f"{who}url")
            except PlaybookError as exc:
                raise PlaybookError(str(exc), file=path, line=at) from None
        elif key == "admin_user":
            fields[key] = _text(value, key, who, path, at)
        elif key in SECRET_KEYS or key == TOKEN_KEY:
            fields[key] = _secret_source(value, key, who, path, at)
        elif key in ("session_file", "ca_file"):
            fields[key] = _relative_to(path, _text(value, key, who, path, at))
        elif key == "vars" and value is not None:
            if not isinstance(value, LineDict):
                raise PlaybookError(f"{who}'vars:' must be a mapping of name: value, not {describe(value)}",
                                    file=path, line=at)
            fields[key] = VarsLayer(value, path, f"{who.rstrip(': ') or 'defaults'} 'vars:'")
    return fields


def _secret_source(value: Any, key: str, who: str, path: Path, line: int) -> SecretSource:
    expected = "{env: NAME} or {file: PATH}"
    if isinstance(value, LineDict) and len(value) == 1:
        kind, ref = next(iter(value.items()))
        if kind in ("env", "file") and isinstance(ref, str) and ref.strip():
            if kind == "env":
                if not _ENV_NAME.match(ref.strip()):
                    raise PlaybookError(f"{who}{key}: {ref!r} is not an environment variable name",
                                        file=path, line=line)
                return SecretSource("env", ref.strip(), line)
            return SecretSource("file", str(_relative_to(path, ref.strip())), line)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        # The value is not echoed: it is most likely the secret itself.
        raise PlaybookError(f"{who}{key}: an inventory never holds a secret itself; say where it comes from: "
                            f"{expected}", file=path, line=line)
    raise PlaybookError(f"{who}{key}: expected {expected}, not {describe(value)}", file=path, line=line)


def _groups(node: Any, sites: dict[str, Site], path: Path, line: int) -> dict[str, tuple[str, ...]]:
    if node is None:
        return {}
    if not isinstance(node, LineDict):
        raise PlaybookError(f"'groups:' must map each group's name to a list of sites, not {describe(node)}",
                            file=path, line=line)
    groups: dict[str, tuple[str, ...]] = {}
    for name, members in node.items():
        at = node.line_of(name)
        _check_name(name, "group", path, at)
        if name == ALL or name in sites:
            what = "every site" if name == ALL else f"site '{name}'"
            raise PlaybookError(f"group '{name}': the name already means {what}; --limit could not tell them apart",
                                file=path, line=at)
        if not isinstance(members, LineList):
            raise PlaybookError(f"group '{name}': expected a list of site names, not {describe(members)}",
                                file=path, line=at)
        for index, member in enumerate(members):
            if not isinstance(member, str) or member not in sites:
                hint = _did_you_mean(str(member), sites)
                raise PlaybookError(f"group '{name}': {member!r} is not a site of this inventory{hint}",
                                    file=path, line=members.line_of(index))
        groups[name] = tuple(dict.fromkeys(members))
    return groups


def _no_unknown_keys(mapping: LineDict, allowed: tuple[str, ...], path: Path, who: str) -> None:
    for key in mapping:
        if key not in allowed:
            hint = " ('url:' belongs under each site)" if key == "url" else _did_you_mean(str(key), allowed)
            raise PlaybookError(f"{who}unknown key '{key}' (expected: {', '.join(allowed)}){hint}",
                                file=path, line=mapping.line_of(key))


def _text(value: Any, key: str, who: str, path: Path, line: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PlaybookError(f"{who}{key}: expected text, not {describe(value)}", file=path, line=line)
    return value.strip()


def _check_name(name: Any, what: str, path: Path, line: int) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise PlaybookError(f"{what} name {name!r}: use letters, digits, '.', '_' and '-' (up to 63, starting "
                            "with a letter or digit): it names files and report entries", file=path, line=line)


def _relative_to(inventory: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (inventory.parent / path).absolute()


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
