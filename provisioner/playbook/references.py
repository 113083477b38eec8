"""Cross-step checks that need no site: every service or user a step names is created before it is used.

A name no step creates is only a warning (the object may already exist on the site); a name created by a
*later* step is an error, because the run would reach the reference first and fail there. A token on an
"authorised users only" service for a user no earlier step authorises is a warning too.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from provisioner.errors import PlaybookError
from provisioner.steps.base import Step

# step kind that creates an object → the parameter holding its identifying name
_CREATES = {"service": "shortname", "user": "username"}
# parameter that names an object → the kind of object it names
_REFERS = {"service": "service", "user": "user"}


def check_references(steps: Sequence[Step], lines: Sequence[int], file: Path) -> list[str]:
    """Raise PlaybookError on a forward reference or a duplicate creation; return warnings."""
    created: dict[tuple[str, str], tuple[int, Step]] = {}  # (kind, name) → (index, step)
    for index, step in enumerate(steps):
        key_field = _CREATES.get(step.kind)
        if key_field:
            key = (step.kind, getattr(step.params, key_field))
            if key in created:
                first = created[key][1]
                raise PlaybookError(f"{step.kind} '{key[1]}' is already created by step '{first.name}' "
                                    f"(line {lines[created[key][0]]}); declare it once",
                                    file=file, line=lines[index], step=step.name)
            created[key] = (index, step)

    warnings: list[str] = []
    for index, step in enumerate(steps):
        for field, kind in _REFERS.items():
            name = getattr(step.params, field, None)
            if not isinstance(name, str):
                continue
            creator = created.get((kind, name))
            if creator is None:
                warnings.append(f"{file}:{lines[index]}: step '{step.name}': {kind} '{name}' is not created "
                                "by this playbook, so it must already exist on the site")
            elif creator[0] > index:
                raise PlaybookError(f"refers to {kind} '{name}', which step '{creator[1].name}' "
                                    f"(line {lines[creator[0]]}) only creates later: move that step first",
                                    file=file, line=lines[index], step=step.name)
    return warnings + _unauthorised_tokens(steps, lines, file, created)


def _unauthorised_tokens(steps: Sequence[Step], lines: Sequence[int], file: Path, created: dict) -> list[str]:
    # Moodle refuses a token on an "authorised users only" service for a user not authorised before it.
    authorised: set[tuple[str, str]] = set()
    warnings = []
    for index, step in enumerate(steps):
        if step.kind == "authorised_user":
            authorised.add((step.params.service, step.params.user))
        elif step.kind == "token":
            service = created.get(("service", step.params.service))
            if service and service[1].params.restricted_users \
                    and (step.params.service, step.params.user) not in authorised:
                warnings.append(f"{file}:{lines[index]}: step '{step.name}': service '{step.params.service}' is "
                                f"for authorised users only and no earlier authorised_user step authorises "
                                f"'{step.params.user}'")
    return warnings
