"""Rate limits and quotas: per system, a counter per time window, drawn down in leases."""

from __future__ import annotations

from django.db import models

from dancu.exchange.models.members import MemberSystem


class Allowance(models.Model):
    """Calls a system has drawn in one window (a minute for the rate, a day for the quota).

    Each web process leases a slice of the allowance at a time (one UPDATE per slice, not per
    call), so counting costs the hot path almost nothing; see :mod:`dancu.exchange.limits`.
    """

    system = models.ForeignKey(MemberSystem, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=6)
    window_start = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "period", "window_start"], name="allowance_window")]

    def __str__(self) -> str:
        return f"{self.system_id} {self.period} {self.window_start:%Y-%m-%d %H:%M}: {self.used}"
