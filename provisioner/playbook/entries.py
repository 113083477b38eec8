"""One playbook entry → one Step: `name:` plus exactly one step-kind key holding that kind's parameters.

A parameter that is null, or whose template renders to null or "", is left out so the step's own default
applies (and a required one is reported missing). That is the whole "optional parameter" mechanism.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from provisioner.errors import PlaybookError
from provisioner.playbook.render import RenderError, is_template, render_name, render_value
from provisioner.playbook.yaml_source import LineDict, describe, line_of
from provisioner.steps.base import Step, StepParams
from provisioner.steps.catalog import REGISTRY

NAME_KEY = "name"


def build_step(entry: Any, number: int, line: int, file: Path, variables: dict[str, Any]) -> Step:
    """Turn the `number`-th entry (1-based, written on `line`) into a Step with validated parameters."""
    label = f"#{number}"  # until the name is known
    if isinstance(entry, dict) and isinstance(entry.get(NAME_KEY), str):
        label = entry[NAME_KEY]

    def error(message: str, at: int | None = line) -> PlaybookError:
        return PlaybookError(message, file=file, line=at, step=label)

    if not isinstance(entry, LineDict):
        raise error(f"a step is a mapping with '{NAME_KEY}:' and one step kind ({_known_kinds()}), "
                    f"not {describe(entry)}")
    kinds = [key for key in entry if key != NAME_KEY]
    for key in kinds:
        if key not in REGISTRY:
            raise error(f"unknown step kind '{key}' (a step has '{NAME_KEY}:' and one of: {_known_kinds()})",
                        entry.line_of(key))
    if not kinds:
        raise error(f"no step kind: add one of {_known_kinds()}")
    if len(kinds) > 1:
        raise error(f"one step does one thing, but this one has {', '.join(repr(k) for k in kinds)}: "
                    "split it into separate steps", entry.line_of(kinds[1]))
    if NAME_KEY not in entry:
        raise error(f"missing '{NAME_KEY}:' (every step needs a name for progress and reports)")

    label = name = _render(render_name, entry[NAME_KEY], variables, entry.line_of(NAME_KEY), error)

    kind = kinds[0]
    raw_params = entry[kind]
    if raw_params is None:  # `webservices:` alone means "all defaults"
        raw_params = LineDict(entry.line_of(kind))
    if not isinstance(raw_params, LineDict):
        raise error(f"the parameters of '{kind}' must be a mapping, not {describe(raw_params)}",
                    entry.line_of(kind))

    rendered, omitted = {}, set()
    for key, raw in raw_params.items():
        value = _render(render_value, raw, variables, raw_params.line_of(key), error)
        if value is None or (value == "" and is_template(raw)):
            omitted.add(key)
        else:
            rendered[key] = value
    step_class = REGISTRY[kind]
    try:
        params = step_class.Params.model_validate(rendered)
    except ValidationError as exc:
        message, at = _explain(exc, step_class.Params, raw_params, omitted)
        raise error(message, at) from None
    return step_class(name, params)


def _render(render: Callable, raw: Any, variables: dict[str, Any], line: int, error: Callable) -> Any:
    try:
        return render(raw, variables, line)
    except RenderError as exc:
        raise error(str(exc), exc.line) from None


def _explain(exc: ValidationError, params_model: type[StepParams], raw_params: LineDict,
             omitted: set[str]) -> tuple[str, int]:
    """Pydantic's errors as one line naming each field; never its input, which may be a secret."""
    messages, lines = [], []
    for problem in exc.errors(include_url=False, include_input=False, include_context=False):
        location = problem["loc"]
        field = ".".join(str(part) for part in location) or "parameters"
        if problem["type"] == "missing":
            why = "is required but its value rendered empty" if location[0] in omitted else "is required"
            messages.append(f"parameter '{field}' {why}")
        elif problem["type"] == "extra_forbidden":
            known = ", ".join(params_model.model_fields) or "none"
            messages.append(f"unknown parameter '{field}' (known: {known})")
        else:
            messages.append(f"parameter '{field}': {problem['msg']}")
        lines.append(_line_at(raw_params, location))
    return "; ".join(messages), lines[0]


def _line_at(container: Any, location: tuple) -> int:
    """Follow a pydantic location into the parsed YAML as far as it goes; the deepest known line wins."""
    line = container.line
    for part in location:
        try:
            line = line_of(container, part, line)
            container = container[part]
        except (KeyError, IndexError, TypeError):
            break
    return line


def _known_kinds() -> str:
    return ", ".join(REGISTRY)
