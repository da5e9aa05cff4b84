"""Officer actions: each keeps before/after, writes its audit entry and event, and refuses
clearly (audited, nothing changed) outside the officer's role or commune."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dancu.core.models import AuditEntry, OutboxEvent
from dancu.identity.models import User
from dancu.registry.actions import (
    card_expiry,
    check_change_name,
    check_issue_card,
    check_record_death,
    check_register_birth,
    check_register_residence,
    check_update_contact,
)
from dancu.registry.errors import InvalidRegisterInputError, NotInJurisdictionError, RoleNotAllowedError
from dancu.registry.importing import ImportReport, import_file
from dancu.registry.models import IdentityCard, LifeEvent, Person, PersonChange, Residence
from dancu.registry.tests.conftest import COMMUNE_A, COMMUNE_B, PEOPLE, TEST_ACTOR, write_csv

pytestmark = pytest.mark.django_db


def _state(personal_id: str) -> dict[str, Any]:
    person = Person.objects.get(personal_id=personal_id)
    return {
        "person": Person.objects.filter(pk=person.pk).values().get(),
        "residences": list(Residence.objects.filter(person=person).values()),
        "changes": PersonChange.objects.count(),
        "events": OutboxEvent.objects.count(),
    }


def test_it_records_a_death_with_history_audit_and_event(register: ImportReport, officer_commune_a: User) -> None:
    person = check_record_death(
        officer_commune_a, "031085000101", deceased_on=dt.date(2026, 3, 1), reason="GBT 12/2026"
    )

    assert (person.status, person.deceased_on, person.version, person.import_digest) == (
        "deceased",
        dt.date(2026, 3, 1),
        2,
        None,
    )
    [change] = PersonChange.objects.filter(person=person)
    assert (change.action, change.actor_id, change.reason, change.before, change.after) == (
        "registry.person.record_death",
        "cb.hongbang",
        "GBT 12/2026",
        {"status": "alive", "deceased_on": None},
        {"status": "deceased", "deceased_on": "2026-03-01"},
    )
    [entry] = AuditEntry.objects.filter(action="registry.person.record_death")
    assert (entry.actor_kind, entry.actor_id, entry.subject_personal_id, entry.fields, entry.details["after"]) == (
        "officer",
        "cb.hongbang",
        "031085000101",
        ["deceased_on", "status"],
        {"status": "deceased", "deceased_on": "2026-03-01"},
    )
    [event] = OutboxEvent.objects.filter(kind="registry.person_died")
    assert event.payload == {"personal_id": "031085000101", "deceased_on": "2026-03-01", "occurred_on": "2026-03-01"}
    assert list(LifeEvent.objects.filter(person=person).values_list("kind", "occurred_on")) == [
        ("death", dt.date(2026, 3, 1))
    ]


def test_it_refuses_an_officer_of_another_commune_and_changes_nothing(
    register: ImportReport, officer_commune_b: User
) -> None:
    before = _state("031085000101")

    with pytest.raises(NotInJurisdictionError) as refused:
        check_record_death(officer_commune_b, "031085000101", deceased_on=dt.date(2026, 3, 1))

    assert str(refused.value) == (
        "Công dân không thuộc địa bàn bạn được giao quản lý / This person is outside the area you are assigned to"
    )
    assert _state("031085000101") == before
    [entry] = AuditEntry.objects.filter(action="registry.person.record_death")
    assert (entry.outcome, entry.actor_id, entry.subject_personal_id, entry.details["code"]) == (
        "refused",
        "cb.ngoquyen",
        "031085000101",
        "registry.not_in_jurisdiction",
    )


def test_it_refuses_a_role_that_may_not_register_deaths(register: ImportReport, police_officer: User) -> None:
    with pytest.raises(RoleNotAllowedError) as refused:
        check_record_death(police_officer, "031085000101", deceased_on=dt.date(2026, 3, 1))

    assert str(refused.value) == "Vai trò của bạn không được đăng ký khai tử / Your role may not register a death"
    assert Person.objects.get(personal_id="031085000101").status == "alive"


def test_it_refuses_a_second_death(register: ImportReport, officer_commune_b: User) -> None:
    with pytest.raises(InvalidRegisterInputError) as refused:
        check_record_death(officer_commune_b, "031145000105", deceased_on=dt.date(2021, 1, 1))

    assert (refused.value.field, refused.value.message_en) == ("status", "this death is already registered")


def test_it_changes_a_name_and_its_search_key(register: ImportReport, officer_commune_a: User) -> None:
    person = check_change_name(officer_commune_a, "031212000103", full_name="trần minh khoa", reason="QĐ 5/2026")

    assert (person.full_name, person.given_name, person.name_key) == ("Trần Minh Khoa", "Khoa", "tran minh khoa")
    [change] = PersonChange.objects.filter(person=person)
    assert (change.before, change.after) == (
        {"full_name": "Trần Minh Khôi", "given_name": "Khôi"},
        {"full_name": "Trần Minh Khoa", "given_name": "Khoa"},
    )
    [event] = OutboxEvent.objects.filter(kind="registry.name_changed")
    assert set(event.payload) == {"personal_id", "occurred_on"}


def test_it_moves_a_person_and_keeps_the_old_residence(register: ImportReport, police_officer: User) -> None:
    check_register_residence(
        police_officer,
        "031079000104",
        kind="permanent",
        commune_code=COMMUNE_A,
        address_line="Số 7 phố Tam Bạc",
        valid_from=dt.date(2026, 2, 1),
    )

    person = Person.objects.get(personal_id="031079000104")
    assert person.commune_code == COMMUNE_A
    residences = list(
        Residence.objects.filter(person=person)
        .order_by("id")
        .values_list("commune_code", "address_line", "is_active", "valid_to")
    )
    assert residences == [
        (COMMUNE_B, "Số 3 phố Lạch Tray", False, dt.date(2026, 2, 1)),
        (COMMUNE_A, "Số 7 phố Tam Bạc", True, None),
    ]
    [event] = OutboxEvent.objects.filter(kind="registry.residence_changed")
    assert event.payload == {
        "personal_id": "031079000104",
        "commune_code": COMMUNE_A,
        "previous_commune_code": COMMUNE_B,
        "valid_from": "2026-02-01",
    }
    [change] = PersonChange.objects.filter(person=person)
    assert (change.before, change.after) == (
        {"commune_code": COMMUNE_B, "address_line": "Số 3 phố Lạch Tray"},
        {"commune_code": COMMUNE_A, "address_line": "Số 7 phố Tam Bạc"},
    )


def test_it_refuses_a_move_into_another_officers_commune(register: ImportReport, police_officer: User) -> None:
    before = _state("031085000101")
    with pytest.raises(NotInJurisdictionError):
        check_register_residence(
            police_officer,
            "031085000101",
            kind="permanent",
            commune_code=COMMUNE_B,
            address_line="Số 1",
            valid_from=dt.date(2026, 2, 1),
        )
    assert _state("031085000101") == before


@pytest.mark.parametrize(
    ("birth", "issued", "expires"),
    [
        (dt.date(2012, 9, 1), dt.date(2024, 7, 1), dt.date(2026, 9, 1)),
        # Less than two years before the 40th birthday: valid until 60.
        (dt.date(1985, 3, 2), dt.date(2024, 7, 1), dt.date(2045, 3, 2)),
        (dt.date(1990, 1, 10), dt.date(2021, 5, 1), dt.date(2030, 1, 10)),
        (dt.date(1964, 6, 1), dt.date(2024, 7, 1), None),
        (dt.date(2004, 2, 29), dt.date(2025, 1, 1), dt.date(2029, 3, 1)),  # no 29 February in 2029
    ],
)
def test_it_computes_the_card_expiry_of_the_law(birth: dt.date, issued: dt.date, expires: dt.date | None) -> None:
    assert card_expiry(birth, issued) == expires


def test_it_issues_a_card_and_retires_the_previous_one(register: ImportReport, police_officer: User) -> None:
    check_issue_card(police_officer, "031085000101", issued_on=dt.date(2021, 4, 1), kind="cccd2021")
    card = check_issue_card(police_officer, "031085000101", issued_on=dt.date(2025, 1, 2))

    assert (card.number, card.kind, card.expires_on, card.is_current) == (
        "031085000101",
        "cancuoc2024",
        dt.date(2045, 3, 2),
        True,
    )
    assert list(IdentityCard.objects.order_by("id").values_list("kind", "is_current")) == [
        ("cccd2021", False),
        ("cancuoc2024", True),
    ]
    payloads = [e.payload for e in OutboxEvent.objects.filter(kind="registry.card_issued").order_by("id")]
    assert payloads[-1] == {
        "personal_id": "031085000101",
        "card_kind": "cancuoc2024",
        "issued_on": "2025-01-02",
        "expires_on": "2045-03-02",
    }


def test_it_registers_a_birth_with_a_new_personal_id(register: ImportReport, officer_commune_a: User) -> None:
    child = check_register_birth(
        officer_commune_a,
        full_name="Trần Thị Mai",
        birth_date=dt.date(2026, 1, 15),
        sex="female",
        commune_code=COMMUNE_A,
        address_line="Số 12 phố Minh Khai",
        father_id="031085000101",
        mother_id="031188000102",
        household_code="HP-A1",
    )

    assert child.personal_id[:6] == "031326"  # Hải Phòng, a girl of the 2000s, born in 2026
    assert (child.father is not None, child.mother is not None, child.relation_to_head, child.commune_code) == (
        True,
        True,
        "Con",
        COMMUNE_A,
    )
    [event] = OutboxEvent.objects.filter(kind="registry.person_born")
    assert event.payload == {"personal_id": child.personal_id, "birth_date": "2026-01-15", "commune_code": COMMUNE_A}
    [change] = PersonChange.objects.filter(person=child)
    assert (change.before, change.after["full_name"], change.after["household_code"], change.after["father_pid"]) == (
        {},
        "Trần Thị Mai",
        "HP-A1",
        "031085000101",
    )


def test_it_refuses_a_birth_whose_father_is_a_woman(register: ImportReport, officer_commune_a: User) -> None:
    with pytest.raises(InvalidRegisterInputError) as refused:
        check_register_birth(
            officer_commune_a,
            full_name="Trần Thị Mai",
            birth_date=dt.date(2026, 1, 15),
            sex="female",
            commune_code=COMMUNE_A,
            father_id="031188000102",
        )
    assert refused.value.field == "father_id"
    assert Person.objects.count() == 5


def test_a_reimport_after_an_action_compares_the_person_in_full(
    tmp_path: Path, register: ImportReport, officer_commune_a: User
) -> None:
    check_update_contact(officer_commune_a, "031085000101", phone="0977000111", email="hung@example.vn")

    again = import_file(write_csv(tmp_path / "again.csv", PEOPLE), actor=TEST_ACTOR)

    # The file is the authority for the columns it has: the phone goes back, with its history;
    # email is not a column of this file, so the officer's value stays.
    assert (again.updated, again.unchanged) == (1, 4)
    person = Person.objects.get(personal_id="031085000101")
    assert (person.phone, person.email) == ("0912345678", "hung@example.vn")
    latest = PersonChange.objects.filter(person=person).order_by("-id").first()
    assert latest is not None
    assert (latest.action, latest.before, latest.after) == (
        "registry.import.update",
        {"phone": "0977000111"},
        {"phone": "0912345678"},
    )
