"""One small exception tree. The CLI turns these into one line and an exit code; anything else is a bug."""
from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_PENDING = 3


class ProvisionerError(Exception):
    exit_code = EXIT_FAILED


class PlaybookError(ProvisionerError):
    """Bad input: playbook, variables or options. Raised before anything on the site is touched."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None,
                 step: str | None = None):
        self.file, self.line, self.step = file, line, step
        where = ":".join(str(p) for p in (file, line) if p is not None)
        prefix = f"{where}: " if where else ""
        in_step = f"step '{step}': " if step else ""
        super().__init__(f"{prefix}{in_step}{message}")


class StepError(ProvisionerError):
    """A step could not read or change the site. Carries where it happened for the report."""

    def __init__(self, message: str, *, step: str | None = None, url: str | None = None,
                 moodle_message: str | None = None, screenshot: str | Path | None = None):
        self.step, self.url, self.moodle_message = step, url, moodle_message
        self.screenshot = str(screenshot) if screenshot else None
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        parts = [f"step '{self.step}': {self.message}" if self.step else self.message]
        if self.moodle_message:
            parts.append(f"Moodle said: {self.moodle_message}")
        if self.url:
            parts.append(f"page: {self.url}")
        if self.screenshot:
            parts.append(f"screenshot: {self.screenshot}")
        return " | ".join(parts)


class HttpStatusError(StepError):
    """A page answered with an HTTP error that is not one of Moodle's own error pages: the web server, a
    front end or a proxy said no before Moodle could. Never read as "not a site administrator"."""

    def __init__(self, message: str, *, status: int, url: str | None = None):
        self.status = status
        super().__init__(message, url=url)


class SiteUnreachable(StepError):
    """No answer from the site at all (refused, DNS, timeout, TLS, proxy): there is no page to screenshot."""


class ForcedSettingError(StepError):
    """A setting that config.php forces: the admin UI shows it but cannot change it. The run reports the step
    as blocked, names the setting and what to do, and goes on with the steps that do not depend on it."""

    def __init__(self, setting: str, message: str, *, fix: str, url: str | None = None):
        self.setting, self.fix = setting, fix
        super().__init__(f"{message}: it is set in config.php ($CFG->{setting}), which the admin UI cannot "
                         f"change. {fix}", url=url)


class VerifyError(ProvisionerError):
    """The site's REST API disagrees with what was expected (or cannot be reached)."""


class HandoffError(ProvisionerError):
    """The verified connection could not be handed to its target (file, webhook)."""


class SandboxError(ProvisionerError):
    """A local sandbox Moodle could not be brought up, reset or stopped."""
