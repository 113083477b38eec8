"""What `run` and the commands beside it read from the command line and the environment: playbook
variables, the admin password, and the exit code a run report means."""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from provisioner.errors import EXIT_FAILED, EXIT_OK, EXIT_PENDING, PlaybookError
from provisioner.runner.report import RunReport
from provisioner.secrets import Secret

ADMIN_PASSWORD_ENV = "MOODLE_ADMIN_PASSWORD"


def exit_code(report: RunReport) -> int:
    if report.failed:
        return EXIT_FAILED
    return EXIT_PENDING if report.pending else EXIT_OK


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    variables: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals:
            raise PlaybookError(f"--var {name!r}: expected KEY=VALUE")
        if not name:
            raise PlaybookError("--var: the name before '=' is empty")
        variables[name] = value
    return variables


def read_admin_password(password_file: Path | None) -> Secret:
    """From the file if given, else from the environment; never from a flag's value (shell history, ps)."""
    if password_file is not None:
        source = f"--admin-password-file {password_file}"
        try:
            value = password_file.read_text(encoding="utf-8").rstrip("\r\n")  # an editor's final newline
        except (OSError, UnicodeDecodeError) as exc:
            raise PlaybookError(f"{source}: {getattr(exc, 'strerror', None) or exc}") from None
    else:
        source = f"${ADMIN_PASSWORD_ENV}"
        value = os.environ.get(ADMIN_PASSWORD_ENV)
        if value is None:
            raise PlaybookError(f"no admin password: set {ADMIN_PASSWORD_ENV} "
                                "or pass --admin-password-file PATH")
    if not value:
        raise PlaybookError(f"the admin password from {source} is empty")
    return Secret(value)
