"""Rotation's ordering and its failure paths, without a browser: the token list is a fake, the REST proof and
the hand-off are the callables the command gives in."""
from __future__ import annotations

from pathlib import Path

import pytest

from provisioner.errors import HandoffError, StepError
from provisioner.playbook import load_playbook
from provisioner.runner import run_steps
from provisioner.runner.report import RunReport
from provisioner.secrets import Secret
from provisioner.steps import rotation
from provisioner.steps.base import Plan, StepContext
from provisioner.steps.connection import connection_spec
from provisioner.steps.facts import ServiceFact, UserFact, remember_service, remember_user

ENROLLAIT = Path(__file__).resolve().parents[2] / "playbooks" / "enrollait.yml"
NEW = Secret("feedfacefeedfacefeedfacefeedface")


class FakeTokens:
    """The site's token list: ids of the integration user's tokens on the service."""

    ids: list[int] = []
    deleted: list[int] = []
    refuse_delete = False

    def __init__(self, site):
        pass

    def create(self, name, user_id, search, service_id, service_name, ip):
        FakeTokens.ids.append(max(FakeTokens.ids, default=0) + 10)
        return NEW

    def delete(self, token_id):
        if FakeTokens.refuse_delete:
            raise StepError("Moodle said no")
        FakeTokens.ids.remove(token_id)
        FakeTokens.deleted.append(token_id)


@pytest.fixture
def site(monkeypatch):
    FakeTokens.ids, FakeTokens.deleted, FakeTokens.refuse_delete = [1, 2], [], False
    monkeypatch.setattr(rotation, "TokensPage", FakeTokens)
    monkeypatch.setattr(rotation, "token_ids", lambda ctx, user, service: list(FakeTokens.ids))
    ctx = StepContext(site=None)
    remember_user(ctx, UserFact("enrollait-user", "e@x.invalid", "Enrollait Integration", 3))
    remember_service(ctx, ServiceFact("enrollait", "Enrollait Service", 2, True))
    ctx.facts["old_tokens"] = [1, 2]
    return ctx


def rotate(ctx, prove=lambda token: None, hand_off=lambda token: ["file t.json"], targets=("file t.json",)):
    spec = connection_spec(load_playbook(ENROLLAIT).steps)
    rescued = []

    def rescue(token):
        rescued.append(token)
        return "/private/rescued.json"
    steps = [rotation.MintToken("mint", spec),
             rotation.HandOffNewToken("hand off", spec, list(targets), prove, hand_off, rescue),
             rotation.DeleteTokens("delete", spec)]
    report = run_steps(steps, ctx, RunReport(site="s", check=False))
    return report, rescued


def test_old_tokens_go_only_after_the_new_one_was_proved_and_delivered(site, monkeypatch):
    monkeypatch.delenv("ENROLLAIT_USER_PASSWORD", raising=False)
    report, rescued = rotate(site)
    assert [s.status for s in report.steps] == ["changed", "changed", "changed"]
    assert FakeTokens.ids == [12] and FakeTokens.deleted == [1, 2] and rescued == []
    assert site.facts["delivered"] == ["file t.json"]


def test_a_failed_hand_off_keeps_the_old_tokens_and_saves_the_new_one(site, monkeypatch):
    monkeypatch.delenv("ENROLLAIT_USER_PASSWORD", raising=False)

    def broken(token):
        raise HandoffError("hand-off failed: webhook answered 400")
    report, rescued = rotate(site, hand_off=broken)
    assert [s.status for s in report.steps] == ["changed", "failed", "skipped"]
    assert FakeTokens.ids == [1, 2, 12] and rescued == [NEW]
    assert "the old token(s) are kept" in report.steps[1].reason
    assert "/private/rescued.json (mode 0600)" in report.steps[1].reason
    assert NEW.reveal() not in report.steps[1].reason


def test_a_new_token_that_does_not_verify_is_deleted_again(site, monkeypatch):
    monkeypatch.delenv("ENROLLAIT_USER_PASSWORD", raising=False)
    report, rescued = rotate(site, prove=lambda token: "invalidtoken")
    assert [s.status for s in report.steps] == ["changed", "failed", "skipped"]
    assert FakeTokens.ids == [1, 2] and rescued == []
    assert "(id 12) was deleted again" in report.steps[1].reason


def test_a_new_token_that_neither_verifies_nor_goes_away_is_saved(site, monkeypatch):
    monkeypatch.delenv("ENROLLAIT_USER_PASSWORD", raising=False)
    FakeTokens.refuse_delete = True
    report, rescued = rotate(site, prove=lambda token: "invalidtoken")
    assert rescued == [NEW] and "could not be deleted (Moodle said no)" in report.steps[1].reason


def test_a_delete_failing_half_way_says_what_was_and_was_not_deleted(site, monkeypatch):
    monkeypatch.delenv("ENROLLAIT_USER_PASSWORD", raising=False)
    spec = connection_spec(load_playbook(ENROLLAIT).steps)
    step = rotation.DeleteTokens("delete", spec)
    real_delete = FakeTokens.delete

    def second_fails(self, token_id):
        if FakeTokens.deleted:
            raise StepError("Moodle showed an error page")
        real_delete(self, token_id)
    monkeypatch.setattr(FakeTokens, "delete", second_fails)
    with pytest.raises(StepError) as failed:
        step.apply(site, Plan(changes=["x"], data={"stale": [1, 2]}))
    assert "(deleted: 1; still there: 2)" in failed.value.message
