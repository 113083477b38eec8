"""verify(): which call each probe makes, and how Moodle's answers become checks.

The answers below are Moodle 5.0's, recorded on a scratch site and trimmed; the transport replays them
by wsfunction so that the probe *requests* can be asserted: no probe may send anything that could write.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qsl

import httpx
import pytest

from provisioner.rest import capabilities as caps
from provisioner.rest.verify import classify, verify
from provisioner.rest.client import RestError
from provisioner.secrets import Secret

SITE = "http://moodle.test"
TOKEN = Secret("95a4c0ffee0123456789abcdef012345")

SITE_INFO = {"sitename": "Scratch", "username": "pv_wsuser", "userid": 3, "siteurl": SITE, "siteid": 1,
             "release": "5.0.6+ (Build: 20260403)", "version": "2025041406.11", "userissiteadmin": False,
             "userprivateaccesskey": "7e9b18e98427176d658811c8b94b5a5a", "lang": "en",
             "functions": [{"name": n, "version": "2025041406.11"} for n in caps.SEVEN]}
COURSES = [{"id": 1, "shortname": "scratch", "categoryid": 0, "format": "site"},
           {"id": 2, "shortname": "pv_c1", "categoryid": 2, "format": "topics"},
           {"id": 3, "shortname": "pv_c2", "categoryid": 2, "format": "topics"}]
CATEGORIES = [{"id": 1, "name": "Category 1", "parent": 0, "coursecount": 0},
              {"id": 2, "name": "PV Category", "parent": 0, "coursecount": 2}]
CREATE_PROOF = {"exception": "core\\exception\\invalid_parameter_exception", "errorcode": "invalidparameter",
                "message": "Invalid parameter value detected"}
ENROL_PROOF = {"exception": "core\\exception\\moodle_exception", "errorcode": "wsusercannotassign",
               "message": "You don't have the permission to assign this role (0) to this user (3) in this course (2)."}
# A token that is no site administrator is also asked for the guest account (id 1) and to enrol itself as
# Student (role 5) into the site course, which has no enrolment method: `wsnoinstance` proves Student assignable.
GUEST = {"id": 1, "username": "guest", "fullname": "Guest user", "email": "root@localhost"}
ASSIGN_PROOF = {"exception": "core\\exception\\moodle_exception", "errorcode": "wsnoinstance",
                "message": "Manual enrolment plugin instance doesn't exist or is disabled for the course (id = 1)"}
CANNOT_ASSIGN = {**ENROL_PROOF, "message": "You don't have the permission to assign this role (5) to this user "
                                           "(3) in this course (1)."}


def users_seen(guest: dict | None):
    """core_user_get_users as a token sees it: its own user always; the guest account as its role allows."""
    def answer(form: dict) -> dict:
        if form.get("criteria[0][key]") == "id":
            return {"users": [guest] if guest else [], "warnings": []}
        return {"users": [{"id": 3, "username": "pv_wsuser"}], "warnings": []}
    return answer


def enrolments(assign_student: dict):
    """The probe's role 0 is never assignable; Student (5) answers `assign_student`."""
    return lambda form: assign_student if form["enrolments[0][roleid]"] == "5" else ENROL_PROOF


HEALTHY = {caps.SITE_INFO: SITE_INFO, caps.GET_COURSES: COURSES, caps.GET_CATEGORIES: CATEGORIES,
           caps.GET_USERS: users_seen(GUEST), caps.CREATE_USERS: CREATE_PROOF, caps.ENROL_METHODS: [],
           caps.MANUAL_ENROL: enrolments(ASSIGN_PROOF)}


def replay(answers: dict, sent: list | None = None) -> httpx.MockTransport:
    """Moodle's answer by wsfunction; a callable answer is given the request's form."""
    def handle(request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        if sent is not None:
            sent.append(form)
        answer = answers[form["wsfunction"]]
        return httpx.Response(200, content=json.dumps(answer(form) if callable(answer) else answer).encode())
    return httpx.MockTransport(handle)


def test_healthy_token_has_all_seven_callable():
    v = verify(SITE, TOKEN, transport=replay(HEALTHY))
    assert v.ok and [f.name for f in v.functions] == list(caps.SEVEN)
    assert (v.site_name, v.username, v.userid, v.is_site_admin) == ("Scratch", "pv_wsuser", 3, False)
    assert v.check(caps.CREATE_USERS).errorcode == "invalidparameter"
    assert v.sync_preview.courses == 2 and v.sync_preview.categories == 2


def test_probes_send_only_calls_that_cannot_write():
    sent: list[dict] = []
    verify(SITE, TOKEN, transport=replay(HEALTHY, sent))
    by_function = {form["wsfunction"]: form for form in sent}
    create = by_function[caps.CREATE_USERS]
    # Own, existing username; no password of any kind; an e-mail Moodle rejects before creating anyone.
    assert create["users[0][username]"] == "pv_wsuser"
    assert create["users[0][email]"] == "not-an-email-address"
    assert not any("password" in key for key in create)
    enrolments_sent = [(f["enrolments[0][roleid]"], f["enrolments[0][userid]"], f["enrolments[0][courseid]"])
                       for f in sent if f["wsfunction"] == caps.MANUAL_ENROL]
    # Role 0 in a real course (no such role); Student in the site course, which has no enrolment method.
    assert enrolments_sent == [("0", "3", "2"), ("5", "3", "1")]
    assert [f["criteria[0][value]"] for f in sent if f["wsfunction"] == caps.GET_USERS] == ["pv_wsuser", "1"]
    assert by_function[caps.ENROL_METHODS]["courseid"] == "2"  # a real course, not the front page


def test_private_access_key_and_token_never_reach_the_report():
    data = json.dumps(verify(SITE, TOKEN, transport=replay(HEALTHY)).to_dict())
    assert TOKEN.reveal() not in data and "7e9b18e98427176d658811c8b94b5a5a" not in data


def test_function_missing_from_the_service_is_not_in_service():
    info = {**SITE_INFO, "functions": [f for f in SITE_INFO["functions"] if f["name"] != caps.CREATE_USERS]}
    refused = {"exception": "webservice_access_exception", "errorcode": "accessexception",
               "message": "Access control exception"}
    v = verify(SITE, TOKEN, transport=replay({**HEALTHY, caps.SITE_INFO: info, caps.CREATE_USERS: refused}))
    check = v.check(caps.CREATE_USERS)
    assert (check.in_service, check.callable, v.ok) == (False, False, False)


def test_site_level_refusal_stops_early_and_probes_nothing_else():
    sent: list[dict] = []
    invalid = {"exception": "core\\exception\\moodle_exception", "errorcode": "invalidtoken",
               "message": "Invalid token - token not found"}
    v = verify(SITE, TOKEN, transport=replay({caps.SITE_INFO: invalid}, sent))
    assert v.problem.errorcode == "invalidtoken" and len(sent) == 1
    assert all(f.callable is None for f in v.functions) and not v.ok


def test_without_site_info_no_user_is_guessed_for_create_users():
    refused = {"exception": "webservice_access_exception", "errorcode": "accessexception",
               "message": "Access control exception"}
    sent: list[dict] = []
    v = verify(SITE, TOKEN, transport=replay({n: refused for n in caps.SEVEN}, sent))
    assert caps.CREATE_USERS not in {form["wsfunction"] for form in sent}
    assert v.check(caps.CREATE_USERS).callable is None


def test_course_refusal_on_a_hidden_course_names_viewhiddencourses():
    not_valid = {"exception": "core\\exception\\moodle_exception", "errorcode": "errorcoursecontextnotvalid",
                 "message": "You cannot execute functions in the course context (course id:3). The context error "
                            "message was: Course or activity not accessible."}
    login = {"exception": "core\\exception\\require_login_exception", "errorcode": "requireloginerror",
             "message": "Course or activity not accessible."}
    hidden = {"exception": "core\\exception\\moodle_exception", "errorcode": "coursehidden",
              "message": "error/coursehidden"}
    sent: list[dict] = []
    v = verify(SITE, TOKEN, transport=replay({**HEALTHY, caps.GET_COURSES: not_valid, caps.MANUAL_ENROL: login,
                                              caps.ENROL_METHODS: hidden}, sent))
    assert {form.get("courseid") for form in sent if form["wsfunction"] == caps.ENROL_METHODS} == {"3"}
    for name in (caps.GET_COURSES, caps.ENROL_METHODS, caps.MANUAL_ENROL):
        assert v.check(name).capability == "moodle/course:viewhiddencourses", name


def test_course_refusal_on_a_visible_course_names_course_view():
    not_valid = {"exception": "core\\exception\\moodle_exception", "errorcode": "errorcoursecontextnotvalid",
                 "message": "You cannot execute functions in the course context (course id:2). The context error "
                            "message was: Course or activity not accessible."}
    v = verify(SITE, TOKEN, transport=replay({**HEALTHY, caps.GET_COURSES: not_valid}))
    assert v.check(caps.GET_COURSES).capability == "moodle/course:view"


@pytest.mark.parametrize("message, debuginfo, function, capability", [
    ("Sorry, but you do not currently have permissions to do that (Create users).", None,
     caps.CREATE_USERS, "moodle/user:create"),
    ("Sorry, but you do not currently have permissions to do that (Enrol users).", None,
     caps.MANUAL_ENROL, "enrol/manual:enrol"),
    # debugdisplay at DEBUG_DEVELOPER appends " (debuginfo)" to the message.
    ("Sorry, but you do not currently have permissions to do that (Create users). (some debug)", "some debug",
     caps.CREATE_USERS, "moodle/user:create"),
    # Another language: the display name is unknown, the function still says which capability it checks.
    ("Désolé, vous n'avez pas les droits (Créer des utilisateurs).", None, caps.CREATE_USERS, "moodle/user:create"),
])
def test_nopermissions_names_the_capability(message, debuginfo, function, capability):
    check = classify(function, RestError("nopermissions", message, debuginfo=debuginfo), True)
    assert (check.callable, check.capability) == (False, capability)


def test_proof_errors_count_as_callable_only_for_their_probe():
    proof = RestError("wsusercannotassign", "You don't have the permission to assign this role (0)")
    assert classify(caps.MANUAL_ENROL, proof, True, frozenset({"wsusercannotassign"})).callable is True
    assert classify(caps.MANUAL_ENROL, proof, True).callable is False


def test_functions_beyond_the_seven_are_checked_for_membership_only():
    info = {**SITE_INFO, "functions": SITE_INFO["functions"] + [{"name": "core_course_get_contents"}]}
    v = verify(SITE, TOKEN, (*caps.SEVEN, "core_course_get_contents"),
               transport=replay({**HEALTHY, caps.SITE_INFO: info}))
    assert v.ok and v.check("core_course_get_contents").callable is None


def test_a_site_admin_token_is_not_asked_the_role_questions():
    sent: list[dict] = []
    v = verify(SITE, TOKEN, transport=replay({**HEALTHY, caps.SITE_INFO: {**SITE_INFO, "userissiteadmin": True}},
                                             sent))
    assert v.ok and v.access == "site_admin" and v.missing_capabilities == []
    assert len([f for f in sent if f["wsfunction"] == caps.MANUAL_ENROL]) == 1


def test_a_role_token_with_everything_is_ok_and_says_role():
    v = verify(SITE, TOKEN, transport=replay(HEALTHY))
    assert v.ok and v.access == "role" and v.missing_capabilities == []
    assert v.check(caps.GET_USERS).caveat == "" and v.check(caps.MANUAL_ENROL).caveat == ""


@pytest.mark.parametrize("guest, missing", [
    (None, ["moodle/user:viewdetails"]),
    ({"id": 1, "fullname": "Guest user", "email": "root@localhost"}, ["moodle/user:viewalldetails"]),
    ({"id": 1, "fullname": "Guest user", "username": "guest"}, ["moodle/site:viewuseridentity"]),
    ({"id": 1, "fullname": "Guest user"}, ["moodle/site:viewuseridentity", "moodle/user:viewalldetails"]),
])
def test_users_the_token_cannot_see_or_find_name_the_capability(guest, missing):
    v = verify(SITE, TOKEN, transport=replay({**HEALTHY, caps.GET_USERS: users_seen(guest)}))
    assert not v.ok and v.missing_capabilities == missing
    check = v.check(caps.GET_USERS)
    assert check.callable is False and check.cause.startswith("answers, but")


def test_student_not_assignable_names_role_assign():
    v = verify(SITE, TOKEN, transport=replay({**HEALTHY, caps.MANUAL_ENROL: enrolments(CANNOT_ASSIGN)}))
    assert not v.ok and v.missing_capabilities == ["moodle/role:assign"]
    assert "Student" in v.check(caps.MANUAL_ENROL).cause


def test_a_course_in_a_category_not_listed_means_hidden_categories_are_left_out():
    courses = COURSES + [{"id": 4, "shortname": "pv_hidden", "categoryid": 7, "format": "topics"}]
    v = verify(SITE, TOKEN, transport=replay({**HEALTHY, caps.GET_COURSES: courses}))
    assert v.missing_capabilities == ["moodle/category:viewhiddencategories"]
    assert "7" in v.check(caps.GET_CATEGORIES).cause
