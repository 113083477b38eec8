"""Which sites a run takes: --limit (names, groups, globs), then --shard K/N of what is left.

A shard is every N-th site of the selection sorted by name, starting at the K-th: N CI jobs given the
same inventory and --limit cover every site exactly once, each job about as many as the next, whatever
order the file lists them in.
"""
from __future__ import annotations

import difflib
import fnmatch
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from provisioner.errors import PlaybookError
from provisioner.inventory.loader import ALL
from provisioner.inventory.model import Inventory, Site

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    index: int   # 1-based: K of K/N
    count: int   # N

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


JOB_INDEX_ENV = "JOB_COMPLETION_INDEX"       # set by Kubernetes in each pod of an Indexed Job (0-based)
SHARD_COUNT_ENV = "PROVISIONER_SHARD_COUNT"  # the Job's completions: Kubernetes does not tell the pods


def shard_from(option: str | None, env: Mapping[str, str] | None = None) -> Shard | None:
    """--shard K/N, else the pod's part of a Kubernetes Indexed Job (its completion index and the count the
    Job's manifest sets), else none."""
    if option:
        return parse_shard(option)
    env = os.environ if env is None else env
    index = env.get(JOB_INDEX_ENV, "").strip()
    if not index:
        return None
    count = env.get(SHARD_COUNT_ENV, "").strip()
    if not (index.isdigit() and count.isdigit()):
        raise PlaybookError(f"a Kubernetes Indexed Job's pod (${JOB_INDEX_ENV}={index}) takes its part of the "
                            f"inventory as --shard: set ${SHARD_COUNT_ENV} to the Job's completions (or pass "
                            "--shard K/N)")
    return parse_shard(f"{int(index) + 1}/{count}")


def parse_shard(text: str) -> Shard:
    match = _SHARD.match(text)
    if not match:
        raise PlaybookError(f"--shard {text!r}: expected K/N, e.g. 1/4 (the K-th of N parts)")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= count:
        raise PlaybookError(f"--shard {text}: K must be between 1 and N")
    return Shard(index, count)


def limit(inventory: Inventory, patterns: Sequence[str]) -> list[Site]:
    """Sites named by --limit (repeatable, or comma-separated): site names, group names, `all`, or shell
    globs over site names. No --limit means every site. A word matching nothing is bad input."""
    words = [w.strip() for pattern in patterns for w in pattern.split(",") if w.strip()]
    if not words:
        return list(inventory.sites.values())
    chosen: set[str] = set()
    for word in words:
        chosen |= _names_for(inventory, word)
    return [site for name, site in inventory.sites.items() if name in chosen]


def only(sites: Iterable[Site], names: set[str]) -> list[Site]:
    return [site for site in sites if site.name in names]


def shard(sites: Iterable[Site], part: Shard | None) -> list[Site]:
    ordered = sorted(sites, key=lambda site: site.name)
    return ordered if part is None else ordered[part.index - 1::part.count]


def _names_for(inventory: Inventory, word: str) -> set[str]:
    if word == ALL:
        return set(inventory.sites)
    if word in inventory.sites:
        return {word}
    if word in inventory.groups:
        return set(inventory.groups[word])
    if any(c in word for c in "*?["):
        matched = set(fnmatch.filter(inventory.sites, word))
        if matched:
            return matched
        raise PlaybookError(f"--limit {word!r}: matches no site of {inventory.path}")
    close = difflib.get_close_matches(word, [*inventory.sites, *inventory.groups], n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise PlaybookError(f"--limit {word!r}: no site or group of that name in {inventory.path}{hint}")
