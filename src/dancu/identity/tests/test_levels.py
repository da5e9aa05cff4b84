"""Level 2 raised in person by the police, with the evidence audited; guardians for children
(Decree 69/2024 age rules)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from dancu.core.models import AuditEntry
from dancu.identity.actions import LevelEvidence, check_raise_level, check_register_ward
from dancu.identity.errors import IdentityError
from dancu.identity.models import EidLevel, RegisteredVia, User
from dancu.identity.tests.flows import COMMUNE_A, citizen_account, log_in, make_person
from dancu.registry.models import Person, Sex

pytestmark = pytest.mark.django_db
EVIDENCE = LevelEvidence(card_number="031095004321", face_matches_card=True, fingerprints_match=True, note="tại trụ sở")


def _unchanged(user: User) -> None:
    user.refresh_from_db()
    assert user.eid_level == EidLevel.LEVEL1
    assert not AuditEntry.objects.filter(action="identity.level_raised").exists()


def test_it_raises_a_level1_account_after_checking_card_face_and_fingerprints(
    police_officer: User, citizen_minh: User
) -> None:
    check_raise_level(police_officer, citizen_minh, EVIDENCE)
    citizen_minh.refresh_from_db()
    assert citizen_minh.eid_level == EidLevel.LEVEL2
    entry = AuditEntry.objects.get(action="identity.level_raised")
    assert entry.actor_id == "congan.a"
    assert entry.subject_personal_id == "031095004321"
    assert entry.details == {
        "from": 1,
        "to": 2,
        "evidence": ["identity_card", "face", "fingerprints"],
        "card_kind": "cccd2021",
        "note": "tại trụ sở",
    }


def test_it_refuses_an_officer_without_the_police_role(officer_commune_a: User, citizen_minh: User) -> None:
    with pytest.raises(IdentityError) as refused:
        check_raise_level(officer_commune_a, citizen_minh, EVIDENCE)
    assert refused.value.code == "not_allowed"
    _unchanged(citizen_minh)


def test_it_refuses_a_police_officer_from_another_commune(police_officer_b: User, citizen_minh: User) -> None:
    with pytest.raises(IdentityError) as refused:
        check_raise_level(police_officer_b, citizen_minh, EVIDENCE)
    assert refused.value.code == "out_of_jurisdiction"
    _unchanged(citizen_minh)


@pytest.mark.parametrize(
    ("evidence", "code"),
    [
        (LevelEvidence("031095004321", face_matches_card=True, fingerprints_match=False), "evidence_incomplete"),
        (LevelEvidence("031095004321", face_matches_card=False, fingerprints_match=True), "evidence_incomplete"),
        (LevelEvidence("031095009999", face_matches_card=True, fingerprints_match=True), "card_mismatch"),
    ],
)
def test_it_refuses_incomplete_or_wrong_evidence(
    police_officer: User, citizen_minh: User, evidence: LevelEvidence, code: str
) -> None:
    with pytest.raises(IdentityError) as refused:
        check_raise_level(police_officer, citizen_minh, evidence)
    assert refused.value.code == code
    _unchanged(citizen_minh)


def test_it_refuses_level2_under_6_and_wants_a_guardian_under_14(police_officer: User) -> None:
    today = timezone.localdate()
    toddler = make_person(
        "031224000001", "Vũ Bảo An", birth_date=today.replace(year=today.year - 4), sex=Sex.MALE, phone="0911000001"
    )
    pupil = make_person(
        "031214000002",
        "Vũ Bảo Ngọc",
        birth_date=today.replace(year=today.year - 10),
        sex=Sex.FEMALE,
        phone="0911000002",
    )
    toddler_account = citizen_account(toddler, level=EidLevel.LEVEL1, with_password=False)
    pupil_account = citizen_account(pupil, level=EidLevel.LEVEL1, with_password=False)
    with pytest.raises(IdentityError) as too_young:
        check_raise_level(
            police_officer, toddler_account, LevelEvidence("031224000001", True, True, guardian_present=True)
        )
    assert too_young.value.code == "too_young_level2"
    with pytest.raises(IdentityError) as no_guardian:
        check_raise_level(police_officer, pupil_account, LevelEvidence("031214000002", True, True))
    assert no_guardian.value.code == "guardian_required"
    check_raise_level(police_officer, pupil_account, LevelEvidence("031214000002", True, True, guardian_present=True))
    pupil_account.refresh_from_db()
    assert pupil_account.eid_level == EidLevel.LEVEL2


def _child_of(parent: User, birth: dt.date, personal_id: str = "031220000555") -> Person:
    child = make_person(personal_id, "Phạm Gia Bảo", birth_date=birth, sex=Sex.MALE, phone="", commune_code=COMMUNE_A)
    assert parent.person is not None
    child.mother = parent.person
    child.save(update_fields=["mother"])
    return child


def test_it_lets_a_level2_parent_register_a_young_child(citizen_lan: User) -> None:
    child = _child_of(citizen_lan, dt.date(2021, 2, 3))
    account = check_register_ward(citizen_lan, child.personal_id)
    assert account.eid_level == EidLevel.LEVEL1
    assert account.registered_via == RegisteredVia.GUARDIAN
    assert account.guardian == citizen_lan
    assert account.phone == citizen_lan.phone
    assert not account.has_usable_password()


def test_it_refuses_a_guardian_without_level2(citizen_minh: User) -> None:
    child = _child_of(citizen_minh, dt.date(2021, 2, 3))
    with pytest.raises(IdentityError) as refused:
        check_register_ward(citizen_minh, child.personal_id)
    assert refused.value.code == "guardian_level2_required"
    assert not User.objects.filter(person=child).exists()


def test_it_refuses_someone_elses_child(citizen_lan: User, citizen_minh: User) -> None:
    child = _child_of(citizen_minh, dt.date(2021, 2, 3))
    with pytest.raises(IdentityError) as refused:
        check_register_ward(citizen_lan, child.personal_id)
    assert refused.value.code == "not_guardian"


def test_it_refuses_a_ward_of_14_or_more(citizen_lan: User) -> None:
    child = _child_of(citizen_lan, dt.date(2008, 1, 1))
    with pytest.raises(IdentityError) as refused:
        check_register_ward(citizen_lan, child.personal_id)
    assert refused.value.code == "ward_too_old"


def test_it_raises_the_level_through_the_officer_pages(
    client: HttpClient, police_officer: User, citizen_minh: User
) -> None:
    log_in(client, police_officer)
    found = client.post("/can-bo/dinh-danh/", {"personal_id": "031095004321"})
    assert found.status_code == 302
    detail_url = found["Location"]
    assert detail_url == f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.public_id}/"
    assert "031095004321" not in detail_url
    assert client.get(detail_url).status_code == 200
    response = client.post(
        detail_url + "nang-muc/",
        {"card_number": "031095004321", "face_matches_card": "on", "fingerprints_match": "on", "note": ""},
    )
    assert response.status_code == 302
    citizen_minh.refresh_from_db()
    assert citizen_minh.eid_level == EidLevel.LEVEL2


def test_it_keeps_the_officer_desk_to_police_officers(
    client: HttpClient, officer_commune_a: User, citizen_minh: User
) -> None:
    log_in(client, officer_commune_a)
    assert client.get("/can-bo/dinh-danh/").status_code == 403
    assert client.get(f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.public_id}/").status_code == 403


def test_it_hides_accounts_outside_the_officers_jurisdiction(
    client: HttpClient, police_officer_b: User, citizen_minh: User
) -> None:
    log_in(client, police_officer_b)
    found = client.post("/can-bo/dinh-danh/", {"personal_id": "031095004321"})
    assert found.status_code == 400
    assert client.get(f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.public_id}/").status_code == 404


def test_it_lets_a_level2_parent_register_a_child_in_the_portal(client: HttpClient, citizen_lan: User) -> None:
    child = _child_of(citizen_lan, dt.date(2020, 5, 6))
    log_in(client, citizen_lan)
    assert client.get("/tai-khoan/dang-ky-cho-con/").status_code == 200
    response = client.post("/tai-khoan/dang-ky-cho-con/", {"personal_id": child.personal_id})
    assert response.status_code == 302
    account = User.objects.get(person=child)
    assert account.guardian == citizen_lan
    assert account.eid_level == EidLevel.LEVEL1


def test_it_refuses_in_the_portal_a_child_who_is_not_yours(client: HttpClient, citizen_lan: User) -> None:
    stranger = make_person(
        "031220000777", "Lê Minh Khang", birth_date=dt.date(2020, 1, 1), sex=Sex.MALE, phone="", commune_code=COMMUNE_A
    )
    log_in(client, citizen_lan)
    response = client.post("/tai-khoan/dang-ky-cho-con/", {"personal_id": stranger.personal_id})
    assert response.status_code == 400
    assert "The register does not show this child as yours" in response.content.decode()
    assert not User.objects.filter(person=stranger).exists()
