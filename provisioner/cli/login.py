"""`provisioner login --site URL`: sign in as the admin in a visible browser, however the site allows
(password, multi-factor authentication, single sign-on), and save that session for `run --session-file`.

The session file is as sensitive as the admin's password: it is written 0600 and its content is never
printed. Exit codes: 0 saved, 1 not signed in (window closed, time up, not a site administrator), 2 bad input.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from provisioner import session_file
from provisioner.browser import BrowserOptions
from provisioner.cli.network_options import network_options
from provisioner.network import network_from
from provisioner.site_url import normalise_site_url
from provisioner.errors import PlaybookError


@click.command()
@click.option("--site", "site_url", envvar="MOODLE_SITE_URL", required=True, metavar="URL", show_envvar=True,
              help="Moodle's root URL, e.g. https://school.edu/moodle.")
@click.option("--session-file", "session_path", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="Where to save the session. Default: one file per site under "
                   "$XDG_STATE_HOME/moodle-provisioner/sessions/ (~/.local/state/...).")
@click.option("--wait", "wait_minutes", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              metavar="MINUTES", help="How long to wait for the sign-in to finish.")
@click.option("--browser-path", envvar="PLAYWRIGHT_CHROMIUM_EXECUTABLE", metavar="PATH",
              type=click.Path(exists=True, dir_okay=False), show_envvar=True,
              help="Chromium to use instead of Playwright's own.")
@network_options
def login(site_url: str, session_path: Path | None, wait_minutes: float, browser_path: str | None,
          **network) -> None:
    """Open the site's login page in a browser window; save the admin's session once signed in.

    Exit 0 saved, 1 not signed in, 2 bad input.
    """
    site_url = normalise_site_url(site_url)
    way = network_from(**network)
    path = session_path or session_file.default_path(site_url)
    session_file.prepare_folder(path, create=session_path is None)
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise PlaybookError("`provisioner login` opens a browser window, and there is no display here "
                            "($DISPLAY is not set): run it on a desktop, or over `ssh -X`")
    from provisioner.signin import save_session  # the browser layers load only once the input is good

    click.echo(f"a browser window opens at {site_url}: sign in as a site administrator "
               f"(waiting up to {wait_minutes:g} min)", err=True)
    session, release = save_session(site_url, path, BrowserOptions(executable_path=browser_path, network=way),
                                    wait_s=wait_minutes * 60)
    click.echo(f"signed in to Moodle {release} as a site administrator; session saved to {path} "
               "(mode 0600: as sensitive as the admin's password; delete it when done)", err=True)
    click.echo(f"next: provisioner run PLAYBOOK --site {site_url} --session-file {path}", err=True)
