"""Fuzz every operation of the OpenAPI document (schemathesis): no server error, no status code,
content type or body the document does not declare — with data that fits the document and data
that does not, with the headers the fuzzer invents and with a real system's valid headers (so the
generated bodies and queries reach the services behind the header checks)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dancu.exchange.actions import do_grant_access
from dancu.exchange.api import api
from dancu.exchange.tests.conftest import ADMIN, Gateway, System
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/r1/"))
OPERATIONS = {op.ok().label: op.ok() for op in SCHEMA.get_all_operations()}


@contextmanager
def _keeping_the_test_connection() -> Iterator[None]:
    """As Django's test client does: the WSGI handler must not close the connection that holds
    the test's transaction around each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_it_fuzzes_every_documented_operation() -> None:
    assert len(OPERATIONS) == 16


@pytest.mark.parametrize("label", sorted(OPERATIONS))
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_it_keeps_every_operation_within_its_document(
    label: str, mode: GenerationMode, gateway: Gateway, insurance_system: System, person_lan: Person
) -> None:
    # One purpose that opens every service, so valid headers reach each service's own checks.
    for service in ("card-qr", "changes", "usage"):
        fields = ["full_name", "birth_date", "sex", "card"] if service == "card-qr" else []
        if service == "changes":
            fields = ["status", "deceased_on", "full_name", "permanent_address", "card"]
        do_grant_access(
            insurance_system.system, service=service, purpose_code="BHYT.CAP-THE", fields=fields, actor=ADMIN
        )
    app = get_wsgi_application()
    valid = gateway.headers(insurance_system, purpose="BHYT.CAP-THE")
    token_only = {"Authorization": valid["Authorization"]}

    @given(case=OPERATIONS[label].as_strategy(generation_mode=mode))
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case: Any) -> None:
        case.call_and_validate(app=app, checks=CHECKS)
        case.call_and_validate(app=app, headers=token_only, checks=CHECKS)
        case.call_and_validate(app=app, headers=valid, checks=CHECKS)

    with _keeping_the_test_connection():
        fuzz()
