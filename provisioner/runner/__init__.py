"""Apply steps in order: plan, then (outside check mode) apply and re-plan to confirm convergence."""
from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable, Sequence

from provisioner.errors import ForcedSettingError, ProvisionerError, StepError
from provisioner.runner.report import RunReport, StepResult
from provisioner.secrets import redact
from provisioner.steps.base import Step, StepContext

Listener = Callable[[StepResult], None]


def run_steps(steps: Sequence[Step], ctx: StepContext, report: RunReport,
              on_start: Callable[[Step], None] | None = None, on_result: Listener | None = None,
              on_error: Callable[[Step, StepError], None] | None = None) -> RunReport:
    """Run steps until one fails; the report then lists what was already changed and what was not reached.
    A step blocked by a setting forced in config.php does not stop the others: they do not depend on it."""
    started = time.monotonic()
    failed = False
    for step in steps:
        if failed:
            result = StepResult(step.name, step.kind, "skipped", reason="not reached: an earlier step failed")
        else:
            if on_start:
                on_start(step)
            result = _run_one(step, ctx, on_error)
            failed = result.status == "failed"
        report.steps.append(result)
        if on_result:
            on_result(result)
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _run_one(step: Step, ctx: StepContext, on_error=None) -> StepResult:
    started = time.monotonic()
    result = StepResult(step.name, step.kind, "unchanged")
    try:
        plan = step.plan(ctx)
        result.warnings = list(plan.warnings)
        if plan.is_noop:
            result.reason = plan.reason
        elif ctx.check:
            result.status, result.changes = "pending", list(plan.changes)
        else:
            step.apply(ctx, plan)
            after = step.plan(ctx)
            if not after.is_noop:
                raise StepError("the change did not take: a fresh read still finds "
                                + "; ".join(after.changes))
            result.status, result.changes, result.after = "changed", list(plan.changes), after.reason
    except ForcedSettingError as exc:
        exc.step = exc.step or step.name
        result.status, result.reason = "blocked", redact(exc.message)
        result.error = {"url": exc.url, "moodle_message": None, "screenshot": None, "setting": exc.setting}
    except StepError as exc:
        exc.step = exc.step or step.name
        if on_error:
            on_error(step, exc)  # e.g. a screenshot, while the failing page is still open
        result.status = "failed"
        result.reason = redact(exc.message)
        result.error = {"url": exc.url, "moodle_message": redact(exc.moodle_message or "") or None,
                        "screenshot": exc.screenshot}
    except ProvisionerError as exc:  # e.g. the browser could not start when the step first needed it
        result.status, result.reason = "failed", redact(str(exc))
    except Exception as exc:  # noqa: BLE001
        # A bug, not a site problem: show its traceback, but still report what was already changed
        # (a token minted before the bug must still reach --token-out).
        print(redact(traceback.format_exc()), file=sys.stderr)
        result.status = "failed"
        result.reason = redact(f"internal error ({type(exc).__name__}: {exc}); please report it")
    result.seconds = round(time.monotonic() - started, 2)
    return result
