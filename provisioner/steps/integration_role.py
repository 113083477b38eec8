"""The integration role: what it must be, how the site's copy differs, and who holds it at system level.

The role is found by its short name. Its definition is exact: the declared capabilities allowed and every
other capability not set (a prevent or prohibit left on another capability is cleared too: the role is ours),
assignable in the System context only, allowed to assign the declared roles (Student) and nothing else, and
based on no archetype (a reset to an archetype would give it that archetype's capabilities).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from provisioner.errors import StepError
from provisioner.pages.role_assign import SystemRoleAssignPage
from provisioner.pages.role_definition import ALLOW, ALLOW_KINDS, NOT_SET, SYSTEM_LEVEL, RoleDefinition, \
    RoleDefinitionPage
from provisioner.pages.roles import RolesListPage
from provisioner.steps.base import StepContext
from provisioner.steps.facts import UserFact
from provisioner.steps.params import AccessParams

_PERMISSION_NAMES = {ALLOW: "allow", -1: "prevent", -1000: "prohibit"}
_VERBS = {"assign": "assign", "override": "override", "switch": "switch to", "view": "view"}


@dataclass
class RoleState:
    role_id: int | None                      # None: no role with the short name yet
    definition: RoleDefinition | None        # read only when asked for
    holds: bool                              # the user holds it at system level
    names: dict[int, str] = field(default_factory=dict)  # every role id → its short name
    wanted: RoleDefinition | None = None


def read_role(ctx: StepContext, p: AccessParams, user: UserFact, *, definition: bool = True) -> RoleState:
    roles = RolesListPage(ctx.site).roles()
    names = {r.id: r.shortname for r in roles}
    ours = next((r for r in roles if r.shortname == p.role_shortname), None)
    namesake = next((r for r in roles if r.name == p.role_name and r.shortname != p.role_shortname), None)
    if namesake is not None and definition:  # Moodle wants role names unique
        raise StepError(f"another role is named '{p.role_name}' (short name '{namesake.shortname}', id "
                        f"{namesake.id}): rename it, or declare another role name (role_name)")
    state = RoleState(ours.id if ours else None, None, False, names)
    if ours is not None and definition:
        state.definition = RoleDefinitionPage(ctx.site).read(ours.id)
    if ours is not None and user.id is not None:
        state.holds = SystemRoleAssignPage(ctx.site).holds(ours.id, user.id, user.fullname)
    if definition:
        state.wanted = wanted_definition(p, names)
    return state


def wanted_definition(p: AccessParams, names: dict[int, str]) -> RoleDefinition:
    ids = {shortname: role_id for role_id, shortname in names.items()}
    missing = [s for s in p.assign_roles if s not in ids]
    if missing:
        raise StepError(f"this site has no role with the short name {', '.join(missing)} for the integration "
                        "role to assign (assign_roles)")
    return RoleDefinition(
        shortname=p.role_shortname, name=p.role_name, archetype="", context_levels=frozenset({SYSTEM_LEVEL}),
        allowed={"assign": frozenset(ids[s] for s in p.assign_roles)},
        permissions={cap: ALLOW for cap in p.capabilities})


def definition_changes(current: RoleDefinition | None, wanted: RoleDefinition, names: dict[int, str]) -> list[str]:
    """What differs between the site's role and the wanted one, in words; empty when they agree."""
    if current is None:
        assigns = ", ".join(sorted(names.get(i, str(i)) for i in wanted.allowed.get("assign", ())))
        return [f"create role '{wanted.name}' ({wanted.shortname}) with {len(wanted.permissions)} capabilities, "
                f"assignable at system level, allowed to assign {assigns or 'no role'}"]
    changes = []
    if current.name != wanted.name:
        changes.append(f"rename the role to '{wanted.name}' (was '{current.name}')")
    if current.archetype != wanted.archetype:
        changes.append(f"base the role on no archetype (was '{current.archetype}')")
    if current.context_levels != wanted.context_levels:
        changes.append("make the role assignable in the System context only")
    missing = sorted(c for c, perm in wanted.permissions.items() if current.permissions.get(c, NOT_SET) != perm)
    if missing:
        changes.append(f"allow {', '.join(missing)}")
    extra = sorted(c for c in current.permissions if c not in wanted.permissions)
    if extra:
        changes.append("clear " + ", ".join(f"{c} ({_PERMISSION_NAMES.get(current.permissions[c], 'set')})"
                                            for c in extra))
    for kind in ALLOW_KINDS:
        have, want = current.allowed.get(kind, frozenset()), wanted.allowed.get(kind, frozenset())
        if have != want:
            shown = ", ".join(sorted(names.get(i, str(i)) for i in want)) or "no role"
            changes.append(f"let the role {_VERBS[kind]} {shown} only")
    return changes
