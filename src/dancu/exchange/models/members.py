"""Member organisations, their systems (X-Road subsystems, our API clients) and onboarding
requests."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dancu.exchange.catalogue import INSTANCE


class MemberClass(models.TextChoices):
    GOV = "GOV", "Cơ quan nhà nước / Government agency"
    COM = "COM", "Doanh nghiệp / Commercial"
    ORG = "ORG", "Tổ chức khác / Other organisation"


class Sector(models.TextChoices):
    HEALTH_INSURANCE = "health_insurance", "Bảo hiểm y tế / Health insurance"
    SOCIAL_INSURANCE = "social_insurance", "Bảo hiểm xã hội / Social insurance"
    JUSTICE = "justice", "Tư pháp - hộ tịch / Justice and civil status"
    EDUCATION = "education", "Giáo dục / Education"
    TAX = "tax", "Thuế / Tax"
    BANK = "bank", "Ngân hàng / Bank"
    HOSPITAL = "hospital", "Bệnh viện / Hospital"
    PORTAL = "portal", "Cổng dịch vụ công / Public-service portal"
    OTHER = "other", "Khác / Other"


class Member(models.Model):
    """A member organisation (X-Road member): an agency, a bank, a hospital."""

    member_class = models.CharField(max_length=3, choices=MemberClass.choices)
    code = models.CharField("mã thành viên / member code", max_length=40)
    name = models.CharField("tên tổ chức / name", max_length=200)
    sector = models.CharField(max_length=20, choices=Sector.choices, default=Sector.OTHER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member_class", "code"], name="member_class_code")]

    def __str__(self) -> str:
        return self.name


class SystemStatus(models.TextChoices):
    ACTIVE = "active", "Đang kết nối / Active"
    SUSPENDED = "suspended", "Tạm dừng / Suspended"


class MemberSystem(models.Model):
    """A member's information system (X-Road subsystem) and the OAuth client it calls us with."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="systems")
    code = models.CharField("mã hệ thống / subsystem code", max_length=60)
    name = models.CharField(max_length=200)
    #: The client id issued by Dancu's OAuth provider (``dancu.identity``).
    client_id = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=10, choices=SystemStatus.choices, default=SystemStatus.ACTIVE)
    rate_per_minute = models.PositiveIntegerField("giới hạn mỗi phút / calls per minute", default=60_000)
    quota_per_day = models.PositiveIntegerField("hạn mức mỗi ngày / calls per day", default=5_000_000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "code"], name="system_member_code")]

    def __str__(self) -> str:
        return f"{self.member.name} · {self.name}"

    @property
    def xroad_id(self) -> str:
        """``INSTANCE/CLASS/MEMBER/SUBSYSTEM``, what the system puts in ``X-Road-Client``."""
        return f"{INSTANCE}/{self.member.member_class}/{self.member.code}/{self.code}"


class OnboardingStatus(models.TextChoices):
    PENDING = "pending", "Chờ duyệt / Pending"
    APPROVED = "approved", "Đã duyệt / Approved"
    REFUSED = "refused", "Từ chối / Refused"


class OnboardingRequest(models.Model):
    """A request to connect a system: who asks, with which keys, for which services and purposes.

    An administrator approves it (creating the member, the system, its OAuth client and the
    requested grants) or refuses it with a written reason (Decree 194/2025: within 2 working
    days, in writing, with reasons).
    """

    member_class = models.CharField(max_length=3, choices=MemberClass.choices)
    member_code = models.CharField(max_length=40)
    member_name = models.CharField(max_length=200)
    sector = models.CharField(max_length=20, choices=Sector.choices, default=Sector.OTHER)
    system_code = models.CharField(max_length=60)
    system_name = models.CharField(max_length=200)
    #: The public JWK set the system signs its ``private_key_jwt`` client assertions with.
    jwks = models.JSONField(default=dict)
    contact_email = models.EmailField()
    #: ``[{"service": "verify", "purpose": "BHYT.CAP_THE", "fields": [...], "requires_consent": false}]``
    requested_access = models.JSONField(default=list)
    justification = models.TextField(blank=True)
    submitted_by = models.CharField(max_length=100, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=OnboardingStatus.choices, default=OnboardingStatus.PENDING)
    decided_by = models.CharField(max_length=100, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    system = models.ForeignKey(MemberSystem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["status", "submitted_at"], name="onboarding_status")]

    def __str__(self) -> str:
        return f"{self.member_name} · {self.system_name} ({self.status})"
