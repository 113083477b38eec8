"""What the role-mode tests arrange and read on a sandbox: a school's courses, made through the admin UI as a
teacher-admin would (so Moodle's caches and contexts are right), and the integration role, read from the DB."""
from __future__ import annotations

from dataclasses import dataclass

from tests.integration.conftest import admin_ui

ROLE = "enrollait_integration"
CAPABILITIES = sorted([
    "webservice/rest:use", "moodle/course:view", "moodle/course:viewhiddencourses",
    "moodle/category:viewcourselist", "moodle/category:viewhiddencategories", "moodle/user:viewdetails",
    "moodle/user:viewalldetails", "moodle/site:viewuseridentity", "moodle/user:create", "enrol/manual:enrol",
    "moodle/role:assign"])


@dataclass
class School:
    hidden_category: int
    visible_course: int
    hidden_course: int     # in the hidden category, itself hidden: what only a role with both caps sees


def arrange_school(sandbox) -> School:
    """A visible course in Category 1, and a hidden course in a hidden category."""
    with admin_ui(sandbox) as ui:
        ui.goto("course/editcategory.php", parent=0)
        ui.edit(wait_for_scripts=False)
        ui.page.fill("#id_name", "Archive")
        ui.submit("#id_submitbutton")
        category = _one(sandbox, "SELECT id FROM mdl_course_categories WHERE name = 'Archive'")
        sesskey = ui.page.evaluate("() => M.cfg.sesskey")
        ui.goto("course/management.php", categoryid=category, action="hidecategory", sesskey=sesskey)
        for shortname, category_id, visible in (("maths-7", 1, "1"), ("history-old", category, "0")):
            ui.goto("course/edit.php", category=category_id)
            ui.edit(wait_for_scripts=False)
            ui.page.fill("#id_fullname", shortname.replace("-", " ").title())
            ui.page.fill("#id_shortname", shortname)
            ui.page.select_option("#id_visible", visible)
            ui.submit("#id_saveanddisplay")
    assert _one(sandbox, "SELECT visible FROM mdl_course_categories WHERE id = %s", category) == 0
    return School(category, _one(sandbox, "SELECT id FROM mdl_course WHERE shortname = 'maths-7'"),
                  _one(sandbox, "SELECT id FROM mdl_course WHERE shortname = 'history-old' AND visible = 0"))


def role_state(sandbox) -> dict:
    """The integration role as Moodle stores it, and who holds what."""
    role = sandbox.sql("SELECT id, name FROM mdl_role WHERE shortname = %s", ROLE)
    user = _one(sandbox, "SELECT id FROM mdl_user WHERE username = 'enrollait-user' AND deleted = 0")
    admins = (sandbox.sql("SELECT value FROM mdl_config WHERE name = 'siteadmins'")[0][0] or "").split(",")
    state = {"role": None, "site_admin": str(user) in admins, "holds": False}
    if role:
        role_id = int(role[0][0])
        state["role"] = {
            "name": role[0][1],
            "allowed": sorted(r[0] for r in sandbox.sql(
                "SELECT capability FROM mdl_role_capabilities WHERE roleid = %s AND contextid = 1 "
                "AND permission = 1", role_id)),
            "others": sandbox.sql("SELECT capability, permission FROM mdl_role_capabilities WHERE roleid = %s "
                                  "AND permission <> 1", role_id),
            "levels": sorted(int(r[0]) for r in sandbox.sql(
                "SELECT contextlevel FROM mdl_role_context_levels WHERE roleid = %s", role_id)),
            "assigns": sorted(r[0] for r in sandbox.sql(
                "SELECT r.shortname FROM mdl_role_allow_assign a JOIN mdl_role r ON r.id = a.allowassign "
                "WHERE a.roleid = %s", role_id)),
        }
        state["holds"] = user is not None and _one(
            sandbox, "SELECT COUNT(*) FROM mdl_role_assignments WHERE roleid = %s AND userid = %s AND contextid = 1",
            role_id, user) == 1
    return state


DECLARED_ROLE = {"name": "Enrollait integration", "allowed": CAPABILITIES, "others": [], "levels": [10],
                 "assigns": ["student"]}


def _one(sandbox, query: str, *params) -> int | None:
    rows = sandbox.sql(query, *params)
    return int(rows[0][0]) if rows and rows[0][0] is not None else None
