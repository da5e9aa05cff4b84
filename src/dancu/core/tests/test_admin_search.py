"""The admin's search keeps personal data out of URLs (DESIGN: no personal data or tokens in
URLs): the search box posts, the term stays in the session, and the list's links carry only a
random key to it, while the results, pagination, sorting and filters work as before."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client

from dancu.core.audit import Actor, record, record_many

pytestmark = pytest.mark.django_db

AUDIT = "/quan-tri/core/auditentry/"
USERS = "/quan-tri/identity/user/"
SEARCHED_ID = "031090000001"
OTHER_ID = "031090000002"
NAME = "Nguyễn Thị Hạnh"
LINK = re.compile(r'(?:href|action|src)="([^"]*)"')


class Browser:
    """A superuser's client that notes every URL it requested, was sent to or was shown."""

    def __init__(self) -> None:
        self.client = Client()
        admin_user = get_user_model().objects.create_superuser("quantri", "x" * 20)
        self.client.force_login(admin_user)
        self.urls: list[str] = []

    def _seen(self, url: str, response: HttpResponse) -> HttpResponse:
        self.urls.append(url)
        if "Location" in response:
            self.urls.append(response["Location"])
        if response.get("Content-Type", "").startswith("text/html"):
            self.urls.extend(LINK.findall(response.content.decode()))
        return response

    def get(self, url: str) -> HttpResponse:
        return self._seen(url, self.client.get(url))

    def post(self, url: str, data: dict[str, str]) -> HttpResponse:
        return self._seen(url, self.client.post(url, data))

    def search(self, changelist: str, term: str) -> tuple[str, HttpResponse]:
        """Type ``term`` into the list's search box; the list URL it lands on, and the list."""
        page = self.get(changelist).content.decode()
        form = re.search(r'<form id="changelist-search" method="post" action="([^"]*)"', page)
        assert form is not None, "the search box posts"
        redirect = self.post(changelist + form[1].replace("&amp;", "&"), {"_search": "1", "q": term})
        assert redirect.status_code == 302
        return redirect["Location"], self.get(redirect["Location"])

    def leaks(self, *secrets: str) -> list[str]:
        forms = {f for s in secrets for f in (s, quote(s), quote_plus(s), quote(quote_plus(s)))}
        return [url for url in self.urls if any(f in url for f in forms)]


def _ids_listed(response: HttpResponse) -> list[str]:
    return re.findall(r'<td class="field-subject_personal_id">(\d+)</td>', response.content.decode())


def _audit_entries() -> None:
    record_many(
        {
            "action": "registry.person.view",
            "actor": Actor(kind="officer", id=f"cb-{i % 3}"),
            "subject_personal_id": SEARCHED_ID,
        }
        for i in range(130)
    )
    for _ in range(5):
        record(action="registry.person.view", actor=Actor(kind="officer", id="cb-9"), subject_personal_id=OTHER_ID)


def test_it_searches_the_audit_log_by_personal_id_without_putting_it_in_a_url() -> None:
    _audit_entries()
    browser = Browser()

    landed, first = browser.search(AUDIT, SEARCHED_ID)

    assert first.status_code == 200
    assert set(parse_qs(urlsplit(landed).query)) == {"s"}
    first_ids = _ids_listed(first)
    assert len(first_ids) == 100  # a full first page, all of the person searched for
    assert set(first_ids) == {SEARCHED_ID}
    assert f'value="{SEARCHED_ID}"' in first.content.decode()  # the box still shows the term
    # Pagination keeps the search: the second page holds the other 30 of the 130.
    second_url = next(u for u in LINK.findall(first.content.decode()) if "p=2" in u).replace("&amp;", "&")
    assert parse_qs(urlsplit(second_url).query)["s"] == parse_qs(urlsplit(landed).query)["s"]
    second = browser.get(AUDIT + second_url)
    assert second.status_code == 200
    assert _ids_listed(second) == [SEARCHED_ID] * 30
    # So do sorting and a filter.
    sorted_url = next(u for u in LINK.findall(first.content.decode()) if "o=" in u).replace("&amp;", "&")
    assert set(_ids_listed(browser.get(AUDIT + sorted_url))) == {SEARCHED_ID}
    filtered = browser.get(AUDIT + second_url.replace("p=2", "actor_kind__exact=officer"))
    assert set(_ids_listed(filtered)) == {SEARCHED_ID}
    # An entry's page, and its way back to the list.
    entry_url = next(u for u in LINK.findall(first.content.decode()) if re.search(r"/auditentry/\d+/", u))
    assert "_changelist_filters" in entry_url
    assert browser.get(entry_url.replace("&amp;", "&")).status_code == 200

    assert browser.leaks(SEARCHED_ID) == []


def test_it_searches_by_a_name_without_putting_it_in_a_url() -> None:
    _audit_entries()
    get_user_model().objects.create_user("cb-hanh", "y" * 20, display_name=NAME, kind="officer")
    get_user_model().objects.create_user("cb-binh", "z" * 20, display_name="Trần Văn Bình", kind="officer")
    browser = Browser()

    _, audit = browser.search(AUDIT, NAME)
    _, users = browser.search(USERS, NAME)

    assert audit.status_code == users.status_code == 200
    assert _ids_listed(audit) == []  # the audit log is searched by IDs, not names
    assert "cb-hanh" in users.content.decode()
    assert "cb-binh" not in users.content.decode()
    assert browser.leaks(NAME) == []


def test_it_moves_a_search_typed_into_the_url_into_the_session() -> None:
    _audit_entries()
    browser = Browser()

    response = browser.client.get(AUDIT, {"q": SEARCHED_ID, "actor_kind": "officer"})

    assert response.status_code == 302
    assert SEARCHED_ID not in response["Location"]
    assert set(parse_qs(urlsplit(response["Location"]).query)) == {"s", "actor_kind"}
    assert set(_ids_listed(browser.get(response["Location"]))) == {SEARCHED_ID}


def test_it_forgets_a_search_key_it_did_not_give_this_session() -> None:
    _audit_entries()
    browser = Browser()
    landed, _ = browser.search(AUDIT, SEARCHED_ID)

    stranger = Browser.__new__(Browser)
    stranger.client = Client()
    stranger.client.force_login(get_user_model().objects.get(username="quantri"))
    response = stranger.client.get(landed)

    assert response.status_code == 302
    assert response["Location"] == AUDIT


def test_it_refuses_a_search_posted_without_the_csrf_token() -> None:
    browser = Browser()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(get_user_model().objects.get(username="quantri"))

    assert strict.post(AUDIT, {"_search": "1", "q": SEARCHED_ID}).status_code == 403
    assert browser.client.post(AUDIT, {"_search": "1", "q": ""})["Location"] == AUDIT
