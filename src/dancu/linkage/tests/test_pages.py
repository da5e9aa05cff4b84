"""The linkage pages: upload → mapping → progress → results → review → journal."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dancu.core.models import AuditEntry
from dancu.identity.models import User
from dancu.linkage.engine.messy import MessyExtract
from dancu.linkage.models import JobStatus, LinkJob, ReviewDecision, ReviewItem, ReviewState, SourceIndicator
from dancu.linkage.tests.conftest import (
    confirm_mapping,
    run_upload,
    upload_extract,
    with_lookalikes,
    write_extract_csv,
)
from dancu.registry.synthetic import PersonRow

pytestmark = pytest.mark.django_db


def test_it_walks_an_officer_from_upload_to_a_reviewed_correction_list(
    client: Client,
    insurance_officer: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(insurance_officer)
    extract = with_lookalikes(messy(80, seed=3), register)
    path = write_extract_csv(extract, tmp_path / "bhxh-thang-11.csv")
    rows = len(extract.rows)

    assert client.get(reverse("linkage:upload")).status_code == 200
    response = upload_extract(client, path)
    job = LinkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("linkage:mapping", args=[job.public_id])
    assert job.status == JobStatus.AWAITING_MAPPING
    assert job.mapping == {
        "STT": "row_id",
        "HO_TEN": "full_name",
        "NGAY_SINH": "birth_date",
        "GIOI_TINH": "sex",
        "SO_CCCD": "personal_id",
        "DIA_CHI": "address",
        "SO_DIEN_THOAI": "phone",
    }
    assert job.extract_name.startswith("linkage/uploads/")
    assert "bhxh" not in job.extract_name
    page = client.get(reverse("linkage:mapping", args=[job.public_id])).content.decode()
    assert '<option value="full_name" selected>' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_mapping(client, job)
    assert response["Location"] == reverse("linkage:progress", args=[job.public_id])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert len(job.task_id) > 0
    assert job.rows == rows
    assert job.matched + job.review + job.unmatched == rows
    assert job.matched_clean + job.matched_with_differences == job.matched
    assert job.review >= 3
    assert job.register_size == 400

    status = client.get(reverse("linkage:status", args=[job.public_id])).json()
    assert (status["status"], status["percent"], status["finished"]) == ("done", 100, True)
    assert client.get(reverse("linkage:progress", args=[job.public_id]))["Location"] == reverse(
        "linkage:results", args=[job.public_id]
    )
    results = client.get(reverse("linkage:results", args=[job.public_id]) + "?loc=all")
    body = results.content.decode()
    assert results.status_code == 200
    assert f"{rows} dòng" in body
    assert body.count('<th scope="row">') == 50  # the first page of all rows

    download = client.get(reverse("linkage:download", args=[job.public_id]))
    result_rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert download["Content-Disposition"].startswith("attachment;")
    assert [r["row_id"] for r in result_rows] == [str(n) for n in range(1, rows + 1)]
    assert sum(r["status"] == "review" for r in result_rows) == job.review

    pending = list(ReviewItem.objects.filter(job=job).order_by("row_number"))
    assert len(pending) == job.review
    first, second = pending[0], pending[1]
    item_page = client.get(reverse("linkage:review_item", args=[job.public_id, first.row_number])).content.decode()
    person_name = next(p.full_name for p in register if p.personal_id == first.personal_id)
    assert person_name in item_page
    assert first.extract["full_name"] in item_page
    assert AuditEntry.objects.filter(action="linkage.review.view", subject_personal_id=first.personal_id).count() == 1

    response = client.post(
        reverse("linkage:review_item", args=[job.public_id, first.row_number]), {"decision": "confirm", "reason": ""}
    )
    assert response["Location"] == reverse("linkage:review_item", args=[job.public_id, second.row_number])
    response = client.post(
        reverse("linkage:review_item", args=[job.public_id, second.row_number]),
        {"choice": "none", "reason": "Anh em sinh đôi, khác tên"},
    )
    assert response.status_code == 302
    before = (job.matched, job.review, job.unmatched)
    job.refresh_from_db()
    assert (job.matched, job.review, job.unmatched) == (before[0] + 1, before[1] - 2, before[2] + 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (ReviewState.CONFIRMED, ReviewState.REJECTED)
    journal = list(ReviewDecision.objects.order_by("id").values_list("row_id", "decision", "personal_id", "reason"))
    assert journal == [
        (first.row_id, "confirm", first.personal_id, ""),
        (second.row_id, "none", "", "Anh em sinh đôi, khác tên"),
    ]
    decided = AuditEntry.objects.filter(action="linkage.review.decide").order_by("id")
    assert [e.subject_personal_id for e in decided] == [first.personal_id, second.personal_id]
    indicator = SourceIndicator.objects.get(source=job.source)
    assert (indicator.review, indicator.unmatched) == (job.review, job.unmatched)

    after = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get(reverse("linkage:download", args=[job.public_id])).streaming_content).decode()
            )
        )
    )
    by_id = {r["row_id"]: r for r in after}
    assert (by_id[first.row_id]["status"], by_id[first.row_id]["personal_id"]) == ("matched", first.personal_id)
    assert (by_id[second.row_id]["status"], by_id[second.row_id]["personal_id"]) == ("unmatched", "")

    journal_page = client.get(reverse("linkage:journal")).content.decode()
    assert "Anh em sinh đôi, khác tên" in journal_page
    index = client.get(reverse("linkage:index")).content.decode()
    assert "BHXH Hải Phòng" in index


def test_it_reuses_decisions_on_the_next_run_of_the_same_source_even_renumbered(
    client: Client,
    insurance_officer: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(insurance_officer)
    extract = with_lookalikes(messy(40, seed=5), register)
    first_job = run_upload(client, django_capture_on_commit_callbacks, write_extract_csv(extract, tmp_path / "a.csv"))
    confirmed, rejected = list(ReviewItem.objects.filter(job=first_job).order_by("row_number"))[:2]
    client.post(
        reverse("linkage:review_item", args=[first_job.public_id, confirmed.row_number]), {"decision": "confirm"}
    )
    client.post(
        reverse("linkage:review_item", args=[first_job.public_id, rejected.row_number]),
        {"decision": "none", "reason": "Khác người"},
    )
    # Next month the agency sends the same people in another order, renumbered.
    extract.rows.reverse()
    for number, row in enumerate(extract.rows, start=1):
        row["STT"] = number

    second_job = run_upload(client, django_capture_on_commit_callbacks, write_extract_csv(extract, tmp_path / "b.csv"))

    assert second_job.decisions_reused == 2
    assert second_job.review == first_job.review - 2
    new_ids = {row["HO_TEN"]: str(row["STT"]) for row in extract.rows}
    download = client.get(reverse("linkage:download", args=[second_job.public_id]))
    by_id = {r["row_id"]: r for r in csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode()))}
    kept = by_id[new_ids[confirmed.extract["full_name"]]]
    dropped = by_id[new_ids[rejected.extract["full_name"]]]
    assert (kept["status"], kept["personal_id"], kept["method"]) == ("matched", confirmed.personal_id, "decision")
    assert (dropped["status"], dropped["personal_id"], dropped["method"]) == ("unmatched", "", "decision")
    assert not ReviewItem.objects.filter(job=second_job, row_key__in=[confirmed.row_key, rejected.row_key]).exists()


def test_it_reads_an_excel_extract_with_a_title_row(
    client: Client,
    insurance_officer: User,
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(insurance_officer)
    extract = messy(30, seed=8, header_style=2)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH NGƯỜI THAM GIA BẢO HIỂM Y TẾ THÁNG 11/2026"])
    sheet.append(extract.headers)
    for row in extract.rows:
        sheet.append([row[h] for h in extract.headers])
    path = tmp_path / "so-y-te.xlsx"
    book.save(path)

    job = run_upload(client, django_capture_on_commit_callbacks, path, source="Sở Y tế")

    assert job.file_kind == "xlsx"
    assert job.headers == extract.headers
    assert job.mapping["Họ tên"] == "full_name"
    assert job.status == JobStatus.DONE
    assert job.rows == 30


def test_it_refuses_a_mapping_without_the_name_column_and_keeps_the_job_waiting(
    client: Client, insurance_officer: User, messy: Callable[..., MessyExtract], tmp_path: Path
) -> None:
    client.force_login(insurance_officer)
    upload_extract(client, write_extract_csv(messy(5), tmp_path / "x.csv"))
    job = LinkJob.objects.get()

    response = confirm_mapping(client, job, {"HO_TEN": ""})
    twice = confirm_mapping(client, job, {"NGAY_SINH": "full_name"})

    assert response.status_code == 400
    assert "Chưa chọn cột cho “Họ và tên / Full name”" in response.content.decode()
    assert twice.status_code == 400
    assert "được chọn cho hai cột" in twice.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.AWAITING_MAPPING


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Old Excel format (XLS) is not supported"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither CSV nor XLSX"),
        ("empty.csv", b"", "Tệp rỗng / The file is empty"),
        ("dup.csv", "STT,Họ tên,Họ tên\n1,An,An\n".encode(), "Column names repeat"),
    ],
)
def test_it_refuses_a_bad_upload_and_keeps_nothing(
    client: Client, insurance_officer: User, tmp_path: Path, settings: Any, name: str, content: bytes, message: str
) -> None:
    client.force_login(insurance_officer)

    response = client.post(reverse("linkage:upload"), {"source": "BHXH", "extract": SimpleUploadedFile(name, content)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert LinkJob.objects.count() == 0
    uploads = Path(settings.MEDIA_ROOT) / "linkage" / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_it_refuses_an_upload_over_the_size_cap(client: Client, insurance_officer: User, settings: Any) -> None:
    settings.DANCU_LINKAGE_MAX_UPLOAD_BYTES = 1024
    client.force_login(insurance_officer)

    response = client.post(
        reverse("linkage:upload"),
        {"source": "BHXH", "extract": SimpleUploadedFile("big.csv", b"STT,Ho ten\n" + b"1,Nguyen Van An\n" * 200)},
    )

    assert response.status_code == 400
    assert "Tệp quá lớn (tối đa 1 KB) / The file is too large (at most 1 KB)" in response.content.decode()
    assert LinkJob.objects.count() == 0


def test_it_shows_a_progress_bar_that_works_without_inline_scripts(
    client: Client, insurance_officer: User, messy: Callable[..., MessyExtract], tmp_path: Path
) -> None:
    client.force_login(insurance_officer)
    upload_extract(client, write_extract_csv(messy(5), tmp_path / "x.csv"))
    job = LinkJob.objects.get()
    confirm_mapping(client, job)  # on_commit callbacks are not run: the job stays queued
    LinkJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, stage="score", percent=70)

    response = client.get(reverse("linkage:progress", args=[job.public_id]))
    body = response.content.decode()

    assert response.status_code == 200
    assert '<progress class="progress" id="job-progress-bar" max="100" value="70">70%</progress>' in body
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in body
    assert '<script src="/static/linkage/progress.js" defer></script>' in body
    assert "<script>" not in body
    assert "Chấm điểm cặp ứng viên" in body
    assert client.get(reverse("linkage:status", args=[job.public_id])).json() == {
        "status": "running",
        "status_label": "Đang chạy / Running",
        "stage": "score",
        "stage_label": "Chấm điểm cặp ứng viên / Scoring candidate pairs",
        "done": 0,
        "total": 0,
        "percent": 70,
        "finished": False,
        "rows": 0,
        "error": "",
    }


def test_it_shows_why_a_job_failed(
    client: Client,
    insurance_officer: User,
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    client.force_login(insurance_officer)
    upload_extract(client, write_extract_csv(messy(5), tmp_path / "x.csv"))
    job = LinkJob.objects.get()
    (Path(settings.MEDIA_ROOT) / job.extract_name).write_text("STT,Mã\n1,2\n", encoding="utf-8")

    with django_capture_on_commit_callbacks(execute=True):
        confirm_mapping(client, job)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Tệp không có cột / The extract has no column: HO_TEN" in job.error
    body = client.get(reverse("linkage:progress", args=[job.public_id])).content.decode()
    assert "Liên kết thất bại" in body
    assert "The extract has no column: HO_TEN" in body
    failure = AuditEntry.objects.get(action="linkage.job.failed")
    assert failure.outcome == "failed"


def test_it_answers_404_for_an_unknown_job(client: Client, insurance_officer: User) -> None:
    client.force_login(insurance_officer)
    unknown = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("linkage:results", args=[unknown])).status_code == 404
    assert client.get(reverse("linkage:status", args=[unknown])).status_code == 404


def test_it_names_a_review_row_by_its_row_number_not_its_database_id(
    client: Client,
    insurance_officer: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(insurance_officer)
    extract = with_lookalikes(messy(30, seed=5), register)
    job = run_upload(client, django_capture_on_commit_callbacks, write_extract_csv(extract, tmp_path / "x.csv"))
    items = list(ReviewItem.objects.filter(job=job).order_by("row_number"))
    rows = {item.row_number for item in items}
    stray_ids = [item.pk for item in items if item.pk not in rows]
    assert items
    assert stray_ids  # some row's database id is no review row's number

    listed = client.get(reverse("linkage:review_list", args=[job.public_id])).content.decode()
    base = reverse("linkage:review_list", args=[job.public_id])
    links = re.findall(rf'href="({re.escape(base)}[^"?]+)"', listed)

    assert links == [f"{base}{item.row_number}/" for item in items]
    assert all(client.get(link).status_code == 200 for link in links)
    for pk in stray_ids:
        assert client.get(f"{base}{pk}/").status_code == 404
        assert client.post(f"{base}{pk}/", {"decision": "confirm", "reason": ""}).status_code == 404
    assert client.get(f"{base}{max(rows) + 1}/").status_code == 404
    assert not ReviewDecision.objects.exists()
