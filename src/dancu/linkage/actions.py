"""Every write of the linkage app. ``do_*`` changes state and writes its audit entry in one
transaction; ``check_*`` validates (permissions, state, input) and then calls ``do_*``.

Audit actions: ``linkage.source.create``, ``linkage.job.upload``, ``linkage.job.mapping``,
``linkage.job.run`` (once per run: the run reads the whole register, so the entry carries the
register size and the counts), ``linkage.job.failed``, ``linkage.review.decide`` (one per
decision, with the person's ID as subject) and ``linkage.refused``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from dancu.core.audit import Actor, record
from dancu.core.models import Outcome
from dancu.linkage.access import LinkageOfficer, LinkageRefused
from dancu.linkage.candidates import differences, offered_ids
from dancu.linkage.engine.headers import FIELDS, MappingError, recognise_headers
from dancu.linkage.extract_files import ExtractFileError, media_path, peek_extract, store_extract, work_dir
from dancu.linkage.models import (
    Decision,
    FileKind,
    FilesRemoved,
    JobStatus,
    LinkJob,
    ReviewDecision,
    ReviewItem,
    ReviewState,
    RunChannel,
    Source,
    SourceIndicator,
)
from dancu.linkage.running import REQUIRED_FIELDS, STAGES, RunOutcome
from dancu.registry.models import Person

__all__ = [
    "LinkageInputError",
    "check_confirm_mapping",
    "check_decide_review",
    "check_remove_job_files",
    "check_rerun_job",
    "check_upload_extract",
    "do_abandon_job",
    "do_create_cli_job",
    "do_ensure_source",
    "do_fail_job",
    "do_finish_job",
    "do_record_refusal",
    "do_remove_expired_files",
    "do_remove_job_files",
    "do_report_progress",
    "do_start_job",
    "normalise_source_name",
    "suggested_mapping",
    "validate_mapping",
]

PURPOSE = "record_linkage"

#: Shown on the progress page of a job whose worker died while running it.
WORKER_STOPPED: Final = (
    "Tiến trình nền đã dừng khi đang liên kết tệp này (máy chủ khởi động lại hoặc thiếu bộ nhớ). "
    "Tệp vẫn được giữ; hãy bấm “Chạy lại”. / The background worker stopped while linking this "
    "extract (a restart or lack of memory). The file is kept; press “Run again”."
)


class LinkageInputError(ValueError):
    """Input the user must correct; the message says what and why, in Vietnamese and English.
    ``field`` names the form field at fault ("" when it is the whole request)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def normalise_source_name(name: str) -> str:
    """A source name with its spaces tidied; :class:`LinkageInputError` when empty or too long."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise LinkageInputError("Hãy nhập tên nguồn dữ liệu / Enter the source name", field="source")
    if len(cleaned) > 200:
        raise LinkageInputError(
            "Tên nguồn quá dài (tối đa 200 ký tự) / Source name too long (200 characters at most)", field="source"
        )
    return cleaned


def do_ensure_source(actor: Actor, name: str, *, agency: str) -> Source:
    """The source called ``name`` of ``agency``, created (and audited) if it does not exist yet."""
    cleaned = normalise_source_name(name)
    with transaction.atomic():
        source, created = Source.objects.get_or_create(agency=agency, name=cleaned, defaults={"created_by": actor.id})
        if created:
            record(
                action="linkage.source.create",
                actor=actor,
                object_type="linkage.Source",
                object_id=source.pk,
                details={"name": cleaned, "agency": agency},
            )
    return source


def do_record_refusal(actor_id: str, refusal: LinkageRefused, what: str, *, organisation: str = "") -> None:
    """Audit a refused request (it changes nothing else)."""
    record(
        action="linkage.refused",
        actor=Actor(kind="officer" if actor_id else "anonymous", id=actor_id, organisation=organisation),
        outcome=Outcome.REFUSED,
        details={"what": what, "reason": str(refusal.args[0]) if refusal.args else ""},
    )


# --- mapping -----------------------------------------------------------------------------------


def suggested_mapping(headers: list[str], source: Source) -> dict[str, str]:
    """The mapping to offer for ``headers``: the source's last confirmed choices for headers it
    has seen, the engine's recognition for the others. Returns {header: field or ""}."""
    remembered = {h: f for h, f in source.mapping.items() if h in headers and (not f or f in FIELDS)}
    try:
        recognised = recognise_headers(headers, remembered)
    except MappingError:
        recognised = recognise_headers(headers)
    chosen = {header: name for name, header in recognised.fields.items()}
    return {header: chosen.get(header, "") for header in headers}


def validate_mapping(headers: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Check a user's mapping ({header: field or ""}) and return it complete for ``headers``."""
    unknown = sorted({f for f in mapping.values() if f and f not in FIELDS})
    if unknown:
        raise LinkageInputError(f"Trường không tồn tại / Unknown field: {', '.join(unknown)}")
    absent = [h for h in mapping if h not in headers]
    if absent:
        raise LinkageInputError(f"Tệp không có cột / The extract has no column: {', '.join(absent)}")
    complete = {header: mapping.get(header, "") for header in headers}
    seen: dict[str, str] = {}
    for header, name in complete.items():
        if not name:
            continue
        if name in seen:
            raise LinkageInputError(
                f"Trường “{FIELDS[name]}” được chọn cho hai cột “{seen[name]}” và “{header}” / "
                f"Field {name} is chosen for two columns: {seen[name]!r} and {header!r}"
            )
        seen[name] = header
    for required in REQUIRED_FIELDS:
        if required not in seen:
            raise LinkageInputError(
                f"Chưa chọn cột cho “{FIELDS[required]}” / No column is chosen for the required field {required}"
            )
    return complete


# --- jobs --------------------------------------------------------------------------------------


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
        record(
            action="linkage.job.upload",
            actor=officer.actor,
            object_type="linkage.LinkJob",
            object_id=str(job.public_id),
            purpose=PURPOSE,
            details={
                "source": source.name,
                "agency": source.agency,
                "size": stored.size,
                "sha256": stored.sha256,
                "kind": stored.kind,
            },
        )
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
            started_at=timezone.now(),
        )
        record(
            action="linkage.job.upload",
            actor=actor,
            object_type="linkage.LinkJob",
            object_id=str(job.public_id),
            purpose=PURPOSE,
            details={
                "source": source.name,
                "agency": source.agency,
                "size": job.size,
                "sha256": job.sha256,
                "kind": kind,
                "channel": "cli",
            },
        )
    return job


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


# --- retention ---------------------------------------------------------------------------------


def do_remove_job_files(job: LinkJob, *, actor: Actor, reason: str) -> LinkJob:
    """Delete a job's extract, result file, register copy and review rows (the extract's
    values), keeping the job, its counts, the decision journal and the audit trail."""
    with transaction.atomic():
        locked = LinkJob.objects.select_for_update().get(pk=job.pk)
        if locked.files_removed_at is not None:
            return locked
        names = [n for n in (locked.extract_name, locked.result_name) if n]
        removed_items, _ = ReviewItem.objects.filter(job=locked).delete()
        now = timezone.now()
        LinkJob.objects.filter(pk=locked.pk).update(
            extract_name="",
            result_name="",
            files_removed_at=now,
            files_removed_reason=reason,
            files_removed_by=actor.id,
            updated_at=now,
        )
        record(
            action="linkage.job.files_removed",
            actor=actor,
            object_type="linkage.LinkJob",
            object_id=str(locked.public_id),
            purpose=PURPOSE,
            details={"reason": reason, "files": len(names), "review_rows": removed_items},
        )
        # Last, so a failure above leaves the files where the job still points.
        for name in names:
            media_path(name).unlink(missing_ok=True)
        shutil.rmtree(work_dir(locked), ignore_errors=True)
    job.refresh_from_db()
    return job


def check_remove_job_files(officer: LinkageOfficer, job: LinkJob) -> LinkJob:
    """An officer deletes a job's files now (not while it is queued or running)."""
    if not officer.may_run:
        raise LinkageRefused("Vai trò của bạn không được phép xoá tệp / Your role may not delete files")
    if job.status in {JobStatus.QUEUED, JobStatus.RUNNING}:
        raise LinkageInputError(
            "Không xoá được tệp khi phiên đang chạy / A job's files cannot be deleted while it runs"
        )
    if job.files_removed_at is not None:
        raise LinkageInputError("Tệp của phiên này đã được xoá / This job's files are already deleted")
    return do_remove_job_files(job, actor=officer.actor, reason=FilesRemoved.USER)


def do_remove_expired_files(*, now: datetime | None = None, days: int | None = None) -> list[str]:
    """Delete the files of every job that ended (or waited for its mapping) more than ``days``
    (``DANCU_LINKAGE_RETENTION_DAYS``) ago; return their public ids. The worker runs it."""
    from django.conf import settings

    keep = days if days is not None else int(settings.DANCU_LINKAGE_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=keep)
    ended = Q(status__in=[JobStatus.DONE, JobStatus.FAILED], finished_at__lt=cutoff)
    waiting = Q(status=JobStatus.AWAITING_MAPPING, created_at__lt=cutoff)
    expired = LinkJob.objects.filter(ended | waiting, files_removed_at=None).order_by("id")
    actor = Actor.system("dancu-retention")
    removed = []
    for job in expired:
        do_remove_job_files(job, actor=actor, reason=FilesRemoved.RETENTION)
        removed.append(str(job.public_id))
    return removed


# --- review ------------------------------------------------------------------------------------


# Which job counters a review row counts in: pending rows are "review"; a confirmed one is
# matched (clean or with differences, against the person confirmed); "none of these" is unmatched.
def _buckets(state: str, has_differences: bool) -> tuple[str, ...]:
    if state == ReviewState.CONFIRMED:
        return ("matched", "matched_with_differences" if has_differences else "matched_clean")
    if state == ReviewState.REJECTED:
        return ("unmatched",)
    return ("review",)


def _differs(state: str, chosen: str, engine_candidate: str, engine: dict[str, Any], other: dict[str, Any]) -> bool:
    if state != ReviewState.CONFIRMED:
        return False
    return bool(engine if chosen == engine_candidate else other)


def check_decide_review(
    officer: LinkageOfficer, item: ReviewItem, decision: str, reason: str, candidate: str = ""
) -> ReviewDecision:
    """Decide a review row: ``confirm`` that ``candidate`` is its person, ``reject`` one
    candidate (the row stays open for another), or ``none`` — nobody offered is the row's
    person. ``candidate`` must be one the review page offers (the engine's candidate when
    blank). A later decision on the same row replaces an earlier one; all stay in the journal.
    """
    if not officer.may_run:
        raise LinkageRefused("Vai trò của bạn không được phép xem xét / Your role may not review links")
    if decision not in Decision.values:
        raise LinkageInputError("Quyết định không hợp lệ / Invalid decision")
    reason = " ".join(reason.split())
    if len(reason) > 500:
        raise LinkageInputError("Lý do quá dài (tối đa 500 ký tự) / Reason too long (500 characters at most)")
    if decision in {Decision.REJECT, Decision.NONE} and not reason:
        raise LinkageInputError("Hãy ghi lý do bác bỏ / Give a reason for rejecting")
    if decision == Decision.NONE:
        return do_decide_review(officer.actor, item, decision, reason, "")
    candidate = candidate.strip() or item.personal_id
    if not candidate:
        raise LinkageInputError("Dòng này không có ứng viên để quyết định / This row has no candidate to decide on")
    if candidate not in offered_ids(item):
        raise LinkageInputError(
            f"Người {candidate} không phải ứng viên của dòng này / {candidate} is not a candidate for this row"
        )
    return do_decide_review(officer.actor, item, decision, reason, candidate)


def do_decide_review(actor: Actor, item: ReviewItem, decision: str, reason: str, candidate: str) -> ReviewDecision:
    """Journal the decision, settle (or reopen) the row and move it between the job's counters."""
    with transaction.atomic():
        # Lock the item so two officers deciding at once move the counters once each.
        locked = ReviewItem.objects.select_for_update().select_related("job").get(pk=item.pk)
        job = locked.job
        entry = ReviewDecision.objects.create(
            source_id=job.source_id,
            job=job,
            row_key=locked.row_key,
            row_id=locked.row_id,
            decision=decision,
            personal_id=candidate,
            reason=reason,
            decided_by=actor.id,
        )
        old = (locked.state, locked.chosen_personal_id, locked.chosen_differences)
        rejected = list(locked.rejected_candidates)
        state, chosen, chosen_differences = old
        if decision == Decision.CONFIRM:
            state, chosen = ReviewState.CONFIRMED, candidate
            rejected = [r for r in rejected if r != candidate]
            other = Person.objects.filter(personal_id=candidate).first() if candidate != locked.personal_id else None
            chosen_differences = differences(locked.extract, other) if other is not None else {}
        elif decision == Decision.NONE:
            state, chosen, chosen_differences = ReviewState.REJECTED, "", {}
        else:
            if candidate not in rejected:
                rejected.append(candidate)
            if state == ReviewState.CONFIRMED and chosen == candidate:
                state, chosen, chosen_differences = ReviewState.PENDING, "", {}
        ReviewItem.objects.filter(pk=locked.pk).update(
            state=state,
            chosen_personal_id=chosen,
            chosen_differences=chosen_differences,
            rejected_candidates=rejected,
            decision=entry,
        )
        before = _buckets(old[0], _differs(old[0], old[1], locked.personal_id, locked.differences, old[2]))
        after = _buckets(state, _differs(state, chosen, locked.personal_id, locked.differences, chosen_differences))
        delta: dict[str, int] = {}
        for name in before:
            delta[name] = delta.get(name, 0) - 1
        for name in after:
            delta[name] = delta.get(name, 0) + 1
        moves: dict[str, Any] = {name: F(name) + change for name, change in delta.items() if change}
        if moves:
            LinkJob.objects.filter(pk=job.pk).update(**moves)
            indicator_moves = {k: v for k, v in moves.items() if k != "matched"}
            SourceIndicator.objects.filter(source_id=job.source_id, job=job).update(**indicator_moves)
        record(
            action="linkage.review.decide",
            actor=actor,
            subject_personal_id=candidate or locked.personal_id,
            object_type="linkage.ReviewItem",
            object_id=locked.pk,
            purpose=PURPOSE,
            details={
                "job": str(job.public_id),
                "row_id": locked.row_id,
                "decision": decision,
                "candidate": candidate,
                "engine_candidate": locked.personal_id,
                "reason": reason,
            },
        )
    item.refresh_from_db()
    return entry
