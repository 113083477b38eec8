"""Jinja2 rendering of playbook values, one scalar at a time, after YAML parsing.

Rendering after parsing (rather than templating the file's text) keeps line numbers exact and means a
variable can never inject YAML structure. A scalar that is one whole `{{ expression }}` keeps the
expression's native type, so `prune: "{{ prune }}"` stays a bool and `functions: "{{ fns }}"` a list.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from jinja2 import StrictUndefined, TemplateError, Undefined, UndefinedError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from provisioner.playbook.yaml_source import describe, line_of

# One `{{ ... }}` with nothing around it and no second expression inside.
_WHOLE_EXPRESSION = re.compile(r"^\s*\{\{((?:(?!\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)
_TEMPLATE_MARKERS = ("{{", "{%", "{#")
_UNSET = object()


class RenderError(Exception):
    """A template could not be rendered; `line` is where the offending scalar was written."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


class UndefinedVariable(RenderError):
    pass


class _MissingEnvVar(Exception):
    pass


def _env(name: str, default: Any = _UNSET) -> Any:
    """`env('NAME')` or `env('NAME', default)`: read the process environment at load time."""
    value = os.environ.get(name)
    if value is not None:
        return value
    if default is _UNSET:
        raise _MissingEnvVar(f"environment variable {name} is not set "
                             f"(give a default with env('{name}', none) if it is optional)")
    return default


def _make_environment() -> ImmutableSandboxedEnvironment:
    # Sandboxed: a playbook is data, and its templates should not reach into Python objects.
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                                keep_trailing_newline=True)
    environment.globals["env"] = _env
    return environment


_ENVIRONMENT = _make_environment()
RESERVED_NAMES = frozenset(_ENVIRONMENT.globals)


def is_template(value: Any) -> bool:
    return isinstance(value, str) and any(marker in value for marker in _TEMPLATE_MARKERS)


def referenced_names(text: str) -> set[str]:
    """Variables a template refers to (parse only; a syntax error is reported when it renders)."""
    try:
        return meta.find_undeclared_variables(_ENVIRONMENT.parse(text)) - RESERVED_NAMES
    except TemplateError:
        return set()


def render_text(text: str, variables: dict[str, Any], line: int | None) -> Any:
    """Render one scalar; a whole `{{ expression }}` returns the expression's own value and type."""
    if not is_template(text):
        return text
    try:
        whole = _WHOLE_EXPRESSION.match(text)
        if whole:
            value = _ENVIRONMENT.compile_expression(whole.group(1), undefined_to_none=False)(**variables)
            if isinstance(value, Undefined):
                str(value)  # StrictUndefined raises its own "'x' is undefined" here
            return value
        return _ENVIRONMENT.from_string(text).render(**variables)
    except _MissingEnvVar as exc:
        raise RenderError(str(exc), line) from None
    except UndefinedError as exc:
        raise UndefinedVariable(f"undefined variable in {text.strip()!r}: {exc.message}", line) from None
    except TemplateError as exc:
        message = exc.message or type(exc).__name__
        raise RenderError(f"template error in {text.strip()!r}: {message}", line) from None
    except Exception as exc:  # noqa: BLE001  a template is user input; whatever it trips on is bad input
        raise RenderError(f"template {text.strip()!r} failed: {type(exc).__name__}: {exc}", line) from None


def render_value(value: Any, variables: dict[str, Any], line: int | None) -> Any:
    """Render every string inside a value (lists and mappings included), keeping each item's line."""
    if isinstance(value, str):
        return render_text(value, variables, line)
    if isinstance(value, list):
        return [render_value(item, variables, line_of(value, i, line)) for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {key: render_value(item, variables, line_of(value, key, line)) for key, item in value.items()}
    return value


def render_name(value: Any, variables: dict[str, Any], line: int | None) -> str:
    """A playbook's or step's `name:`: rendered, and required to be non-empty text."""
    name = render_value(value, variables, line)
    if not isinstance(name, str) or not name.strip():
        raise RenderError(f"'name:' must be non-empty text, not {describe(name)}", line)
    return name.strip()


def names_used(values: Iterable[Any]) -> set[str]:
    """Every variable name referenced by any template inside these values."""
    found: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if is_template(value):
                found |= referenced_names(value)
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return found
