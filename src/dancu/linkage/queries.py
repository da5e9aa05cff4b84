"""Typed reads of the linkage app, each behind its permission check (:mod:`.access`); reads
that show register data about a person write their audit entry here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from dancu.core.audit import record
from dancu.linkage import candidates
from dancu.linkage.access import OTHER_AGENCY, LinkageOfficer, LinkageRefused
from dancu.linkage.models import LinkJob, ReviewDecision, ReviewItem, ReviewState, Source, SourceIndicator
from dancu.linkage.results import ResultPage, result_page
from dancu.linkage.running import STAGE_LABELS, PriorDecision, fold_decisions
from dancu.registry.models import Person, PersonStatus

__all__ = [
    "CandidateRecord",
    "decision_journal",
    "get_job",
    "get_review_item",
    "indicator_report",
    "job_status",
    "next_pending_item",
    "prior_decisions",
    "recent_jobs",
    "results_for",
    "review_candidates",
    "review_queue",
    "source_indicators",
    "source_names",
    "sources",
]

PURPOSE = "record_linkage"


def prior_decisions(source: Source) -> dict[str, PriorDecision]:
    """What holds per row fingerprint of ``source`` after all its journaled decisions (what the
    next run reuses; see :func:`~dancu.linkage.running.fold_decisions`)."""
    entries: dict[str, list[tuple[str, str]]] = {}
    for key, decision, personal_id in (
        ReviewDecision.objects.filter(source=source)
        .order_by("decided_at", "id")
        .values_list("row_key", "decision", "personal_id")
    ):
        entries.setdefault(key, []).append((decision, personal_id))
    return {key: fold_decisions(rows) for key, rows in entries.items()}


def _visible_sources(officer: LinkageOfficer) -> QuerySet[Source]:
    everything = Source.objects.all()
    if officer.sees_every_agency:
        return everything
    return everything.filter(agency=officer.agency) if officer.agency else everything.none()


def _visible_jobs(officer: LinkageOfficer) -> QuerySet[LinkJob]:
    everything = LinkJob.objects.all()
    if officer.sees_every_agency:
        return everything
    return everything.filter(agency=officer.agency) if officer.agency else everything.none()


def source_names(officer: LinkageOfficer) -> list[str]:
    """Names of the officer's agency's sources, for the upload form's suggestions."""
    return list(_visible_sources(officer).order_by("name").values_list("name", flat=True).distinct())


def sources(officer: LinkageOfficer) -> list[Source]:
    """The sources the officer may see (their agency's; every agency's for an auditor), by name."""
    return list(_visible_sources(officer).order_by("name", "agency"))


def recent_jobs(officer: LinkageOfficer, limit: int = 50) -> list[LinkJob]:
    """The latest jobs the officer may see, newest first."""
    return list(_visible_jobs(officer).select_related("source").order_by("-created_at", "-id")[:limit])


def get_job(officer: LinkageOfficer, public_id: uuid.UUID | str) -> LinkJob:
    """The job with this public id; ``LinkJob.DoesNotExist`` when there is none and
    :class:`LinkageRefused` when it belongs to an agency the officer may not see."""
    job = LinkJob.objects.select_related("source").get(public_id=public_id)
    if not officer.may_see(job.agency):
        raise LinkageRefused(OTHER_AGENCY)
    return job


def job_status(job: LinkJob) -> dict[str, Any]:
    """The small JSON the progress page polls (no personal data)."""
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "stage": job.stage,
        "stage_label": STAGE_LABELS.get(job.stage, ""),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.is_finished,
        "rows": job.rows,
        "error": job.error,
    }


def results_for(officer: LinkageOfficer, job: LinkJob, *, filter_name: str, page: int) -> ResultPage:
    """A page of the job's correction list; audited as one read of the page's persons."""
    shown = result_page(job, filter_name=filter_name, page=page)
    record(
        action="linkage.results.view",
        actor=officer.actor,
        object_type="linkage.LinkJob",
        object_id=str(job.public_id),
        purpose=PURPOSE,
        details={"filter": filter_name, "page": shown.page, "rows": len(shown.rows)},
    )
    return shown


def review_queue(officer: LinkageOfficer, job: LinkJob, state: str = ReviewState.PENDING) -> QuerySet[ReviewItem]:
    """The job's review rows in ``state`` (``"all"`` for every state), in extract order."""
    items = ReviewItem.objects.filter(job=job).select_related("decision").order_by("row_number")
    return items if state == "all" else items.filter(state=state)


def get_review_item(officer: LinkageOfficer, job: LinkJob, row_number: int) -> ReviewItem:
    """The review row of ``job`` at ``row_number`` in its extract (how its page is named: a row's
    database id would tell every agency's review count); ``ReviewItem.DoesNotExist`` when the job
    has no review row there."""
    return ReviewItem.objects.select_related("job", "decision").get(job=job, row_number=row_number)


def next_pending_item(job: LinkJob, after_row: int) -> ReviewItem | None:
    """The next pending review row after ``after_row``, else the first pending one."""
    pending = ReviewItem.objects.filter(job=job, state=ReviewState.PENDING).order_by("row_number")
    return pending.filter(row_number__gt=after_row).first() or pending.first()


@dataclass(frozen=True, slots=True)
class CandidateRecord:
    """The register's values of a review candidate, in the extract's field names."""

    personal_id: str
    values: dict[str, str]
    deceased: bool
    #: The engine's candidate (the others come from :func:`dancu.linkage.candidates.alternatives`).
    engine: bool = True
    #: An officer said this is not the row's person.
    rejected: bool = False
    #: The person the row was confirmed to.
    chosen: bool = False


def review_candidates(officer: LinkageOfficer, item: ReviewItem) -> list[CandidateRecord]:
    """The engine's candidate of ``item`` (if still in the register) and the other persons an
    officer may pick instead, for the review page. Showing a person's register values is a read
    of that person: one audit entry per person shown."""
    rejected = set(item.rejected_candidates)
    people: list[tuple[Person, bool]] = []
    engine = (
        Person.objects.filter(personal_id=item.personal_id).select_related("household").first()
        if item.personal_id
        else None
    )
    if engine is not None:
        people.append((engine, True))
    people.extend((person, False) for person in candidates.alternatives(item))
    shown = []
    for person, is_engine in people:
        values = candidates.display_values(person)
        record(
            action="linkage.review.view",
            actor=officer.actor,
            subject_personal_id=person.personal_id,
            object_type="linkage.ReviewItem",
            object_id=item.pk,
            purpose=PURPOSE,
            fields=[name for name, value in values.items() if value],
            details={"job": str(item.job.public_id), "row_id": item.row_id, "engine_candidate": is_engine},
        )
        shown.append(
            CandidateRecord(
                personal_id=person.personal_id,
                values=values,
                deceased=person.status == PersonStatus.DECEASED,
                engine=is_engine,
                rejected=person.personal_id in rejected,
                chosen=item.state == ReviewState.CONFIRMED and person.personal_id == item.chosen_personal_id,
            )
        )
    return shown


def decision_journal(officer: LinkageOfficer, source: Source | None = None, limit: int = 200) -> list[ReviewDecision]:
    """The newest decisions the officer may see, of one source or of all."""
    decisions = ReviewDecision.objects.select_related("source", "job").order_by("-decided_at", "-id")
    decisions = decisions.filter(source__in=_visible_sources(officer))
    if source is not None:
        decisions = decisions.filter(source=source)
    return list(decisions[:limit])


def source_indicators(officer: LinkageOfficer | None = None) -> list[SourceIndicator]:
    """The indicator numbers of the sources ``officer`` may see, or of every source when
    ``officer`` is ``None`` (monitoring: counts only, no personal data)."""
    indicators = SourceIndicator.objects.select_related("source", "job").order_by("source__name", "source__agency")
    if officer is not None:
        indicators = indicators.filter(source__in=_visible_sources(officer))
    return list(indicators)


def indicator_report(indicators: list[SourceIndicator]) -> dict[str, Any]:
    """The indicators as JSON for monitoring: per source its latest run's counts and the shares
    linked clean, linked with differences, awaiting review and unmatched (counts only, no
    personal data; the four shares add up to 1 for a run with rows)."""

    def share(count: int, rows: int) -> float:
        return round(count / rows, 6) if rows else 0.0

    return {
        "sources": [
            {
                "source": ind.source.name,
                "agency": ind.source.agency,
                "job": str(ind.job.public_id) if ind.job else None,
                "finished_at": ind.job.finished_at.isoformat() if ind.job and ind.job.finished_at else None,
                "updated_at": ind.updated_at.isoformat(),
                "rows": ind.rows,
                "matched_clean": ind.matched_clean,
                "matched_with_differences": ind.matched_with_differences,
                "review": ind.review,
                "unmatched": ind.unmatched,
                "duplicates": ind.duplicates,
                "shares": {
                    "clean": share(ind.matched_clean, ind.rows),
                    "with_differences": share(ind.matched_with_differences, ind.rows),
                    "review": share(ind.review, ind.rows),
                    "unmatched": share(ind.unmatched, ind.rows),
                },
            }
            for ind in indicators
        ]
    }
