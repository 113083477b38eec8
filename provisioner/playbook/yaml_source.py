"""YAML parsing that remembers where each value was written, so errors can name a line.

Mappings and lists come back as dict/list subclasses carrying the 1-based line of each key or item.
Scalars stay plain Python values; their line is the one their parent recorded for them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from provisioner.errors import PlaybookError


class LineDict(dict):
    """A mapping with `line` (where it starts) and `lines[key]` (where each key was written)."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A list with `line` (where it starts) and `lines[i]` (where item i starts)."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


def line_of(container: Any, key: Any, default: int | None) -> int | None:
    """The line of container[key] if the container kept lines, else `default`."""
    return container.line_of(key) if isinstance(container, (LineDict, LineList)) else default


def describe(value: Any) -> str:
    """How a wrong-shaped value is named in an error: 'a list', 'text', 'a mapping', 'nothing'."""
    if value is None:
        return "nothing"
    for python_type, words in ((dict, "a mapping"), (list, "a list"), (bool, "true/false"), (str, "text")):
        if isinstance(value, python_type):
            return words
    return f"a {type(value).__name__}"


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)  # resolves `<<` merge keys like SafeLoader does
    mapping = LineDict(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise ConstructorError(None, None, "found a key that is not a plain value", key_node.start_mark)
        # PyYAML keeps the last of two equal keys; a step with `user:` twice would silently lose one.
        if key in mapping:
            raise ConstructorError(None, None, f"key '{key}' appears twice in this mapping "
                                               f"(first on line {mapping.lines[key]})", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(node.start_mark.line + 1)
    for child in node.value:
        items.append(loader.construct_object(child, deep=True))
        items.lines.append(child.start_mark.line + 1)
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; any problem becomes a PlaybookError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", file=path) from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506  (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise PlaybookError(f"invalid YAML: {problem}", file=path,
                            line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise PlaybookError(f"invalid YAML: {exc}", file=path) from None
