"""What an inventory holds once validated: sites, their groups, and where each site's secrets come from.

An inventory never holds a secret: only the name of an environment variable or the path of a file that
does (or of a session saved by `provisioner login`). The values are read later, and only for the sites a
run selects (see credentials.py), so a CI job holding one shard's secrets can run that shard.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple


@dataclass(frozen=True)
class SecretSource:
    """`{env: NAME}` or `{file: PATH}` as written in the inventory (the path made absolute)."""

    kind: Literal["env", "file"]
    ref: str
    line: int | None = None

    def __str__(self) -> str:
        return f"${self.ref}" if self.kind == "env" else f"file {self.ref}"


class VarsLayer(NamedTuple):
    """A `vars:` mapping of the inventory (its keys keep their lines), and where it was written: the shape
    load_playbook(site_vars=...) takes."""

    values: Any          # a LineDict from yaml_source
    file: Path           # the inventory
    where: str           # "defaults 'vars:'" or "site 'x' 'vars:'", for messages


@dataclass(frozen=True)
class Site:
    name: str
    url: str
    line: int
    admin_user: str = "admin"
    admin_password: SecretSource | None = None
    totp_secret: SecretSource | None = None
    session_file: Path | None = None
    ca_file: Path | None = None               # the school's own CA (PEM), trusted besides the usual ones
    token: SecretSource | None = None         # where its web-service token is (verify --inventory)
    vars_layers: tuple[VarsLayer, ...] = ()   # defaults first, then the site's own: later wins
    groups: tuple[str, ...] = ()


@dataclass
class Inventory:
    path: Path
    sites: dict[str, Site]                                   # in the order the file lists them
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)   # name → its sites, in file order
