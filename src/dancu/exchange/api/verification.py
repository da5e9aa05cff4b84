"""``verify``, ``read`` and ``batch-verify`` (records in the body) endpoints."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from dancu.exchange.api.base import PROBLEMS, begin, problems, respond
from dancu.exchange.api.schemas import BatchVerifyIn, BatchVerifyOut, DataHeaders, ReadIn, ReadOut, VerifyIn, VerifyOut
from dancu.exchange.calls import Served
from dancu.exchange.services.read import read_person
from dancu.exchange.services.verify import verify_many, verify_one

router = Router(tags=["verify", "read"])


@router.post(
    "/verify/v1",
    response={200: VerifyOut, **problems(*PROBLEMS)},
    operation_id="verify_v1",
    summary="Xác thực thông tin (có/không) / Verify a person's data (yes/no per field)",
)
def verify(request: HttpRequest, headers: Header[DataHeaders], payload: VerifyIn) -> HttpResponse:
    call = begin(request, headers, "verify")
    return respond(request, verify_one(call, payload.query(), name_match=payload.name_match))


@router.post(
    "/read/v1",
    response={200: ReadOut, **problems(*PROBLEMS, 404)},
    operation_id="read_v1",
    summary="Khai thác thông tin theo chính sách / Read the fields the policy grants",
)
def read(request: HttpRequest, headers: Header[DataHeaders], payload: ReadIn) -> HttpResponse:
    call = begin(request, headers, "read")
    fields = list(dict.fromkeys(payload.fields)) if payload.fields else None
    return respond(request, read_person(call, payload.personal_id, fields))


@router.post(
    "/batch-verify/v1",
    response={200: BatchVerifyOut, **problems(*PROBLEMS)},
    operation_id="batch_verify_v1",
    summary="Xác thực theo lô (tối đa 5.000 bản ghi) / Verify up to 5,000 records at once",
)
def batch_verify(request: HttpRequest, headers: Header[DataHeaders], payload: BatchVerifyIn) -> HttpResponse:
    call = begin(request, headers, "batch-verify")
    body, _ = verify_many(call, [r.query() for r in payload.records], name_match=payload.name_match)
    return respond(request, Served(body))
