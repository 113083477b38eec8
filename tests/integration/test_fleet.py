"""Many sites in one run: three sandboxes of different Moodle versions and one site that cannot be
reached, in one inventory. Acts through the CLI; asserts through each sandbox's database and the reports.
"""
from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET

import pytest

from tests.integration.conftest import DECLARED, db_state
from tests.integration.fleet_helpers import (UNREACHABLE_PASSWORD, UNREACHABLE_PORT, admin_signed_in_at,  # noqa: F401
                                             fleet, run_fleet, sites_of, write_inventory)

# One worker under pytest-xdist (--dist loadgroup): these tests share sandboxes of fixed names.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("fleet")]


def test_three_versions_and_an_unreachable_site_in_one_inventory(fleet, tmp_path):
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", UNREACHABLE_PORT)) != 0, f"something listens on {UNREACHABLE_PORT}"
    for sandbox in fleet:
        sandbox.reset()
    inventory, env = write_inventory(tmp_path, fleet)
    (tmp_path / "tokens").mkdir()
    names = sorted([s.name for s in fleet] + ["unreachable"])

    first = run_fleet(tmp_path, env, "--inventory", str(inventory), "--parallel", str(len(fleet) + 1),
                      "--token-out", "tokens/{site}.json", "--report-json", "first.json",
                      "--report-junit", "first.xml", "--artifacts-dir", "artifacts", "--json")
    print(f"fresh run of {len(fleet)} sites and an unreachable one: {first.seconds} s")

    assert first.code == 1, first.stderr
    sites = sites_of(tmp_path / "first.json")
    assert sorted(sites) == names
    reasons = {name: site["reason"] for name, site in sites.items() if site["outcome"] != "converged"}
    assert json.loads(first.stdout)["counts"] == {"converged": len(fleet), "pending": 0, "failed": 1}, reasons
    for sandbox in fleet:
        site = sites[sandbox.name]
        assert (site["outcome"], site["changed"], site["verification"]) == ("converged", 8, "ok"), site["reason"]
        assert site["moodle_release"] == sandbox.release
        state = db_state(sandbox)
        assert {key: state[key] for key in DECLARED} == DECLARED, sandbox.name
        saved = json.loads((tmp_path / "tokens" / f"{sandbox.name}.json").read_text())
        assert saved["site_url"] == sandbox.url
    gone = sites["unreachable"]
    assert gone["outcome"] == "failed" and gone["run"] is None
    assert "nothing answers at 127.0.0.1" in gone["reason"] and "REFUSED" not in gone["reason"]  # our words
    assert "unreachable: nothing answers at" in first.stderr
    junit = ET.parse(tmp_path / "first.xml").getroot()
    assert sorted(suite.get("name") for suite in junit.iter("testsuite")) == names
    assert junit.get("errors") == "1" and junit.get("failures") == "0"

    # --only-failed: only the unreachable site is tried again; no sandbox sees a sign-in.
    stamps = {sandbox.name: admin_signed_in_at(sandbox) for sandbox in fleet}
    again = run_fleet(tmp_path, env, "--inventory", str(inventory), "--only-failed", "first.json",
                      "--report-json", "again.json")
    assert again.code == 1, again.stderr
    assert list(sites_of(tmp_path / "again.json")) == ["unreachable"]
    assert {sandbox.name: admin_signed_in_at(sandbox) for sandbox in fleet} == stamps
    assert not any(sandbox.name in again.stderr for sandbox in fleet)

    # Two CI jobs, --shard 1/2 and 2/2: together every site exactly once; a re-run changes nothing.
    shards, shard_runs = [], []
    for k in (1, 2):
        shard = run_fleet(tmp_path, env, "--inventory", str(inventory), "--shard", f"{k}/2", "--parallel", "2",
                          "--token-out", "tokens/{site}.json", "--report-json", f"shard{k}.json")
        shards.append(sites_of(tmp_path / f"shard{k}.json"))
        shard_runs.append(shard)
        assert shard.code == (1 if "unreachable" in shards[-1] else 0), shard.stderr
        for name, site in shards[-1].items():
            if name != "unreachable":
                assert (site["outcome"], site["unchanged"], site["verification"]) == ("converged", 8, "ok"), name
    assert sorted([*shards[0], *shards[1]]) == names and not set(shards[0]) & set(shards[1])

    # No secret of the inventory, nor any token, in what was printed or written.
    secrets = [s.admin_password.reveal() for s in fleet] + [UNREACHABLE_PASSWORD]
    secrets += [json.loads(p.read_text())["token"] for p in (tmp_path / "tokens").glob("*.json")]
    printed = "".join(run.stdout + run.stderr for run in (first, again, *shard_runs))
    assert not [s for s in secrets if s in printed]
    written = [tmp_path / name for name in ("first.json", "first.xml", "again.json", "shard1.json", "shard2.json")]
    written += [p for p in (tmp_path / "artifacts").rglob("*") if p.is_file()]
    for path in written:
        content = path.read_bytes()
        assert not [s for s in secrets if s.encode() in content], path
