"""The linkage pages for agency officers: upload → mapping → progress → results → review →
decision journal. Thin views: forms validate, actions write, queries read and check access."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dancu.core.audit import record
from dancu.linkage import queries
from dancu.linkage.access import LinkageOfficer, LinkageRefused, linkage_officer
from dancu.linkage.actions import (
    LinkageInputError,
    check_confirm_mapping,
    check_decide_review,
    check_remove_job_files,
    check_rerun_job,
    check_upload_extract,
    do_record_refusal,
    may_rerun,
)
from dancu.linkage.engine.headers import FIELDS
from dancu.linkage.extract_files import ExtractFileError, media_path, peek_extract
from dancu.linkage.forms import DecisionForm, MappingForm, UploadForm
from dancu.linkage.models import Decision, JobStatus, LinkJob, ReviewItem, ReviewState
from dancu.linkage.results import FILTERS, write_job_csv
from dancu.linkage.running import STAGE_LABELS

View = Callable[..., HttpResponseBase]


def linkage_view(*, run: bool) -> Callable[[View], View]:
    """Log in, then admit only linkage officers (``run``: those who may run and review).
    A refusal — here, or raised by the view (a job of another agency) — is audited, answered
    403 with the reason, and changes nothing."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            actor_id = str(getattr(request.user, "actor_id", ""))
            organisation = str(getattr(request.user, "organisation", "") or "")
            try:
                officer = linkage_officer(request.user, run=run)
                return view(request, officer, *args, **kwargs)
            except LinkageRefused as refusal:
                do_record_refusal(actor_id, refusal, request.path, organisation=organisation)
                return render(request, "linkage/refused.html", {"reason": refusal.args[0]}, status=403)

        return wrapper

    return decorate


def _job(officer: LinkageOfficer, public_id: uuid.UUID) -> LinkJob:
    try:
        return queries.get_job(officer, public_id)
    except LinkJob.DoesNotExist as exc:
        raise Http404("Không có phiên liên kết này / No such link job") from exc


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("trang", "1")))
    except ValueError:
        return 1


def percent(share: float) -> str:
    """A share as the pages print it: "12,5 %" (Vietnamese decimal comma)."""
    return f"{share * 100:.1f}".replace(".", ",") + " %"


@require_GET
@linkage_view(run=False)
def index(request: HttpRequest, officer: LinkageOfficer) -> HttpResponse:
    """Recent jobs and each source's indicators."""
    indicators = [
        (
            ind,
            [
                (count, percent(ind.share(count)))
                for count in (ind.matched_clean, ind.matched_with_differences, ind.review, ind.unmatched)
            ],
        )
        for ind in queries.source_indicators(officer)
    ]
    return render(
        request,
        "linkage/index.html",
        {"officer": officer, "jobs": queries.recent_jobs(officer), "indicators": indicators},
    )


@require_GET
@linkage_view(run=False)
def indicators(request: HttpRequest, officer: LinkageOfficer) -> HttpResponse:
    """The indicators of the sources the officer may see, as JSON (counts and shares only)."""
    return JsonResponse(queries.indicator_report(queries.source_indicators(officer)))


@require_http_methods(["GET", "POST"])
@linkage_view(run=True)
def upload(request: HttpRequest, officer: LinkageOfficer) -> HttpResponse:
    """Choose the source and the file; the upload opens a job awaiting its mapping."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        extract = form.cleaned_data["extract"]
        try:
            job = check_upload_extract(
                officer,
                source_name=form.cleaned_data["source"],
                original_name=extract.name or "",
                chunks=extract.chunks(),
            )
        except LinkageInputError as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            return redirect("linkage:mapping", public_id=job.public_id)
    return render(
        request,
        "linkage/upload.html",
        {"form": form, "sources": queries.source_names(officer)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@linkage_view(run=True)
def mapping(request: HttpRequest, officer: LinkageOfficer, public_id: uuid.UUID) -> HttpResponse:
    """Show the detected column mapping and let the officer correct it before the run."""
    job = _job(officer, public_id)
    if job.status != JobStatus.AWAITING_MAPPING or job.files_removed_at is not None:
        return redirect("linkage:progress", public_id=job.public_id)
    headers = list(job.headers)
    form = MappingForm(headers, request.POST or None, initial_mapping=dict(job.mapping))
    if request.method == "POST" and form.is_valid():
        try:
            check_confirm_mapping(officer, job, form.mapping())
        except LinkageInputError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("linkage:progress", public_id=job.public_id)
    try:
        preview = peek_extract(media_path(job.extract_name), job.file_kind, rows=3)
        samples = [[row[i] if i < len(row) else "" for row in preview.rows] for i in range(len(headers))]
    except (ExtractFileError, OSError):
        samples = [[] for _ in headers]
    record(
        action="linkage.job.preview",
        actor=officer.actor,
        object_type="linkage.LinkJob",
        object_id=str(job.public_id),
        purpose="record_linkage",
        details={"rows": len(samples[0]) if samples else 0},
    )
    columns = [(form[f"col_{i}"], samples[i]) for i in range(len(headers))]
    return render(
        request,
        "linkage/mapping.html",
        {"job": job, "form": form, "columns": columns, "fields": FIELDS},
        status=400 if form.errors else 200,
    )


@require_GET
@linkage_view(run=False)
def progress(request: HttpRequest, officer: LinkageOfficer, public_id: uuid.UUID) -> HttpResponse:
    """The progress bar of a queued or running job (the failure, if it failed)."""
    job = _job(officer, public_id)
    if job.status == JobStatus.AWAITING_MAPPING and job.files_removed_at is None:
        return redirect("linkage:mapping", public_id=job.public_id)
    if job.status == JobStatus.DONE:
        return redirect("linkage:results", public_id=job.public_id)
    return render(
        request,
        "linkage/progress.html",
        {
            "job": job,
            "officer": officer,
            "may_rerun": officer.may_run and may_rerun(job),
            "retention_days": settings.DANCU_LINKAGE_RETENTION_DAYS,
            "stage_label": STAGE_LABELS.get(job.stage, job.get_status_display()),
        },
    )


@require_POST
@linkage_view(run=True)
def remove_files(request: HttpRequest, officer: LinkageOfficer, public_id: uuid.UUID) -> HttpResponse:
    """Delete the job's extract and result files now (the counts and the audit trail stay)."""
    job = _job(officer, public_id)
    try:
        check_remove_job_files(officer, job)
    except LinkageInputError as exc:
        return render(request, "linkage/refused.html", {"reason": str(exc)}, status=400)
    return redirect("linkage:progress", public_id=job.public_id)


@require_POST
@linkage_view(run=True)
def rerun(request: HttpRequest, officer: LinkageOfficer, public_id: uuid.UUID) -> HttpResponse:
    """Queue a failed job again (its file and confirmed mapping are kept)."""
    job = _job(officer, public_id)
    try:
        check_rerun_job(officer, job)
    except LinkageInputError as exc:
        return render(
            request,
            "linkage/progress.html",
            {"job": job, "officer": officer, "may_rerun": False, "rerun_error": str(exc)},
            status=400,
        )
    return redirect("linkage:progress", public_id=job.public_id)


@require_GET
@linkage_view(run=False)
def status(request: HttpRequest, officer: LinkageOfficer, public_id: uuid.UUID) -> HttpResponse:
    """The job's progress as JSON, polled by the progress page."""
    return JsonResponse(queries.job_status(_job(officer, public_id)))


@require_GET
@linkage_view(run=False)
def results(request: HttpRequest, officer: LinkageOfficer, public_id: uuid.UUID) -> HttpResponse:
    """Counts, indicator shares and the paged correction list of a finished job."""
    job = _job(officer, public_id)
    if job.status != JobStatus.DONE:
        return redirect("linkage:progress", public_id=job.public_id)
    filter_name = request.GET.get("loc", "differences")
    if filter_name not in FILTERS:
        filter_name = "differences"
    shown = (
        queries.results_for(officer, job, filter_name=filter_name, page=_page_number(request))
        if job.result_name
        else None
    )
    counts = [
        (key, label, count, percent(count / job.rows if job.rows else 0.0))
        for key, label, count in (
            ("clean", "Khớp hoàn toàn / Matched, clean", job.matched_clean),
            ("differences", "Khớp, có sai khác / Matched with differences", job.matched_with_differences),
            ("review", "Cần xem xét / To review", job.review),
            ("unmatched", "Không tìm thấy / Unmatched", job.unmatched),
            ("duplicates", "Trùng lặp trong tệp / Duplicates", job.duplicates),
        )
    ]
    return render(
        request,
        "linkage/results.html",
        {
            "job": job,
            "officer": officer,
            "counts": counts,
            "filters": [(key, label) for key, (label, _) in FILTERS.items()],
            "filter_name": filter_name,
            "filter_label": FILTERS[filter_name][0],
            "page": shown,
            "retention_days": settings.DANCU_LINKAGE_RETENTION_DAYS,
        },
    )


@require_GET
@linkage_view(run=False)
def download(request: HttpRequest, officer: LinkageOfficer, public_id: uuid.UUID) -> HttpResponseBase:
    """The RESULT CSV with review decisions applied (the agency's correction list)."""
    job = _job(officer, public_id)
    if job.status != JobStatus.DONE or not job.result_name:
        raise Http404("Phiên chưa có kết quả / This job has no results yet")
    work = Path(tempfile.mkdtemp(prefix="dancu-result-"))
    path = work / "result.csv"
    write_job_csv(job, path)
    handle = path.open("rb")
    # The open handle keeps the data; the name can go at once so nothing is left behind.
    path.unlink()
    work.rmdir()
    record(
        action="linkage.results.download",
        actor=officer.actor,
        object_type="linkage.LinkJob",
        object_id=str(job.public_id),
        purpose="record_linkage",
        details={"rows": job.rows},
    )
    stamp = timezone.localtime(job.finished_at or timezone.now()).strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle, as_attachment=True, filename=f"ket-qua-lien-ket-{stamp}.csv", content_type="text/csv; charset=utf-8"
    )


@require_GET
@linkage_view(run=False)
def review_list(request: HttpRequest, officer: LinkageOfficer, public_id: uuid.UUID) -> HttpResponse:
    """The job's review rows: pending by default, ``?trang-thai=all`` for every one."""
    job = _job(officer, public_id)
    state = request.GET.get("trang-thai", ReviewState.PENDING)
    if state not in {*ReviewState.values, "all"}:
        state = ReviewState.PENDING
    items = list(queries.review_queue(officer, job, state)[:500])
    return render(
        request,
        "linkage/review_list.html",
        {"job": job, "officer": officer, "items": items, "state": state, "states": ReviewState.choices},
    )


def _side_by_side(item: ReviewItem, register: dict[str, str]) -> list[dict[str, Any]]:
    differing = set(item.differences)
    rows = []
    for name, label in FIELDS.items():
        extract_value = str(item.extract.get(name, "") or "")
        register_value = register.get(name, "")
        if not extract_value and not register_value:
            continue
        if name in differing:
            verdict = "differs"
        elif not extract_value or not register_value:
            verdict = "missing"
        else:
            verdict = "agrees"
        rows.append(
            {"field": name, "label": label, "extract": extract_value, "register": register_value, "verdict": verdict}
        )
    return rows


#: The fields the table of other candidates shows.
CANDIDATE_FIELDS = ("full_name", "birth_date", "sex", "personal_id", "address")


@require_http_methods(["GET", "POST"])
@linkage_view(run=False)
def review_item(request: HttpRequest, officer: LinkageOfficer, public_id: uuid.UUID, row_number: int) -> HttpResponse:
    """One review row side by side with its register candidate, and the other persons it may
    be; confirm one, reject one, or decide it is none of them."""
    job = _job(officer, public_id)
    try:
        item = queries.get_review_item(officer, job, row_number)
    except ReviewItem.DoesNotExist as exc:
        raise Http404("Không có dòng này / No such row") from exc
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not officer.may_run:
            raise LinkageRefused("Vai trò của bạn không được phép xem xét / Your role may not review links")
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                check_decide_review(
                    officer, item, decision, form.cleaned_data["reason"], form.cleaned_data.get("candidate") or ""
                )
            except LinkageInputError as exc:
                form.add_error(None, str(exc))
            else:
                if decision == Decision.REJECT and item.state == ReviewState.PENDING:
                    # One candidate is out: stay on the row to pick another or none.
                    return redirect("linkage:review_item", public_id=job.public_id, row_number=item.row_number)
                following = queries.next_pending_item(job, item.row_number)
                if following is not None:
                    return redirect("linkage:review_item", public_id=job.public_id, row_number=following.row_number)
                return redirect("linkage:review_list", public_id=job.public_id)
    shown = queries.review_candidates(officer, item)
    candidate = next((c for c in shown if c.engine), None)
    others = [c for c in shown if not c.engine]
    fields = [(name, FIELDS[name]) for name in CANDIDATE_FIELDS]
    return render(
        request,
        "linkage/review_item.html",
        {
            "job": job,
            "officer": officer,
            "item": item,
            "candidate": candidate,
            "others": [(c, [c.values.get(name, "") for name, _ in fields]) for c in others],
            "other_fields": fields,
            "comparison": _side_by_side(item, candidate.values if candidate else {}),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@linkage_view(run=False)
def journal(request: HttpRequest, officer: LinkageOfficer) -> HttpResponse:
    """The decision journal, of every source or of one (``?nguon=<id>``)."""
    sources = queries.sources(officer)
    wanted = request.GET.get("nguon", "")
    source = next((s for s in sources if str(s.pk) == wanted), None)
    return render(
        request,
        "linkage/journal.html",
        {"decisions": queries.decision_journal(officer, source), "source": source, "sources": sources},
    )
