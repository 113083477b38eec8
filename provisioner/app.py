"""One provisioning run: open an admin session, run the steps, then check the token over REST.

The browser session is opened only after the playbook was validated (by the CLI). Login problems (wrong
password, MFA, an expired saved session, not an admin, unreachable site, maintenance mode) raise before
any step runs: nothing changed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from provisioner import site_lock
from provisioner.browser import Browser, BrowserOptions, open_tab
from provisioner.errors import StepError
from provisioner.network import Network
from provisioner.pages.site import MoodleSite
from provisioner.releases import release_notes
from provisioner.runner import run_steps
from provisioner.runner.report import RunReport
from provisioner.secrets import Secret
from provisioner.session_file import SavedSession
from provisioner.signin import browser_for, sign_in
from provisioner.steps.base import StepContext
from provisioner.totp import Totp


@dataclass
class RunOptions:
    site_url: str
    admin_user: str
    admin_password: Secret | None          # None when signing in with a saved session
    check: bool = False
    rotate_token: bool = False
    headed: bool = False
    browser_path: str | None = None        # Chromium to launch instead of Playwright's own
    artifacts_dir: Path = Path("provisioner-artifacts")  # failure screenshots
    timeout_s: float = 60.0
    known_token: Secret | None = None      # the token's value from an earlier run, if the user has it
    totp: Totp | None = None               # answers MFA's TOTP factor after the password
    session: SavedSession | None = None    # from `provisioner login`: used instead of the password
    browser_endpoint: str | None = None    # a remote Playwright browser server instead of a local Chromium
    browser: Browser | None = None         # an open browser of this thread to reuse (a fresh context per run)
    network: Network = Network()           # the way to the site: CAs to trust, proxy, basic authentication
    record_shots: Path | None = None       # `run --record`: where the admin page is shot after each change
    lock_wait_s: float = 600.0             # how long to wait for another run changing the same site
    on_lock_wait: Callable[[str], None] = lambda line: None  # told once when this run has to wait


@dataclass
class RunOutcome:
    report: RunReport
    token: Secret | None = None            # known when this run minted it, or was given it and it checks out
    site_info: dict = field(default_factory=dict)


def provision(playbook, options: RunOptions, on_start=None, on_result=None) -> RunOutcome:
    """The playbook run on the site. A run that may change it first holds the site's lock on this machine
    (waiting for another run to end); a --check run only reads, and does not wait."""
    if options.check:
        return _provision(playbook, options, on_start, on_result)
    with site_lock.holding(options.site_url, options.lock_wait_s, options.on_lock_wait):
        return _provision(playbook, options, on_start, on_result)


def _provision(playbook, options: RunOptions, on_start, on_result) -> RunOutcome:
    report = RunReport(site=options.site_url, check=options.check, admin_user=options.admin_user,
                       started_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat())
    browser = BrowserOptions(executable_path=options.browser_path, headed=options.headed,
                             timeout_s=options.timeout_s, endpoint=options.browser_endpoint, network=options.network)
    with open_tab(browser_for(browser, options.session), options.browser, options.site_url) as tab:
        site = MoodleSite(tab, options.site_url, options.artifacts_dir)
        sign_in(site, options.admin_user, options.admin_password, options.totp, options.session)
        report.moodle_release = site.release
        report.release_notes = release_notes(site.release)
        ctx = StepContext(site=site, check=options.check,
                          options={"rotate_token": options.rotate_token, "known_token": options.known_token})

        def screenshot(step, exc: StepError) -> None:
            exc.screenshot = site.evidence(step.name, exc)

        def result_of(result) -> None:
            if options.record_shots is not None and result.status == "changed" and tab.opened:
                result.screenshot = site.screenshot(f"after {result.name}", folder=options.record_shots)
            if on_result:
                on_result(result)

        run_steps(playbook.steps, ctx, report, on_start, result_of, on_error=screenshot)
        report.page_loads, report.pages_read = tab.page_loads, tab.pages_read
    outcome = RunOutcome(report, ctx.facts.get("token"))
    # A step blocked by config.php still leaves a token worth checking: REST then shows what it can do.
    if not options.check and not any(s.status == "failed" for s in report.steps) and outcome.token is not None:
        _verify_token(playbook, outcome, options.network)
    return outcome


def _verify_token(playbook, outcome: RunOutcome, network: Network) -> None:
    """Success means REST agrees: the token answers as the declared user and its service has every function."""
    from provisioner.rest.capabilities import SEVEN  # REST is apart from the browser layers
    from provisioner.rest.verify import verify

    token_step = next((s for s in playbook.steps if s.kind == "token"), None)
    functions = tuple(f for s in playbook.steps if s.kind == "service_functions" for f in s.params.functions)
    verification = verify(outcome.report.site, outcome.token, functions or SEVEN, network=network)
    data = verification.to_dict()
    problems = []
    if token_step is not None and verification.username != token_step.params.user:
        problems.append(f"the token answers as '{verification.username}', not '{token_step.params.user}'")
    if not verification.ok:
        problems.append(_describe(verification))
    data["ok"] = not problems
    outcome.report.verification = data
    outcome.site_info = data.get("site_info", {})
    if problems:
        outcome.report.verification_problems = problems


def _describe(verification) -> str:
    if verification.problem is not None:
        said = f"{verification.problem.errorcode}: {verification.problem.message}"
        if verification.problem.errorcode == "invalidtoken":  # e.g. a --token-out file from another install
            said += " (the token this run was given is not valid on this site: run with --rotate-token)"
        return said
    bad = [f"{f.name} ({f.cause or f.errorcode or 'not callable'})" for f in verification.functions if not f.ok]
    return "not callable over REST: " + ", ".join(bad)
