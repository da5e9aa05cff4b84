"""Access policy: the purpose catalogue, grants (client × service × purpose × fields) and the
policy version every call checks so that a revocation applies to the very next request."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dancu.exchange.models.members import MemberSystem


class LawfulBasis(models.TextChoices):
    """Lawful bases of ISO/IEC TS 27560 and the GovStack Consent building block."""

    CONSENT = "consent", "Sự đồng ý / Consent"
    LEGAL_OBLIGATION = "legal_obligation", "Nghĩa vụ pháp lý / Legal obligation"
    CONTRACT = "contract", "Hợp đồng / Contract"
    VITAL_INTEREST = "vital_interest", "Lợi ích sống còn / Vital interest"
    PUBLIC_TASK = "public_task", "Nhiệm vụ công / Public task"
    LEGITIMATE_INTEREST = "legitimate_interest", "Lợi ích hợp pháp / Legitimate interest"


class Purpose(models.Model):
    """A purpose a call may name: a code from the catalogue with its legal basis."""

    code = models.CharField("mã mục đích / purpose code", max_length=60, unique=True)
    title = models.CharField("mục đích / purpose", max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    legal_reference = models.CharField("căn cứ pháp lý / legal reference", max_length=300, blank=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class AccessGrant(models.Model):
    """Deny by default: a system may call ``service`` for ``purpose`` and see ``fields`` only
    while an unrevoked, unexpired grant says so."""

    system = models.ForeignKey(MemberSystem, on_delete=models.PROTECT, related_name="grants")
    service = models.CharField(max_length=30)
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="grants")
    fields = models.JSONField(default=list)
    requires_consent = models.BooleanField(default=False)
    valid_from = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)
    granted_by = models.CharField(max_length=100, blank=True)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=100, blank=True)
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["system", "service", "purpose"],
                condition=models.Q(revoked_at__isnull=True),
                name="grant_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.system_id}:{self.service}:{self.purpose_id}"


class PolicyState(models.Model):
    """One row whose ``stamp`` changes on every change to systems, grants or purposes.

    Each call reads it (a primary-key read) and reloads its in-process policy cache when it
    differs, so a revocation committed before a request starts is seen by that request. The stamp
    is random rather than a counter so that a rolled-back change or a restored backup can never
    bring back a number a process has already cached different contents under.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    stamp = models.CharField(max_length=32, default="initial")
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"policy {self.stamp}"
