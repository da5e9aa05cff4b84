"""Discovery after X-Road's REST metadata services, and the published OpenAPI document."""

from __future__ import annotations

import pytest
from django.test import Client

from dancu.core.models import AuditEntry
from dancu.exchange.tests.conftest import BASE, Gateway, System

pytestmark = pytest.mark.django_db


def test_it_lists_every_service_with_its_endpoints(gateway: Gateway, bank_system: System) -> None:
    response = gateway.get(bank_system, "listMethods", officer=None)

    assert response.status_code == 200
    services = {s["service_code"]: s for s in response.json()["service"]}
    assert sorted(services) == ["batch-verify", "card-qr", "changes", "read", "usage", "verify"]
    assert services["changes"] == {
        "xroad_instance": "VN",
        "member_class": "GOV",
        "member_code": "DANCU-31",
        "subsystem_code": "registry",
        "service_code": "changes",
        "service_version": "v1",
        "object_type": "SERVICE",
        "service_type": "REST",
        "title": "Thông báo biến động dân cư / Change notifications",
        "endpoint_list": [
            {"method": "GET", "path": "/v1"},
            {"method": "GET", "path": "/v1/subscriptions"},
            {"method": "POST", "path": "/v1/subscriptions"},
            {"method": "DELETE", "path": "/v1/subscriptions/{subscription_id}"},
        ],
    }
    [entry] = AuditEntry.objects.filter(action="exchange.metadata")
    assert (entry.outcome, entry.details["method"]) == ("ok", "listMethods")


def test_it_lists_only_the_services_a_system_may_call(gateway: Gateway, bank_system: System) -> None:
    response = gateway.get(bank_system, "allowedMethods", officer=None)

    assert [s["service_code"] for s in response.json()["service"]] == ["verify", "read", "card-qr"]


def test_it_serves_one_service_openapi_document(gateway: Gateway, bank_system: System) -> None:
    response = gateway.get(bank_system, "getOpenAPI", officer=None, params={"serviceCode": "verify"})

    document = response.json()
    assert document["info"]["title"] == "Xác thực thông tin công dân (có/không) / Verify a citizen's data (yes/no)"
    assert list(document["paths"]) == [f"{BASE}/verify/v1"]
    missing = gateway.get(bank_system, "getOpenAPI", officer=None, params={"serviceCode": "khong-co"})
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_it_lists_the_member_systems(gateway: Gateway, bank_system: System, insurance_system: System) -> None:
    response = gateway.client.get("/r1/listClients", headers=gateway.headers(bank_system, purpose=None, officer=None))

    assert response.json()["member"] == [
        {
            "id": {"xroad_instance": "VN", "member_class": "COM", "member_code": "0100112437", "object_type": "MEMBER"},
            "name": "Ngân hàng TMCP Ngoại thương Việt Nam",
        },
        {
            "id": {
                "xroad_instance": "VN",
                "member_class": "COM",
                "member_code": "0100112437",
                "subsystem_code": "ekyc",
                "object_type": "SUBSYSTEM",
            },
            "name": "Định danh khách hàng điện tử",
        },
        {
            "id": {"xroad_instance": "VN", "member_class": "GOV", "member_code": "BHXH-HP", "object_type": "MEMBER"},
            "name": "Bảo hiểm xã hội thành phố Hải Phòng",
        },
        {
            "id": {
                "xroad_instance": "VN",
                "member_class": "GOV",
                "member_code": "BHXH-HP",
                "subsystem_code": "tiep-nhan",
                "object_type": "SUBSYSTEM",
            },
            "name": "Hệ thống tiếp nhận hồ sơ",
        },
    ]


def test_it_publishes_the_whole_openapi_document(client: Client) -> None:
    response = client.get("/r1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["components"]["securitySchemes"] == {"ExchangeBearer": {"type": "http", "scheme": "bearer"}}
    verify = document["paths"][f"{BASE}/verify/v1"]["post"]
    assert sorted(verify["responses"]) == ["200", "400", "401", "403", "429", "503"]
    assert list(verify["responses"]["403"]["content"]) == ["application/problem+json"]
    assert [p["name"] for p in verify["parameters"]] == [
        "X-Road-Client",
        "X-Road-UserId",
        "X-Road-Purpose",
        "X-Road-Issue",
        "X-Road-Id",
    ]
