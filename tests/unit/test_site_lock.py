"""One run at a time per site on this machine: the second waits (saying so once), or stops with one line."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from provisioner import site_lock
from provisioner.errors import ProvisionerError

SITE = "https://moodle.school.example/lms"
HOLD = ("import sys, time\nfrom provisioner import site_lock\n"
        "with site_lock.holding(sys.argv[1], 0):\n    print('held', flush=True)\n    time.sleep(float(sys.argv[2]))\n")


@pytest.fixture(autouse=True)
def state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))


def _held_elsewhere(seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, SITE, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_run_waits_for_the_first_and_says_so_once():
    holder = _held_elsewhere(1.5)
    said, started = [], time.monotonic()
    with site_lock.holding(SITE, 30, said.append):
        waited = time.monotonic() - started
    holder.wait(10)
    assert waited >= 1.0 and len(said) == 1
    assert "another run is changing this site (process" in said[0]


def test_without_waiting_the_second_run_stops_with_one_line_naming_the_holder():
    holder = _held_elsewhere(5)
    try:
        with pytest.raises(ProvisionerError, match=r"another run is changing .* \(process \d+") as raised:
            with site_lock.holding(SITE, 0):
                pass
        assert "--lock-wait" in str(raised.value) and "\n" not in str(raised.value)
    finally:
        holder.kill()


def test_a_lock_is_let_go_when_its_holder_dies_and_other_sites_are_not_held():
    holder = _held_elsewhere(60)
    with site_lock.holding("https://other.school.example", 0):
        pass  # another site: not waited for
    holder.kill()
    holder.wait(10)
    with site_lock.holding(SITE, 5):  # the kernel let the killed holder's lock go
        pass
