"""How the integration user gets the capabilities its functions check: `mode: site_admin` or `mode: role`.

site_admin: the user is a site administrator (Moodle skips every capability check for them).
role: a system role holding exactly the capabilities the seven functions need (integration_role.py) is
assigned to the user at system level, and the user is NOT a site administrator.

Switching between the modes never leaves the token without access in between: the new access is put in place
first (the role defined and assigned, or the site-admin right granted), and only then the old one removed.
A list of administrators forced in config.php blocks the step (ForcedSettingError) after the role work is done.
"""
from __future__ import annotations

from provisioner.pages.role_assign import SystemRoleAssignPage
from provisioner.pages.role_definition import RoleDefinitionPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.facts import UserFact, user_fact
from provisioner.steps.integration_role import RoleState, definition_changes, read_role
from provisioner.steps.params import AccessParams
from provisioner.steps.site_admin import admin_status, forced_grant, forced_removal, grant_admin, remove_admin


@register
class AccessStep(Step):
    kind = "access"
    Params = AccessParams

    def plan(self, ctx: StepContext) -> Plan:
        p, user = self.params, user_fact(ctx, self.params.user)
        role = read_role(ctx, p, user, definition=p.mode == "role")
        admin, editable = admin_status(ctx, user)
        data = {"role": role, "admin": admin, "editable": editable}
        if p.mode == "role":
            return self._plan_role(user, role, admin, editable, data)
        changes = []
        if not admin:
            if not editable:
                raise forced_grant(user)
            changes.append(f"make '{user.username}' a site administrator")
        if role.holds:
            changes.append(f"remove role '{p.role_shortname}' from '{user.username}' (a site administrator "
                           "needs no role)")
        return Plan(changes=changes, data=data,
                    reason=f"'{user.username}' already a site administrator" if not changes else "")

    def _plan_role(self, user: UserFact, role: RoleState, admin: bool, editable: bool, data: dict) -> Plan:
        p = self.params
        redefine = definition_changes(role.definition, role.wanted, role.names)
        changes = list(redefine)
        if not role.holds:
            changes.append(f"assign role '{p.role_shortname}' to '{user.username}' at system level")
        warnings = []
        if admin:
            if not editable and not changes:
                raise forced_removal(user)
            changes.append(f"remove '{user.username}' from the site administrators")
            if not editable:
                warnings.append("the site administrators are set in config.php: the removal will be blocked")
        data["redefine"] = bool(redefine)
        if not changes:
            return Plan(reason=f"'{user.username}' holds role '{p.role_shortname}' ({len(p.capabilities)} "
                               "capabilities) at system level and is not a site administrator", data=data)
        return Plan(changes=changes, warnings=warnings, data=data)

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        user, role = user_fact(ctx, self.params.user), plan.data["role"]
        if self.params.mode == "site_admin":
            if not plan.data["admin"]:
                grant_admin(ctx, user)
            if role.holds:
                SystemRoleAssignPage(ctx.site).unassign(role.role_id, user.id, user.fullname)
            return
        role_id, done = role.role_id, []
        if plan.data["redefine"]:
            role_id = RoleDefinitionPage(ctx.site).save(role_id, role.wanted)
            done.append(f"role '{self.params.role_shortname}' {'created' if role.role_id is None else 'updated'}")
        if not role.holds:
            SystemRoleAssignPage(ctx.site).assign(role_id, user.id, user.fullname)
            done.append(f"assigned to '{user.username}'")
        if plan.data["admin"]:
            if not plan.data["editable"]:
                raise forced_removal(user, ", ".join(done))
            remove_admin(ctx, user, ", ".join(done))
