"""The way to a site, read from options and the environment before anything starts."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provisioner.errors import PlaybookError
from provisioner.network import network_from
from provisioner.secrets import redact


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ca")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(folder / "k"),
                    "-out", str(folder / "ca.pem"), "-days", "2", "-subj", "/CN=School Root"],
                   check=True, capture_output=True)
    return folder / "ca.pem"


def test_nothing_given_means_the_usual_way(tmp_path):
    network = network_from(environ={})
    assert (network.ca_files, network.proxy, network.basic_auth) == ((), None, None)
    assert not network.trusts_more


def test_a_schools_ca_is_added_to_what_is_trusted_never_instead(ca_file):
    network = network_from(ca_file, environ={})
    assert network.trusts_more and b"BEGIN CERTIFICATE" in network.extra_pem()
    context = network.ssl_context()
    assert context.check_hostname  # verification stays on
    assert len(context.get_ca_certs()) > 100  # the public CAs are still there, besides the school's


def test_ssl_cert_file_is_honoured_and_public_cas_in_it_add_nothing_for_the_browser(ca_file):
    import certifi

    assert network_from(environ={"SSL_CERT_FILE": str(ca_file)}).ca_files == (ca_file,)
    public_bundle = network_from(environ={"SSL_CERT_FILE": certifi.where()})
    assert public_bundle.ca_files and not public_bundle.trusts_more


@pytest.mark.parametrize("content, said", [(b"", "no PEM certificate"), (b"-----BEGIN PRIVATE KEY-----\nabc\n", "no PEM")])
def test_a_ca_file_without_certificates_is_bad_input(tmp_path, content, said):
    path = tmp_path / "ca.pem"
    path.write_bytes(content)
    with pytest.raises(PlaybookError, match=said) as raised:
        network_from(path, environ={})
    assert raised.value.exit_code == 2


def test_a_missing_ca_file_is_bad_input(tmp_path):
    with pytest.raises(PlaybookError, match="--ca-file"):
        network_from(tmp_path / "nope.pem", environ={})


def test_proxy_from_option_or_environment_with_credentials_kept_secret():
    network = network_from(proxy="http://alice:pa%40ss-word@proxy.school:3128", environ={})
    assert network.proxy.server == "http://proxy.school:3128"
    assert network.proxy.username == "alice" and network.proxy.password.reveal() == "pa@ss-word"
    assert "pa@ss-word" not in repr(network) and redact("said pa@ss-word") == "said ***"
    from_env = network_from(environ={"https_proxy": "proxy.school:8080", "NO_PROXY": "localhost,.intranet"})
    assert from_env.proxy.server == "http://proxy.school:8080"
    assert from_env.proxy_for("https://moodle.intranet/x") is None
    assert from_env.proxy_for("https://localhost:8443") is None
    assert from_env.proxy_for("https://moodle.school.org") is from_env.proxy


def test_a_proxy_that_is_not_a_url_is_bad_input():
    with pytest.raises(PlaybookError, match="proxy"):
        network_from(proxy="ftp://proxy", environ={})


def test_basic_auth_from_a_file_or_the_environment_never_a_flag(tmp_path):
    path = tmp_path / "auth"
    path.write_text("staging:s3cret:with-colon\n")
    from_file = network_from(http_auth_file=path, environ={})
    assert from_file.basic_auth.username == "staging"
    assert from_file.basic_auth.password.reveal() == "s3cret:with-colon"
    from_env = network_from(environ={"MOODLE_HTTP_USER": "u", "MOODLE_HTTP_PASSWORD": "p4ss-word"})
    assert from_env.basic_auth.username == "u"
    with pytest.raises(PlaybookError, match="MOODLE_HTTP_PASSWORD"):
        network_from(environ={"MOODLE_HTTP_USER": "u"})
    path.write_text("no colon here\n")
    with pytest.raises(PlaybookError, match="user:password"):
        network_from(http_auth_file=path, environ={})


def test_ssl_cert_dir_is_honoured_by_the_rest_client_as_httpx_did(tmp_path):
    network = network_from(environ={"SSL_CERT_DIR": str(tmp_path)})
    assert network.ca_dir == tmp_path and network.ssl_context().check_hostname
    assert network_from(environ={"SSL_CERT_DIR": str(tmp_path / "missing")}).ca_dir is None
