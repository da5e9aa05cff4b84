"""No personal data in URLs (ADR 9): walk the officer's flows — search by every criterion, open
every person and household linked, correct a contact, register a death — and check every URL
requested, every link and form target rendered and every redirect against the register's
personal IDs, former ID numbers, household numbers, names, phones and emails."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote_plus, urljoin, urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client

from dancu.core.models import AuditEntry
from dancu.core.text import fold
from dancu.identity.models import User
from dancu.registry.importing import ImportReport
from dancu.registry.models import FormerIdNumber, Household, Person

pytestmark = pytest.mark.django_db

SEARCH_URL = "/can-bo/dan-cu/"
PUBLIC_ID = re.compile(
    r"^/can-bo/dan-cu/(cong-dan|ho)/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/"
)


class _Targets(HTMLParser):
    """Every URL a page points at: links, form actions, sources."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.forms: list[tuple[str, str]] = []  # (method, action)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "action", "src", "formaction"):
            if values.get(name):
                self.urls.append(str(values[name]))
        if tag == "form":
            self.forms.append(((values.get("method") or "get").lower(), values.get("action") or ""))


class Walk:
    """An officer's browser that keeps every URL it saw."""

    def __init__(self, user: User) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)
        self.seen: list[str] = []
        self.forms: list[tuple[str, str]] = []

    def _page(self, url: str, response: HttpResponse) -> HttpResponse:
        self.seen.append(url)
        if "Location" in response:
            self.seen.append(response["Location"])
        if response.get("Content-Type", "").startswith("text/html"):
            targets = _Targets()
            targets.feed(response.content.decode())
            self.seen.extend(urljoin(url, u) for u in targets.urls)
            self.forms.extend((method, urljoin(url, action)) for method, action in targets.forms)
        return response

    def get(self, url: str) -> HttpResponse:
        return self._page(url, self.client.get(url))

    def post(self, url: str, data: dict[str, str]) -> HttpResponse:
        token = self.client.cookies["csrftoken"].value
        return self._page(url, self.client.post(url, {**data, "csrfmiddlewaretoken": token}))

    def linked(self, kind: str) -> list[str]:
        """The register pages (persons: ``cong-dan``, households: ``ho``) linked so far."""
        return sorted({urlsplit(u).path for u in self.seen if PUBLIC_ID.match(urlsplit(u).path) and f"/{kind}/" in u})


def _personal_values() -> list[str]:
    """What must never be in a URL, in the spellings a URL could carry it."""
    values: set[str] = set()
    for person in Person.objects.all():
        values |= {person.personal_id, person.full_name, fold(person.full_name), person.phone, person.email}
        values |= {part for part in fold(person.full_name).split() if len(part) > 3}
    values |= set(FormerIdNumber.objects.values_list("number", flat=True))
    values |= set(Household.objects.values_list("code", flat=True))
    return sorted(v for v in values if v)


def _squeezed(text: str) -> str:
    """TEXT without diacritics, case, spaces or separators: "Trần-Văn_Hùng" -> "tranvanhung"."""
    return re.sub(r"[^0-9a-z@]", "", fold(text))


def _assert_clean(urls: list[str]) -> None:
    secrets = {value: _squeezed(value) for value in _personal_values()}
    for url in urls:
        seen = _squeezed(unquote_plus(unquote_plus(url)))
        for value, key in secrets.items():
            assert key not in seen, (url, value)


def test_it_walks_the_officer_flows_without_personal_data_in_any_url(
    register: ImportReport, province_officer: User, officer_commune_a: User
) -> None:
    # The province's administrator searches by every criterion and opens every page linked.
    walk = Walk(province_officer)
    walk.get("/")
    walk.get(SEARCH_URL)
    for criteria in (
        {"q": "031085000101"},
        {"q": "031 188 000 102"},
        {"q": "031456789"},
        {"q": "tran van hung"},
        {"q": "Lê Thị Hòa", "birth_year": "1945"},
        {"household": "HP-A1"},
        {"household": "HP-B1"},
    ):
        assert walk.post(SEARCH_URL, criteria).status_code == 200
    for _ in range(2):  # the second round reaches what only a person's page links to
        for url in walk.linked("cong-dan") + walk.linked("ho"):
            assert walk.get(url).status_code == 200
    # The commune's civil-status officer corrects a contact and registers a death.
    desk = Walk(officer_commune_a)
    desk.get(SEARCH_URL)
    desk.post(SEARCH_URL, {"q": "trần văn hùng"})
    [hung] = desk.linked("cong-dan")
    desk.get(hung)
    corrected = desk.post(hung + "lien-he/", {"phone": "0977000111", "email": "hung@example.vn", "reason": "CV 12"})
    desk.get(corrected["Location"])
    desk.post(SEARCH_URL, {"household": "HP-A1"})
    lan = f"/can-bo/dan-cu/cong-dan/{Person.objects.get(personal_id='031188000102').public_id}/"
    assert lan in desk.linked("cong-dan")
    died = desk.post(lan + "khai-tu/", {"deceased_on": "2026-03-01", "reason": "GBT 1"})
    desk.get(died["Location"])

    assert len(walk.linked("cong-dan")) == Person.objects.count()
    assert len(walk.linked("ho")) == Household.objects.count()
    assert (corrected.status_code, corrected["Location"], died.status_code, died["Location"]) == (302, hung, 302, lan)
    assert Person.objects.get(personal_id="031085000101").phone == "0977000111"
    assert Person.objects.get(personal_id="031188000102").status == "deceased"
    assert AuditEntry.objects.filter(action="registry.person.search").count() == 9
    searches = [action for method, action in walk.forms + desk.forms if urlsplit(action).path == SEARCH_URL]
    assert searches
    assert all(method == "post" for method, action in walk.forms + desk.forms if urlsplit(action).path == SEARCH_URL)
    _assert_clean(walk.seen + desk.seen)


def test_it_checks_what_it_should(register: ImportReport) -> None:
    """The check itself catches each kind of value, however the URL spells it."""
    for leaky in (
        "/can-bo/dan-cu/cong-dan/031085000101/",
        "/can-bo/dan-cu/?q=031+085+000+101",
        "/x/?q=Tr%E1%BA%A7n+V%C4%83n+H%C3%B9ng",
        "/x/tran-van-hung/",
        "/x/?phone=0912345678",
        "/x/?old=031456789",
        "/can-bo/dan-cu/ho/HP-A1/",
    ):
        with pytest.raises(AssertionError):
            _assert_clean([leaky])
    _assert_clean([f"/can-bo/dan-cu/cong-dan/{Person.objects.get(personal_id='031085000101').public_id}/"])


def test_it_answers_404_to_the_old_url_shapes(register: ImportReport, province_officer: User) -> None:
    client = Client()
    client.force_login(province_officer)

    for old in (
        "/can-bo/dan-cu/cong-dan/031085000101/",
        "/can-bo/dan-cu/cong-dan/031085000101/lien-he/",
        "/can-bo/dan-cu/cong-dan/031085000101/khai-tu/",
        "/can-bo/dan-cu/ho/HP-A1/",
        f"/can-bo/dan-cu/cong-dan/{Person.objects.get(personal_id='031085000101').pk}/",
    ):
        assert client.get(old).status_code == 404, old
        assert client.post(old, {"phone": "0977000111"}).status_code == 404, old
    assert Person.objects.get(personal_id="031085000101").phone == "0912345678"


def test_it_ignores_search_criteria_in_a_query_string(register: ImportReport, province_officer: User) -> None:
    client = Client()
    client.force_login(province_officer)

    response = client.get(SEARCH_URL, {"q": "031085000101"})

    assert response.status_code == 200
    assert 'id="results-title"' not in response.content.decode()
    assert not AuditEntry.objects.filter(action="registry.person.search").exists()


def test_it_refuses_a_search_posted_without_csrf(register: ImportReport, province_officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(province_officer)

    assert client.post(SEARCH_URL, {"q": "031085000101"}).status_code == 403
    assert not AuditEntry.objects.filter(action="registry.person.search").exists()


def test_it_gives_every_person_and_household_its_own_random_public_id(register: ImportReport) -> None:
    ids = [*Person.objects.values_list("public_id", flat=True), *Household.objects.values_list("public_id", flat=True)]

    assert len(ids) == len(set(ids)) == Person.objects.count() + Household.objects.count()
    assert {u.version for u in ids} == {4}
