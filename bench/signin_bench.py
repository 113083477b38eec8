"""How long becoming the admin takes, before any step: the login form versus a saved session.

A benchmark for people, not a timed test. It brings up (or reuses) a sandbox, resets it, signs in with the password
(login form, then admin/environment.php), saves that browser session as `provisioner login` would, and
signs in again from the saved session in a new browser, several times each, printing seconds and page
loads. Absolute seconds move with the machine's load; the session/password ratio is steadier.

    python bench/signin_bench.py [--name bench] [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import time
from urllib.parse import urlsplit

from provisioner.browser import BrowserOptions, open_tab
from provisioner.pages.site import MoodleSite
from provisioner.sandbox.model import UpRequest
from provisioner.sandbox.engine import engine_for
from provisioner.session_file import SavedSession
from provisioner.signin import browser_for, sign_in


def signed_in(url: str, up, session: SavedSession | None = None) -> tuple[float, int, SavedSession]:
    started = time.monotonic()
    with open_tab(browser_for(BrowserOptions(), session)) as tab:
        site = MoodleSite(tab, url)
        sign_in(site, up.admin_user, up.admin_password, session=session)
        seconds, loads = time.monotonic() - started, tab.page_loads
        saved = SavedSession(url, site.admin_dir, tab.session_state(urlsplit(url).hostname or ""))
    return seconds, loads, saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default="bench", help="sandbox to use (brought up if needed)")
    parser.add_argument("--port", type=int, default=8241, help="its port, the first time it is brought up")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    engine = engine_for(args.name)
    installed = engine.status(args.name).installed
    up = engine.up(UpRequest(name=args.name, port=None if installed else args.port))
    engine.reset(args.name)  # just installed: no MFA or SSO settings left by a test
    rows: dict[str, list[tuple[float, int]]] = {"password": [], "saved session": []}
    for _ in range(args.runs):
        seconds, loads, session = signed_in(up.url, up)
        rows["password"].append((seconds, loads))
        seconds, loads, _ = signed_in(up.url, up, session)
        rows["saved session"].append((seconds, loads))

    password = statistics.median(s for s, _ in rows["password"])
    print(f"Moodle {up.release}, {args.runs} run(s), median seconds (browser start included)")
    print(f"{'sign-in':<15}{'seconds':>9}{'loads':>7}{'/password':>11}")
    for label, samples in rows.items():
        seconds = statistics.median(s for s, _ in samples)
        print(f"{label:<15}{seconds:>9.2f}{samples[0][1]:>7}{seconds / password:>11.2f}")


if __name__ == "__main__":
    main()
