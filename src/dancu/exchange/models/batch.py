"""Batch verification jobs: a CSV file verified in the background, its result kept to download."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from dancu.exchange.models.members import MemberSystem
from dancu.exchange.models.policy import Purpose


class BatchJobStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ / Queued"
    RUNNING = "running", "Đang xử lý / Running"
    DONE = "done", "Hoàn thành / Done"
    FAILED = "failed", "Thất bại / Failed"


class BatchJob(models.Model):
    """A file of records to verify. Input and result are kept in the database (they hold
    personal data: no loose files) and deleted when the job expires."""

    job_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    system = models.ForeignKey(MemberSystem, on_delete=models.PROTECT, related_name="batch_jobs")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    officer = models.CharField(max_length=100)
    dossier = models.CharField(max_length=60, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    name_match = models.CharField(max_length=10, default="exact")
    status = models.CharField(max_length=10, choices=BatchJobStatus.choices, default=BatchJobStatus.QUEUED)
    input_csv = models.BinaryField()
    result_csv = models.BinaryField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.job_id} ({self.status})"
