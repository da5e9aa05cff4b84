"""Officer pages: search with and without diacritics, a person's page within the jurisdiction
only (refusals audited), never cached, and changes by POST with CSRF."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from dancu.core.models import AuditEntry
from dancu.identity.models import User, UserKind
from dancu.registry.importing import ImportReport
from dancu.registry.models import Household, Person
from dancu.registry.queries import PERSON_PAGE_FIELDS

pytestmark = pytest.mark.django_db

SEARCH_URL = "/can-bo/dan-cu/"


def person_url(personal_id: str) -> str:
    return f"/can-bo/dan-cu/cong-dan/{Person.objects.get(personal_id=personal_id).public_id}/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _found(html: str) -> list[str]:
    """The personal IDs listed in a results table (the text of links to person pages)."""
    return re.findall(r'href="/can-bo/dan-cu/cong-dan/[0-9a-f-]{36}/">(\d{12})</a>', html)


def test_it_shows_a_person_of_the_officers_commune(register: ImportReport, officer_commune_a: User) -> None:
    response = _client(officer_commune_a).get(person_url("031085000101"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "<h1>Trần Văn Hùng" in html
    assert "02/03/1985" in html
    assert "HP-A1" in html
    assert "Số 12 phố Minh Khai" in html
    assert "031456789" in html
    [entry] = AuditEntry.objects.filter(action="registry.person.view")
    assert (entry.outcome, entry.actor_kind, entry.actor_id, entry.subject_personal_id, entry.fields) == (
        "ok",
        "officer",
        "cb.hongbang",
        "031085000101",
        list(PERSON_PAGE_FIELDS),
    )


def test_it_refuses_a_person_of_another_commune_and_audits_it(register: ImportReport, officer_commune_b: User) -> None:
    response = _client(officer_commune_b).get(person_url("031085000101"))

    assert response.status_code == 403
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "Công dân không thuộc địa bàn bạn được giao quản lý" in html
    assert "Trần Văn Hùng" not in html
    [entry] = AuditEntry.objects.filter(action="registry.person.view")
    assert (entry.outcome, entry.actor_id, entry.subject_personal_id, entry.details) == (
        "refused",
        "cb.ngoquyen",
        "031085000101",
        {"code": "registry.not_in_jurisdiction"},
    )


def test_it_answers_404_for_an_unknown_personal_id(register: ImportReport, officer_commune_a: User) -> None:
    unknown = uuid.uuid4()
    response = _client(officer_commune_a).get(f"/can-bo/dan-cu/cong-dan/{unknown}/")

    assert response.status_code == 404
    entry = AuditEntry.objects.get(action="registry.person.view")
    assert (entry.outcome, entry.subject_personal_id, entry.details) == (
        "refused",
        "",
        {"code": "registry.person_not_found", "public_id": str(unknown)},
    )


def test_it_sends_anonymous_visitors_to_the_login_page(register: ImportReport) -> None:
    url = person_url("031085000101")
    response = Client().get(url)

    assert (response.status_code, response["Location"]) == (302, f"/dang-nhap/?next={url}")


def test_it_refuses_citizens(register: ImportReport) -> None:
    citizen = User.objects.create_user("031085000101", "unused-password-123", kind=UserKind.CITIZEN)

    response = _client(citizen).post(SEARCH_URL, {"q": "031085000101"})

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="registry.person").exists()


def test_it_searches_names_without_diacritics_within_the_jurisdiction(
    register: ImportReport, officer_commune_a: User, province_officer: User
) -> None:
    everywhere = _client(province_officer).post(SEARCH_URL, {"q": "tran van hung"})
    commune_a = _client(officer_commune_a).post(SEARCH_URL, {"q": "TRAN VAN HUNG"})

    assert _found(everywhere.content.decode()) == ["031085000101", "031079000104"]
    assert _found(commune_a.content.decode()) == ["031085000101"]
    entry = AuditEntry.objects.filter(action="registry.person.search", actor_id="cb.hongbang").get()
    assert entry.details == {"criteria": {"name": "TRAN VAN HUNG"}, "results": ["031085000101"]}


def test_it_keeps_diacritics_when_the_search_has_them(register: ImportReport, province_officer: User) -> None:
    client = _client(province_officer)

    assert _found(client.post(SEARCH_URL, {"q": "Trần Văn Hưng"}).content.decode()) == ["031079000104"]
    assert _found(client.post(SEARCH_URL, {"q": "trần văn hùng"}).content.decode()) == ["031085000101"]
    # Either tone-mark placement finds "Lê Thị Hoà".
    assert _found(client.post(SEARCH_URL, {"q": "Lê Thị Hòa"}).content.decode()) == ["031145000105"]


def test_it_searches_by_birth_year_personal_id_old_number_and_household(
    register: ImportReport, province_officer: User
) -> None:
    client = _client(province_officer)

    assert _found(client.post(SEARCH_URL, {"q": "tran van hung", "birth_year": "1979"}).content.decode()) == [
        "031079000104"
    ]
    assert _found(client.post(SEARCH_URL, {"q": "031 188 000 102"}).content.decode()) == ["031188000102"]
    assert _found(client.post(SEARCH_URL, {"q": "031456789"}).content.decode()) == ["031085000101"]
    assert sorted(_found(client.post(SEARCH_URL, {"household": "HP-A1"}).content.decode())) == [
        "031085000101",
        "031188000102",
        "031212000103",
    ]


def test_it_asks_for_something_to_search(register: ImportReport, province_officer: User) -> None:
    response = _client(province_officer).post(SEARCH_URL, {"q": "  "})

    assert response.status_code == 200
    assert "Nhập số định danh, họ tên hoặc số hộ để tra cứu." in response.content.decode()
    assert not AuditEntry.objects.filter(action="registry.person.search").exists()


def test_it_shows_a_household_and_refuses_it_elsewhere(
    register: ImportReport, officer_commune_a: User, officer_commune_b: User
) -> None:
    url = f"/can-bo/dan-cu/ho/{Household.objects.get(code='HP-A1').public_id}/"
    shown = _client(officer_commune_a).get(url)
    refused = _client(officer_commune_b).get(url)

    assert shown.status_code == 200
    assert sorted(set(_found(shown.content.decode()))) == ["031085000101", "031188000102", "031212000103"]
    assert refused.status_code == 403
    assert list(
        AuditEntry.objects.filter(action="registry.household.view").values_list("outcome", flat=True).order_by("id")
    ) == [
        "ok",
        "refused",
    ]


def test_it_updates_contact_details_only_by_post_with_csrf(register: ImportReport, officer_commune_a: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_commune_a)
    url = person_url("031085000101") + "lien-he/"

    assert client.get(url).status_code == 405
    assert client.post(url, {"phone": "0977000111", "email": ""}).status_code == 403  # no CSRF token
    page = client.get(person_url("031085000101"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    response = client.post(url, {"phone": "0977 000 111", "email": "", "reason": "", "csrfmiddlewaretoken": token[1]})

    assert (response.status_code, response["Location"]) == (302, person_url("031085000101"))
    assert Person.objects.get(personal_id="031085000101").phone == "0977000111"


def test_it_refuses_a_death_posted_for_another_commune(register: ImportReport, officer_commune_b: User) -> None:
    response = _client(officer_commune_b).post(
        person_url("031085000101") + "khai-tu/", {"deceased_on": "2026-03-01", "reason": "GBT 1"}
    )

    assert response.status_code == 403
    assert Person.objects.get(personal_id="031085000101").status == "alive"
    assert AuditEntry.objects.get(action="registry.person.record_death").outcome == "refused"
