"""A link job: one extract linked to the register, from upload (or the CLI) to results."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class JobStatus(models.TextChoices):
    AWAITING_MAPPING = "awaiting_mapping", "Chờ xác nhận cột / Awaiting column mapping"
    QUEUED = "queued", "Đang chờ chạy / Queued"
    RUNNING = "running", "Đang chạy / Running"
    DONE = "done", "Hoàn tất / Done"
    FAILED = "failed", "Thất bại / Failed"


class FileKind(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class RunChannel(models.TextChoices):
    WEB = "web", "Trang web / Web page"
    CLI = "cli", "Dòng lệnh / Command line"


class FilesRemoved(models.TextChoices):
    RETENTION = "retention", "Theo chính sách lưu giữ / By the retention policy"
    USER = "user", "Do cán bộ xoá / Deleted by an officer"


class LinkJob(models.Model):
    """Phiên liên kết: one extract, its mapping, its progress, its counts and result file.

    The extract and the result live as files under ``MEDIA_ROOT/linkage/`` with generated
    names; the database keeps their relative paths, the progress the worker reports and the
    counts (see docs/adr/0008-linkage-jobs.md). ``public_id`` is the only id in URLs.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey("linkage.Source", on_delete=models.PROTECT, related_name="jobs")
    # The agency the job belongs to (its source's agency, kept here so every read filters on
    # one indexed column): only that agency's officers see and review it.
    agency = models.CharField("mã cơ quan / agency code", max_length=100, blank=True)
    channel = models.CharField(max_length=4, choices=RunChannel.choices, default=RunChannel.WEB)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.AWAITING_MAPPING)
    # The file as the user named it: shown back to them, never used as a path.
    original_name = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=4, choices=FileKind.choices)
    # Relative to MEDIA_ROOT; blank for a CLI run (the extract stays where the operator keeps it).
    extract_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    # Progress as the engine reports it: a stage name and how far it is (done of total).
    stage = models.CharField(max_length=32, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    percent = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    matched_clean = models.PositiveIntegerField(default=0)
    matched_with_differences = models.PositiveIntegerField(default=0)
    review = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    decisions_reused = models.PositiveIntegerField(default=0)
    register_size = models.PositiveIntegerField(default=0)
    result_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # The ``dancu link`` process running a CLI job, as it beats (``core.WorkerHeartbeat``): a job
    # whose process stopped beating is failed by the worker's sweep.
    worker_id = models.CharField(max_length=100, blank=True)
    # When and why the extract and result files (personal data) were deleted; the counts stay.
    files_removed_at = models.DateTimeField(null=True, blank=True)
    files_removed_reason = models.CharField(max_length=10, choices=FilesRemoved.choices, blank=True)
    files_removed_by = models.CharField(max_length=100, blank=True)
    created_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "phiên liên kết / link job"
        verbose_name_plural = "phiên liên kết / link jobs"
        indexes = [
            models.Index(fields=["source", "-created_at"], name="linkjob_source_created"),
            models.Index(fields=["agency", "-created_at"], name="linkjob_agency_created"),
        ]

    def __str__(self) -> str:
        return f"{self.source} · {self.original_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}
