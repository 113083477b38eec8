"""What a token that is not a site administrator may still lack while every function answers.

Three shortfalls are silent in Moodle, so the function probes (probes.py) cannot see them:

* core_user_get_users leaves out users the token may not see, and fields it may not read (user/lib.php
  user_get_user_details): asking for the guest account, which every site has, tells which. Without
  moodle/user:viewdetails it is left out; without moodle/user:viewalldetails its username is missing (users
  cannot be found by username); without moodle/site:viewuseridentity its e-mail is (nor by e-mail).
* core_course_get_categories leaves out hidden categories without moodle/category:viewhiddencategories. A
  course or category whose category is not listed gives that away (when the site has a hidden category).
* enrol_manual_enrol_users checks that the token may assign the role only when it enrols someone. Enrolling
  the token's own user as Student into the site course goes through every check up to that one and then stops
  at `wsnoinstance`, before anything is written: the site course has no enrolment methods. `wsusercannotassign`
  instead means moodle/role:assign, or Student among the roles the token's role may assign, is missing.

Site administrators pass every capability check, so these calls are made for other tokens only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from provisioner.rest import capabilities as caps
from provisioner.rest.client import MoodleRestClient, RestError

GUEST_ID = 1          # the installer creates the guest account first
STUDENT_ROLE_ID = 5   # and Student fifth (manager, coursecreator, editingteacher, teacher, student)


@dataclass(frozen=True)
class Shortfall:
    function: str
    capability: str
    cause: str


def role_shortfalls(client: MoodleRestClient, userid: int | None, site_course: int,
                    categories: list[dict] | None, courses: list[dict] | None) -> list[Shortfall]:
    found = _user_visibility(client)
    if categories is not None and courses is not None:
        found += _hidden_categories(categories, courses)
    if userid is not None:
        found += _student_assignable(client, userid, site_course)
    return found


def _user_visibility(client: MoodleRestClient) -> list[Shortfall]:
    try:
        answer = client.call(caps.GET_USERS, {"criteria": [{"key": "id", "value": GUEST_ID}]})
    except RestError:
        return []  # the function itself is refused: its own probe reports that
    guest = next((u for u in (answer or {}).get("users", []) if u.get("id") == GUEST_ID), None)
    if guest is None:
        return [Shortfall(caps.GET_USERS, "moodle/user:viewdetails",
                          "other users are left out of its answers (the guest account, id 1, was not returned)")]
    found = []
    if "username" not in guest:
        found.append(Shortfall(caps.GET_USERS, "moodle/user:viewalldetails",
                               "other users' usernames are not shown: users cannot be found by username"))
    if "email" not in guest:
        found.append(Shortfall(caps.GET_USERS, "moodle/site:viewuseridentity",
                               "other users' e-mail addresses are not shown: users cannot be found by e-mail "
                               "(or 'email' is not among the site's Show user identity fields)"))
    return found


def _hidden_categories(categories: list[dict], courses: list[dict]) -> list[Shortfall]:
    listed = {c.get("id") for c in categories}
    referenced = {c.get("categoryid") for c in courses} | {c.get("parent") for c in categories}
    unseen = sorted(i for i in referenced if i and i not in listed)
    if not unseen:
        return []
    return [Shortfall(caps.GET_CATEGORIES, "moodle/category:viewhiddencategories",
                      f"categories {', '.join(map(str, unseen))} hold courses or categories but are not listed: "
                      "hidden categories are left out")]


def _student_assignable(client: MoodleRestClient, userid: int, site_course: int) -> list[Shortfall]:
    enrolment = {"roleid": STUDENT_ROLE_ID, "userid": userid, "courseid": site_course}
    try:
        client.call(caps.MANUAL_ENROL, {"enrolments": [enrolment]})
    except RestError as exc:
        if exc.errorcode == "wsusercannotassign":
            return [Shortfall(caps.MANUAL_ENROL, "moodle/role:assign",
                              f"may not assign the Student role (id {STUDENT_ROLE_ID}): needs moodle/role:assign "
                              "and Student among the roles its role may assign (Allow role assignments)")]
    return []  # wsnoinstance: assignable; anything else is the function's own probe's to report


def apply_shortfalls(checks: list[Any], shortfalls: list[Shortfall]) -> None:
    """Mark each affected function check: it answers, but cannot do Enrollait's work."""
    by_function: dict[str, list[Shortfall]] = {}
    for shortfall in shortfalls:
        by_function.setdefault(shortfall.function, []).append(shortfall)
    for check in checks:
        if not check.ok or check.name not in CHECKED:
            continue  # refused for a reason of its own, or not something these calls look at
        found = by_function.get(check.name)
        if not found:
            continue
        check.callable = False
        check.capability = ", ".join(s.capability for s in found)
        check.cause = "answers, but " + "; ".join(s.cause for s in found)
        check.caveat = ""


# The functions whose silent shortfalls these calls look for; their probes' caveats are then answered.
CHECKED = (caps.GET_USERS, caps.GET_CATEGORIES, caps.MANUAL_ENROL)
