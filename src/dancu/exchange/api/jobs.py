"""``batch-verify`` file jobs, ``card-qr`` and ``usage`` endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Header, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from dancu.exchange.api.base import PROBLEMS, begin, problems, respond
from dancu.exchange.api.schemas import BatchJobOut, CardQrIn, CardQrOut, DataHeaders, PersonalId, UsagesOut
from dancu.exchange.catalogue import provider_path
from dancu.exchange.services.batch import job_result, job_status, submit_job
from dancu.exchange.services.card_qr import verify_card_qr
from dancu.exchange.services.usage import find_usage

router = Router(tags=["batch-verify", "card-qr", "usage"])


def _jobs_path() -> str:
    return f"/{provider_path()}/batch-verify/v1/jobs"


class JobForm(Schema):
    name_match: Literal["exact", "folded"] = "exact"


@router.post(
    "/batch-verify/v1/jobs",
    response={202: BatchJobOut, **problems(*PROBLEMS)},
    operation_id="submit_batch_job_v1",
    summary="Gửi tệp CSV để xác thực nền / Submit a CSV file for background verification",
)
def submit(
    request: HttpRequest, headers: Header[DataHeaders], form: Form[JobForm], file: File[UploadedFile]
) -> HttpResponse:
    call = begin(request, headers, "batch-verify")
    return respond(request, submit_job(call, file.read(), name_match=form.name_match, base_path=_jobs_path()))


@router.get(
    "/batch-verify/v1/jobs/{job_id}",
    response={200: BatchJobOut, **problems(*PROBLEMS, 404)},
    operation_id="batch_job_status_v1",
    summary="Trạng thái công việc / Job status",
)
def status(request: HttpRequest, headers: Header[DataHeaders], job_id: str) -> HttpResponse:
    call = begin(request, headers, "batch-verify")
    return respond(request, job_status(call, job_id, base_path=_jobs_path()))


@router.get(
    "/batch-verify/v1/jobs/{job_id}/result",
    response={200: str, **problems(*PROBLEMS, 404, 409)},
    operation_id="batch_job_result_v1",
    summary="Tải kết quả (CSV) / Download the result (CSV)",
    openapi_extra={
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}}
    },
)
def result(request: HttpRequest, headers: Header[DataHeaders], job_id: str) -> HttpResponse:
    call = begin(request, headers, "batch-verify")
    return respond(request, job_result(call, job_id))


@router.post(
    "/card-qr/v1",
    response={200: CardQrOut, **problems(*PROBLEMS)},
    operation_id="card_qr_v1",
    summary="Xác thực mã QR thẻ căn cước / Verify a chip ID card's QR code",
)
def card_qr(request: HttpRequest, headers: Header[DataHeaders], payload: CardQrIn) -> HttpResponse:
    call = begin(request, headers, "card-qr")
    return respond(request, verify_card_qr(call, payload.qr))


class UsageQuery(Schema):
    userCode: PersonalId  # noqa: N815 — Data Tracker's parameter names
    periodStart: dt.date | None = Field(None, ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))  # noqa: N815
    periodEnd: dt.date | None = Field(None, ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))  # noqa: N815
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(50, ge=1, le=500)


def _day_start(day: dt.date | None) -> dt.datetime | None:
    from django.utils import timezone

    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@router.get(
    "/usage/v1",
    response={200: UsagesOut, **problems(*PROBLEMS)},
    operation_id="usage_v1",
    summary="Ai đã sử dụng dữ liệu của công dân (findUsage) / Who used a citizen's data",
)
def usage(request: HttpRequest, headers: Header[DataHeaders], query: Query[UsageQuery]) -> HttpResponse:
    call = begin(request, headers, "usage")
    end = _day_start(query.periodEnd + dt.timedelta(days=1)) if query.periodEnd else None
    return respond(
        request,
        find_usage(
            call, query.userCode, start=_day_start(query.periodStart), end=end, offset=query.offset, limit=query.limit
        ),
    )
