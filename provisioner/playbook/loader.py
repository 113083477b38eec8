"""Load a playbook: YAML → variables → rendered, typed steps, all checked before any browser starts.

Every problem is a PlaybookError naming the file, the line and (where there is one) the step.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provisioner.errors import PlaybookError
from provisioner.playbook.entries import build_step
from provisioner.playbook.references import check_references
from provisioner.playbook.render import RenderError, names_used, render_name
from provisioner.playbook.variables import resolve_variables
from provisioner.playbook.yaml_source import LineDict, LineList, describe, load_yaml
from provisioner.steps.base import Step

_TOP_LEVEL_KEYS = ("name", "vars", "steps")


@dataclass
class Playbook:
    name: str
    path: Path
    steps: list[Step]
    # Resolved values; kept out of repr because one may be a password read through env().
    vars: dict[str, Any] = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)


def load_playbook(path: str | Path, cli_vars: Mapping[str, str] | None = None,
                  vars_files: Sequence[Path] = (), site_vars: Sequence[tuple[Any, Path, str]] = ()) -> Playbook:
    """`site_vars`: an inventory site's `vars:` layers (mapping, inventory file, label), lowest first."""
    path = Path(path)
    document = load_yaml(path)
    if not isinstance(document, LineDict):
        raise PlaybookError(f"a playbook is a mapping with 'steps:' (and optional 'name:', 'vars:'), "
                            f"not {describe(document)}", file=path, line=getattr(document, "line", None))
    for key in document:
        if key not in _TOP_LEVEL_KEYS:
            raise PlaybookError(f"unknown top-level key '{key}' (expected: {', '.join(_TOP_LEVEL_KEYS)})",
                                file=path, line=document.line_of(key))
    entries = document.get("steps")
    if not isinstance(entries, LineList) or not entries:
        raise PlaybookError(f"'steps:' must be a non-empty list of steps, not {describe(entries)}",
                            file=path, line=document.line_of("steps"))

    variables, origins = resolve_variables(path, document.get("vars"), vars_files, cli_vars or {}, site_vars)
    name = _render_name(document, path, variables)

    steps: list[Step] = []
    lines: list[int] = []
    first_line_of: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        line = entries.line_of(number - 1)
        step = build_step(entry, number, line, path, variables)
        if step.name in first_line_of:
            raise PlaybookError(f"duplicate step name (first used on line {first_line_of[step.name]}); "
                                "reports and progress need each name once", file=path, line=line, step=step.name)
        first_line_of[step.name] = line
        steps.append(step)
        lines.append(line)

    warnings = check_references(steps, lines, path)
    warnings += _unused_variable_warnings(origins, names_used([document.get("name"), entries]), path)
    return Playbook(name=name, path=path, steps=steps, vars=variables, warnings=warnings)


def _render_name(document: LineDict, path: Path, variables: dict[str, Any]) -> str:
    if "name" not in document:
        return path.stem
    try:
        return render_name(document["name"], variables, document.line_of("name"))
    except RenderError as exc:
        raise PlaybookError(str(exc), file=path, line=exc.line) from None


def _unused_variable_warnings(origins: Mapping, used: set[str], playbook_path: Path) -> list[str]:
    # Only variables the operator supplied (--var, vars files): an unused one is most likely misspelt.
    return [f"{origin}: variable '{name}' is not used by the playbook"
            for name, origin in origins.items() if name not in used and origin.file != playbook_path]
