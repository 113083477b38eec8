"""Variables and their one precedence order: CLI --var > vars files (later wins) > an inventory's vars for
the site (its own over its `defaults:`) > playbook vars.

Step parameters' own defaults come last, through omission (see entries.py). Values written in YAML may use
`env('NAME')`, rendered once here; they may not refer to other variables, which keeps the order above
the whole story.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provisioner.errors import PlaybookError
from provisioner.playbook.render import RESERVED_NAMES, RenderError, UndefinedVariable, render_value
from provisioner.playbook.yaml_source import LineDict, describe, load_yaml

CLI_ORIGIN = "--var"


@dataclass(frozen=True)
class Origin:
    """Where a variable's winning value was written: a file and line, or the command line."""

    file: Path | None
    line: int | None

    def __str__(self) -> str:
        return CLI_ORIGIN if self.file is None else f"{self.file}:{self.line}"


def resolve_variables(playbook_path: Path, playbook_vars: Any, vars_files: Sequence[Path],
                      cli_vars: Mapping[str, str], site_layers: Sequence[tuple[Any, Path, str]] = (),
                      ) -> tuple[dict[str, Any], dict[str, Origin]]:
    """Merge the layers in precedence order and render the winners; return values and their origins.
    `site_layers` are (mapping, file, what to call it) from an inventory, lowest first."""
    raw: dict[str, tuple[Any, Origin]] = {}
    _merge_file_layer(raw, playbook_vars, playbook_path, where="'vars:'")
    for layer, file, where in site_layers:
        _merge_file_layer(raw, layer, Path(file), where=where)
    for vars_file in vars_files:
        vars_file = Path(vars_file)
        _merge_file_layer(raw, load_yaml(vars_file), vars_file, where="a vars file")
    for name, value in cli_vars.items():
        _check_name(name, Origin(None, None))
        raw[name] = (value, Origin(None, None))  # taken literally: a CLI value is never rendered

    values: dict[str, Any] = {}
    for name, (value, origin) in raw.items():
        if origin.file is None:
            values[name] = value
            continue
        try:
            values[name] = render_value(value, {}, origin.line)
        except RenderError as exc:
            undefined = isinstance(exc, UndefinedVariable)
            hint = " (variables may use env() but not other variables)" if undefined else ""
            raise PlaybookError(f"variable '{name}': {exc}{hint}", file=origin.file, line=exc.line) from None
    return values, {name: origin for name, (_, origin) in raw.items()}


def _merge_file_layer(raw: dict[str, tuple[Any, Origin]], layer: Any, file: Path, where: str) -> None:
    if layer is None:  # an empty vars file or `vars:` with nothing under it
        return
    if not isinstance(layer, LineDict):
        raise PlaybookError(f"{where} must be a mapping of name: value, not {describe(layer)}",
                            file=file, line=getattr(layer, "line", None))
    for name, value in layer.items():
        origin = Origin(file, layer.line_of(name))
        _check_name(name, origin)
        raw[name] = (value, origin)


def _check_name(name: Any, origin: Origin) -> None:
    # A name Jinja cannot reference is a variable nobody can use: almost always a typo.
    if not isinstance(name, str) or not name.isidentifier():
        problem = f"variable name {name!r} is not usable in templates (letters, digits and _ only)"
    elif name in RESERVED_NAMES:
        problem = f"variable name '{name}' is reserved for the {name}() function"
    else:
        return
    if origin.file is None:
        raise PlaybookError(f"{CLI_ORIGIN}: {problem}")
    raise PlaybookError(problem, file=origin.file, line=origin.line)

