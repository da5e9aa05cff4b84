"""Review decisions: journaled, counted, replaceable, and reused per source."""

from __future__ import annotations

import pytest

from dancu.core.access import Jurisdiction
from dancu.linkage.access import LinkageOfficer
from dancu.linkage.actions import LinkageInputError, check_decide_review
from dancu.linkage.models import JobStatus, LinkJob, ReviewDecision, ReviewItem, ReviewState, Source, SourceIndicator
from dancu.linkage.queries import prior_decisions

pytestmark = pytest.mark.django_db

OFFICER = LinkageOfficer(
    actor_id="bhxh_lan", role="social_insurance", jurisdiction=Jurisdiction(province_wide=True), agency="BHXH-HP"
)


@pytest.fixture
def reviewed_job(db: None) -> LinkJob:
    """A finished job of three rows: one matched, two awaiting review (one with differences)."""
    source = Source.objects.create(agency="BHXH-HP", name="BHXH Hải Phòng")
    job = LinkJob.objects.create(
        source=source,
        agency="BHXH-HP",
        status=JobStatus.DONE,
        original_name="bhxh.csv",
        file_kind="csv",
        sha256="0" * 64,
        rows=3,
        matched=1,
        matched_clean=1,
        review=2,
    )
    SourceIndicator.objects.create(source=source, job=job, rows=3, matched_clean=1, review=2)
    for number, (name, differences) in enumerate(
        [("Nguyễn Văn Hưng", {"full_name": ["Nguyễn Văn Hưng", "Nguyễn Văn Hùng"]}), ("Lê Thị Lan", {})], start=2
    ):
        ReviewItem.objects.create(
            job=job,
            row_number=number,
            row_id=str(number),
            row_key=f"key-{number}",
            personal_id=f"03119000000{number}",
            score=0.8,
            extract={"full_name": name},
            differences=differences,
        )
    return job


def _counts(job: LinkJob) -> tuple[int, int, int, int, int]:
    job.refresh_from_db()
    return job.matched, job.matched_clean, job.matched_with_differences, job.review, job.unmatched


def test_it_lets_an_officer_change_their_mind_and_keeps_both_decisions(reviewed_job: LinkJob) -> None:
    item = ReviewItem.objects.get(job=reviewed_job, row_id="2")
    matched, clean, differing, review, unmatched = _counts(reviewed_job)
    bucket = (0, 1)  # the row differs from the register in its name

    check_decide_review(OFFICER, item, "confirm", "")
    after_confirm = _counts(reviewed_job)
    check_decide_review(OFFICER, item, "none", "Sai người: khác cha mẹ")
    after_reject = _counts(reviewed_job)

    assert after_confirm == (matched + 1, clean + bucket[0], differing + bucket[1], review - 1, unmatched)
    assert after_reject == (matched, clean, differing, review - 1, unmatched + 1)
    item.refresh_from_db()
    assert item.state == ReviewState.REJECTED
    assert list(ReviewDecision.objects.order_by("id").values_list("decision", "reason")) == [
        ("confirm", ""),
        ("none", "Sai người: khác cha mẹ"),
    ]
    assert prior_decisions(reviewed_job.source)[item.row_key].decision == "none"
    indicator = SourceIndicator.objects.get(source=reviewed_job.source)
    assert (indicator.review, indicator.unmatched) == (review - 1, unmatched + 1)


@pytest.mark.parametrize(
    ("decision", "reason", "message"),
    [
        ("reject", "   ", "Give a reason for rejecting"),
        ("none", "", "Give a reason for rejecting"),
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
