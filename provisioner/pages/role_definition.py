"""A role's definition (admin/roles/define.php): read it, create or change it in one form.

The form holds everything a role is: short name, name, archetype, the context levels it may be assigned in,
the roles its holders may assign, override, switch to and view (the same rows admin/roles/allow.php edits),
and a permission for every capability of the site. Inputs are named after capabilities
(`moodle/course:view`) and permissions are numbers (CAP_INHERIT 0, CAP_ALLOW 1, CAP_PREVENT -1,
CAP_PROHIBIT -1000), whatever the language.

The page comes in two forms, chosen by the admin's own preference: basic (one "Allow" checkbox per
capability; a prevented or prohibited one shows as text, unchangeable) and advanced (one radio per
permission). Basic is enough unless such a capability must change: then the page is switched to advanced
with its own button, and switched back afterwards so the admin finds it as they left it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from provisioner.errors import StepError
from provisioner.pages.site import MoodleSite, squash

NOT_SET, ALLOW = 0, 1
SYSTEM_LEVEL = 10              # CONTEXT_SYSTEM
ALLOW_KINDS = ("assign", "override", "switch", "view")

_FORM = "#region-main form#rolesform"
_READ = """form => {
  const capability = /^[a-z][a-z0-9_]*\\/[a-z0-9_]+:[a-z0-9_]+$/;
  const permissions = {};
  let advanced = false;
  for (const input of form.querySelectorAll('input')) {
    if (!capability.test(input.name)) continue;
    if (input.type === 'radio') {
      advanced = true;
      if (input.checked) permissions[input.name] = input.value;
    } else if (input.type === 'checkbox') {        // basic: a hidden "0" comes first, then the box
      if (input.checked) permissions[input.name] = input.value;
    } else if (input.type === 'hidden' && !(input.name in permissions)) {
      permissions[input.name] = input.value;     // basic: the value of a capability shown as text only
    }
  }
  const value = sel => { const e = form.querySelector(sel); return e ? e.value : null; };
  const levels = [...form.querySelectorAll("input[type=checkbox][name^='contextlevel']")]
    .filter(box => box.checked).map(box => box.name.slice('contextlevel'.length));
  const allowed = {};
  for (const kind of ['assign', 'override', 'switch', 'view']) {
    const select = form.querySelector(`select[name='allow${kind}[]']`);
    allowed[kind] = select ? [...select.selectedOptions].map(o => o.value).filter(Boolean) : null;
  }
  return {shortname: value('input#shortname'), name: value('input#name'), archetype: value('select[name=archetype]'),
          levels, allowed, permissions, advanced};
}"""


@dataclass
class RoleDefinition:
    shortname: str
    name: str
    archetype: str = ""
    context_levels: frozenset[int] = frozenset()
    allowed: dict[str, frozenset[int]] = field(default_factory=dict)  # kind → role ids ('assign', …)
    permissions: dict[str, int] = field(default_factory=dict)         # capability → permission, if set


@dataclass
class _FormState:
    definition: RoleDefinition
    capabilities: set[str]   # every capability the site has
    advanced: bool


class RoleDefinitionPage:
    PATH = "{admin}/roles/define.php"

    def __init__(self, site: MoodleSite):
        self.site = site

    def read(self, role_id: int) -> RoleDefinition:
        self.site.goto(self.PATH, action="edit", roleid=role_id)
        return self._read().definition

    def save(self, role_id: int | None, wanted: RoleDefinition) -> int:
        """Create the role (role_id None) or bring it to `wanted`: every capability not in
        wanted.permissions ends up not set. Returns the role's id."""
        self._open(role_id)
        state = self._read()
        unknown = sorted(set(wanted.permissions) - state.capabilities)
        if unknown:
            raise StepError(f"this Moodle has no capability {', '.join(unknown)}", url=self.site.page.url)
        changes = {cap: wanted.permissions.get(cap, NOT_SET) for cap in state.capabilities
                   if wanted.permissions.get(cap, NOT_SET) != state.definition.permissions.get(cap, NOT_SET)}
        switched = False
        if not state.advanced and any(state.definition.permissions.get(cap, NOT_SET) not in (NOT_SET, ALLOW)
                                      or perm not in (NOT_SET, ALLOW) for cap, perm in changes.items()):
            self._toggle_advanced()
            switched = True
        self._fill(role_id is None, wanted, changes, advanced=state.advanced or switched)
        self.site.submit(f"{_FORM} input[name=savechanges]")
        saved_id = self._saved_role_id(role_id)
        if switched:  # leave the admin's preference as it was
            self._open(saved_id)
            self._toggle_advanced()
        return saved_id

    # --- the form --------------------------------------------------------------------------------------
    def _open(self, role_id: int | None) -> None:
        if role_id is None:
            # resettype=none skips the "based on an archetype or a file?" step and starts from a blank role:
            # what choosing "No role" there gives.
            self.site.goto(self.PATH, action="add", resettype="none")
        else:
            self.site.goto(self.PATH, action="edit", roleid=role_id)
        if self.site.page.locator(_FORM).count() == 0:
            raise StepError("the role definition page shows no form", url=self.site.page.url)

    def _read(self) -> _FormState:
        raw = self.site.page.locator(_FORM).evaluate(_READ)
        permissions = {cap: int(value) for cap, value in raw["permissions"].items()}
        definition = RoleDefinition(
            shortname=raw["shortname"] or "", name=raw["name"] or "", archetype=raw["archetype"] or "",
            context_levels=frozenset(int(level) for level in raw["levels"]),
            allowed={kind: frozenset(int(v) for v in ids) for kind, ids in raw["allowed"].items() if ids is not None},
            permissions={cap: perm for cap, perm in permissions.items() if perm != NOT_SET})
        return _FormState(definition, set(permissions), raw["advanced"])

    def _toggle_advanced(self) -> None:
        """The page's own Show/Hide advanced button: it posts the form without saving it."""
        self.site.submit(f"{_FORM} input[name=toggleadvanced]")

    def _fill(self, creating: bool, wanted: RoleDefinition, changes: dict[str, int], advanced: bool) -> None:
        self.site.edit()
        form = self.site.page.locator(_FORM)
        if creating:
            form.locator("input#shortname").fill(wanted.shortname)
        form.locator("input#name").fill(wanted.name)
        form.locator("select[name=archetype]").select_option(wanted.archetype)
        for box in form.locator("input[type=checkbox][name^='contextlevel']").all():
            level = int((box.get_attribute("name") or "").removeprefix("contextlevel") or 0)
            box.set_checked(level in wanted.context_levels)
        for kind in ALLOW_KINDS:
            select = form.locator(f"select[name='allow{kind}[]']")
            if select.count():
                select.select_option([str(i) for i in sorted(wanted.allowed.get(kind, frozenset()))])
        for cap, perm in sorted(changes.items()):
            if advanced:
                form.locator(f"input[type=radio][name='{cap}'][value='{perm}']").check()
            else:
                form.locator(f"input[type=checkbox][name='{cap}']").set_checked(perm == ALLOW)

    def _saved_role_id(self, role_id: int | None) -> int:
        """A saved role leads to its definition (new role) or back to the list; a refused one comes back
        with Moodle's reasons beside the fields."""
        page = self.site.page
        if self.site.path_of(page.url).endswith("define.php") and re.search(r"[?&]action=(add|edit)\b", page.url):
            errors = page.locator(f"{_FORM} .error")
            said = "; ".join(t for t in (squash(errors.nth(i).inner_text()) for i in range(errors.count())) if t)
            raise StepError("Moodle did not save the role", url=page.url, moodle_message=said or None)
        if role_id is not None:
            return role_id
        match = re.search(r"[?&]roleid=(\d+)", page.url)
        if not match:
            raise StepError("Moodle saved the role but did not say its id", url=page.url)
        return int(match.group(1))
