"""Core tables: the audit log (entries, their hash chain and signed checkpoints) and the
domain-event outbox."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ActorKind(models.TextChoices):
    CITIZEN = "citizen", "Công dân / Citizen"
    OFFICER = "officer", "Cán bộ / Officer"
    MACHINE = "machine", "Hệ thống / System client"
    SYSTEM = "system", "Dancu"
    ANONYMOUS = "anonymous", "Ẩn danh / Anonymous"


class Outcome(models.TextChoices):
    OK = "ok", "Thành công / OK"
    REFUSED = "refused", "Từ chối / Refused"
    FAILED = "failed", "Thất bại / Failed"


class AuditEntry(models.Model):
    """One audited act: a write, a read of a person's data, a login, a refusal.

    Rows are only ever inserted (on PostgreSQL the application can be denied UPDATE/DELETE, see
    ``dancu audit lock-down``). Appending takes no lock: the chain is computed behind, by the
    sealer, in :class:`AuditSeal`. No secret or password is ever stored here.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_id = models.CharField(max_length=100, blank=True)
    on_behalf_of = models.CharField(max_length=100, blank=True)
    organisation = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=80)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OK)
    subject_personal_id = models.CharField(max_length=12, blank=True, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    purpose = models.CharField(max_length=60, blank=True)
    dossier = models.CharField(max_length=60, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    fields = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    response_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "bản ghi nhật ký / audit entry"
        verbose_name_plural = "nhật ký kiểm toán / audit log"
        indexes = [models.Index(fields=["subject_personal_id", "-at"], name="audit_subject_at")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.outcome}"


class AuditSeal(models.Model):
    """The entry's place in the hash chain: ``hash = SHA-256(prev_hash ‖ canonical(entry))``.

    The chain follows sealing order, not id order, so an entry whose transaction commits late is
    simply sealed in a later batch.
    """

    seq = models.BigIntegerField(primary_key=True)
    entry = models.OneToOneField(AuditEntry, on_delete=models.DO_NOTHING, db_constraint=False, related_name="seal")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.seq}: {self.hash[:12]}"


class AuditCheckpoint(models.Model):
    """A signed statement "the chain had ``seq`` entries ending in ``head_hash`` at ``at``",
    also appended to a file outside the database, so truncating the chain is detectable."""

    seq = models.BigIntegerField(primary_key=True)
    head_hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)
    key_id = models.CharField(max_length=32)
    signature = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"checkpoint {self.seq}"


class OutboxEvent(models.Model):
    """A domain event, written in the transaction that caused it and delivered after commit to
    the subscribers that other apps register (see :mod:`dancu.core.events`)."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=60, db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["id"], name="outbox_pending", condition=models.Q(delivered_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class WorkerHeartbeat(models.Model):
    """A running ``dancu worker`` says it is alive; a job left running by a worker whose beat
    stopped is failed by :func:`dancu.core.jobs.fail_abandoned` (a ``kill -9`` loses no job)."""

    worker_id = models.CharField(max_length=100, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.worker_id
