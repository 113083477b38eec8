"""The integration user exists with the declared details.

Found by e-mail (Moodle's user selectors search names and e-mail, not usernames) and confirmed by the
username on its edit form. An existing user is adopted and corrected, never duplicated. A password is set
only when the user is created: re-setting it on every run would make no run a no-op.
"""
from __future__ import annotations

from provisioner.pages.site_admins import SiteAdminsPage
from provisioner.pages.users import UserEditPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.facts import UserFact, remember_user
from provisioner.steps.params import UserParams


@register
class UserStep(Step):
    kind = "user"
    Params = UserParams

    def _declared(self) -> dict[str, str]:
        p = self.params
        return {"username": p.username, "email": p.email, "firstname": p.firstname, "lastname": p.lastname}

    def plan(self, ctx: StepContext) -> Plan:
        p = self.params
        fact = UserFact(p.username, p.email, f"{p.firstname} {p.lastname}", None)
        remember_user(ctx, fact)
        found = SiteAdminsPage(ctx.site).find_by_email(p.email)
        current = UserEditPage(ctx.site).read(found.id) if found else None
        if current is None or current["username"] != p.username:
            # Another account may hold the e-mail: creating then fails with Moodle's own message.
            return Plan(changes=[f"create user '{p.username}'"], data={"create": True})
        fact.id = found.id
        changes = [f"set {field} to '{value}' (was '{current[field]}')"
                   for field, value in self._declared().items()
                   if field != "username" and current[field].strip().lower() != value.strip().lower()]
        if current["suspended"] == "1":
            changes.append("unsuspend the user")
        if not changes:
            return Plan(reason=f"user '{p.username}' already exists as declared (id {found.id})")
        return Plan(changes=changes, data={"create": False, "id": found.id,
                                           "unsuspend": current["suspended"] == "1"})

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        page = UserEditPage(ctx.site)
        if plan.data["create"]:
            page.create(self._declared(), self.params.password)
        else:
            page.update(plan.data["id"], self._declared(), unsuspend=plan.data["unsuspend"])
