"""Every kind of bad playbook is one PlaybookError naming the file, the line and (if known) the step."""
from __future__ import annotations

from pathlib import Path

import pytest

from provisioner.errors import EXIT_BAD_INPUT, PlaybookError
from provisioner.playbook import load_playbook

GOOD_USER = """\
  - name: make user
    user:
      username: u
      email: u@school.example
      firstname: U
      lastname: Ser
"""


def load_error(tmp_path: Path, text: str, **kwargs) -> PlaybookError:
    path = tmp_path / "book.yml"
    path.write_text(text)
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path, **kwargs)
    error = caught.value
    assert error.exit_code == EXIT_BAD_INPUT
    assert str(error).startswith(f"{error.file}:{error.line}: ")
    return error


@pytest.mark.parametrize("text, line, step, words", [
    pytest.param("steps:\n  - name: a\n    webservices: {enabled: [1\n", 4, None, "invalid YAML",
                 id="malformed-yaml"),
    pytest.param("steps:\n  - name: a\n    websrvices: {}\n", 3, "a", "unknown step kind 'websrvices'",
                 id="unknown-kind"),
    pytest.param("steps:\n  - name: a\n    webservices: {}\n    protocol: {}\n", 4, "a",
                 "one step does one thing", id="two-kinds"),
    pytest.param("steps:\n  - name: a\n", 2, "a", "no step kind", id="no-kind"),
    pytest.param("steps:\n  - webservices: {}\n", 2, "#1", "missing 'name:'", id="no-name"),
    pytest.param("steps:\n  - name: a\n    webservices: {}\n  - name: a\n    protocol: {}\n", 4, "a",
                 "duplicate step name (first used on line 2)", id="duplicate-name"),
    pytest.param("steps:\n  - name: a\n    webservices: {}\n    webservices: {}\n", 4, None,
                 "key 'webservices' appears twice", id="duplicate-key"),
    pytest.param("steps:\n  - name: a\n    protocol:\n      name: ftp\n", 4, "a",
                 "parameter 'name': Input should be 'rest' or 'soap'", id="wrong-value"),
    pytest.param("steps:\n  - name: a\n    protocol:\n      name: rest\n      colour: blue\n", 5, "a",
                 "unknown parameter 'colour' (known: name, enabled)", id="unknown-parameter"),
    pytest.param("steps:\n  - name: a\n    site_admin: {}\n", 3, "a", "parameter 'user' is required",
                 id="missing-parameter"),
    pytest.param("steps:\n  - name: a\n    service_functions:\n      service: s\n      functions:\n"
                 "        - core_ok\n        - Not-OK\n", 7, "a", "parameter 'functions.1'",
                 id="bad-list-item"),
    pytest.param("steps:\n  - name: a\n    site_admin:\n      user: \"{{ nobody }}\"\n", 4, "a",
                 "undefined variable in '{{ nobody }}': 'nobody' is undefined", id="undefined-variable"),
    pytest.param("steps:\n  - name: a\n    site_admin:\n      user: \"x{{ nobody }}\"\n", 4, "a",
                 "'nobody' is undefined", id="undefined-variable-in-text"),
    pytest.param("steps:\n  - name: a\n    site_admin:\n      user: \"{{ broken \"\n", 4, "a",
                 "template error", id="template-syntax"),
    pytest.param("steps:\n  - name: a\n    site_admin: just-text\n", 3, "a",
                 "parameters of 'site_admin' must be a mapping", id="params-not-mapping"),
    pytest.param("steps:\n  - webservices\n", 2, "#1", "a step is a mapping", id="step-not-mapping"),
    pytest.param("name: x\n", 1, None, "'steps:' must be a non-empty list", id="no-steps"),
    pytest.param("- name: a\n  webservices: {}\n", 1, None, "a playbook is a mapping", id="top-level-list"),
    pytest.param("tasks: []\nsteps: []\n", 1, None, "unknown top-level key 'tasks'", id="unknown-top-key"),
    pytest.param("vars: [a, b]\nsteps:\n  - name: a\n    webservices:\n", 1, None,
                 "'vars:' must be a mapping", id="vars-not-mapping"),
    pytest.param("vars:\n  bad-name: 1\nsteps:\n  - name: a\n    webservices:\n", 2, None,
                 "variable name 'bad-name' is not usable", id="bad-var-name"),
    pytest.param("vars:\n  a: \"{{ b }}\"\n  b: 1\nsteps:\n  - name: a\n    webservices:\n", 2, None,
                 "variables may use env() but not other variables", id="var-refers-to-var"),
    pytest.param("steps:\n  - name: a\n    token: {user: u, service: s}\n  - name: b\n"
                 "    service: {name: S, shortname: s}\n", 2, "a",
                 "which step 'b' (line 4) only creates later", id="forward-reference"),
    pytest.param("steps:\n" + GOOD_USER + GOOD_USER.replace("make user", "again"), 8, "again",
                 "user 'u' is already created by step 'make user' (line 2)", id="created-twice"),
])
def test_error_names_file_line_and_step(tmp_path, text, line, step, words):
    error = load_error(tmp_path, text)
    assert words in str(error)
    assert (error.line, error.step) == (line, step)
    if step:
        assert f"step '{step}': " in str(error)


def test_missing_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    error = load_error(tmp_path, "steps:\n  - name: a\n    site_admin:\n"
                                 "      user: \"{{ env('NOT_SET_ANYWHERE') }}\"\n")
    assert "environment variable NOT_SET_ANYWHERE is not set" in str(error)
    assert (error.line, error.step) == (4, "a")


def test_required_parameter_that_rendered_empty_says_so(tmp_path):
    error = load_error(tmp_path, "steps:\n  - name: a\n    site_admin:\n      user: \"{{ who }}\"\n",
                       cli_vars={"who": ""})
    assert "parameter 'user' is required but its value rendered empty" in str(error)


def test_vars_file_that_is_not_a_mapping(tmp_path):
    vars_file = tmp_path / "vars.yml"
    vars_file.write_text("- just\n- a list\n")
    error = load_error(tmp_path, "steps:\n  - name: a\n    webservices:\n", vars_files=[vars_file])
    assert error.file == vars_file and error.line == 1
    assert "a vars file must be a mapping of name: value, not a list" in str(error)


def test_missing_files(tmp_path):
    with pytest.raises(PlaybookError, match="cannot read"):
        load_playbook(tmp_path / "absent.yml")
    book = tmp_path / "book.yml"
    book.write_text("steps:\n  - name: a\n    webservices:\n")
    with pytest.raises(PlaybookError, match="absent-vars.yml: cannot read"):
        load_playbook(book, vars_files=[tmp_path / "absent-vars.yml"])


def test_bad_cli_var_name(tmp_path):
    book = tmp_path / "book.yml"
    book.write_text("steps:\n  - name: a\n    webservices:\n")
    with pytest.raises(PlaybookError, match="--var: variable name 'a-b' is not usable"):
        load_playbook(book, {"a-b": "1"})


def test_validation_error_never_echoes_a_secret_value(tmp_path):
    error = load_error(tmp_path, "steps:\n  - name: a\n    user:\n      username: \"{{ pw }}\"\n"
                                 "      email: x@y.example\n      firstname: A\n      lastname: B\n",
                       cli_vars={"pw": "Not A Username 99!"})
    assert "Not A Username 99!" not in str(error)
