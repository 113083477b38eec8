"""--limit and --shard: which sites a run takes, deterministically."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from provisioner.errors import PlaybookError
from provisioner.inventory import limit, load_inventory, only, parse_shard, shard
from provisioner.inventory.selection import Shard


def inventory_of(tmp_path: Path, names: list[str], groups: dict[str, list[str]] | None = None):
    lines = ["defaults:", "  admin_password: {env: P}", "sites:"]
    for number, name in enumerate(names):
        lines += [f"  {name}:", f"    url: https://s{number}.example.edu"]
    if groups:
        lines.append("groups:")
        lines += [f"  {group}: [{', '.join(members)}]" for group, members in groups.items()]
    path = tmp_path / f"inventory-{random.random()}.yml"
    path.write_text("\n".join(lines) + "\n")
    return load_inventory(path)


def names(sites) -> list[str]:
    return [site.name for site in sites]


@pytest.fixture
def inventory(tmp_path):
    return inventory_of(tmp_path, ["north", "south", "east-1", "east-2", "west"],
                        {"coast": ["east-1", "east-2", "west"], "lts": ["south"]})


@pytest.mark.parametrize("words, expected", [
    ([], ["north", "south", "east-1", "east-2", "west"]),
    (["all"], ["north", "south", "east-1", "east-2", "west"]),
    (["south"], ["south"]),
    (["coast"], ["east-1", "east-2", "west"]),
    (["lts,north"], ["north", "south"]),            # comma-separated, in the inventory's order
    (["lts", "north", "south"], ["north", "south"]),  # repeated, each site once
    (["east-*"], ["east-1", "east-2"]),
])
def test_limit(inventory, words, expected):
    assert names(limit(inventory, words)) == expected


@pytest.mark.parametrize("word, words", [
    ("nort", "did you mean 'north'"),
    ("cost", "did you mean 'coast'"),
    ("zz-*", "matches no site"),
])
def test_limit_to_nothing_known_is_bad_input(inventory, word, words):
    with pytest.raises(PlaybookError) as caught:
        limit(inventory, [word])
    assert words in str(caught.value)


def test_only_keeps_the_named_sites(inventory):
    assert names(only(limit(inventory, []), {"west", "north", "gone"})) == ["north", "west"]


@pytest.mark.parametrize("text, expected", [("1/2", Shard(1, 2)), (" 3 / 3 ", Shard(3, 3)), ("1/1", Shard(1, 1))])
def test_parse_shard(text, expected):
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "1", "a/b", "1/2/3", "-1/2"])
def test_bad_shards(text):
    with pytest.raises(PlaybookError):
        parse_shard(text)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 40])
def test_shards_cover_every_site_exactly_once_in_parts_of_equal_size(tmp_path, count):
    sites = limit(inventory_of(tmp_path, [f"site-{n:02d}" for n in range(23)]), [])

    parts = [names(shard(sites, Shard(k, count))) for k in range(1, count + 1)]

    together = [name for part in parts for name in part]
    assert sorted(together) == sorted(names(sites)) and len(together) == len(set(together))
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_shards_do_not_depend_on_the_order_of_the_file(tmp_path):
    listed = [f"site-{n:02d}" for n in range(10)]
    shuffled = listed[:]
    random.Random(4).shuffle(shuffled)

    first = shard(limit(inventory_of(tmp_path, listed), []), Shard(2, 3))
    second = shard(limit(inventory_of(tmp_path, shuffled), []), Shard(2, 3))

    assert names(first) == names(second) == ["site-01", "site-04", "site-07"]


def test_shards_apply_after_limit(inventory):
    coast = limit(inventory, ["coast"])
    assert names(shard(coast, Shard(1, 2))) + names(shard(coast, Shard(2, 2))) == ["east-1", "west", "east-2"]


def test_a_kubernetes_indexed_jobs_pod_takes_its_part_from_its_completion_index():
    from provisioner.inventory.selection import shard_from

    assert str(shard_from(None, {"JOB_COMPLETION_INDEX": "0", "PROVISIONER_SHARD_COUNT": "4"})) == "1/4"
    assert str(shard_from(None, {"JOB_COMPLETION_INDEX": "3", "PROVISIONER_SHARD_COUNT": "4"})) == "4/4"
    assert str(shard_from("2/3", {"JOB_COMPLETION_INDEX": "0", "PROVISIONER_SHARD_COUNT": "4"})) == "2/3"
    assert shard_from(None, {}) is None
    with pytest.raises(PlaybookError, match="PROVISIONER_SHARD_COUNT"):
        shard_from(None, {"JOB_COMPLETION_INDEX": "1"})
    with pytest.raises(PlaybookError, match="between 1 and N"):
        shard_from(None, {"JOB_COMPLETION_INDEX": "4", "PROVISIONER_SHARD_COUNT": "4"})
