"""What the seven functions really check (moodle-admin-ui.md §12), and how to read a refusal back.

A `nopermissions` answer names the capability only by its display name in the token user's language
(required_capability_exception calls get_capability_string()). Each of the seven functions calls
require_capability() for at most one capability, so the function itself tells which one was missing;
the English display names below confirm it, and name capabilities on sites with other checks.
"""
from __future__ import annotations

import re

SITE_INFO = "core_webservice_get_site_info"
GET_COURSES = "core_course_get_courses"
GET_CATEGORIES = "core_course_get_categories"
GET_USERS = "core_user_get_users"
CREATE_USERS = "core_user_create_users"
ENROL_METHODS = "core_enrol_get_course_enrolment_methods"
MANUAL_ENROL = "enrol_manual_enrol_users"

SEVEN = (SITE_INFO, GET_COURSES, GET_CATEGORIES, GET_USERS, CREATE_USERS, ENROL_METHODS, MANUAL_ENROL)

# What a user who is not a site administrator needs for the seven functions, read in Moodle 4.1, 4.5 and
# 5.0 (the same in each): the capability → what needs it. Assigned in the System context, a role holding
# these (and allowed to assign Student) is all the token's user needs: `access: role` in the playbook.
ROLE_CAPABILITIES = {
    "webservice/rest:use": "every call (webservice_server::authenticate_user; no standard role has it)",
    "moodle/course:view": "core_course_get_courses and enrol_manual_enrol_users (require_login in courses "
                          "the user is not enrolled in)",
    "moodle/course:viewhiddencourses": "the same, for hidden courses",
    "moodle/category:viewcourselist": "core_course_get_categories (can_view_category); Authenticated user "
                                      "has it by default, the role keeps it if a site removed it there",
    "moodle/category:viewhiddencategories": "core_course_get_categories, for hidden categories",
    "moodle/user:viewdetails": "core_user_get_users (other users are left out without it)",
    "moodle/user:viewalldetails": "core_user_get_users: the username, to find users by it",
    "moodle/site:viewuseridentity": "core_user_get_users: the e-mail, to find users by it",
    "moodle/user:create": "core_user_create_users",
    "enrol/manual:enrol": "enrol_manual_enrol_users",
    "moodle/role:assign": "enrol_manual_enrol_users (get_assignable_roles), with Student allowed to assign",
}
ROLE_ASSIGNS = ("student",)  # roles the integration role may assign: what enrol_manual_enrol_users enrols as

# The one capability each function passes to require_capability() (course/externallib.php,
# user/externallib.php, enrol/manual/externallib.php); the others call none.
REQUIRED_BY = {
    GET_COURSES: "moodle/course:view",
    CREATE_USERS: "moodle/user:create",
    MANUAL_ENROL: "enrol/manual:enrol",
}

# English display names (lang/en/role.php, enrol/manual/lang/en, webservice/rest/lang/en).
DISPLAY_NAMES = {
    "Create users": "moodle/user:create",
    "Enrol users": "enrol/manual:enrol",
    "View courses without participation": "moodle/course:view",
    "View hidden courses": "moodle/course:viewhiddencourses",
    "See hidden categories": "moodle/category:viewhiddencategories",
    "View user profiles": "moodle/user:viewdetails",
    "View user full information": "moodle/user:viewalldetails",
    "See full user identity in lists": "moodle/site:viewuseridentity",
    "Assign roles to users": "moodle/role:assign",
    "Use REST protocol": "webservice/rest:use",
    "Update course settings": "moodle/course:update",
}

# "(missing capability: webservice/rest:use)" in the debuginfo of authenticate_user()'s refusal.
_CAPABILITY_NAME = re.compile(r"\b((?:moodle|enrol|webservice|mod|block|tool|local)/[a-z0-9_]+:[a-z0-9_]+)")
_PARENTHESISED = re.compile(r"\(([^()]+)\)")


def capability_from_nopermissions(function: str, message: str, debuginfo: str | None = None) -> str:
    """The capability a `nopermissions` refusal of `function` is about.

    With debugdisplay on, Moodle appends " (debuginfo)" to the message, so every parenthesised part is
    tried, not just the last one.
    """
    for text in (debuginfo or "", message or ""):
        found = _CAPABILITY_NAME.search(text)
        if found:
            return found.group(1)
    for display in _PARENTHESISED.findall(message or ""):
        if display.strip() in DISPLAY_NAMES:
            return DISPLAY_NAMES[display.strip()]
    if function in REQUIRED_BY:
        return REQUIRED_BY[function]
    names = _PARENTHESISED.findall(message or "")
    return names[-1].strip() if names else "unknown capability"


def capability_in_debuginfo(debuginfo: str | None) -> str | None:
    found = _CAPABILITY_NAME.search(debuginfo or "")
    return found.group(1) if found else None


_COURSE_ID = re.compile(r"id\s*:\s*(\d+)")


def course_id_in(message: str) -> int | None:
    """errorcoursecontextnotvalid says "(course id:N)"; the digits survive translation."""
    found = _COURSE_ID.search(message or "")
    return int(found.group(1)) if found else None
