"""No personal data and no database id in the e-ID desk's URLs (ADR 9): walk the police
officer's flow — find a citizen's account, open it, raise it to level 2, lock and unlock it —
and check every URL requested, every link and form target rendered and every redirect; the
account is named only by its random public id, and the old integer shapes answer 404."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser
from urllib.parse import unquote_plus, urljoin, urlsplit

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.test import Client as HttpClient

from dancu.core.models import AuditEntry
from dancu.core.text import fold
from dancu.identity.models import EidLevel, User
from dancu.identity.tests.flows import log_in
from dancu.registry.models import IdentityCard, Person

pytestmark = pytest.mark.django_db

SEARCH_URL = "/can-bo/dinh-danh/"
DESK = re.compile(
    r"^/can-bo/dinh-danh/tai-khoan/(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})/"
    r"(nang-muc/|khoa/)?$"
)


class _Targets(HTMLParser):
    """Every URL a page points at: links, form actions, sources."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(
            str(value) for name, value in attrs if name in {"href", "action", "src", "formaction"} and value
        )


class Walk:
    """An officer's browser that keeps every URL it saw."""

    def __init__(self, client: HttpClient) -> None:
        self.client = client
        self.seen: list[str] = []

    def _page(self, url: str, response: HttpResponse) -> HttpResponse:
        self.seen.append(url)
        if "Location" in response:
            self.seen.append(urljoin(url, response["Location"]))
        if response.get("Content-Type", "").startswith("text/html"):
            targets = _Targets()
            targets.feed(response.content.decode())
            self.seen.extend(urljoin(url, target) for target in targets.urls)
        return response

    def get(self, url: str) -> HttpResponse:
        return self._page(url, self.client.get(url))

    def post(self, url: str, data: dict[str, str]) -> HttpResponse:
        return self._page(url, self.client.post(url, data))


def _personal_values(person: Person) -> set[str]:
    """What must never be in a URL about PERSON, in the spellings a URL could carry it."""
    values = {
        person.personal_id,
        person.phone,
        *IdentityCard.objects.filter(person=person).values_list("number", flat=True),
    }
    values |= {part for part in fold(person.full_name).split() if len(part) > 3}
    return {re.sub(r"[^0-9a-z]", "", fold(str(v))) for v in values if v}


def test_it_walks_the_desk_with_only_the_accounts_public_id_in_its_urls(
    client: HttpClient, police_officer: User, citizen_minh: User
) -> None:
    log_in(client, police_officer)
    walk = Walk(client)
    walk.get(SEARCH_URL)
    found = walk.post(SEARCH_URL, {"personal_id": "031095004321"})
    page = found["Location"]
    walk.get(page)
    raised = walk.post(
        page + "nang-muc/",
        {"card_number": "031095004321", "face_matches_card": "on", "fingerprints_match": "on", "note": ""},
    )
    walk.get(page)
    locked = walk.post(page + "khoa/", {"note": "Mất điện thoại", "action": "lock"})
    walk.get(page)
    unlocked = walk.post(page + "khoa/", {"note": "Đã nhận lại", "action": "unlock"})
    walk.get(page)

    assert (found.status_code, raised.status_code, locked.status_code, unlocked.status_code) == (302, 302, 302, 302)
    assert page == f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.public_id}/"
    assert raised["Location"] == locked["Location"] == unlocked["Location"] == page
    citizen_minh.refresh_from_db()
    assert (citizen_minh.eid_level, citizen_minh.is_locked) == (EidLevel.LEVEL2, False)
    desk = sorted({urlsplit(u).path for u in walk.seen if urlsplit(u).path.startswith("/can-bo/dinh-danh/tai-khoan/")})
    assert desk == [page, page + "khoa/", page + "nang-muc/"]
    assert all(DESK.match(path) for path in desk)
    assert {u.version for u in User.objects.values_list("public_id", flat=True)} == {4}
    assert person_values_absent(walk.seen, citizen_minh)


def person_values_absent(urls: list[str], account: User) -> bool:
    """True when no URL carries the account's person's data or any account's database id."""
    assert account.person is not None
    secrets = _personal_values(account.person)
    ids = {str(pk) for pk in User.objects.values_list("pk", flat=True)}
    for url in urls:
        squeezed = re.sub(r"[^0-9a-z]", "", fold(unquote_plus(unquote_plus(url))))
        assert not [s for s in secrets if s in squeezed], url
        assert not ids & set(urlsplit(url).path.split("/")), url
    return True


def test_it_checks_what_it_should(citizen_minh: User) -> None:
    """The check itself catches each kind of value, however the URL spells it."""
    for leaky in (
        "/can-bo/dinh-danh/?personal_id=031+095+004+321",
        f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.pk}/",
        "/x/nguyen-van-minh/",
        "/x/?phone=0987654321",
    ):
        with pytest.raises(AssertionError):
            person_values_absent([leaky], citizen_minh)
    assert person_values_absent([f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.public_id}/"], citizen_minh)


def test_it_answers_404_to_the_old_url_shapes(client: HttpClient, police_officer: User, citizen_minh: User) -> None:
    log_in(client, police_officer)

    for old in (
        f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.pk}/",
        f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.pk}/nang-muc/",
        f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.pk}/khoa/",
        "/can-bo/dinh-danh/tai-khoan/031095004321/",
    ):
        assert client.get(old).status_code == 404, old
        posted = client.post(old, {"card_number": "031095004321", "face_matches_card": "on", "note": "x"})
        assert posted.status_code == 404, old
    unknown = f"/can-bo/dinh-danh/tai-khoan/{uuid.uuid4()}/"
    assert client.get(unknown).status_code == 404
    assert client.post(unknown + "nang-muc/", {"card_number": "031095004321"}).status_code == 404
    assert client.post(unknown + "khoa/", {"note": "x"}).status_code == 404

    citizen_minh.refresh_from_db()
    assert (citizen_minh.eid_level, citizen_minh.is_locked) == (EidLevel.LEVEL1, False)
    assert not AuditEntry.objects.filter(
        action__in=["identity.account_viewed", "identity.level_raised", "identity.account_locked"]
    ).exists()


def test_it_hides_an_account_outside_the_jurisdiction_behind_its_public_id(
    client: HttpClient, police_officer_b: User, citizen_minh: User
) -> None:
    log_in(client, police_officer_b)

    assert client.get(f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.public_id}/").status_code == 404
    assert client.post(f"/can-bo/dinh-danh/tai-khoan/{citizen_minh.public_id}/khoa/", {"note": "x"}).status_code == 404
    citizen_minh.refresh_from_db()
    assert not citizen_minh.is_locked


@pytest.mark.django_db(transaction=True)
def test_it_gives_each_existing_account_its_own_public_id_when_migrating() -> None:
    """Migration 0005 draws the ids of accounts that already exist in SQL, one per row."""
    before, after = ("identity", "0004_translated_choices"), ("identity", "0005_account_public_ids")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old_user = executor.loader.project_state([before]).apps.get_model("identity", "User")
    for username in ("a", "b", "c"):
        old_user.objects.create(username=username, password="!")
    executor = MigrationExecutor(connection)
    executor.migrate([after])

    ids = dict(User.objects.values_list("username", "public_id"))
    assert sorted(ids) == ["a", "b", "c"]
    assert len(set(ids.values())) == 3
    assert {value.version for value in ids.values()} == {4}
    assert {value.variant for value in ids.values()} == {uuid.RFC_4122}
    assert User.objects.create(username="d").public_id not in set(ids.values())
