"""Consent records after ISO/IEC TS 27560 and the GovStack Consent building block.

A record is the current state for one citizen, one organisation and one purpose; every change
appends a :class:`ConsentEvent` holding a snapshot of the record, its SHA-256 hash and the hash of
the previous event, so the history is evidence that cannot be rewritten unnoticed.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.utils import timezone

from dancu.exchange.models.members import Member
from dancu.exchange.models.policy import Purpose


class ConsentState(models.TextChoices):
    GIVEN = "given", "Đã đồng ý / Given"
    WITHDRAWN = "withdrawn", "Đã rút lại / Withdrawn"


class ConsentRecord(models.Model):
    """The consent of ``personal_id`` for ``member`` to use ``fields`` for ``purpose``."""

    record_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    personal_id = models.CharField("số định danh / data subject", max_length=12)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="consents")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="consents")
    #: Data categories consented to (names from ``catalogue.FIELDS``).
    fields = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=ConsentState.choices)
    given_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    #: Until when the consent holds; NULL means until withdrawn.
    valid_until = models.DateTimeField(null=True, blank=True)
    #: How it was expressed (ISO 27560 ``method``): the portal form, a paper form at a counter…
    method = models.CharField(max_length=30, default="portal")
    #: Who expressed it: the citizen's own account, or a guardian's.
    expressed_by = models.CharField(max_length=100)
    notice_url = models.CharField(max_length=300, blank=True)
    notice_language = models.CharField(max_length=8, default="vi")
    jurisdiction = models.CharField(max_length=8, default="VN")
    withdrawal_method = models.CharField(max_length=200, default="Cổng công dân / citizen portal")
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["personal_id", "member", "purpose"], name="consent_subject_member_purpose")
        ]

    def __str__(self) -> str:
        return f"{self.personal_id} → {self.member_id}/{self.purpose_id}: {self.state}"

    def is_in_force(self, now: dt.datetime | None = None) -> bool:
        """Given and not expired at ``now`` (default: the current time)."""
        at = now if now is not None else timezone.now()
        return self.state == ConsentState.GIVEN and (self.valid_until is None or self.valid_until > at)


class ConsentEventType(models.TextChoices):
    GIVEN = "given", "Đồng ý / Given"
    MODIFIED = "modified", "Thay đổi / Modified"
    WITHDRAWN = "withdrawn", "Rút lại / Withdrawn"


class ConsentEvent(models.Model):
    """One change of a consent record, with the record as it stood after the change."""

    record = models.ForeignKey(ConsentRecord, on_delete=models.PROTECT, related_name="events")
    version = models.PositiveIntegerField()
    event_type = models.CharField(max_length=10, choices=ConsentEventType.choices)
    at = models.DateTimeField(default=timezone.now)
    expressed_by = models.CharField(max_length=100)
    method = models.CharField(max_length=30)
    snapshot = models.JSONField()
    hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "version"], name="consent_event_version")]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version} {self.event_type}"
