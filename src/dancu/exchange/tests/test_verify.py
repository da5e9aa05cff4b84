"""``verify``: per-field yes/no answers, no data, every call audited and bound to its response."""

from __future__ import annotations

import hashlib
import json

import pytest

from dancu.core.models import AuditEntry
from dancu.exchange.tests.conftest import OFFICER_ID, Gateway, System
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db


def _entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__startswith="exchange.verify").order_by("id"))


def test_it_answers_yes_per_field_and_returns_no_data(
    gateway: Gateway, bank_system: System, person_lan: Person
) -> None:
    response = gateway.post(
        bank_system,
        "verify/v1",
        {"personal_id": "031190012345", "full_name": "Nguyễn Thị Lan", "birth_date": "1990-05-12", "sex": "female"},
        purpose="NH.KYC",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "personal_id": "031190012345",
        "found": True,
        "matches": {"full_name": True, "birth_date": True, "sex": True},
        "answer": {
            "status": True,
            "message": "Thông tin khớp với cơ sở dữ liệu dân cư / Matches the population register",
        },
    }


def test_it_answers_no_for_each_field_that_differs(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    response = gateway.post(
        bank_system,
        "verify/v1",
        {"personal_id": "031190012345", "full_name": "Nguyễn Thị Lan", "birth_date": "1990-05-13", "sex": "male"},
        purpose="NH.KYC",
    )

    assert response.json()["matches"] == {"full_name": True, "birth_date": False, "sex": False}
    assert response.json()["answer"]["status"] is False


def test_it_ignores_tone_placement_but_not_diacritics_unless_asked(
    gateway: Gateway, bank_system: System, person_lan: Person
) -> None:
    def name_matches(name: str, mode: str) -> bool:
        body = {"personal_id": "031190012345", "full_name": name, "name_match": mode}
        return bool(gateway.post(bank_system, "verify/v1", body, purpose="NH.KYC").json()["matches"]["full_name"])

    assert name_matches("nguyễn  THỊ lan", "exact") is True
    assert name_matches("Nguyen Thi Lan", "exact") is False
    assert name_matches("Nguyen Thi Lan", "folded") is True
    assert name_matches("Nguyễn Thị Lân", "folded") is True
    assert name_matches("Nguyễn Thị Lân", "exact") is False
    assert name_matches("Nguyen Thi Lam", "folded") is False


def test_it_compares_dates_at_the_register_precision(
    gateway: Gateway, bank_system: System, person_hung: Person
) -> None:
    def birth_matches(date: str) -> bool:
        body = {"personal_id": "031085007890", "birth_date": date}
        return bool(gateway.post(bank_system, "verify/v1", body, purpose="NH.KYC").json()["matches"]["birth_date"])

    assert birth_matches("1985-07-21") is True
    assert birth_matches("1985") is True
    assert birth_matches("1986-01-01") is False


def test_it_says_not_found_for_an_unknown_number(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    response = gateway.post(
        bank_system, "verify/v1", {"personal_id": "031190099999", "full_name": "Nguyễn Thị Lan"}, purpose="NH.KYC"
    )

    assert response.status_code == 200
    assert response.json() == {
        "personal_id": "031190099999",
        "found": False,
        "matches": {"full_name": False},
        "answer": {"status": False, "message": "Không tìm thấy số định danh / Personal ID not found"},
    }


def test_it_checks_the_permanent_address(gateway: Gateway, insurance_system: System, person_lan: Person) -> None:
    def address_matches(address: dict[str, str]) -> bool:
        body = {"personal_id": "031190012345", "permanent_address": address}
        response = gateway.post(insurance_system, "verify/v1", body, purpose="BHYT.CAP-THE")
        return bool(response.json()["matches"]["permanent_address"])

    assert address_matches({"commune_code": "31105"}) is True
    assert address_matches({"commune_code": "31107"}) is False
    assert address_matches({"commune_code": "31105", "address_line": "so 12, ngo 34 pho Lach Tray"}) is True
    assert address_matches({"address_line": "Số 14 ngõ 34 phố Lạch Tray"}) is False


def test_it_audits_the_call_bound_to_its_response(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    response = gateway.post(
        bank_system,
        "verify/v1",
        {"personal_id": "031190012345", "full_name": "Nguyễn Thị Lan"},
        purpose="NH.KYC",
        issue="000.00.31.H31-250601-0001",
        request_id="req-verify-1",
    )

    assert response["X-Road-Id"] == "req-verify-1"
    assert response["X-Road-Client"] == "VN/COM/0100112437/ekyc"
    assert response["X-Road-Service"] == "VN/GOV/DANCU-31/registry/verify"
    [entry] = _entries()
    assert entry.action == "exchange.verify"
    assert entry.outcome == "ok"
    assert entry.actor_kind == "machine"
    assert entry.actor_id == bank_system.client_id
    assert entry.on_behalf_of == OFFICER_ID
    assert entry.organisation == "0100112437"
    assert entry.subject_personal_id == "031190012345"
    assert entry.purpose == "NH.KYC"
    assert entry.dossier == "000.00.31.H31-250601-0001"
    assert entry.fields == ["full_name"]
    assert entry.request_id == "req-verify-1"
    assert entry.response_hash == hashlib.sha256(response.content).hexdigest()
    assert entry.details == {"client": "VN/COM/0100112437/ekyc", "version": "v1", "name_match": "exact"}
    # Nothing of the answer itself is kept in clear.
    assert "Lan" not in json.dumps(entry.details, ensure_ascii=False)


def test_it_generates_a_request_id_when_none_is_given(
    gateway: Gateway, bank_system: System, person_lan: Person
) -> None:
    response = gateway.post(
        bank_system, "verify/v1", {"personal_id": "031190012345", "sex": "female"}, purpose="NH.KYC"
    )

    [entry] = _entries()
    assert len(response["X-Road-Id"]) == 32
    assert entry.request_id == response["X-Road-Id"]


@pytest.mark.django_db(transaction=True)
def test_it_bounds_the_wait_for_the_write_lock_on_sqlite() -> None:
    from django.db import connection

    from dancu.exchange.calls import LOCK_WAIT_MS, call_transaction

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL takes no lock on this path")

    def busy_timeout() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            return int(cursor.fetchone()[0])

    usual = busy_timeout()
    with call_transaction():
        during = busy_timeout()

    assert LOCK_WAIT_MS - 100 < during <= LOCK_WAIT_MS
    assert busy_timeout() == usual
    assert usual > LOCK_WAIT_MS


@pytest.mark.django_db(transaction=True)
def test_it_answers_overloaded_when_the_process_writers_queue_too_long() -> None:
    from django.db import OperationalError, connection

    from dancu.exchange import calls

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL takes no lock on this path")

    # Another thread of this process holds the writer's turn for longer than a call may wait.
    assert calls._sqlite_writer.acquire()
    try:
        with pytest.raises(OperationalError, match="queued"), calls.call_transaction():
            pytest.fail("the transaction must not start")
    finally:
        calls._sqlite_writer.release()
    with calls.call_transaction():
        pass  # the turn is free again
