"""Linkage tables: sources and their indicators, link jobs, the review queue and the decision
journal. One module per aggregate; import models from here."""

from dancu.linkage.models.jobs import FileKind, FilesRemoved, JobStatus, LinkJob, RunChannel
from dancu.linkage.models.reviews import Decision, ReviewDecision, ReviewItem, ReviewState
from dancu.linkage.models.sources import Source, SourceIndicator

__all__ = [
    "Decision",
    "FileKind",
    "FilesRemoved",
    "JobStatus",
    "LinkJob",
    "ReviewDecision",
    "ReviewItem",
    "ReviewState",
    "RunChannel",
    "Source",
    "SourceIndicator",
]
