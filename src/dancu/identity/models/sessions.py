"""Login sessions, the login history citizens see, and failed-attempt throttles."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LoginSession(models.Model):
    """One browser login: how and when the person authenticated, until when it may last.

    The Django session holds ``id`` under ``dancu_login``; ending a session deletes the Django
    session row (``session_key``) and stamps ``ended_at``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, db_index=True)
    started_at = models.DateTimeField(default=timezone.now)
    auth_time = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    idle_seconds = models.PositiveIntegerField()
    acr = models.CharField(max_length=60)
    amr = models.JSONField(default=list)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    upstream_issuer = models.CharField(max_length=200, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"], name="login_session_user_open")]

    def __str__(self) -> str:
        return f"session {self.pk}"


class LoginOutcome(models.TextChoices):
    OK = "ok", _("Thành công")
    FAILED = "failed", _("Sai thông tin")
    THROTTLED = "throttled", _("Tạm chặn do sai nhiều lần")
    LOCKED = "locked", _("Tài khoản bị khóa")
    REFUSED = "refused", _("Bị từ chối")


class LoginEvent(models.Model):
    """One authentication attempt on a known account, shown to the citizen as login history
    (Decree 69/2024 keeps usage history for 5 years)."""

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="login_events")
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=LoginOutcome.choices)
    method = models.CharField(max_length=20)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    client_name = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-at"], name="login_event_user_at")]

    def __str__(self) -> str:
        return f"{self.outcome} {self.method} {self.at:%Y-%m-%d %H:%M}"


class Throttle(models.Model):
    """Consecutive failures for one key (an account from unknown devices, a device cookie, an
    IP address — hashed) and how long further attempts must wait. The wait is bounded, and a
    device that logged in before has its own counter, so nobody can lock a person out for good."""

    scope = models.CharField(max_length=10)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(default=timezone.now)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="throttle_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.failures}"
