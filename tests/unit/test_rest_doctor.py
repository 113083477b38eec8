"""Doctor: each broken state, as Moodle 5.0 answers it, names the right cause and seed step."""
from __future__ import annotations

import httpx
import pytest

from provisioner.rest import capabilities as caps
from provisioner.rest.client import ENDPOINT_FORBIDDEN
from provisioner.rest.doctor import diagnose, explain
from provisioner.rest.verify import SiteProblem, Verification, verify

from test_rest_verify import HEALTHY, SITE, SITE_INFO, TOKEN, replay

REFUSED = {"exception": "webservice_access_exception", "errorcode": "accessexception",
           "message": "Access control exception"}
INVALID = {"exception": "core\\exception\\moodle_exception", "errorcode": "invalidtoken",
           "message": "Invalid token - token not found"}


def findings_for(answers: dict):
    return explain(verify(SITE, TOKEN, transport=replay(answers)))


def test_healthy_connection_has_no_findings():
    assert findings_for(HEALTHY) == []


@pytest.mark.parametrize("web_services_enabled, step", [(False, 1), (True, 2)])
def test_403_is_told_apart_through_login_token_php(web_services_enabled, step):
    v = Verification(SITE, "now", problem=SiteProblem(ENDPOINT_FORBIDDEN, "HTTP 403"))
    [finding] = explain(v, lambda: web_services_enabled)
    assert finding.step == step


def test_doctor_asks_login_token_php_after_a_403():
    def site(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/login/token.php"):
            return httpx.Response(200, json={"error": "Web services must be enabled in Advanced features.",
                                             "errorcode": "enablewsdescription"})
        return httpx.Response(403)
    [finding] = diagnose(SITE, TOKEN, transport=httpx.MockTransport(site))
    assert (finding.step, finding.cause) == (1, "Web services are disabled")


def test_invalid_token_is_step_8():
    [finding] = findings_for({caps.SITE_INFO: INVALID})
    assert finding.step == 8


def test_expired_token_refused_once_then_unknown_is_step_8():
    # Moodle deletes an expired token on first use: accessexception, then invalidtoken for every other call.
    [finding] = findings_for({**{n: INVALID for n in caps.SEVEN}, caps.SITE_INFO: REFUSED})
    assert finding.step == 8 and "expired" in finding.cause


def test_function_missing_from_the_service_is_step_5_and_named():
    info = {**SITE_INFO, "functions": [f for f in SITE_INFO["functions"] if f["name"] != caps.MANUAL_ENROL]}
    [finding] = findings_for({**HEALTHY, caps.SITE_INFO: info, caps.MANUAL_ENROL: REFUSED})
    assert (finding.step, finding.function) == (5, caps.MANUAL_ENROL)


def test_site_info_missing_while_others_answer_is_step_5():
    [finding] = findings_for({**HEALTHY, caps.SITE_INFO: REFUSED})
    assert (finding.step, finding.function) == (5, caps.SITE_INFO)


def test_every_function_refused_is_step_6():
    [finding] = findings_for({n: REFUSED for n in caps.SEVEN})
    assert finding.step == 6 and "not authorised" in finding.cause


def test_rest_use_named_in_debuginfo_is_step_7():
    missing = {**REFUSED, "debuginfo": "You are not allowed to use the rest protocol "
                                       "(missing capability: webservice/rest:use)"}
    [finding] = findings_for({n: missing for n in caps.SEVEN})
    assert (finding.step, finding.capability) == (7, "webservice/rest:use")


def test_missing_capability_is_step_7_and_named():
    nopermissions = {"exception": "core\\exception\\required_capability_exception", "errorcode": "nopermissions",
                     "message": "Sorry, but you do not currently have permissions to do that (Create users)."}
    [finding] = findings_for({**HEALTHY, caps.CREATE_USERS: nopermissions})
    assert (finding.step, finding.capability) == (7, "moodle/user:create")


def test_suspended_user_points_at_the_user_step():
    suspended = {"exception": "core\\exception\\moodle_exception", "errorcode": "wsaccessusersuspended",
                 "message": "Refused web service access for suspended username: pv_wsuser"}
    [finding] = findings_for({caps.SITE_INFO: suspended})
    assert finding.step == 3


def test_unreachable_site_has_no_seed_step_and_no_token_in_text():
    [finding] = diagnose("http://127.0.0.1:9", TOKEN, timeout=2)
    assert finding.step is None and "reached" in finding.cause
    assert TOKEN.reveal() not in str(finding.to_dict())


def test_silent_shortfalls_of_a_role_token_are_step_7_and_named():
    from test_rest_verify import CANNOT_ASSIGN, enrolments, users_seen

    findings = findings_for({**HEALTHY, caps.GET_USERS: users_seen(None),
                             caps.MANUAL_ENROL: enrolments(CANNOT_ASSIGN)})
    assert {(f.step, f.capability) for f in findings} == {(7, "moodle/user:viewdetails"), (7, "moodle/role:assign")}
    assert all("not a site administrator" in f.detail for f in findings)


def test_a_site_policy_not_agreed_is_one_finding_at_step_3_whatever_the_sites_language():
    # As 5.0 answers a non-admin user with the 'manual' authentication on a site with a site policy
    # (the words are the site's language; the link to the policy page is not).
    link = '<a href="http://school.example/user/policy.php">Pulse aquí para abrir la política del sitio.</a>'
    in_course = {"exception": "core\\exception\\moodle_exception", "errorcode": "errorcoursecontextnotvalid",
                 "message": "No puede ejecutar funciones en el contexto del curso (id del curso:1). El mensaje "
                            f"de error del contexto fue: Política del sitio no aceptada: {link}"}
    direct = {"exception": "core\\exception\\moodle_exception", "errorcode": "sitepolicynotagreed",
              "message": f"Política del sitio no aceptada: {link}"}
    answers = {**HEALTHY, caps.GET_COURSES: in_course, caps.CREATE_USERS: direct, caps.MANUAL_ENROL: direct}
    [finding] = findings_for(answers)
    assert (finding.step, finding.cause) == (3, "The token's user has not agreed to the site policy")
    assert "'webservice' authentication" in finding.detail
    assert all(name in finding.detail for name in (caps.GET_COURSES, caps.CREATE_USERS, caps.MANUAL_ENROL))
    v = verify(SITE, TOKEN, transport=replay(answers))
    assert all("<" not in (f.cause or "") for f in v.functions)
