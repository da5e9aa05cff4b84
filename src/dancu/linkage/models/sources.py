"""A source is an agency's dataset that is linked again and again ("BHXH Hải Phòng"): its last
confirmed column mapping and review decisions carry over from one run to the next."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Source(models.Model):
    """Nguồn dữ liệu: one agency dataset, named by the agency (unique within the agency, case as
    typed). ``agency`` is the member organisation code of the agency that owns it, as its
    officers' accounts carry it (``identity.User.organisation``); blank for a CLI run without
    ``--agency``, which only auditors see."""

    agency = models.CharField("mã cơ quan / agency code", max_length=100, blank=True)
    name = models.CharField("tên nguồn / source name", max_length=200)
    # The last mapping an officer confirmed ({extract header: engine field or ""}); offered
    # again for the next extract with the same headers.
    mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "nguồn dữ liệu / source"
        verbose_name_plural = "nguồn dữ liệu / sources"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="source_agency_name_unique")]

    def __str__(self) -> str:
        return self.name


class SourceIndicator(models.Model):
    """The indicator numbers of a source, from its latest finished run, kept current as review
    decisions come in. Monitoring reads these; they hold counts only, no personal data.

    ``matched_clean`` rows are matched and agree with the register on every compared field;
    ``matched_with_differences`` are matched with at least one differing field (the agency's
    correction list); ``review`` still await an officer; ``unmatched`` found nobody.
    """

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="indicator")
    job = models.ForeignKey("linkage.LinkJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rows = models.PositiveIntegerField(default=0)
    matched_clean = models.PositiveIntegerField(default=0)
    matched_with_differences = models.PositiveIntegerField(default=0)
    review = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "chỉ số nguồn / source indicator"
        verbose_name_plural = "chỉ số nguồn / source indicators"

    def __str__(self) -> str:
        return f"{self.source}: {self.rows}"

    def share(self, count: int) -> float:
        """``count`` as a share of the rows (0.0 for an empty run)."""
        return count / self.rows if self.rows else 0.0

    @property
    def clean_share(self) -> float:
        return self.share(self.matched_clean)

    @property
    def with_differences_share(self) -> float:
        return self.share(self.matched_with_differences)

    @property
    def review_share(self) -> float:
        return self.share(self.review)

    @property
    def unmatched_share(self) -> float:
        return self.share(self.unmatched)
