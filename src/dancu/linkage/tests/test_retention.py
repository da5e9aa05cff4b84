"""Extracts and result files are personal data: deleted after DANCU_LINKAGE_RETENTION_DAYS by the
worker's sweep, or at once by an officer; the job's counts, the journal and the audit stay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dancu.core import periodic
from dancu.core.models import AuditEntry
from dancu.identity.models import User
from dancu.linkage.actions import do_remove_expired_files
from dancu.linkage.engine.messy import MessyExtract
from dancu.linkage.extract_files import media_path
from dancu.linkage.models import FilesRemoved, JobStatus, LinkJob, ReviewDecision, ReviewItem
from dancu.linkage.tests.conftest import run_upload, upload_extract, with_lookalikes, write_extract_csv
from dancu.registry.synthetic import PersonRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_job(
    client: Client,
    insurance_officer: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> LinkJob:
    client.force_login(insurance_officer)
    extract = with_lookalikes(messy(30, seed=5), register)
    job = run_upload(client, django_capture_on_commit_callbacks, write_extract_csv(extract, tmp_path / "x.csv"))
    item = ReviewItem.objects.filter(job=job).first()
    assert item is not None
    client.post(
        reverse("linkage:review_item", args=[job.public_id, item.row_number]), {"choice": "none", "reason": "Khác"}
    )
    job.refresh_from_db()
    return job


def _counts(job: LinkJob) -> tuple[int, ...]:
    return (job.rows, job.matched, job.matched_with_differences, job.review, job.unmatched, job.duplicates)


def test_it_deletes_files_after_the_retention_period_and_keeps_the_counts(
    client: Client, done_job: LinkJob, settings: Any
) -> None:
    files = [media_path(done_job.extract_name), media_path(done_job.result_name)]
    assert all(f.is_file() for f in files)
    counts = _counts(done_job)
    settings.DANCU_LINKAGE_RETENTION_DAYS = 30
    finished = done_job.finished_at
    assert finished is not None

    early = do_remove_expired_files(now=finished + dt.timedelta(days=29))
    late = do_remove_expired_files(now=finished + dt.timedelta(days=31))
    again = do_remove_expired_files(now=finished + dt.timedelta(days=32))

    done_job.refresh_from_db()
    assert (early, late, again) == ([], [str(done_job.public_id)], [])
    assert not any(f.exists() for f in files)
    assert (done_job.extract_name, done_job.result_name, done_job.files_removed_reason) == ("", "", "retention")
    assert done_job.files_removed_at is not None
    assert _counts(done_job) == counts
    assert done_job.status == JobStatus.DONE
    assert not ReviewItem.objects.filter(job=done_job).exists()
    assert ReviewDecision.objects.count() == 1  # the journal stays
    entry = AuditEntry.objects.get(action="linkage.job.files_removed")
    assert (entry.actor_id, entry.object_id, entry.details["reason"]) == (
        "dancu-retention",
        str(done_job.public_id),
        "retention",
    )
    page = client.get(reverse("linkage:results", args=[done_job.public_id])).content.decode()
    assert "đã được xoá theo chính sách lưu giữ dữ liệu cá nhân" in page
    assert "removed by the retention policy" in page
    assert f"{done_job.rows}</dd>" in page
    assert client.get(reverse("linkage:download", args=[done_job.public_id])).status_code == 404


def test_it_also_expires_an_upload_never_mapped_but_not_a_running_job(
    client: Client, insurance_officer: User, messy: Callable[..., MessyExtract], tmp_path: Path
) -> None:
    client.force_login(insurance_officer)
    path = write_extract_csv(messy(5), tmp_path / "x.csv")
    upload_extract(client, path)
    upload_extract(client, path)
    waiting, running = LinkJob.objects.order_by("id")
    LinkJob.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING)

    removed = do_remove_expired_files(now=timezone.now() + dt.timedelta(days=31))

    assert removed == [str(waiting.public_id)]
    running.refresh_from_db()
    assert media_path(running.extract_name).is_file()
    response = client.get(reverse("linkage:mapping", args=[waiting.public_id]))
    assert response["Location"] == reverse("linkage:progress", args=[waiting.public_id])


def test_it_runs_the_retention_sweep_in_the_worker(done_job: LinkJob, settings: Any) -> None:
    settings.DANCU_LINKAGE_RETENTION_DAYS = 1
    LinkJob.objects.filter(pk=done_job.pk).update(finished_at=timezone.now() - dt.timedelta(days=2))

    assert "linkage.remove_expired_files" in periodic.run_due(now=1e12)

    done_job.refresh_from_db()
    assert done_job.files_removed_reason == FilesRemoved.RETENTION


def test_it_lets_an_officer_delete_the_files_now(client: Client, done_job: LinkJob, insurance_officer: User) -> None:
    files = [media_path(done_job.extract_name), media_path(done_job.result_name)]
    page = client.get(reverse("linkage:results", args=[done_job.public_id])).content.decode()

    response = client.post(reverse("linkage:remove_files", args=[done_job.public_id]))

    assert reverse("linkage:remove_files", args=[done_job.public_id]) in page
    assert response.status_code == 302
    done_job.refresh_from_db()
    assert not any(f.exists() for f in files)
    assert (done_job.files_removed_reason, done_job.files_removed_by) == ("user", insurance_officer.username)
    entry = AuditEntry.objects.get(action="linkage.job.files_removed")
    assert (entry.actor_id, entry.details["reason"]) == (insurance_officer.username, "user")
    progress = client.get(reverse("linkage:progress", args=[done_job.public_id]))
    assert progress["Location"] == reverse("linkage:results", args=[done_job.public_id])
    results = client.get(progress["Location"]).content.decode()
    assert f"đã được {insurance_officer.username} xoá lúc" in results
    assert client.post(reverse("linkage:remove_files", args=[done_job.public_id])).status_code == 400
    assert AuditEntry.objects.filter(action="linkage.job.files_removed").count() == 1


def test_it_refuses_deletion_to_an_auditor_and_to_another_agency(
    client: Client, done_job: LinkJob, auditor: User, department_admin: User
) -> None:
    for outsider in (auditor, department_admin):
        client.force_login(outsider)
        assert client.post(reverse("linkage:remove_files", args=[done_job.public_id])).status_code == 403

    done_job.refresh_from_db()
    assert done_job.files_removed_at is None
    assert media_path(done_job.result_name).is_file()
    assert AuditEntry.objects.filter(action="linkage.refused").count() == 2
