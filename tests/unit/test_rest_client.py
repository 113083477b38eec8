"""The REST client's pure parts: parameter flattening and reading Moodle's answers (shapes from Moodle 5.0)."""
from __future__ import annotations

import httpx
import pytest

from provisioner.errors import PlaybookError, VerifyError
from provisioner.rest.client import (ENDPOINT_FORBIDDEN, NOT_MOODLE, UNREACHABLE, WRONG_SITE_URL,
                                     MoodleRestClient, RestError, flatten_params, normalise_site_url,
                                     parse_rest_answer)
from provisioner.secrets import Secret

SITE = "http://moodle.test"
TOKEN = "0123456789abcdef0123456789abcdef"


def _answer(status=200, body=b"", headers=None) -> httpx.Response:
    request = httpx.Request("POST", SITE + "/webservice/rest/server.php")
    return httpx.Response(status, content=body, headers=headers or {}, request=request)


def test_nested_parameters_use_php_array_syntax():
    params = {"users": [{"username": "ann", "customfields": [{"type": "year", "value": 9}]}],
              "options": {"ids": [2, 3]}, "createpassword": True, "skipped": None, "empty": []}
    assert flatten_params(params) == [
        ("users[0][username]", "ann"),
        ("users[0][customfields][0][type]", "year"),
        ("users[0][customfields][0][value]", "9"),
        ("options[ids][0]", "2"),
        ("options[ids][1]", "3"),
        ("createpassword", "1"),
    ]


def test_secret_parameters_are_revealed_only_in_the_body():
    assert flatten_params({"users": [{"password": Secret("S3cret!pw")}]}) == [("users[0][password]", "S3cret!pw")]


@pytest.mark.parametrize("body, code", [
    # 4.5+: exception classes moved to core\exception, the errorcode did not.
    (b'{"exception":"core\\\\exception\\\\moodle_exception","errorcode":"invalidtoken",'
     b'"message":"Invalid token - token not found"}', "invalidtoken"),
    # 4.1 wording of the same refusal.
    (b'{"exception":"moodle_exception","errorcode":"invalidtoken","message":"Invalid token - token not found"}',
     "invalidtoken"),
    (b'{"exception":"webservice_access_exception","errorcode":"accessexception","message":"Access control exception"}',
     "accessexception"),
])
def test_moodle_errors_carry_their_errorcode_whatever_the_class(body, code):
    with pytest.raises(RestError) as caught:
        parse_rest_answer(_answer(body=body), "core_webservice_get_site_info", SITE)
    assert caught.value.errorcode == code
    assert isinstance(caught.value, VerifyError)


def test_debuginfo_is_kept_when_the_site_shows_it():
    body = (b'{"exception":"webservice_access_exception","errorcode":"accessexception","message":"Access control '
            b'exception","debuginfo":"You are not allowed to use the rest protocol (missing capability: '
            b'webservice\\/rest:use)"}')
    with pytest.raises(RestError) as caught:
        parse_rest_answer(_answer(body=body), "core_webservice_get_site_info", SITE)
    assert "webservice/rest:use" in caught.value.debuginfo


def test_successful_answers_are_data_including_literal_null():
    assert parse_rest_answer(_answer(body=b"null"), "enrol_manual_enrol_users", SITE) is None
    assert parse_rest_answer(_answer(body=b"[]"), "core_enrol_get_course_enrolment_methods", SITE) == []


def test_403_with_empty_body_means_web_services_or_rest_off():
    with pytest.raises(RestError) as caught:
        parse_rest_answer(_answer(403, b""), "core_webservice_get_site_info", SITE)
    assert caught.value.errorcode == ENDPOINT_FORBIDDEN


def test_host_mismatch_redirect_names_moodles_own_address():
    answer = _answer(303, b"<html>Redirect</html>",
                     {"location": "http://127.0.0.1:8150/webservice/rest/server.php"})
    with pytest.raises(RestError) as caught:
        parse_rest_answer(answer, "core_webservice_get_site_info", "http://localhost:8150")
    assert caught.value.errorcode == WRONG_SITE_URL
    assert caught.value.canonical_url == "http://127.0.0.1:8150"


@pytest.mark.parametrize("status, body", [(200, b"<!DOCTYPE html><html>login</html>"), (404, b"Not found"),
                                          (403, b"<html>Forbidden by proxy</html>")])
def test_answers_that_are_not_moodle_json(status, body):
    with pytest.raises(RestError) as caught:
        parse_rest_answer(_answer(status, body, {"content-type": "text/html"}), "f", SITE)
    assert caught.value.errorcode == NOT_MOODLE


def test_site_url_must_be_http_and_loses_its_trailing_slash():
    assert normalise_site_url(" https://school.example/moodle/ ") == "https://school.example/moodle"
    for bad in ("ftp://x", "school.example", "https://x/?a=1", ""):
        with pytest.raises(PlaybookError):
            normalise_site_url(bad)


def test_unreachable_site_error_never_shows_the_token():
    token = Secret(TOKEN)
    client = MoodleRestClient("http://127.0.0.1:9", token, timeout=2)  # port 9 (discard): refused
    with pytest.raises(RestError) as caught:
        client.call("core_webservice_get_site_info")
    assert caught.value.errorcode == UNREACHABLE
    assert TOKEN not in str(caught.value) and TOKEN not in repr(client)


def test_token_php_tells_web_services_on_from_off():
    def answer(body: bytes):
        return httpx.MockTransport(lambda request: httpx.Response(200, content=body))

    off = b'{"error":"Web services must be enabled in Advanced features.","errorcode":"enablewsdescription",' \
          b'"stacktrace":null,"debuginfo":null,"reproductionlink":null}'
    assert MoodleRestClient(SITE, Secret(TOKEN), transport=answer(off)).web_services_enabled() is False
    on = b'{"appsitecheck":"ok"}'
    assert MoodleRestClient(SITE, Secret(TOKEN), transport=answer(on)).web_services_enabled() is True
    wrong = b'{"error":"Invalid url or port.","stacktrace":null,"debuginfo":null,"errorcode":"requirecorrectaccess"}'
    with pytest.raises(RestError) as caught:
        MoodleRestClient(SITE, Secret(TOKEN), transport=answer(wrong)).web_services_enabled()
    assert caught.value.errorcode == WRONG_SITE_URL


def test_the_token_travels_in_the_body_not_the_url():
    seen = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"{}")

    MoodleRestClient(SITE, Secret(TOKEN), transport=httpx.MockTransport(record)).call("core_webservice_get_site_info")
    assert TOKEN not in str(seen[0].url)
    assert b"wstoken=" + TOKEN.encode() in seen[0].content
    assert b"moodlewsrestformat=json" in seen[0].content


def test_a_message_with_html_is_shown_plain_and_its_links_kept():
    from provisioner.rest.client import RestError

    error = RestError("sitepolicynotagreed", "Site policy not agreed: "
                                             '<a href="https://s.example/user/policy.php?a=1&amp;b=2">'
                                             "Click here to open the site policy.</a> &amp; more")
    assert error.message == "Site policy not agreed: Click here to open the site policy. & more"
    assert error.links == ["https://s.example/user/policy.php?a=1&b=2"]
