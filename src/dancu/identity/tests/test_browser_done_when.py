"""The issue's "done when", in Chromium through the real pages, with Authlib as the relying party:

a citizen registers level 1 in the browser (the code read from the demo SMS outbox by an
operator), a police officer raises them to level 2, the citizen logs into a relying party that
asked for level 2 (stepping up with a code), sees the consent screen, and the relying party —
Authlib's OpenID Connect client with PKCE and ``private_key_jwt`` — gets an ID token whose
signature it verifies against the JWKS, and verified claims from userinfo.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.integrations.django_client import OAuth  # type: ignore[import-untyped]  # Authlib ships no type hints
from authlib.oauth2.rfc7523 import PrivateKeyJWT  # type: ignore[import-untyped]  # Authlib ships no type hints
from django.conf import LazySettings
from joserfc.jwk import RSAKey

from dancu.core.access import OfficerRole
from dancu.core.audit import Actor
from dancu.identity.actions import do_create_admin, do_register_client
from dancu.identity.levels import ACR_LEVEL2
from dancu.identity.models import EidLevel, User
from dancu.identity.tests.flows import COMMUNE_A, STAFF_PASSWORD, make_person, officer, totp_now
from dancu.registry.models import Sex

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The relying party's callback: nothing listens there; the browser's request is intercepted.
RP_CALLBACK = "http://127.0.0.1:18765/callback"
PASSWORD = "mot buoi sang dep troi o do son"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own database reads
    # between browser steps are plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _log_in_staff(page: Any, base: str, user: User) -> None:
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/dang-nhap/ma-xac-thuc/$"))
    page.fill("#id_code", totp_now(user))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/tai-khoan/$"))


def _latest_code_in_outbox(operator: Any, base: str, phone: str) -> str:
    operator.goto(f"{base}/quan-tri-dinh-danh/hop-thu-sms/")
    row = operator.locator("[data-testid=sms-outbox] tbody tr", has_text=phone).first
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", row.locator("td").nth(2).inner_text())
    assert found is not None
    return found.group(1)


def test_it_registers_raises_steps_up_consents_and_hands_verified_claims_to_the_relying_party(
    live_server: Any, settings: LazySettings, browser: Any
) -> None:
    base = live_server.url
    settings.DANCU_BASE_URL = base
    make_person("031196007777", "Trần Thị Hoà", birth_date=dt.date(1996, 11, 20), sex=Sex.FEMALE, phone="0903111222")
    police = officer("congan.a", OfficerRole.POLICE_REGISTRATION, communes=(COMMUNE_A,))
    admin, _ = do_create_admin("vanhanh", password=STAFF_PASSWORD, actor=Actor.system("tests"))
    rp_key = RSAKey.generate_key(2048, auto_kid=True)
    hospital = do_register_client(
        "Bệnh viện Việt Tiệp", "oidc", [RP_CALLBACK], {"keys": [rp_key.as_dict(private=False)]}, min_level=2
    ).client

    citizen = browser.new_context(locale="vi-VN").new_page()
    operator = browser.new_context().new_page()
    police_page = browser.new_context().new_page()
    _log_in_staff(operator, base, admin)

    # 1. The citizen registers level 1 online; the operator reads the code in the demo outbox.
    citizen.goto(f"{base}/dang-ky/")
    citizen.fill("#id_personal_id", "031196007777")
    citizen.fill("#id_full_name", "Trần Thị Hòa")
    citizen.fill("#id_birth_date", "1996-11-20")
    citizen.fill("#id_phone", "0903 111 222")
    citizen.click("main button[type=submit]")
    citizen.wait_for_url(re.compile(r".*/dang-ky/xac-nhan/$"))
    citizen.fill("#id_code", _latest_code_in_outbox(operator, base, "0903111222"))
    citizen.fill("#id_password", PASSWORD)
    citizen.fill("#id_password2", PASSWORD)
    citizen.click("main button[type=submit]")
    citizen.wait_for_url(re.compile(r".*/tai-khoan/$"))
    assert citizen.inner_text("[data-testid=eid-level]") == "Mức 1"

    # 2. A police officer checks her in person and raises the account to level 2.
    _log_in_staff(police_page, base, police)
    police_page.goto(f"{base}/can-bo/dinh-danh/")
    police_page.fill("#id_personal_id", "031196007777")
    police_page.click("main button[type=submit]")
    police_page.wait_for_url(re.compile(r".*/can-bo/dinh-danh/tai-khoan/[0-9a-f-]{36}/$"))
    police_page.fill("#id_card_number", "031196007777")
    police_page.check("#id_face_matches_card")
    police_page.check("#id_fingerprints_match")
    police_page.click('button:has-text("Nâng lên mức 2")')
    police_page.wait_for_selector("text=Đã nâng tài khoản lên mức 2")
    assert police_page.inner_text("[data-testid=eid-level]") == "Mức 2"
    assert User.objects.get(username="031196007777").eid_level == EidLevel.LEVEL2

    # 3. The relying party (Authlib) sends her to log in at level 2, with PKCE.
    oauth = OAuth()
    rp = oauth.register(
        "dancu",
        client_id=hospital.client_id,
        client_secret=rp_key.as_pem(private=True).decode(),
        server_metadata_url=f"{base}/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid profile birthdate personal_id",
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "private_key_jwt",
        },
        client_auth_methods=[PrivateKeyJWT(f"{base}/oidc/token", headers={"kid": rp_key.kid})],
    )
    started = rp.create_authorization_url(RP_CALLBACK, acr_values=ACR_LEVEL2)
    callbacks: list[str] = []
    citizen.route(
        "http://127.0.0.1:18765/**",
        lambda route: (callbacks.append(route.request.url), route.fulfill(status=200, body="relying party")),
    )
    citizen.goto(started["url"])

    # Her session reached level 1 only (password and the registration code): she steps up.
    citizen.wait_for_url(re.compile(r".*/dang-nhap/xac-thuc-bo-sung/.*"))
    citizen.click('button:has-text("Gửi mã")')
    citizen.fill("#id_code", _latest_code_in_outbox(operator, base, "0903111222"))
    citizen.click('button:has-text("Xác nhận")')

    # 4. The consent screen lists exactly what the hospital will receive.
    citizen.wait_for_selector("[data-testid=consent-claims]")
    claims_shown = citizen.eval_on_selector_all("[data-claim]", "rows => rows.map(r => r.dataset.claim)")
    assert claims_shown == [
        "sub",
        "name",
        "family_name",
        "middle_name",
        "given_name",
        "gender",
        "birthdate",
        "personal_id",
    ]
    assert "Bệnh viện Việt Tiệp" in citizen.inner_text("h1")
    citizen.click("button[name=decision][value=allow]")
    citizen.wait_for_url(re.compile(r"http://127\.0\.0\.1:18765/callback\?.*"))
    assert len(callbacks) == 1
    query = parse_qs(urlsplit(callbacks[0]).query)
    assert query["state"] == [started["state"]]
    assert query["iss"] == [base]

    # 5. The relying party redeems the code with private_key_jwt and verifies what it gets.
    token = rp.fetch_access_token(
        redirect_uri=RP_CALLBACK, code=query["code"][0], code_verifier=started["code_verifier"]
    )
    id_claims = rp.parse_id_token(token, nonce=started["nonce"])
    assert id_claims["iss"] == base
    assert id_claims["aud"] == [hospital.client_id]
    assert id_claims["acr"] == ACR_LEVEL2
    assert id_claims["amr"] == ["mfa", "pwd", "sms"]
    userinfo = rp.userinfo(token=token)
    assert dict(userinfo) == {
        "sub": id_claims["sub"],
        "name": "Trần Thị Hoà",
        "family_name": "Trần",
        "middle_name": "Thị",
        "given_name": "Hoà",
        "gender": "female",
        "birthdate": "1996-11-20",
        "personal_id": "031196007777",
    }
