"""Verification and findings for people (rich tables). Machines get `to_dict()` as JSON instead.

Every string shown went through redact() when the dataclasses were built or goes through it here;
a token never reaches these tables.
"""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from provisioner.rest.doctor import Finding
from provisioner.rest.verify import FunctionCheck, Verification
from provisioner.secrets import redact


def _yes_no(value: bool | None, unknown: str = "?") -> Text:
    if value is None:
        return Text(unknown, style="yellow")
    return Text("yes", style="green") if value else Text("no", style="red bold")


def _access(v: Verification) -> Text:
    if v.access == "site_admin":
        return Text("site administrator (every capability check passes)")
    if v.access == "role":
        return Text("not a site administrator (role mode): capabilities come from its roles")
    return Text("unknown", style="yellow")


def _function_detail(check: FunctionCheck, notes: list[str]) -> str:
    parts = [check.cause]
    if check.capability and check.capability not in check.cause:
        parts.append(f"capability: {check.capability}")
    if check.caveat:
        notes.append(f"{check.name}: {check.caveat}")
        parts.append(f"see note {len(notes)}")
    return redact("; ".join(p for p in parts if p))


def verification_view(v: Verification) -> Group:
    site = Table.grid(padding=(0, 2))
    site.add_column(style="bold")
    site.add_column()
    site.add_row("Site", redact(f"{v.site_name or '?'}  ({v.site_url})"))
    site.add_row("Moodle", f"{v.release or '?'}  (version {v.version or '?'})")
    for note in v.release_notes:
        site.add_row("", Text(note, style="yellow"))
    site.add_row("Token user", f"{v.username or '?'}  (id {v.userid if v.userid is not None else '?'})")
    site.add_row("Access", _access(v))
    if v.missing_capabilities:
        site.add_row("Missing", Text(", ".join(v.missing_capabilities), style="red bold"))

    functions = Table(title="Functions", title_justify="left")
    functions.add_column("Function", no_wrap=True)
    functions.add_column("In service")
    functions.add_column("Callable")
    functions.add_column("Detail", overflow="fold")
    notes: list[str] = []
    for check in v.functions:
        functions.add_row(check.name, _yes_no(check.in_service), _yes_no(check.callable, "not checked"),
                          _function_detail(check, notes))

    parts: list = [site, functions]
    parts += [Text(redact(f"  {i}. {note}"), style="dim") for i, note in enumerate(notes, 1)]
    if v.sync_preview is not None:
        parts.append(Text("Sync preview: what Enrollait's Sync courses & categories would pull", style="italic"))
        parts.append(_preview_view(v))
        parts += [Text(redact(f"  {note}"), style="dim") for note in v.sync_preview.notes]
    parts.append(_verdict(v))
    return Group(*parts)


def _preview_view(v: Verification) -> Table:
    p = v.sync_preview
    table = Table()
    table.add_column("Kind")
    table.add_column("Count", justify="right")
    table.add_column("Hidden", justify="right")
    table.add_row("Categories", str(p.categories), _count(p.hidden_categories))
    table.add_row("Courses", str(p.courses), _count(p.hidden_courses))
    return table


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


def _verdict(v: Verification) -> Text:
    if v.ok:
        return Text("OK: the token works and all functions are in its service and callable.", style="green bold")
    if v.problem is not None:
        return Text(redact(f"NOT OK: {v.problem.message}. Run `provisioner doctor` for the cause and the fix."),
                    style="red bold")
    return Text("NOT OK: run `provisioner doctor` for the cause and the seed step that fixes it.",
                style="red bold")


def findings_view(findings: list[Finding]) -> Table | Text:
    if not findings:
        return Text("Nothing wrong found: the connection verifies.", style="green bold")
    table = Table(title="What is wrong", title_justify="left")
    table.add_column("Cause", overflow="fold")
    table.add_column("Fix: seed step")
    table.add_column("Detail", overflow="fold")
    for f in findings:
        step = f"{f.step}. {f.step_name}" if f.step else "-"
        table.add_row(Text(redact(f.cause), style="bold"), step, redact(f.detail))
    return table
