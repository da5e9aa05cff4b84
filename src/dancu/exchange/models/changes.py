"""Change notifications: the register's change events (the pull feed, whose cursor is the event
id), webhook subscriptions and the delivery of each event to each subscription."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dancu.exchange.models.members import MemberSystem
from dancu.exchange.models.policy import Purpose


class ChangeEvent(models.Model):
    """A change in the register that sectoral systems may be told about.

    Events are "thin": kind, person and the names of the changed fields, no values; a system
    that needs the new values calls ``read``, under its policy and with an audit entry. Ids are
    handed out in commit order (see :func:`dancu.exchange.actions.do_record_change`), so a feed
    reader that resumes after the last id it saw never skips an event.
    """

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=20)
    personal_id = models.CharField(max_length=12)
    occurred_on = models.DateField(null=True, blank=True)
    fields = models.JSONField(default=list)
    #: The outbox event it came from: domain events arrive at least once, changes exist once.
    source_event_id = models.BigIntegerField(unique=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class Subscription(models.Model):
    """A system's webhook: where to POST events, the kinds it wants, the HMAC secret."""

    system = models.ForeignKey(MemberSystem, on_delete=models.CASCADE, related_name="subscriptions")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    url = models.URLField(max_length=500)
    kinds = models.JSONField(default=list)
    #: The shared secret of the Standard Webhooks signature (``whsec_`` + base64), encrypted at rest
    #: under DANCU_WEBHOOK_SECRET_KEY (:mod:`dancu.exchange.webhook_secrets`).
    secret_encrypted = models.CharField(max_length=255)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.system_id} → {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ / Pending"
    DELIVERED = "delivered", "Đã gửi / Delivered"
    FAILED = "failed", "Thất bại / Gave up"


class WebhookDelivery(models.Model):
    """One event to one subscription, retried with exponential back-off until delivered or
    given up."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(ChangeEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="delivery_once")]
        indexes = [models.Index(fields=["next_attempt_at"], name="delivery_due", condition=models.Q(status="pending"))]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id}: {self.status}"
