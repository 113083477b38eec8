"""The service holds exactly the declared functions: missing ones are added; extra ones are reported, and
removed only with `prune: true`."""
from __future__ import annotations

from provisioner.pages.service_functions import ServiceFunctionsPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.facts import service_fact
from provisioner.steps.params import ServiceFunctionsParams


@register
class ServiceFunctionsStep(Step):
    kind = "service_functions"
    Params = ServiceFunctionsParams

    def plan(self, ctx: StepContext) -> Plan:
        service = service_fact(ctx, self.params.service)
        declared = list(self.params.functions)
        if service.id is None:
            return Plan(changes=[f"add {len(declared)} functions to the new service: {', '.join(declared)}"],
                        data={"missing": declared, "extra": []})
        present = ServiceFunctionsPage(ctx.site).functions(service.id)
        missing = [f for f in declared if f not in present]
        extra = sorted(f for f in present if f not in declared)
        changes = [f"add {', '.join(missing)}"] if missing else []
        warnings = []
        if extra and self.params.prune:
            changes.append(f"remove {', '.join(extra)}")
        elif extra:
            warnings.append(f"the service also holds {', '.join(extra)} (kept; set prune: true to remove)")
        plan = Plan(changes=changes, warnings=warnings, data={"missing": missing, "extra": extra})
        if not changes:
            plan.reason = f"service '{service.shortname}' already holds all {len(declared)} functions"
        return plan

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        service = service_fact(ctx, self.params.service)
        page = ServiceFunctionsPage(ctx.site)
        if plan.data["missing"]:
            page.add(service.id, plan.data["missing"])
        if self.params.prune:
            for name in plan.data["extra"]:
                page.remove(service.id, name)
