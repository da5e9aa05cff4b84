"""Links between local accounts and accounts at an upstream e-ID provider (VNeID nationally)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class FederatedIdentity(models.Model):
    """``subject`` at ``issuer`` is this local account. Created at the first upstream login, after
    the upstream's personal ID claim matched a person of the register."""

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="federated_identities")
    issuer = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(default=timezone.now)
    last_login_at = models.DateTimeField(null=True, blank=True)
    last_acr = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="federated_issuer_subject")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
