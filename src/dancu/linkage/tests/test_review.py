"""Review decisions: journaled, counted, replaceable, and reused per source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dancu.core.access import Jurisdiction
from dancu.identity.models import User
from dancu.linkage.access import LinkageOfficer
from dancu.linkage.actions import LinkageInputError, check_decide_review
from dancu.linkage.engine.messy import MessyExtract
from dancu.linkage.models import LinkJob, ReviewDecision, ReviewItem, ReviewState, SourceIndicator
from dancu.linkage.queries import prior_decisions
from dancu.linkage.tests.conftest import run_upload, with_lookalikes, write_extract_csv
from dancu.registry.synthetic import PersonRow

pytestmark = pytest.mark.django_db

OFFICER = LinkageOfficer(actor_id="bhxh_lan", role="social_insurance", jurisdiction=Jurisdiction(province_wide=True))


@pytest.fixture
def reviewed_job(
    client: Client,
    insurance_officer: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> LinkJob:
    client.force_login(insurance_officer)
    extract = with_lookalikes(messy(20, seed=6), register)
    return run_upload(client, django_capture_on_commit_callbacks, write_extract_csv(extract, tmp_path / "x.csv"))


def _counts(job: LinkJob) -> tuple[int, int, int, int, int]:
    job.refresh_from_db()
    return job.matched, job.matched_clean, job.matched_with_differences, job.review, job.unmatched


def test_it_lets_an_officer_change_their_mind_and_keeps_both_decisions(reviewed_job: LinkJob) -> None:
    item = ReviewItem.objects.filter(job=reviewed_job).first()
    assert item is not None
    matched, clean, differing, review, unmatched = _counts(reviewed_job)
    bucket = (1, 0) if not item.differences else (0, 1)

    check_decide_review(OFFICER, item, "confirm", "")
    after_confirm = _counts(reviewed_job)
    check_decide_review(OFFICER, item, "reject", "Sai người: khác cha mẹ")
    after_reject = _counts(reviewed_job)

    assert after_confirm == (matched + 1, clean + bucket[0], differing + bucket[1], review - 1, unmatched)
    assert after_reject == (matched, clean, differing, review - 1, unmatched + 1)
    item.refresh_from_db()
    assert item.state == ReviewState.REJECTED
    assert list(ReviewDecision.objects.order_by("id").values_list("decision", "reason")) == [
        ("confirm", ""),
        ("reject", "Sai người: khác cha mẹ"),
    ]
    assert prior_decisions(reviewed_job.source)[item.row_key].decision == "reject"
    indicator = SourceIndicator.objects.get(source=reviewed_job.source)
    assert (indicator.review, indicator.unmatched) == (review - 1, unmatched + 1)


@pytest.mark.parametrize(
    ("decision", "reason", "message"),
    [
        ("reject", "   ", "Give a reason for rejecting"),
        ("maybe", "", "Invalid decision"),
        ("confirm", "x" * 501, "Reason too long"),
    ],
)
def test_it_refuses_an_incomplete_decision_and_changes_nothing(
    reviewed_job: LinkJob, decision: str, reason: str, message: str
) -> None:
    item = ReviewItem.objects.filter(job=reviewed_job).first()
    assert item is not None
    before = _counts(reviewed_job)

    with pytest.raises(LinkageInputError, match=message):
        check_decide_review(OFFICER, item, decision, reason)

    assert _counts(reviewed_job) == before
    assert ReviewDecision.objects.count() == 0
    item.refresh_from_db()
    assert item.state == ReviewState.PENDING


def test_it_never_moves_a_jobs_progress_back(reviewed_job: LinkJob) -> None:
    from dancu.linkage.tasks import _throttled_progress

    LinkJob.objects.filter(pk=reviewed_job.pk).update(status="running", percent=0)
    seen: list[tuple[str, int]] = []
    report = _throttled_progress(reviewed_job.pk, lambda stage, done, total: seen.append((stage, done)))
    percents = []
    for stage, done, total in [
        ("extract", 1, 1),
        ("register", 5, 10),
        ("read", 0, 1),
        ("extract", 0, 1),
        ("score", 1, 1),
    ]:
        report(stage, done, total)
        reviewed_job.refresh_from_db()
        percents.append((reviewed_job.stage, reviewed_job.percent))

    assert percents == [("extract", 10), ("register", 17), ("read", 25), ("extract", 25), ("score", 90)]
    assert seen == [("extract", 1), ("register", 5), ("read", 0), ("extract", 0), ("score", 1)]
