"""A link job's life: upload, mapping confirmed, queued, running, finished or failed, run again."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
from django.db import transaction
from django.utils import timezone

from dancu.core.audit import Actor, record
from dancu.core.jobs import ABANDONED_AFTER, live_workers
from dancu.core.models import Outcome
from dancu.linkage.access import LinkageOfficer, LinkageRefused
from dancu.linkage.actions.sources import (
    PURPOSE,
    LinkageInputError,
    do_ensure_source,
    normalise_source_name,
    suggested_mapping,
    validate_mapping,
)
from dancu.linkage.extract_files import ExtractFileError, media_path, peek_extract, store_extract, work_dir
from dancu.linkage.models import (
    FileKind,
    JobStatus,
    LinkJob,
    ReviewItem,
    RunChannel,
    Source,
    SourceIndicator,
)
from dancu.linkage.running import STAGES, RunOutcome

__all__ = [
    "CLI_STOPPED",
    "WORKER_STOPPED",
    "check_confirm_mapping",
    "check_rerun_job",
    "check_upload_extract",
    "do_abandon_job",
    "do_create_cli_job",
    "do_fail_job",
    "do_fail_stranded_cli_jobs",
    "do_finish_job",
    "do_report_progress",
    "do_start_job",
    "job_actor",
    "may_rerun",
]


WORKER_STOPPED: Final = (
    "Tiến trình nền đã dừng khi đang liên kết tệp này (máy chủ khởi động lại hoặc thiếu bộ nhớ). "
    "Tệp vẫn được giữ; hãy bấm “Chạy lại”. / The background worker stopped while linking this "
    "extract (a restart or lack of memory). The file is kept; press “Run again”."
)


def check_upload_extract(
    officer: LinkageOfficer, *, source_name: str, original_name: str, chunks: Iterable[bytes]
) -> LinkJob:
    """Store an uploaded extract and open a job awaiting its column mapping."""
    if not officer.may_run:
        raise LinkageRefused("Vai trò của bạn không được phép liên kết dữ liệu / Your role may not use record linkage")
    cleaned_name = normalise_source_name(source_name)
    try:
        stored = store_extract(chunks)
    except ExtractFileError as exc:
        raise LinkageInputError(str(exc), field="extract") from exc
    path = media_path(stored.name)
    try:
        preview = peek_extract(path, stored.kind)
    except (ExtractFileError, UnicodeDecodeError) as exc:
        path.unlink(missing_ok=True)
        raise LinkageInputError(str(exc), field="extract") from exc
    headers = list(preview.headers)
    if not any(h.strip() for h in headers):
        path.unlink(missing_ok=True)
        raise LinkageInputError("Không tìm thấy dòng tiêu đề cột / No header row found", field="extract")
    if len(set(headers)) != len(headers):
        path.unlink(missing_ok=True)
        twice = sorted({h for h in headers if headers.count(h) > 1})
        raise LinkageInputError(
            f"Tên cột bị trùng / Column names repeat: {', '.join(repr(h) for h in twice)}", field="extract"
        )
    with transaction.atomic():
        source = do_ensure_source(officer.actor, cleaned_name, agency=officer.agency)
        job = LinkJob.objects.create(
            source=source,
            agency=source.agency,
            channel=RunChannel.WEB,
            original_name=Path(original_name).name[:255] or "extract",
            file_kind=stored.kind,
            extract_name=stored.name,
            size=stored.size,
            sha256=stored.sha256,
            headers=headers,
            mapping=suggested_mapping(headers, source),
            created_by=officer.actor_id,
        )
        _audit_upload(officer.actor, job)
    return job


def check_confirm_mapping(officer: LinkageOfficer, job: LinkJob, mapping: Mapping[str, str]) -> LinkJob:
    """Fix the job's column mapping and queue it to run after the transaction commits."""
    if not officer.may_run:
        raise LinkageRefused("Vai trò của bạn không được phép liên kết dữ liệu / Your role may not use record linkage")
    if job.status != JobStatus.AWAITING_MAPPING:
        raise LinkageInputError("Phiên này đã được xác nhận cột / This job's columns are already confirmed")
    if job.files_removed_at is not None:
        raise LinkageInputError("Tệp của phiên này đã được xoá / This job's files are deleted")
    complete = validate_mapping(list(job.headers), mapping)
    with transaction.atomic():
        updated = LinkJob.objects.filter(pk=job.pk, status=JobStatus.AWAITING_MAPPING).update(
            mapping=complete, status=JobStatus.QUEUED, updated_at=timezone.now()
        )
        if not updated:
            raise LinkageInputError("Phiên này đã được xác nhận cột / This job's columns are already confirmed")
        Source.objects.filter(pk=job.source_id).update(mapping=complete)
        record(
            action="linkage.job.mapping",
            actor=officer.actor,
            object_type="linkage.LinkJob",
            object_id=str(job.public_id),
            purpose=PURPOSE,
            details={"mapping": complete},
        )
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(job_id))
    job.refresh_from_db()
    return job


def _enqueue(job_id: int) -> None:
    """Queue the job's run (after the mapping committed) and keep the task's id with it."""
    from dancu.linkage.tasks import run_link_job

    result = run_link_job.enqueue(job_id)
    LinkJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def do_create_cli_job(
    actor: Actor,
    *,
    source_name: str,
    agency: str = "",
    worker_id: str = "",
    extract: Path,
    kind: FileKind,
    headers: list[str],
    mapping: Mapping[str, str],
) -> LinkJob:
    """Record a ``dancu link`` run as a job (already running) of ``agency``, so its results and
    review rows appear on that agency's linkage pages like an upload's (with no agency, only
    auditors see them)."""
    import hashlib

    digest = hashlib.sha256()
    with extract.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    with transaction.atomic():
        source = do_ensure_source(actor, source_name, agency=agency.strip())
        job = LinkJob.objects.create(
            source=source,
            agency=source.agency,
            channel=RunChannel.CLI,
            status=JobStatus.RUNNING,
            original_name=extract.name[:255],
            file_kind=kind,
            size=extract.stat().st_size,
            sha256=digest.hexdigest(),
            headers=headers,
            mapping=dict(mapping),
            created_by=actor.id,
            worker_id=worker_id,
            started_at=timezone.now(),
        )
        _audit_upload(actor, job, channel="cli")
    return job


def _audit_upload(actor: Actor, job: LinkJob, *, channel: str = "") -> None:
    """The audit entry of a new job, uploaded on the page or started by ``dancu link``."""
    details: dict[str, object] = {
        "source": job.source.name,
        "agency": job.agency,
        "size": job.size,
        "sha256": job.sha256,
        "kind": job.file_kind,
    }
    if channel:
        details["channel"] = channel
    record(
        action="linkage.job.upload",
        actor=actor,
        object_type="linkage.LinkJob",
        object_id=str(job.public_id),
        purpose=PURPOSE,
        details=details,
    )


def do_start_job(job_id: int) -> LinkJob | None:
    """Move a queued job to running; ``None`` if another worker took it (or it is not queued)."""
    now = timezone.now()
    taken = LinkJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, updated_at=now, stage="register", done=0, total=0, percent=0
    )
    return LinkJob.objects.get(pk=job_id) if taken else None


def do_report_progress(job_id: int, stage: str, done: int, total: int, percent: int) -> None:
    """Store how far a running job is (no audit: progress is not data about anyone)."""
    LinkJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        stage=stage if stage in STAGES else "",
        done=max(done, 0),
        total=max(total, 0),
        percent=min(max(percent, 0), 100),
        updated_at=timezone.now(),
    )


def job_actor(job: LinkJob) -> Actor:
    """Who a job acts for: the officer who uploaded it, or the operator who ran the CLI."""
    return Actor(kind="officer" if job.channel == RunChannel.WEB else "system", id=job.created_by)


def _differences(value: Any) -> dict[str, Any]:
    if isinstance(value, str) and value:
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else {}
    return {}


def _review_items(
    job: LinkJob, table: pa.Table, fields: pa.Table, rejected: Mapping[str, list[str]]
) -> list[ReviewItem]:
    import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow ships no type hints

    review = table.filter(pc.equal(table.column("status"), "review"))
    if review.num_rows == 0:
        return []
    index = {str(v): i for i, v in enumerate(fields.column("row_id").to_pylist())}
    wanted = [index[str(r)] for r in review.column("row_id").to_pylist()]
    extract_rows = fields.take(pa.array(wanted, pa.int64())).to_pylist()
    items = []
    for row, values in zip(review.to_pylist(), extract_rows, strict=True):
        items.append(
            ReviewItem(
                job=job,
                row_number=row["row_number"],
                row_id=str(row["row_id"])[:64],
                row_key=row["row_key"],
                personal_id=row["personal_id"] or "",
                score=float(row["score"] or 0.0),
                extract={k: v for k, v in values.items() if k != "row_id" and v},
                differences=_differences(row["differences"]),
                explanation=row["explanation"] or "",
                rejected_candidates=rejected.get(row["row_key"], []),
            )
        )
    return items


def do_finish_job(job: LinkJob, outcome: RunOutcome, fields: pa.Table, *, result_name: str) -> LinkJob:
    """Record a finished run: counts, review queue, the source's indicators, one audit entry."""
    counts = outcome.counts
    now = timezone.now()
    with transaction.atomic():
        ReviewItem.objects.filter(job=job).delete()
        ReviewItem.objects.bulk_create(_review_items(job, outcome.table, fields, outcome.rejected), batch_size=2000)
        LinkJob.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE,
            stage="save",
            done=1,
            total=1,
            percent=100,
            rows=counts["rows"],
            matched=counts["matched"],
            matched_clean=counts["matched_clean"],
            matched_with_differences=counts["matched_with_differences"],
            review=counts["review"],
            unmatched=counts["unmatched"],
            duplicates=counts["duplicates"],
            decisions_reused=counts["decisions_reused"],
            register_size=outcome.register_rows,
            result_name=result_name,
            error="",
            finished_at=now,
            updated_at=now,
        )
        SourceIndicator.objects.update_or_create(
            source_id=job.source_id,
            defaults={
                "job": job,
                "rows": counts["rows"],
                "matched_clean": counts["matched_clean"],
                "matched_with_differences": counts["matched_with_differences"],
                "review": counts["review"],
                "unmatched": counts["unmatched"],
                "duplicates": counts["duplicates"],
                "updated_at": now,
            },
        )
        record(
            action="linkage.job.run",
            actor=job_actor(job),
            object_type="linkage.LinkJob",
            object_id=str(job.public_id),
            purpose=PURPOSE,
            details={"source": job.source.name, "register_persons": outcome.register_rows, **counts},
        )
    job.refresh_from_db()
    return job


def do_fail_job(job: LinkJob, message: str) -> LinkJob:
    """Mark a job failed with a message for the user, and audit the failure."""
    now = timezone.now()
    with transaction.atomic():
        LinkJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=message[:2000], finished_at=now, updated_at=now
        )
        record(
            action="linkage.job.failed",
            actor=job_actor(job),
            outcome=Outcome.FAILED,
            object_type="linkage.LinkJob",
            object_id=str(job.public_id),
            purpose=PURPOSE,
            details={"error": message[:500]},
        )
    job.refresh_from_db()
    return job


def do_abandon_job(job_id: int, task_result_id: str) -> LinkJob | None:
    """Fail a job whose worker died while running it (the hook of :mod:`dancu.core.jobs`).

    Idempotent, and leaves alone a job that has finished or was queued again under another
    task since. The register copy the dead run left in its work directory holds the whole
    register's personal data, so it is removed here.
    """
    job = LinkJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in {JobStatus.QUEUED, JobStatus.RUNNING}:
        return None
    if job.task_id and job.task_id != task_result_id[:64]:
        return None
    shutil.rmtree(work_dir(job), ignore_errors=True)
    return do_fail_job(job, WORKER_STOPPED)


CLI_STOPPED: Final = (
    "Lệnh dancu link đã dừng khi đang chạy phiên này; hãy chạy lại lệnh / "
    "the dancu link command stopped while running this job; run the command again"
)


def do_fail_stranded_cli_jobs(*, now: datetime | None = None, after: timedelta = ABANDONED_AFTER) -> list[str]:
    """Fail the ``dancu link`` jobs whose process stopped beating (killed, machine lost), as the
    core sweep does for the worker's jobs; return their public ids. The worker runs it."""
    at = now or timezone.now()
    alive = live_workers(now=at, after=after)
    stranded = (
        LinkJob.objects.filter(channel=RunChannel.CLI, status=JobStatus.RUNNING, started_at__lt=at - after)
        .exclude(worker_id="")
        .exclude(worker_id__in=alive)
        .order_by("id")
    )
    failed = []
    for job in stranded:
        shutil.rmtree(work_dir(job), ignore_errors=True)
        do_fail_job(job, CLI_STOPPED)
        failed.append(str(job.public_id))
    return failed


def may_rerun(job: LinkJob) -> bool:
    """Can this job run again? A failed upload whose extract is still stored."""
    return (
        job.status == JobStatus.FAILED
        and job.channel == RunChannel.WEB
        and bool(job.extract_name)
        and media_path(job.extract_name).is_file()
    )


def check_rerun_job(officer: LinkageOfficer, job: LinkJob) -> LinkJob:
    """Queue a failed upload again with its confirmed mapping (after the transaction commits)."""
    if not officer.may_run:
        raise LinkageRefused("Vai trò của bạn không được phép liên kết dữ liệu / Your role may not use record linkage")
    if not may_rerun(job):
        raise LinkageInputError(
            "Chỉ chạy lại được phiên thất bại còn giữ tệp / Only a failed job whose file is kept can run again"
        )
    with transaction.atomic():
        updated = LinkJob.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED,
            error="",
            stage="",
            done=0,
            total=0,
            percent=0,
            task_id="",
            started_at=None,
            finished_at=None,
            updated_at=timezone.now(),
        )
        if not updated:
            raise LinkageInputError("Phiên này đang chạy lại / This job is already running again")
        record(
            action="linkage.job.rerun",
            actor=officer.actor,
            object_type="linkage.LinkJob",
            object_id=str(job.public_id),
            purpose=PURPOSE,
            details={"previous_error": job.error[:500]},
        )
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(job_id))
    job.refresh_from_db()
    return job
