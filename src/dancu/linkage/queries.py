"""Typed reads of the linkage app, each behind its permission check (:mod:`.access`); reads
that show register data about a person write their audit entry here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from dancu.core import units
from dancu.core.audit import record
from dancu.linkage.access import OTHER_AGENCY, LinkageOfficer, LinkageRefused
from dancu.linkage.models import LinkJob, ReviewDecision, ReviewItem, ReviewState, Source, SourceIndicator
from dancu.linkage.results import ResultPage, result_page
from dancu.linkage.running import STAGE_LABELS, PriorDecision
from dancu.registry.models import DatePrecision, Person, PersonStatus, Residence, ResidenceKind

__all__ = [
    "CandidateRecord",
    "candidate_record",
    "decision_journal",
    "get_job",
    "get_review_item",
    "job_status",
    "next_pending_item",
    "prior_decisions",
    "recent_jobs",
    "results_for",
    "review_queue",
    "source_indicators",
    "source_names",
    "sources",
]

PURPOSE = "record_linkage"


def prior_decisions(source: Source) -> dict[str, PriorDecision]:
    """The newest decision per row fingerprint of ``source`` (what the next run reuses)."""
    newest: dict[str, PriorDecision] = {}
    for key, decision, personal_id in (
        ReviewDecision.objects.filter(source=source)
        .order_by("decided_at", "id")
        .values_list("row_key", "decision", "personal_id")
    ):
        newest[key] = PriorDecision(decision=decision, personal_id=personal_id)
    return newest


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


def get_review_item(officer: LinkageOfficer, job: LinkJob, item_id: int) -> ReviewItem:
    """One review row of ``job``; ``ReviewItem.DoesNotExist`` when it is not this job's."""
    return ReviewItem.objects.select_related("job", "decision").get(job=job, pk=item_id)


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


def _birth_text(person: Person) -> str:
    if person.birth_precision == DatePrecision.YEAR:
        return str(person.birth_date.year)
    if person.birth_precision == DatePrecision.MONTH:
        return person.birth_date.strftime("%m/%Y")
    return person.birth_date.strftime("%d/%m/%Y")


def _commune_name(code: str) -> str:
    try:
        return units.get_unit(code, "current").name
    except units.UnknownUnitError:
        return code


def candidate_record(officer: LinkageOfficer, item: ReviewItem) -> CandidateRecord | None:
    """The register record of ``item``'s candidate for the side-by-side view (audited as an
    officer's read of that person), or ``None`` if the person is no longer in the register."""
    if not item.personal_id:
        return None
    person = Person.objects.filter(personal_id=item.personal_id).select_related("household").first()
    if person is None:
        return None
    residence = (
        Residence.objects.filter(person=person, kind=ResidenceKind.PERMANENT, is_active=True).order_by("-id").first()
    )
    commune = (residence.commune_code if residence else "") or person.commune_code
    line = (residence.address_line if residence else "") or (person.household.address_line if person.household else "")
    former = list(person.former_ids.order_by("number").values_list("number", flat=True))
    values = {
        "full_name": person.full_name,
        "birth_date": _birth_text(person),
        "sex": person.get_sex_display(),
        "personal_id": person.personal_id,
        "old_id_number": ", ".join(former),
        "address": ", ".join(p for p in (line, _commune_name(commune) if commune else "") if p),
        "phone": person.phone,
        "ethnicity": person.ethnicity,
    }
    fields = [name for name, value in values.items() if value]
    record(
        action="linkage.review.view",
        actor=officer.actor,
        subject_personal_id=person.personal_id,
        object_type="linkage.ReviewItem",
        object_id=item.pk,
        purpose=PURPOSE,
        fields=fields,
        details={"job": str(item.job.public_id), "row_id": item.row_id},
    )
    return CandidateRecord(
        personal_id=person.personal_id, values=values, deceased=person.status == PersonStatus.DECEASED
    )


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
