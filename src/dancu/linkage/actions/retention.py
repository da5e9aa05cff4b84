"""Deleting a job's files (personal data) after the retention period or at an officer's request."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dancu.core.audit import Actor, record
from dancu.linkage.access import LinkageOfficer, LinkageRefused
from dancu.linkage.actions.sources import PURPOSE, LinkageInputError
from dancu.linkage.extract_files import media_path, work_dir
from dancu.linkage.models import (
    FilesRemoved,
    JobStatus,
    LinkJob,
    ReviewItem,
)

__all__ = ["check_remove_job_files", "do_remove_expired_files", "do_remove_job_files"]


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
