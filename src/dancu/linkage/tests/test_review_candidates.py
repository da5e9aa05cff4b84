"""Rejecting one candidate, picking another or "none of these": journaled, counted, shown in the
correction list, and reused on the next run of the same source."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from django.test import Client
from django.urls import reverse

from dancu.core.models import AuditEntry
from dancu.identity.models import User
from dancu.linkage.actions import LinkageInputError, check_decide_review
from dancu.linkage.candidates import alternatives, differences
from dancu.linkage.engine.messy import MessyExtract
from dancu.linkage.models import LinkJob, ReviewDecision, ReviewItem, ReviewState
from dancu.linkage.queries import prior_decisions
from dancu.linkage.running import REJECTED_CANDIDATE, PriorDecision, fold_decisions, reopen_rejected_candidates
from dancu.linkage.tests.conftest import run_upload, with_lookalikes, write_extract_csv
from dancu.registry.models import Person
from dancu.registry.synthetic import PersonRow

pytestmark = pytest.mark.django_db


def _siblings() -> tuple[Person, Person]:
    """Two persons of one household born within two years of each other."""
    for person in Person.objects.exclude(household=None).order_by("personal_id"):
        near = (
            Person.objects.filter(household_id=person.household_id, birth_year__gte=person.birth_year - 2)
            .filter(birth_year__lte=person.birth_year + 2)
            .exclude(pk=person.pk)
            .order_by("personal_id")
            .first()
        )
        if near is not None:
            return person, near
    raise AssertionError("the synthetic register has no siblings")


def _csv(client: Client, job: LinkJob) -> dict[str, dict[str, str]]:
    body = b"".join(client.get(reverse("linkage:download", args=[job.public_id])).streaming_content).decode()
    return {r["row_id"]: r for r in csv.DictReader(io.StringIO(body))}


@pytest.fixture
def sibling_job(
    client: Client,
    insurance_officer: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> tuple[LinkJob, ReviewItem, Person, Person]:
    """A finished job whose first review row is made to show the wrong sibling: the engine's
    candidate is ``wrong`` while the row describes ``right``, of the same household."""
    client.force_login(insurance_officer)
    extract = with_lookalikes(messy(30, seed=5), register)
    job = run_upload(client, django_capture_on_commit_callbacks, write_extract_csv(extract, tmp_path / "x.csv"))
    item = ReviewItem.objects.filter(job=job).order_by("row_number").first()
    assert item is not None
    wrong, right = _siblings()
    ReviewItem.objects.filter(pk=item.pk).update(
        personal_id=wrong.personal_id,
        extract={
            "full_name": right.full_name,
            "birth_date": right.birth_date.strftime("%d/%m/%Y"),
            "sex": right.get_sex_display(),
        },
    )
    item.refresh_from_db()
    return job, item, wrong, right


def test_it_offers_the_candidates_household_and_namesakes(
    sibling_job: tuple[LinkJob, ReviewItem, Person, Person],
) -> None:
    _, item, wrong, right = sibling_job

    offered = [p.personal_id for p in alternatives(item)]

    assert right.personal_id in offered
    assert wrong.personal_id not in offered
    assert offered[0] == right.personal_id  # same name first
    assert len(offered) <= 5


def test_it_rejects_one_candidate_then_confirms_another_and_the_csv_follows(
    client: Client, sibling_job: tuple[LinkJob, ReviewItem, Person, Person]
) -> None:
    job, item, wrong, right = sibling_job
    url = reverse("linkage:review_item", args=[job.public_id, item.row_number])
    counts = (job.matched, job.matched_with_differences, job.review, job.unmatched)

    rejected = client.post(url, {"choice": f"reject:{wrong.personal_id}", "reason": "Anh trai, khác tên đệm"})
    item.refresh_from_db()
    job.refresh_from_db()
    after_reject = (job.matched, job.matched_with_differences, job.review, job.unmatched)
    page = client.get(url).content.decode()
    open_row = _csv(client, job)[item.row_id]
    confirmed = client.post(url, {"choice": f"confirm:{right.personal_id}", "reason": ""})
    item.refresh_from_db()
    job.refresh_from_db()

    assert rejected["Location"] == url  # stays on the row to pick another
    assert after_reject == counts
    assert "Cán bộ đã xác định ứng viên này không phải người trong dòng" in page
    assert f'value="confirm:{right.personal_id}"' in page
    assert f'value="reject:{wrong.personal_id}"' not in page
    assert (open_row["status"], open_row["personal_id"]) == ("review", "")
    assert confirmed.status_code == 302
    assert (item.state, item.chosen_personal_id, item.rejected_candidates) == (
        ReviewState.CONFIRMED,
        right.personal_id,
        [wrong.personal_id],
    )
    assert item.chosen_differences == {"personal_id": [None, right.personal_id]}
    assert (job.matched, job.matched_with_differences, job.review, job.unmatched) == (
        counts[0] + 1,
        counts[1] + 1,
        counts[2] - 1,
        counts[3],
    )
    row = _csv(client, job)[item.row_id]
    assert (row["status"], row["personal_id"], row["method"]) == ("matched", right.personal_id, "decision")
    assert row["differences"] == f'{{"personal_id": [null, "{right.personal_id}"]}}'
    assert list(
        ReviewDecision.objects.order_by("id").values_list("decision", "personal_id", "reason", "decided_by")
    ) == [
        ("reject", wrong.personal_id, "Anh trai, khác tên đệm", "bhxh_lan"),
        ("confirm", right.personal_id, "", "bhxh_lan"),
    ]
    decided = AuditEntry.objects.filter(action="linkage.review.decide").order_by("id")
    assert [(e.subject_personal_id, e.details["decision"]) for e in decided] == [
        (wrong.personal_id, "reject"),
        (right.personal_id, "confirm"),
    ]
    assert prior_decisions(job.source)[item.row_key] == PriorDecision(
        "confirm", right.personal_id, frozenset({wrong.personal_id})
    )


def test_it_settles_a_row_as_none_of_the_candidates(
    client: Client, sibling_job: tuple[LinkJob, ReviewItem, Person, Person]
) -> None:
    job, item, _, _ = sibling_job
    review, unmatched = job.review, job.unmatched

    response = client.post(
        reverse("linkage:review_item", args=[job.public_id, item.row_number]),
        {"choice": "none", "reason": "Chưa đăng ký"},
    )

    item.refresh_from_db()
    job.refresh_from_db()
    assert response.status_code == 302
    assert (item.state, item.chosen_personal_id) == (ReviewState.REJECTED, "")
    assert (job.review, job.unmatched) == (review - 1, unmatched + 1)
    row = _csv(client, job)[item.row_id]
    assert (row["status"], row["personal_id"], row["differences"]) == ("unmatched", "", "")
    assert ReviewDecision.objects.get().decision == "none"


def test_it_refuses_a_person_who_is_not_a_candidate_and_changes_nothing(
    sibling_job: tuple[LinkJob, ReviewItem, Person, Person],
) -> None:
    from dancu.linkage.tests.test_review import OFFICER

    _, item, wrong, right = sibling_job
    stranger = Person.objects.exclude(household_id=wrong.household_id).exclude(name_key=right.name_key).first()
    assert stranger is not None

    with pytest.raises(LinkageInputError, match="is not a candidate for this row"):
        check_decide_review(OFFICER, item, "confirm", "", stranger.personal_id)

    item.refresh_from_db()
    assert (item.state, item.chosen_personal_id) == (ReviewState.PENDING, "")
    assert ReviewDecision.objects.count() == 0


def test_it_sends_the_row_back_to_review_on_the_next_run_when_its_candidate_was_rejected(
    client: Client,
    insurance_officer: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(insurance_officer)
    extract = with_lookalikes(messy(30, seed=5), register)
    path = write_extract_csv(extract, tmp_path / "x.csv")
    first = run_upload(client, django_capture_on_commit_callbacks, path)
    item = ReviewItem.objects.filter(job=first).order_by("row_number").first()
    assert item is not None
    client.post(
        reverse("linkage:review_item", args=[first.public_id, item.row_number]),
        {"choice": f"reject:{item.personal_id}", "reason": "Khác người"},
    )

    second = run_upload(client, django_capture_on_commit_callbacks, path)

    again = ReviewItem.objects.get(job=second, row_key=item.row_key)
    assert (again.personal_id, again.state, again.rejected_candidates) == (
        item.personal_id,
        ReviewState.PENDING,
        [item.personal_id],
    )
    assert second.review == first.review
    row = _csv(client, second)[again.row_id]
    assert (row["status"], row["personal_id"]) == ("review", "")


def test_it_folds_a_rows_journal_into_what_holds_now() -> None:
    assert fold_decisions([]) == PriorDecision("")
    assert fold_decisions([("reject", "A"), ("reject", "B")]) == PriorDecision("", "", frozenset({"A", "B"}))
    assert fold_decisions([("reject", "A"), ("confirm", "B")]) == PriorDecision("confirm", "B", frozenset({"A"}))
    assert fold_decisions([("confirm", "A"), ("reject", "A")]) == PriorDecision("", "", frozenset({"A"}))
    assert fold_decisions([("reject", "A"), ("confirm", "A")]) == PriorDecision("confirm", "A")
    assert fold_decisions([("confirm", "A"), ("none", "")]) == PriorDecision("none")
    assert fold_decisions([("none", ""), ("confirm", "B")]) == PriorDecision("confirm", "B")


def test_it_reopens_only_rows_linked_to_a_rejected_candidate() -> None:
    table = pa.table(
        {
            "row_key": ["k1", "k2", "k3", "k4"],
            "personal_id": ["A", "B", "C", None],
            "status": ["matched", "matched", "review", "unmatched"],
            "explanation": ["e1", "e2", "e3", "e4"],
        }
    )
    prior = {
        "k1": PriorDecision("", "", frozenset({"A"})),
        "k2": PriorDecision("", "", frozenset({"X"})),
        "k3": PriorDecision("", "", frozenset({"C"})),
        "k4": PriorDecision("", "", frozenset({"D"})),
    }

    reopened, changed = reopen_rejected_candidates(table, prior)

    assert changed == 2
    assert reopened.column("status").to_pylist() == ["review", "matched", "review", "unmatched"]
    assert reopened.column("explanation").to_pylist() == [REJECTED_CANDIDATE, "e2", REJECTED_CANDIDATE, "e4"]


def test_it_lists_differences_the_way_the_engine_does(register: list[PersonRow]) -> None:
    person = Person.objects.order_by("personal_id").first()
    assert person is not None
    same = {
        "full_name": person.full_name,
        "birth_date": person.birth_date.strftime("%d/%m/%Y"),
        "sex": person.get_sex_display(),
        "personal_id": person.personal_id,
    }

    assert differences(same, person) == {}
    assert differences({**same, "full_name": person.full_name.upper(), "sex": ""}, person) == {
        "full_name": [person.full_name.upper(), person.full_name],
        "sex": [None, person.get_sex_display()],
    }
    assert differences({**same, "birth_date": str(person.birth_date.year)}, person) == {
        "birth_date": [str(person.birth_date.year), person.birth_date.isoformat()]
    }
