"""Authentication factors: TOTP authenticators, one-time codes sent by SMS, and the demo SMS outbox."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238, 30-second step). Officers must have a confirmed one.

    ``last_step`` is the last time step accepted, so a code is never accepted twice (RFC 6238 §5.2).
    """

    user = models.OneToOneField("identity.User", on_delete=models.CASCADE, related_name="totp")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "ứng dụng xác thực / authenticator app"

    def __str__(self) -> str:
        return f"TOTP #{self.pk}"


class CodePurpose(models.TextChoices):
    REGISTER = "register", _("Đăng ký tài khoản")
    STEP_UP = "step_up", _("Xác thực bổ sung")
    UNLOCK = "unlock", _("Mở khóa tài khoản")
    PHONE_CHANGE = "phone_change", _("Đổi số điện thoại")


class OneTimeCode(models.Model):
    """A 6-digit code sent to a phone. Only its keyed hash is stored; it lives a few minutes and
    allows a few attempts (NIST SP 800-63B-4 §5.1.3: out-of-band codes live at most 10 minutes)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=16, choices=CodePurpose.choices)
    user = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=15)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "-created_at"], name="otp_phone_created")]

    def __str__(self) -> str:
        return f"{self.purpose} code {self.pk}"


class SmsMessage(models.Model):
    """A text message kept by the demo outbox sender instead of being sent (``DANCU_SMS_BACKEND=outbox``)."""

    to = models.CharField(max_length=15, db_index=True)
    body = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "tin nhắn (hộp thư demo) / SMS (demo outbox)"

    def __str__(self) -> str:
        return f"SMS #{self.pk}"
