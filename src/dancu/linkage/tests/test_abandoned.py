"""A job whose worker died while linking is failed by the core sweep, says so on its page, and
can be run again."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dancu.core import jobs
from dancu.core.models import AuditEntry
from dancu.identity.models import User
from dancu.linkage.actions import WORKER_STOPPED
from dancu.linkage.engine.messy import MessyExtract
from dancu.linkage.extract_files import media_path, work_dir
from dancu.linkage.models import JobStatus, LinkJob
from dancu.linkage.tasks import run_link_job
from dancu.linkage.tests.conftest import upload_extract, write_extract_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranded_job(
    client: Client, insurance_officer: User, messy: Callable[..., MessyExtract], tmp_path: Path
) -> LinkJob:
    """An uploaded job a worker claimed and then died running: its task result is RUNNING with
    a worker that never beats again, and its register copy is still on disk."""
    client.force_login(insurance_officer)
    assert upload_extract(client, write_extract_csv(messy(40, seed=8), tmp_path / "x.csv")).status_code == 302
    job = LinkJob.objects.get()
    started = timezone.now() - dt.timedelta(minutes=5)
    result = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=["worker-that-was-killed"],
        task_path=run_link_job.module_path,
        args_kwargs={"args": [job.pk], "kwargs": {}},
        backend_name="default",
        run_after=started,
    )
    LinkJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, task_id=str(result.id), stage="score", percent=70, started_at=started
    )
    (work_dir(job)).mkdir(parents=True)
    (work_dir(job) / "register.parquet").write_bytes(b"the whole register")
    job.refresh_from_db()
    return job


def test_it_fails_a_job_whose_worker_died_and_removes_its_register_copy(stranded_job: LinkJob) -> None:
    failed = jobs.fail_abandoned()

    stranded_job.refresh_from_db()
    assert failed == [stranded_job.task_id]
    assert (stranded_job.status, stranded_job.error) == (JobStatus.FAILED, WORKER_STOPPED)
    assert stranded_job.finished_at is not None
    assert not work_dir(stranded_job).exists()
    entry = AuditEntry.objects.get(action="linkage.job.failed")
    assert (entry.object_id, entry.outcome, entry.details["error"]) == (
        str(stranded_job.public_id),
        "failed",
        WORKER_STOPPED,
    )
    # A second sweep finds nothing and changes nothing.
    assert jobs.fail_abandoned() == []
    assert AuditEntry.objects.filter(action="linkage.job.failed").count() == 1


def test_it_leaves_a_job_that_was_queued_again_under_another_task(stranded_job: LinkJob) -> None:
    LinkJob.objects.filter(pk=stranded_job.pk).update(status=JobStatus.QUEUED, task_id="a-newer-task")

    jobs.fail_abandoned()

    stranded_job.refresh_from_db()
    assert (stranded_job.status, stranded_job.error) == (JobStatus.QUEUED, "")
    assert not AuditEntry.objects.filter(action="linkage.job.failed").exists()


def test_it_says_why_on_the_progress_page_and_runs_the_job_again(
    client: Client, stranded_job: LinkJob, django_capture_on_commit_callbacks: Any
) -> None:
    jobs.fail_abandoned()

    page = client.get(reverse("linkage:progress", args=[stranded_job.public_id])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("linkage:rerun", args=[stranded_job.public_id]))

    assert "Tiến trình nền đã dừng khi đang liên kết tệp này" in page
    assert "The background worker stopped while linking this extract" in page
    assert f'action="{reverse("linkage:rerun", args=[stranded_job.public_id])}"' in page
    assert response.status_code == 302
    stranded_job.refresh_from_db()
    assert (stranded_job.status, stranded_job.error, stranded_job.rows) == (JobStatus.DONE, "", 40)
    assert AuditEntry.objects.filter(action="linkage.job.rerun", object_id=str(stranded_job.public_id)).count() == 1


def test_it_refuses_to_run_again_a_job_whose_file_is_gone(client: Client, stranded_job: LinkJob) -> None:
    jobs.fail_abandoned()
    media_path(stranded_job.extract_name).unlink()

    page = client.get(reverse("linkage:progress", args=[stranded_job.public_id])).content.decode()
    response = client.post(reverse("linkage:rerun", args=[stranded_job.public_id]))

    assert reverse("linkage:rerun", args=[stranded_job.public_id]) not in page
    assert response.status_code == 400
    assert "Only a failed job whose file is kept can run again" in response.content.decode()
    stranded_job.refresh_from_db()
    assert stranded_job.status == JobStatus.FAILED
    assert not AuditEntry.objects.filter(action="linkage.job.rerun").exists()


def test_it_refuses_a_re_run_by_an_auditor(client: Client, stranded_job: LinkJob, auditor: User) -> None:
    jobs.fail_abandoned()
    client.force_login(auditor)

    page = client.get(reverse("linkage:progress", args=[stranded_job.public_id])).content.decode()
    response = client.post(reverse("linkage:rerun", args=[stranded_job.public_id]))

    assert WORKER_STOPPED.split(" / ")[0][:40] in page
    assert reverse("linkage:rerun", args=[stranded_job.public_id]) not in page
    assert response.status_code == 403
    stranded_job.refresh_from_db()
    assert stranded_job.status == JobStatus.FAILED
    assert AuditEntry.objects.filter(action="linkage.refused").count() == 1


def _cli_job(worker_id: str, started: dt.datetime) -> LinkJob:
    from dancu.linkage.models import Source

    source, _ = Source.objects.get_or_create(agency="BHXH-HP", name="BHXH Hải Phòng")
    return LinkJob.objects.create(
        source=source,
        agency="BHXH-HP",
        channel="cli",
        status=JobStatus.RUNNING,
        original_name="bhxh.csv",
        file_kind="csv",
        sha256="0" * 64,
        worker_id=worker_id,
        started_at=started,
    )


def test_it_fails_a_command_line_job_whose_process_stopped_beating() -> None:
    from dancu.core.models import WorkerHeartbeat
    from dancu.linkage.actions import CLI_STOPPED, do_fail_stranded_cli_jobs

    now = timezone.now()
    dead = _cli_job("host-1-dead", now - dt.timedelta(minutes=5))
    alive = _cli_job("host-2-alive", now - dt.timedelta(minutes=5))
    young = _cli_job("host-3-starting", now - dt.timedelta(seconds=10))
    WorkerHeartbeat.objects.create(worker_id="host-2-alive", host="host", pid=2, seen_at=now - dt.timedelta(seconds=3))

    failed = do_fail_stranded_cli_jobs(now=now)

    assert failed == [str(dead.public_id)]
    states = {j.pk: (j.status, j.error) for j in LinkJob.objects.all()}
    assert states == {
        dead.pk: (JobStatus.FAILED, CLI_STOPPED),
        alive.pk: (JobStatus.RUNNING, ""),
        young.pk: (JobStatus.RUNNING, ""),
    }
    assert AuditEntry.objects.get(action="linkage.job.failed").object_id == str(dead.public_id)
    assert do_fail_stranded_cli_jobs(now=now) == []


def test_it_gives_a_dancu_link_job_its_process_and_removes_the_beat_after(
    messy: Callable[..., MessyExtract], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from dancu.cli import build_app
    from dancu.core.models import WorkerHeartbeat

    path = write_extract_csv(messy(20, seed=2), tmp_path / "x.csv")

    result = CliRunner().invoke(build_app(), ["link", str(path), "--out", str(tmp_path / "out.csv")])

    assert result.exit_code == 0, result.stderr
    job = LinkJob.objects.get()
    assert job.status == JobStatus.DONE
    assert job.worker_id.startswith(socket.gethostname()[:60])
    assert not WorkerHeartbeat.objects.filter(worker_id=job.worker_id).exists()
