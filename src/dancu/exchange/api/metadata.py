"""X-Road metadata endpoints: ``listMethods``, ``allowedMethods``, ``getOpenAPI``, ``listClients``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema
from pydantic import Field

from dancu.exchange.api.base import PROBLEMS, api, begin, problems, respond
from dancu.exchange.api.schemas import ClientsOut, MetaHeaders, MethodsOut
from dancu.exchange.services.metadata import list_clients, list_methods, service_openapi

router = Router(tags=["metadata"])
root_router = Router(tags=["metadata"])


class OpenApiQuery(Schema):
    serviceCode: str = Field(max_length=40)  # noqa: N815 — X-Road's parameter name


@router.get(
    "/listMethods",
    response={200: MethodsOut, **problems(*PROBLEMS)},
    operation_id="list_methods",
    summary="Danh sách dịch vụ / List the services",
)
def list_methods_view(request: HttpRequest, headers: Header[MetaHeaders]) -> HttpResponse:
    call = begin(request, headers, "metadata")
    return respond(request, list_methods(call, allowed_only=False))


@router.get(
    "/allowedMethods",
    response={200: MethodsOut, **problems(*PROBLEMS)},
    operation_id="allowed_methods",
    summary="Dịch vụ được phép dùng / The services this system may call",
)
def allowed_methods_view(request: HttpRequest, headers: Header[MetaHeaders]) -> HttpResponse:
    call = begin(request, headers, "metadata")
    return respond(request, list_methods(call, allowed_only=True))


@router.get(
    "/getOpenAPI",
    response={200: dict[str, Any], **problems(*PROBLEMS, 404)},
    operation_id="get_openapi",
    summary="Tài liệu OpenAPI của một dịch vụ / One service's OpenAPI document",
)
def get_openapi_view(request: HttpRequest, headers: Header[MetaHeaders], query: Query[OpenApiQuery]) -> HttpResponse:
    call = begin(request, headers, "metadata")
    full = api.get_openapi_schema(path_prefix="/r1/")
    return respond(request, service_openapi(call, query.serviceCode, dict(full)))


@root_router.get(
    "/listClients",
    response={200: ClientsOut, **problems(*PROBLEMS)},
    operation_id="list_clients",
    summary="Danh sách hệ thống thành viên / List the member systems",
)
def list_clients_view(request: HttpRequest, headers: Header[MetaHeaders]) -> HttpResponse:
    call = begin(request, headers, "metadata")
    return respond(request, list_clients(call))
