"""The External Service exists, with the declared name and settings.

Found by its short name (what clients use); the list shows only names, so each candidate's edit form is
read, the ones named as declared first.
"""
from __future__ import annotations

from provisioner.errors import StepError
from provisioner.pages.services import ServiceEditPage, ServicesListPage, ServiceState
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.facts import ServiceFact, remember_service
from provisioner.steps.params import ServiceParams


@register
class ServiceStep(Step):
    kind = "service"
    Params = ServiceParams

    def _find(self, ctx: StepContext) -> ServiceState | None:
        created = ctx.facts.get("created_services", {}).get(self.params.shortname)
        if created is not None:  # the re-read right after creating it: only its own form changed
            state = ServiceEditPage(ctx.site).read(created)
            if state.shortname == self.params.shortname:
                return state
        listed = ServicesListPage(ctx.site).custom_services()
        listed.sort(key=lambda s: s[1] != self.params.name)
        edit = ServiceEditPage(ctx.site)
        namesake = None
        for service_id, _name in listed:
            state = edit.read(service_id)
            if state.shortname == self.params.shortname:
                return state
            if state.name == self.params.name:
                namesake = state
        if namesake is not None:  # Moodle wants names unique, and freezes a service's short name once saved
            raise StepError(
                f"a service named '{namesake.name}' already exists (id {namesake.id}) with the short name "
                f"'{namesake.shortname}', and Moodle cannot change a short name: delete or rename that service "
                f"(Site administration > Server > Web services > External services), or declare another "
                f"service name (--var service_name=...)")
        return None

    def plan(self, ctx: StepContext) -> Plan:
        p = self.params
        fact = ServiceFact(p.shortname, p.name, None, p.restricted_users)
        remember_service(ctx, fact)
        state = self._find(ctx)
        if state is None:
            return Plan(changes=[f"create service '{p.name}' ({p.shortname})"], data={"id": None})
        fact.id, fact.name = state.id, state.name  # lists (e.g. tokens) show it by its name on the site now
        changes = []
        if state.name != p.name:
            changes.append(f"rename service to '{p.name}' (was '{state.name}')")
        if state.enabled != p.enabled:
            changes.append("enable the service" if p.enabled else "disable the service")
        if state.restricted_users != p.restricted_users:
            changes.append("restrict it to authorised users" if p.restricted_users else "open it to all users")
        if not changes:
            return Plan(reason=f"service '{p.shortname}' already exists as declared (id {state.id})")
        return Plan(changes=changes, data={"id": state.id})

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        p, page = self.params, ServiceEditPage(ctx.site)
        if plan.data["id"] is None:
            created = page.create(p.name, p.shortname, p.enabled, p.restricted_users)
            ctx.facts.setdefault("created_services", {})[p.shortname] = created
        else:
            page.update(plan.data["id"], p.name, p.enabled, p.restricted_users)
