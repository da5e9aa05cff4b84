"""Linkage work belongs to the agency of the officer who uploaded it: officers of other agencies
are refused (audited, nothing changes), colleagues of the same agency share it, auditors read
every agency's work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dancu.core.models import AuditEntry
from dancu.identity.models import User
from dancu.linkage.engine.messy import MessyExtract
from dancu.linkage.models import LinkJob, ReviewDecision, ReviewItem, ReviewState, Source
from dancu.linkage.tests.conftest import BHXH, SO_YTE, run_upload, upload_extract, with_lookalikes, write_extract_csv
from dancu.registry.synthetic import PersonRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def bhxh_job(
    client: Client,
    insurance_officer: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> LinkJob:
    """A finished BHXH job with review rows, uploaded by ``insurance_officer``."""
    client.force_login(insurance_officer)
    extract = with_lookalikes(messy(30, seed=5), register)
    job = run_upload(client, django_capture_on_commit_callbacks, write_extract_csv(extract, tmp_path / "x.csv"))
    assert job.review > 0
    return job


def test_it_gives_the_job_and_its_source_the_uploaders_agency(bhxh_job: LinkJob) -> None:
    assert bhxh_job.agency == BHXH
    assert (bhxh_job.source.agency, bhxh_job.source.name) == (BHXH, "BHXH Hải Phòng")
    upload = AuditEntry.objects.get(action="linkage.job.upload")
    assert (upload.organisation, upload.details["agency"]) == (BHXH, BHXH)


def test_it_refuses_every_page_of_a_job_to_an_officer_of_another_agency(
    client: Client, bhxh_job: LinkJob, department_admin: User
) -> None:
    item = ReviewItem.objects.filter(job=bhxh_job).first()
    assert item is not None
    audited = AuditEntry.objects.count()
    client.force_login(department_admin)

    pages = [
        reverse(f"linkage:{name}", args=[bhxh_job.public_id])
        for name in ("progress", "mapping", "status", "results", "download", "review_list")
    ]
    pages.append(reverse("linkage:review_item", args=[bhxh_job.public_id, item.row_number]))
    responses = [client.get(page) for page in pages]
    decided = client.post(
        reverse("linkage:review_item", args=[bhxh_job.public_id, item.row_number]),
        {"decision": "confirm", "candidate": item.personal_id},
    )

    assert [r.status_code for r in responses] == [403] * len(pages)
    assert decided.status_code == 403
    assert "Phiên này thuộc cơ quan khác / This job belongs to another agency" in decided.content.decode()
    item.refresh_from_db()
    assert item.state == ReviewState.PENDING
    assert ReviewDecision.objects.count() == 0
    new = list(AuditEntry.objects.order_by("id")[audited:])
    assert [e.action for e in new] == ["linkage.refused"] * (len(pages) + 1)
    assert {(e.actor_id, e.organisation, e.outcome) for e in new} == {(department_admin.username, SO_YTE, "refused")}
    assert [e.details["what"] for e in new] == [*pages, pages[-1]]
    assert not AuditEntry.objects.filter(action__in=["linkage.results.view", "linkage.review.view"]).exists()


def test_it_hides_another_agencys_jobs_sources_and_decisions_from_the_lists(
    client: Client, bhxh_job: LinkJob, insurance_officer: User, department_admin: User
) -> None:
    item = ReviewItem.objects.filter(job=bhxh_job).first()
    assert item is not None
    client.post(
        reverse("linkage:review_item", args=[bhxh_job.public_id, item.row_number]),
        {"decision": "confirm", "candidate": item.personal_id},
    )
    assert ReviewDecision.objects.count() == 1
    client.force_login(department_admin)

    index = client.get(reverse("linkage:index")).content.decode()
    journal = client.get(reverse("linkage:journal")).content.decode()
    upload = client.get(reverse("linkage:upload")).content.decode()

    assert str(bhxh_job.public_id) not in index
    assert "BHXH Hải Phòng" not in index
    assert "BHXH Hải Phòng" not in journal
    assert '<option value="BHXH Hải Phòng">' not in upload


def test_it_shares_a_job_with_a_colleague_of_the_same_agency(
    client: Client, bhxh_job: LinkJob, insurance_colleague: User
) -> None:
    item = ReviewItem.objects.filter(job=bhxh_job).first()
    assert item is not None
    client.force_login(insurance_colleague)

    assert client.get(reverse("linkage:results", args=[bhxh_job.public_id])).status_code == 200
    assert str(bhxh_job.public_id) in client.get(reverse("linkage:index")).content.decode()
    assert '<option value="BHXH Hải Phòng">' in client.get(reverse("linkage:upload")).content.decode()
    response = client.post(
        reverse("linkage:review_item", args=[bhxh_job.public_id, item.row_number]),
        {"decision": "confirm", "candidate": item.personal_id},
    )

    assert response.status_code == 302
    assert ReviewDecision.objects.get().decided_by == insurance_colleague.username


def test_it_keeps_two_agencies_sources_of_the_same_name_apart(
    client: Client,
    insurance_officer: User,
    department_admin: User,
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
) -> None:
    path = write_extract_csv(messy(5), tmp_path / "x.csv")
    for officer in (insurance_officer, department_admin):
        client.force_login(officer)
        assert upload_extract(client, path, source="Danh sách 2026").status_code == 302

    assert sorted(Source.objects.values_list("agency", "name")) == [
        (BHXH, "Danh sách 2026"),
        (SO_YTE, "Danh sách 2026"),
    ]
    assert sorted(LinkJob.objects.values_list("agency", flat=True)) == [BHXH, SO_YTE]


def test_it_refuses_an_officer_whose_account_names_no_agency(
    client: Client, insurance_officer_without_agency: User, messy: Callable[..., MessyExtract], tmp_path: Path
) -> None:
    client.force_login(insurance_officer_without_agency)

    index = client.get(reverse("linkage:index"))
    upload = upload_extract(client, write_extract_csv(messy(5), tmp_path / "x.csv"))

    assert (index.status_code, upload.status_code) == (403, 403)
    assert "Tài khoản của bạn chưa gắn với cơ quan nào / Your account belongs to no agency" in upload.content.decode()
    assert LinkJob.objects.count() == 0
    assert AuditEntry.objects.filter(action="linkage.refused").count() == 2


def test_it_lets_an_auditor_read_every_agencys_jobs(client: Client, bhxh_job: LinkJob, auditor: User) -> None:
    client.force_login(auditor)

    index = client.get(reverse("linkage:index")).content.decode()

    assert str(bhxh_job.public_id) in index
    assert f'BHXH Hải Phòng <span class="muted">({BHXH})</span>' in index
    assert client.get(reverse("linkage:results", args=[bhxh_job.public_id])).status_code == 200
