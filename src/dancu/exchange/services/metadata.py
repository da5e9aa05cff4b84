"""Discovery, after X-Road's REST metadata services: ``listMethods`` (every service),
``allowedMethods`` (the services this system holds a grant for), ``getOpenAPI`` (one service's
OpenAPI document) and ``listClients`` (the member systems)."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError

from dancu.exchange.calls import OK, Call, Served, audit_call, call_transaction, encode_json
from dancu.exchange.catalogue import INSTANCE, PROVIDER, SERVICES, provider_path
from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.models import MemberSystem

__all__ = ["list_clients", "list_methods", "service_openapi"]


def _audited(call: Call, payload: Any, details: dict[str, Any]) -> Served:
    body = encode_json(payload)
    try:
        with call_transaction():
            audit_call(call, outcome=OK, body=body, details=details)
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body)


def list_methods(call: Call, *, allowed_only: bool) -> Served:
    """The services with their endpoints; with ``allowed_only``, those the caller may use now."""
    allowed = {g.service for g in call.policy.grants_of(call.system.id)}
    services = [
        {
            "xroad_instance": PROVIDER.instance,
            "member_class": PROVIDER.member_class,
            "member_code": PROVIDER.member_code,
            "subsystem_code": PROVIDER.subsystem_code,
            "service_code": s.code,
            "service_version": s.version,
            "object_type": "SERVICE",
            "service_type": "REST",
            "title": s.title,
            "endpoint_list": [{"method": e.method, "path": e.path} for e in s.endpoints],
        }
        for s in SERVICES.values()
        if not allowed_only or s.code in allowed
    ]
    return _audited(call, {"service": services}, {"method": "allowedMethods" if allowed_only else "listMethods"})


def list_clients(call: Call) -> Served:
    """Every member and its systems, as X-Road identifiers."""
    members: dict[tuple[str, str], dict[str, Any]] = {}
    clients: list[dict[str, Any]] = []
    for system in MemberSystem.objects.select_related("member").order_by("member__code", "code"):
        member = system.member
        key = (member.member_class, member.code)
        if key not in members:
            members[key] = {
                "id": {
                    "xroad_instance": INSTANCE,
                    "member_class": member.member_class,
                    "member_code": member.code,
                    "object_type": "MEMBER",
                },
                "name": member.name,
            }
            clients.append(members[key])
        clients.append(
            {
                "id": {
                    "xroad_instance": INSTANCE,
                    "member_class": member.member_class,
                    "member_code": member.code,
                    "subsystem_code": system.code,
                    "object_type": "SUBSYSTEM",
                },
                "name": system.name,
            }
        )
    return _audited(call, {"member": clients}, {"method": "listClients"})


def service_openapi(call: Call, service_code: str, full: dict[str, Any]) -> Served:
    """The part of the OpenAPI document ``full`` that describes ``service_code``."""
    if service_code not in SERVICES:
        raise ExchangeError(
            ErrorCode.NOT_FOUND,
            f"Không có dịch vụ {service_code!r} / no service {service_code!r}",
        )
    prefix = f"/{provider_path()}/{service_code}/"
    paths = {path: ops for path, ops in full.get("paths", {}).items() if path.startswith(prefix)}
    service = SERVICES[service_code]
    document = {
        **full,
        "info": {**full.get("info", {}), "title": service.title, "version": service.version},
        "paths": paths,
    }
    return _audited(call, document, {"method": "getOpenAPI", "service": service_code})
