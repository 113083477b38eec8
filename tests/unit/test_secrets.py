"""Secrets never print, and generated passwords meet the minimums they are given."""
from __future__ import annotations

import json
import re
import string

from provisioner.secrets import Secret, generate_password, redact, redact_all


def test_a_secret_prints_as_stars_everywhere():
    secret = Secret("hunter2-Secret")
    assert str(secret) == repr(secret).strip("Secret()'") == "***"
    assert f"{secret}" == "***" and "hunter2" not in repr([secret])
    assert redact("token hunter2-Secret in text") == "token *** in text"
    assert json.dumps(redact_all({"a": ["x hunter2-Secret"]})) == '{"a": ["x ***"]}'


def test_generated_passwords_meet_default_and_raised_minimums():
    for password in (generate_password(), generate_password(length=40, digits=6, special=5)):
        value = password.reveal()
        counts = {name: sum(c in chars for c in value) for name, chars in
                  {"lower": string.ascii_lowercase, "upper": string.ascii_uppercase,
                   "digits": string.digits}.items()}
        assert len(value) >= 24 and min(counts.values()) >= 3
        assert not re.search(r"(.)\1", value)  # no character twice in a row
    raised = generate_password(length=40, digits=6).reveal()
    assert len(raised) == 40 and sum(c.isdigit() for c in raised) >= 6
