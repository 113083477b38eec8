"""What every step is: read the site's state, decide, and only then act.

A step never applies anything inside `plan()`. The runner calls `apply()` only outside check mode and then
calls `plan()` again: a step has converged only when a fresh read finds nothing left to do.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class StepParams(BaseModel):
    """Base of every step's parameters: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class Plan:
    """What a step found. No changes means a no-op, and `reason` says why."""

    changes: list[str] = field(default_factory=list)
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # what plan() read, for apply() to reuse

    @property
    def is_noop(self) -> bool:
        return not self.changes


@dataclass
class StepContext:
    """What steps share during one run.

    `site` is the pages-layer facade (a logged-in admin session). `facts` carries what earlier steps learned
    (user and service ids) so later steps need not look them up again; in check mode an object that would be
    created is recorded as None, and later steps plan against its absence.
    """

    site: Any
    check: bool = False
    facts: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # run-level switches, e.g. rotate_token


class Step(ABC):
    kind: ClassVar[str]
    Params: ClassVar[type[StepParams]]

    def __init__(self, name: str, params: StepParams):
        self.name = name
        self.params = params

    @abstractmethod
    def plan(self, ctx: StepContext) -> Plan:
        """Read the current state and say what would change (or why nothing needs to)."""

    @abstractmethod
    def apply(self, ctx: StepContext, plan: Plan) -> None:
        """Make the changes `plan` listed. Never called in check mode."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


REGISTRY: dict[str, type[Step]] = {}


def register(cls: type[Step]) -> type[Step]:
    if cls.kind in REGISTRY:
        raise RuntimeError(f"step kind {cls.kind!r} registered twice")
    REGISTRY[cls.kind] = cls
    return cls
