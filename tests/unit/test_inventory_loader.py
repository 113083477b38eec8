"""Inventories: what a valid one becomes, and every kind of bad one as one error naming file and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from provisioner.errors import EXIT_BAD_INPUT, PlaybookError
from provisioner.inventory import SecretSource, load_inventory
from provisioner.playbook import load_playbook

ENROLLAIT = Path(__file__).resolve().parents[2] / "playbooks" / "enrollait.yml"

GOOD = """\
defaults:
  admin_password: {env: MOODLE_ADMIN_PASSWORD}
  vars:
    firstname: Fleet
sites:
  north:
    url: https://north.example.edu/moodle/
    vars: {email: it@north.example.edu}
  south:
    url: https://south.example.edu
    admin_user: boss
    admin_password: {file: secrets/south}
    totp_secret: {env: SOUTH_TOTP}
  west:
    url: http://west.example.edu:8080
    session_file: sessions/west.json
groups:
  district: [north, south]
  lts: [south, west]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.yml"
    path.write_text(text)
    return path


def load_error(tmp_path: Path, text: str) -> PlaybookError:
    path = write(tmp_path, text)
    with pytest.raises(PlaybookError) as caught:
        load_inventory(path)
    error = caught.value
    assert error.exit_code == EXIT_BAD_INPUT
    assert str(error).startswith(f"{path}:{error.line}: ")
    return error


def test_a_valid_inventory(tmp_path):
    inventory = load_inventory(write(tmp_path, GOOD))

    north, south, west = inventory.sites.values()
    assert north.url == "https://north.example.edu/moodle"  # normalised like --site
    assert north.admin_user == "admin"
    assert north.admin_password == SecretSource("env", "MOODLE_ADMIN_PASSWORD", 2)
    assert north.groups == ("district",)
    assert south.admin_user == "boss"
    assert south.admin_password == SecretSource("file", str(tmp_path / "secrets" / "south"), 12)
    assert south.totp_secret == SecretSource("env", "SOUTH_TOTP", 13)
    assert south.groups == ("district", "lts")
    # Its own session file replaces the default password: a site signs in one way.
    assert west.session_file == tmp_path / "sessions" / "west.json"
    assert west.admin_password is None
    assert inventory.groups == {"district": ("north", "south"), "lts": ("south", "west")}


def test_site_vars_win_over_defaults_and_the_playbook_and_lose_to_the_command_line(tmp_path):
    inventory = load_inventory(write(tmp_path, GOOD))
    north = inventory.sites["north"]

    book = load_playbook(ENROLLAIT, {}, site_vars=north.vars_layers)
    user = next(step for step in book.steps if step.kind == "user").params
    assert (user.email, user.firstname) == ("it@north.example.edu", "Fleet")

    book = load_playbook(ENROLLAIT, {"email": "cli@example.edu"}, site_vars=north.vars_layers)
    assert next(step for step in book.steps if step.kind == "user").params.email == "cli@example.edu"


def test_a_bad_site_variable_names_the_inventory_line(tmp_path):
    inventory = load_inventory(write(tmp_path, GOOD.replace("{email: it@north.example.edu}", "{'bad name': 1}")))

    with pytest.raises(PlaybookError) as caught:
        load_playbook(ENROLLAIT, {}, site_vars=inventory.sites["north"].vars_layers)
    assert str(caught.value).startswith(f"{tmp_path / 'inventory.yml'}:8: ")


def test_an_unused_site_variable_is_a_warning_naming_the_inventory(tmp_path):
    inventory = load_inventory(write(tmp_path, GOOD.replace("{email: it@north.example.edu}", "{emial: x}")))

    book = load_playbook(ENROLLAIT, {}, site_vars=inventory.sites["north"].vars_layers)
    assert any("inventory.yml:8" in w and "emial" in w for w in book.warnings)


SITE = "sites:\n  a:\n    url: https://a.example.edu\n    admin_password: {env: A}\n"


@pytest.mark.parametrize("text, line, words", [
    pytest.param("sites: [a, b]\n", 1, "'sites:' must map each site", id="sites-list"),
    pytest.param("- a\n", 1, "an inventory is a mapping", id="not-a-mapping"),
    pytest.param(SITE + "hosts: {}\n", 5, "unknown key 'hosts'", id="unknown-top-level"),
    pytest.param(SITE.replace("admin_password", "admin_pasword"), 4, "did you mean 'admin_password'",
                 id="misspelt-key"),
    pytest.param("sites:\n  a:\n    admin_password: {env: A}\n", 2, "'url:' is missing", id="no-url"),
    pytest.param(SITE.replace("https://a.example.edu", "ftp://a"), 3, "expected http(s)://host", id="bad-url"),
    pytest.param(SITE + "  b:\n    url: https://a.example.edu/\n    admin_password: {env: B}\n", 5,
                 "already site 'a' (line 2)", id="same-url-twice"),
    pytest.param(SITE + "  a:\n    url: https://b.example.edu\n", 5, "key 'a' appears twice", id="same-name-twice"),
    pytest.param(SITE.replace("  a:", "  a b:"), 2, "site name 'a b'", id="bad-site-name"),
    pytest.param("sites:\n  a:\n    url: https://a.example.edu\n", 2, "no way to sign in", id="no-sign-in"),
    pytest.param(SITE + "    session_file: s.json\n", 5, "not both", id="password-and-session"),
    pytest.param("defaults:\n  session_file: s.json\nsites:\n  a:\n    url: https://a.example.edu\n"
                 "    totp_secret: {env: T}\n", 4, "totp_secret is for a password sign-in", id="totp-with-session"),
    pytest.param(SITE.replace("{env: A}", "{env: 'A-B'}"), 4, "not an environment variable name", id="bad-env-name"),
    pytest.param(SITE.replace("{env: A}", "{vault: A}"), 4, "expected {env: NAME} or {file: PATH}",
                 id="unknown-source"),
    pytest.param("defaults:\n  url: https://x.example.edu\n" + SITE, 2, "'url:' belongs under each site",
                 id="url-in-defaults"),
    pytest.param(SITE + "groups:\n  g: [a, b]\n", 6, "'b' is not a site", id="group-unknown-member"),
    pytest.param(SITE + "groups:\n  a: [a]\n", 6, "already means site 'a'", id="group-named-like-site"),
    pytest.param(SITE + "groups:\n  all: [a]\n", 6, "already means every site", id="group-named-all"),
    pytest.param(SITE + "groups:\n  g: a\n", 6, "expected a list of site names", id="group-not-a-list"),
    pytest.param(SITE.replace("    admin_password: {env: A}\n", "    vars: [1]\n    admin_password: {env: A}\n"),
                 4, "'vars:' must be a mapping", id="vars-not-a-mapping"),
])
def test_bad_inventories(tmp_path, text, line, words):
    error = load_error(tmp_path, text)
    assert error.line == line
    assert words in str(error)


def test_a_secret_written_in_the_inventory_is_refused_without_being_echoed(tmp_path):
    error = load_error(tmp_path, SITE.replace("{env: A}", "'S3cret-Passw0rd'"))

    assert error.line == 4
    assert "never holds a secret" in str(error)
    assert "S3cret-Passw0rd" not in str(error)


def test_a_missing_inventory_file_is_bad_input(tmp_path):
    with pytest.raises(PlaybookError) as caught:
        load_inventory(tmp_path / "nope.yml")
    assert "cannot read" in str(caught.value)
