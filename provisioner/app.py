"""Orchestrates one provisioning run: open an admin session, run the steps, verify the token.

Placeholder seam: the CLI calls `provision()`; the browser/pages side fills it in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from provisioner.runner.report import RunReport
from provisioner.secrets import Secret


@dataclass
class RunOptions:
    site_url: str
    admin_user: str
    admin_password: Secret
    check: bool = False
    rotate_token: bool = False
    headed: bool = False
    browser_path: str | None = None        # Chromium to launch instead of Playwright's own
    artifacts_dir: Path = Path("provisioner-artifacts")  # failure screenshots
    timeout_s: float = 60.0


@dataclass
class RunOutcome:
    report: RunReport
    token: Secret | None = None            # known only when this run minted it (or was told it)
    site_info: dict = field(default_factory=dict)


def provision(playbook, options: RunOptions, on_start=None, on_result=None) -> RunOutcome:
    raise NotImplementedError("arrives with the pages/steps work")
