"""After a run, one site or many: the token saved (--token-out) and the connection delivered (--handoff)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from provisioner import app
from provisioner.cli.progress import Progress
from provisioner.cli.token_out import write_token_file
from provisioner.errors import HandoffError, PlaybookError, ProvisionerError

Deliver = Callable[[str, app.RunOutcome], list[str]]  # (site_url, outcome) → what was delivered


def hand_over(outcome: app.RunOutcome, site_url: str, token_out: Path | None, deliver: Deliver | None,
              progress: Progress) -> HandoffError | None:
    """Save the token and deliver the connection; a failed hand-off is returned to be raised last."""
    if not (token_out or deliver):
        return None
    if outcome.token is None:
        # Moodle 4.3+ shows a token's value once, when it is created; a later run cannot read it back.
        progress.warn("this run did not create the token, so its value is unknown: --token-out and --handoff "
                      "skipped (--rotate-token replaces the token with a new one)")
        return None
    if token_out is not None:  # even after a failure: a token minted now may never be shown again
        try:
            write_token_file(token_out, site_url, outcome.token)
        except HandoffError as exc:
            raise ProvisionerError(f"--token-out: {exc}; the token exists on the site: run again with "
                                   "--rotate-token to get a new one") from None
        progress.note(f"token written to {token_out}")
    if deliver is not None and outcome.report.outcome == "converged":
        try:
            outcome.report.handoff = deliver(site_url, outcome)
        except HandoffError as exc:
            outcome.report.handoff = list(getattr(exc, "delivered", []))
            return exc  # raised after the report, which is still worth printing
    return None


def handoff_deliverer(targets: Sequence[str], as_json: bool) -> Deliver | None:
    """Parse the targets now (a typo or a missing webhook credential is bad input, exit 2) and return
    what delivers to them after the run. The hand-off module is imported only by runs that ask for it."""
    if not targets:
        return None
    if as_json and "stdout" in targets:
        raise PlaybookError("--json and --handoff stdout would both write to stdout: choose one")
    try:
        from provisioner.handoff import Connection, deliver, parse_targets
    except ImportError:
        raise PlaybookError("--handoff: hand-off is not available in this installation") from None
    parsed = parse_targets(list(targets))

    def deliver_outcome(site_url: str, outcome: app.RunOutcome) -> list[str]:
        verification = outcome.report.verification or {}
        site_info = outcome.site_info or verification.get("site_info", {})
        connection = Connection(site_url, outcome.token, site_info, verification,
                                verified=bool(verification.get("ok")))
        return deliver(parsed, connection)
    return deliver_outcome
