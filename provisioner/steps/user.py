"""The integration user exists with the declared details.

Found by its username (what identifies an account), through the filtered user list, whatever its e-mail,
suspension or authentication method: an account someone began by hand is adopted and corrected, never
duplicated. Another account already holding the declared e-mail is an error that names both, found before
anything changes. A password is set only when the user is created: re-setting it on every run would make no run
a no-op.
"""
from __future__ import annotations

from provisioner.errors import StepError
from provisioner.pages.users import UserEditPage
from provisioner.pages.users_list import UsersListPage
from provisioner.steps.base import Plan, Step, StepContext, register
from provisioner.steps.facts import UserFact, remember_user
from provisioner.steps.params import UserParams


@register
class UserStep(Step):
    kind = "user"
    Params = UserParams

    def _declared(self) -> dict[str, str]:
        p = self.params
        return {"username": p.username, "email": p.email, "firstname": p.firstname, "lastname": p.lastname,
                "auth": p.auth, "suspended": "0"}

    def plan(self, ctx: StepContext) -> Plan:
        p = self.params
        fact = UserFact(p.username, p.email, f"{p.firstname} {p.lastname}", None)
        remember_user(ctx, fact)
        found = UsersListPage(ctx.site).find("username", p.username)
        if not found:
            self._refuse_email_held_by_another(ctx, None)
            return Plan(changes=[f"create user '{p.username}'"], data={"create": True})
        fact.id = found[0]
        current = UserEditPage(ctx.site).read(fact.id)
        wrong = {field: value for field, value in self._declared().items()
                 if field != "username" and current[field].strip().lower() != value.strip().lower()}
        if not wrong:
            return Plan(reason=f"user '{p.username}' already exists as declared (id {fact.id})")
        if "email" in wrong:
            self._refuse_email_held_by_another(ctx, fact.id)
        return Plan(changes=[_describe(field, value, current[field]) for field, value in wrong.items()],
                    data={"create": False, "id": fact.id, "fields": wrong})

    def _refuse_email_held_by_another(self, ctx: StepContext, own_id: int | None) -> None:
        """Moodle wants e-mails unique: say who holds ours before trying, rather than fail half-way."""
        p = self.params
        others = [i for i in UsersListPage(ctx.site).find("email", p.email) if i != own_id]
        if not others:
            return
        holder = UserEditPage(ctx.site).read(others[0])
        ours = f"'{p.username}' (id {own_id})" if own_id else f"'{p.username}' (not created yet)"
        raise StepError(f"the e-mail {p.email} belongs to another account, '{holder['username']}' "
                        f"(id {others[0]}), so the integration user {ours} cannot have it: set another "
                        f"address (--var email=...) or change that account's e-mail")

    def apply(self, ctx: StepContext, plan: Plan) -> None:
        page = UserEditPage(ctx.site)
        if plan.data["create"]:
            page.create({k: v for k, v in self._declared().items() if k != "suspended"}, self.params.password)
        else:
            page.update(plan.data["id"], plan.data["fields"])


def _describe(field: str, value: str, was: str) -> str:
    if field == "suspended":
        return "unsuspend the user"
    return f"set {field} to '{value}' (was '{was}')"
