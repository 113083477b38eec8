"""Offboarding (`revoke --offboard`): remove what the playbook created, each removal its own step.

Order: the tokens first (DeleteTokens), then the service (with its functions and authorised users), the
integration role, the site-administrator right, and last the user (Moodle refuses to delete a site
administrator). Each step reads first and says what it would remove, so `--check` lists exactly what a real
run removes; each re-reads after removing.
"""
from __future__ import annotations

from provisioner.pages.role_assign import SystemRoleAssignPage
from provisioner.pages.roles import RolesListPage
from provisioner.pages.services import ServicesListPage
from provisioner.pages.users_list import UsersListPage
from provisioner.steps.base import Plan, Step, StepContext
from provisioner.steps.connection import ConnectionSpec, NoParams
from provisioner.steps.facts import service_fact, user_fact
from provisioner.steps.site_admin import admin_status, forced_removal, remove_admin


class _Removal(Step):
    Params = NoParams

    def __init__(self, name: str, spec: ConnectionSpec):
        super().__init__(name, NoParams())
        self.spec = spec


class RemoveService(_Removal):
    kind = "service_absent"

    def plan(self, ctx: StepContext) -> Plan:
        service = service_fact(ctx, self.spec.token.service)
        listed = dict(ServicesListPage(ctx.site).custom_services()) if service.id is not None else {}
        if service.id not in listed:
            return Plan(reason=f"no service '{service.shortname}'")
        return Plan(changes=[f"delete service '{listed[service.id]}' ({service.shortname}, id {service.id}) "
                             "with its functions and authorised users"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        ServicesListPage(ctx.site).delete(service_fact(ctx, self.spec.token.service).id)


class RemoveRole(_Removal):
    kind = "role_absent"

    def plan(self, ctx: StepContext) -> Plan:
        shortname = self.spec.access.role_shortname
        role = RolesListPage(ctx.site).find(shortname)
        if role is None:
            return Plan(reason=f"no role '{shortname}'")
        user = user_fact(ctx, self.spec.token.user)
        holds = user.id is not None and SystemRoleAssignPage(ctx.site).holds(role.id, user.id, user.fullname)
        changes = [f"unassign role '{shortname}' from '{user.username}'"] if holds else []
        changes.append(f"delete role '{role.name}' ({shortname}, id {role.id}) and any other assignment of it")
        return Plan(changes=changes, data={"role_id": role.id, "holds": holds})

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        user = user_fact(ctx, self.spec.token.user)
        if plan.data["holds"]:
            SystemRoleAssignPage(ctx.site).unassign(plan.data["role_id"], user.id, user.fullname)
        RolesListPage(ctx.site).delete(plan.data["role_id"])


class RemoveSiteAdmin(_Removal):
    kind = "site_admin_absent"

    def plan(self, ctx: StepContext) -> Plan:
        user = user_fact(ctx, self.spec.token.user)
        if user.id is None:
            return Plan(reason=f"no user '{user.username}'")
        admin, editable = admin_status(ctx, user)
        if not admin:
            return Plan(reason=f"'{user.username}' is not a site administrator")
        if not editable:
            raise forced_removal(user)
        return Plan(changes=[f"remove '{user.username}' from the site administrators"])

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        remove_admin(ctx, user_fact(ctx, self.spec.token.user))


class RemoveUser(_Removal):
    kind = "user_absent"

    def plan(self, ctx: StepContext) -> Plan:
        user = user_fact(ctx, self.spec.token.user)
        found = UsersListPage(ctx.site).find("username", user.username) if user.id is not None else []
        if not found:
            return Plan(reason=f"no user '{user.username}'")
        return Plan(changes=[f"delete user '{user.username}' (id {found[0]})"], data={"id": found[0]})

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        UsersListPage(ctx.site).delete(plan.data["id"])
