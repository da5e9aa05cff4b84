"""The review queue of a job and the journal of officers' decisions.

A ``review`` row is an extract row the engine could not settle alone. An officer confirms its
register candidate or another one offered beside it (a sibling, a namesake), rejects one
candidate and goes on with the others, or decides that the row is none of them; each decision
goes into the journal of the *source*, keyed by a fingerprint of the row's values
(``row_key``), so the next run of the same source reuses it even when the agency renumbers its
rows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ReviewState(models.TextChoices):
    PENDING = "pending", "Chờ xem xét / Pending"
    CONFIRMED = "confirmed", "Đã xác nhận / Confirmed"
    # The row is none of the candidates (counted unmatched).
    REJECTED = "rejected", "Không ai trong số ứng viên / None of the candidates"


class Decision(models.TextChoices):
    #: This candidate (``personal_id``) is the row's person.
    CONFIRM = "confirm", "Xác nhận là cùng một người / Same person"
    #: This candidate (``personal_id``) is not the row's person; the row stays open.
    REJECT = "reject", "Không phải người này / Not this person"
    #: The row is none of the candidates offered (``personal_id`` is blank).
    NONE = "none", "Không ai trong số này / None of these"


class ReviewItem(models.Model):
    """One ``review`` row of a job: the extract's values beside its best register candidate."""

    job = models.ForeignKey("linkage.LinkJob", on_delete=models.CASCADE, related_name="review_items")
    row_number = models.PositiveIntegerField()
    row_id = models.CharField(max_length=64)
    row_key = models.CharField(max_length=64)
    personal_id = models.CharField(max_length=12)
    score = models.FloatField()
    # {engine field: value as the extract gave it}
    extract = models.JSONField(default=dict)
    # {engine field: [extract value, register value]} for each field that differs, and the
    # engine's account of what agreed and what did not.
    differences = models.JSONField(default=dict)
    explanation = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING)
    # The person confirmed (the engine's candidate or another one offered); blank unless confirmed.
    chosen_personal_id = models.CharField(max_length=12, blank=True)
    # The differences against the chosen person when it is not the engine's candidate (same form
    # as ``differences``).
    chosen_differences = models.JSONField(default=dict, blank=True)
    # Personal IDs an officer said are not this row's person (in this job or an earlier run).
    rejected_candidates = models.JSONField(default=list, blank=True)
    decision = models.ForeignKey(
        "linkage.ReviewDecision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "dòng cần xem xét / review item"
        verbose_name_plural = "dòng cần xem xét / review items"
        ordering = ["row_number"]
        constraints = [models.UniqueConstraint(fields=["job", "row_number"], name="review_item_row_unique")]
        indexes = [models.Index(fields=["job", "state", "row_number"], name="review_item_job_state")]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.row_id}"


class ReviewDecision(models.Model):
    """Nhật ký quyết định: who decided what about which row of a source, when and why.

    Append-only: a changed mind is a newer decision for the same ``row_key``; the newest one is
    the one reused.
    """

    source = models.ForeignKey("linkage.Source", on_delete=models.PROTECT, related_name="decisions")
    job = models.ForeignKey("linkage.LinkJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    row_key = models.CharField(max_length=64)
    row_id = models.CharField(max_length=64)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    # The candidate confirmed or rejected; blank for "none of these".
    personal_id = models.CharField(max_length=12, blank=True)
    reason = models.CharField("lý do / reason", max_length=500, blank=True)
    decided_by = models.CharField(max_length=100)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "quyết định xem xét / review decision"
        verbose_name_plural = "nhật ký quyết định / decision journal"
        indexes = [models.Index(fields=["source", "row_key", "-decided_at"], name="decision_source_key")]

    def __str__(self) -> str:
        return f"{self.source} · {self.row_id}: {self.decision} {self.personal_id}"
