"""``batch-verify``: records in the body, or a CSV file as a background job."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dancu.core.models import AuditEntry
from dancu.exchange.models import BatchJob
from dancu.exchange.tests.conftest import BASE, Gateway, System
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db


def test_it_verifies_many_records_in_one_call(
    gateway: Gateway, insurance_system: System, person_lan: Person, person_minh: Person
) -> None:
    records = [
        {"personal_id": "031190012345", "full_name": "Nguyen Thi Lan", "birth_date": "1990-05-12"},
        {"personal_id": "031201004567", "sex": "female"},
        {"personal_id": "031190099999", "full_name": "Không Có"},
    ] * 400

    response = gateway.post(
        insurance_system, "batch-verify/v1", {"records": records, "name_match": "folded"}, purpose="BHYT.CAP-THE"
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1200
    assert results[:3] == [
        {
            "personal_id": "031190012345",
            "found": True,
            "matches": {"full_name": True, "birth_date": True},
            "answer": {
                "status": True,
                "message": "Thông tin khớp với cơ sở dữ liệu dân cư / Matches the population register",
            },
        },
        {
            "personal_id": "031201004567",
            "found": True,
            "matches": {"sex": False},
            "answer": {
                "status": False,
                "message": "Thông tin không khớp với cơ sở dữ liệu dân cư / Does not match the population register",
            },
        },
        {
            "personal_id": "031190099999",
            "found": False,
            "matches": {"full_name": False},
            "answer": {"status": False, "message": "Không tìm thấy số định danh / Personal ID not found"},
        },
    ]
    entries = AuditEntry.objects.filter(action="exchange.batch-verify")
    assert entries.count() == 1200
    assert entries.filter(subject_personal_id="031190012345").count() == 400
    digest = hashlib.sha256(response.content).hexdigest()
    assert set(entries.values_list("response_hash", flat=True)) == {digest}
    assert sorted(entries.values_list("details__index", flat=True))[:3] == [0, 1, 2]


def test_it_refuses_more_than_five_thousand_records(gateway: Gateway, insurance_system: System) -> None:
    records = [{"personal_id": "031190012345"}] * 5001

    response = gateway.post(insurance_system, "batch-verify/v1", {"records": records}, purpose="BHYT.CAP-THE")

    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="exchange.batch-verify", outcome="ok").exists()


CSV = (
    "STT,Số định danh,Họ và tên,Ngày sinh,Giới tính\n"
    "1,031190012345,Nguyễn Thị Lan,1990-05-12,Nữ\n"
    "2,031201004567,Trần Văn Minh,2001-03-05,Nam\n"
    "3,031190099999,Ai Đó,1990,Nữ\n"
)


def _submit(gateway: Gateway, system: System, data: bytes) -> Any:
    return gateway.client.post(
        f"{BASE}/batch-verify/v1/jobs",
        {"file": SimpleUploadedFile("danh-sach.csv", data, content_type="text/csv"), "name_match": "exact"},
        headers=gateway.headers(system, purpose="BHYT.CAP-THE"),
    )


def test_it_runs_a_file_as_a_background_job(
    gateway: Gateway,
    insurance_system: System,
    person_lan: Person,
    person_minh: Person,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submitted = _submit(gateway, insurance_system, CSV.encode())

    assert submitted.status_code == 202
    job_id = submitted.json()["job_id"]
    assert submitted.json()["status"] == "queued"
    status = gateway.get(insurance_system, f"batch-verify/v1/jobs/{job_id}", purpose="BHYT.CAP-THE").json()
    assert (status["status"], status["rows"], status["found"]) == ("done", 3, 2)
    assert status["result_url"] == f"{BASE}/batch-verify/v1/jobs/{job_id}/result"

    result = gateway.get(insurance_system, f"batch-verify/v1/jobs/{job_id}/result", purpose="BHYT.CAP-THE")

    assert result.status_code == 200
    assert result["Content-Type"] == "text/csv; charset=utf-8"
    assert result.content.decode().splitlines() == [
        "row,personal_id,found,full_name,birth_date,sex,permanent_address,all_match,refused",
        "1,031190012345,true,true,true,true,,true,",
        "2,031201004567,true,true,false,true,,false,",
        "3,031190099999,false,false,false,false,,false,",
    ]
    per_record = AuditEntry.objects.filter(
        action="exchange.batch-verify", details__job=job_id, subject_personal_id__gt=""
    )
    assert per_record.count() == 3
    download = AuditEntry.objects.get(action="exchange.batch-verify", details__step="result")
    assert download.response_hash == hashlib.sha256(result.content).hexdigest()


def test_it_refuses_a_file_naming_each_bad_row(gateway: Gateway, insurance_system: System) -> None:
    data = "personal_id,birth_date,sex\n031190012345,1990-02-30,Nữ\n12345,1990,Nữ\n031190012345,1990,X\n"

    response = _submit(gateway, insurance_system, data.encode())

    assert response.status_code == 400
    assert response.json()["rows"] == [
        {"row": 2, "column": "birth_date", "reason": "YYYY, YYYY-MM hoặc/or YYYY-MM-DD"},
        {"row": 3, "column": "personal_id", "reason": "cần 12 chữ số / 12 digits expected"},
        {"row": 4, "column": "sex", "reason": "male/female, Nam/Nữ"},
    ]
    assert not BatchJob.objects.exists()


def test_it_reads_lines_ended_by_a_lone_carriage_return(gateway: Gateway, insurance_system: System) -> None:
    # Old Mac files end lines with CR alone; the bad second row must be named as row 3.
    data = b"personal_id,sex\r031190012345,N\xe1\xbb\xaf\r12345,Nam\r"

    response = _submit(gateway, insurance_system, data)

    assert response.status_code == 400
    assert response.json()["rows"] == [
        {"row": 3, "column": "personal_id", "reason": "cần 12 chữ số / 12 digits expected"},
    ]


def test_it_refuses_a_line_csv_cannot_read_by_its_number(gateway: Gateway, insurance_system: System) -> None:
    data = b'personal_id\n031190012345\n"' + b"1" * 140_000 + b'"\n'

    response = _submit(gateway, insurance_system, data)

    assert response.status_code == 400
    assert "line 3 cannot be read as CSV" in response.json()["detail"]
    assert not BatchJob.objects.exists()


def test_it_hides_other_systems_jobs(
    gateway: Gateway,
    insurance_system: System,
    bank_system: System,
    person_lan: Person,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from dancu.exchange.actions import do_grant_access
    from dancu.exchange.tests.conftest import ADMIN

    do_grant_access(
        bank_system.system, service="batch-verify", purpose_code="BHYT.CAP-THE", fields=["sex"], actor=ADMIN
    )
    with django_capture_on_commit_callbacks(execute=True):
        job_id = _submit(gateway, insurance_system, CSV.encode()).json()["job_id"]

    response = gateway.get(bank_system, f"batch-verify/v1/jobs/{job_id}/result", purpose="BHYT.CAP-THE")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_it_fails_a_job_whose_worker_died_and_takes_the_file_again(
    gateway: Gateway,
    insurance_system: System,
    person_lan: Person,
    person_minh: Person,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    import datetime as dt

    from django.utils import timezone
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from dancu.core import jobs
    from dancu.exchange.services.batch import WORKER_STOPPED
    from dancu.exchange.tasks import run_batch_job

    submitted = _submit(gateway, insurance_system, CSV.encode())  # not run: no on_commit here
    job_id = submitted.json()["job_id"]
    # A worker claimed it, started, and was killed (kill -9) before it finished.
    BatchJob.objects.filter(job_id=job_id).update(status="running")
    started = timezone.now() - dt.timedelta(minutes=5)
    DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=["host-4242-dead"],
        task_path=run_batch_job.module_path,
        args_kwargs={"args": [job_id], "kwargs": {}},
        backend_name="default",
        run_after=started,
    )

    assert len(jobs.fail_abandoned()) == 1

    status = gateway.get(insurance_system, f"batch-verify/v1/jobs/{job_id}", purpose="BHYT.CAP-THE").json()
    assert (status["status"], status["error"], status["result_url"]) == ("failed", WORKER_STOPPED, None)
    failure = AuditEntry.objects.get(action="exchange.batch-verify", details__step="abandoned")
    assert (failure.outcome, failure.actor_kind, failure.details["worker"]) == ("failed", "system", "host-4242-dead")
    # A second sweep changes nothing.
    assert jobs.fail_abandoned() == []
    assert AuditEntry.objects.filter(details__step="abandoned").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = _submit(gateway, insurance_system, CSV.encode())

    assert again.status_code == 202
    rerun = gateway.get(insurance_system, f"batch-verify/v1/jobs/{again.json()['job_id']}", purpose="BHYT.CAP-THE")
    assert (rerun.json()["status"], rerun.json()["found"]) == ("done", 2)
    assert BatchJob.objects.get(job_id=job_id).status == "failed"
