"""OpenID Connect Core 1.0: the authorization request, ID token, acr/amr, prompt, max_age,
consent, userinfo."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client as HttpClient
from joserfc import jwt
from joserfc.jwk import KeySet

from dancu.core.models import AuditEntry
from dancu.identity.levels import ACR_LEVEL1, ACR_LEVEL2
from dancu.identity.models import AuthorizationCode, Consent, SmsMessage, Token, User
from dancu.identity.oidc.tokens import half_hash
from dancu.identity.tests.flows import (
    RelyingParty,
    authorize_params,
    exchange_code,
    get_code,
    log_in,
    pkce_pair,
)

pytestmark = pytest.mark.django_db


def _authorize(client: HttpClient, params: dict[str, str]) -> Any:
    return client.get("/oidc/authorize?" + urlencode(params))


def _query(response: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(response["Location"]).query)


def _id_token(client: HttpClient, body: dict[str, Any]) -> dict[str, Any]:
    jwks = KeySet.import_key_set(client.get("/oidc/jwks").json())
    return dict(jwt.decode(body["id_token"], jwks, algorithms=["RS256"]).claims)


def _login_form_next(response: Any) -> str:
    """The page is the login form; return where it will come back to."""
    assert response.status_code == 200
    page = response.content.decode()
    assert 'action="/dang-nhap/"' in page
    found = re.search(r'name="next" value="([^"]+)"', page)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def test_it_shows_an_anonymous_browser_the_login_form_that_comes_back(
    client: HttpClient, portal_rp: RelyingParty
) -> None:
    _, challenge = pkce_pair()
    params = authorize_params(portal_rp, challenge)
    next_url = _login_form_next(_authorize(client, params))
    assert next_url == "/oidc/authorize?" + urlencode(params)


def test_it_answers_prompt_none_without_a_session_with_login_required(
    client: HttpClient, portal_rp: RelyingParty
) -> None:
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(portal_rp, challenge, prompt="none", state="s1"))
    assert _query(response)["error"] == ["login_required"]
    assert _query(response)["state"] == ["s1"]


def test_it_answers_prompt_none_without_consent_with_consent_required(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(portal_rp, challenge, prompt="none"))
    assert _query(response)["error"] == ["consent_required"]


def test_it_forces_a_new_login_on_prompt_login(client: HttpClient, citizen_minh: User, portal_rp: RelyingParty) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    next_url = _login_form_next(_authorize(client, authorize_params(portal_rp, challenge, prompt="login")))
    # The URL the login returns to no longer asks for a login (no loop).
    assert "prompt" not in next_url


def test_it_forces_a_new_login_when_max_age_has_passed(
    client: HttpClient, citizen_minh: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    next_url = _login_form_next(_authorize(client, authorize_params(portal_rp, challenge, max_age="0")))
    assert "max_age" not in next_url


def test_it_shows_exactly_the_claims_the_client_will_receive(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_lan)
    _, challenge = pkce_pair()
    response = _authorize(
        client, authorize_params(portal_rp, challenge, scope="openid birthdate personal_id unknown_scope")
    )
    assert response.status_code == 200
    shown = re.findall(r'data-claim="([a-z_]+)"', response.content.decode())
    assert shown == ["sub", "birthdate", "personal_id"]
    assert "031190001234" in response.content.decode()


def test_it_remembers_consent_per_client_until_revoked(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_lan)
    _, challenge = pkce_pair()
    get_code(client, portal_rp, challenge)
    again = _authorize(client, authorize_params(portal_rp, challenge))
    assert again.status_code == 302
    assert "code" in _query(again)
    forced = _authorize(client, authorize_params(portal_rp, challenge, prompt="consent"))
    assert forced.status_code == 200
    assert b'name="decision"' in forced.content
    wider = _authorize(client, authorize_params(portal_rp, challenge, scope="openid profile birthdate address"))
    assert wider.status_code == 200
    revoke = client.post(f"/tai-khoan/ung-dung/{portal_rp.client.client_id}/thu-hoi/")
    assert revoke.status_code == 302
    asked = _authorize(client, authorize_params(portal_rp, challenge))
    assert asked.status_code == 200
    assert Consent.objects.filter(user=citizen_lan, revoked_at__isnull=True).count() == 0


def test_it_returns_access_denied_when_consent_is_refused(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_lan)
    _, challenge = pkce_pair()
    params = authorize_params(portal_rp, challenge, state="st")
    response = client.post("/oidc/authorize", {**params, "decision": "deny"})
    assert _query(response)["error"] == ["access_denied"]
    assert _query(response)["state"] == ["st"]
    assert AuthorizationCode.objects.count() == 0
    assert Consent.objects.count() == 0
    assert AuditEntry.objects.filter(action="identity.consent_refused").count() == 1


def test_it_issues_an_id_token_bound_to_the_request(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_lan)
    verifier, challenge = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge, nonce="nonce-abc")
    body = exchange_code(client, portal_rp, code, verifier).json()
    claims = _id_token(client, body)
    assert claims["nonce"] == "nonce-abc"
    assert claims["at_hash"] == half_hash(body["access_token"])
    assert claims["azp"] == portal_rp.client.client_id
    assert claims["exp"] - claims["iat"] == 900
    assert isinstance(claims["auth_time"], int)
    assert set(claims) == {
        "iss",
        "sub",
        "aud",
        "azp",
        "exp",
        "iat",
        "auth_time",
        "nonce",
        "acr",
        "amr",
        "at_hash",
        "sid",
    }


def test_it_refuses_a_replayed_nonce(client: HttpClient, citizen_lan: User, portal_rp: RelyingParty) -> None:
    log_in(client, citizen_lan)
    _, challenge = pkce_pair()
    get_code(client, portal_rp, challenge, nonce="same-nonce")
    response = _authorize(client, authorize_params(portal_rp, challenge, nonce="same-nonce"))
    assert _query(response)["error"] == ["invalid_request"]


def test_it_requires_the_openid_scope(client: HttpClient, citizen_lan: User, portal_rp: RelyingParty) -> None:
    log_in(client, citizen_lan)
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(portal_rp, challenge, scope="profile"))
    assert _query(response)["error"] == ["invalid_scope"]


def test_it_shows_an_error_page_for_an_unknown_client(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty
) -> None:
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(portal_rp, challenge, client_id="nobody"))
    assert response.status_code == 400
    assert "Location" not in response
    assert "invalid_client" in response.content.decode()


# --- acr: the e-ID level ----------------------------------------------------------------------


def _step_up_with_sms(client: HttpClient, step_up_location: str, capture: Any) -> Any:
    page = client.get(step_up_location)
    assert page.status_code == 200
    path, _, query = step_up_location.partition("?")
    next_url = parse_qs(query)["next"][0]
    with capture(execute=True):
        client.post(path, {"send": "1", "next": next_url})
    message = SmsMessage.objects.order_by("-id").first()
    assert message is not None
    code = re.search(r"(\d{6})", message.body)
    assert code is not None
    return client.post(path, {"code": code.group(1), "next": next_url})


def test_it_steps_a_level2_account_up_when_the_client_asks_for_level2(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty, django_capture_on_commit_callbacks: Any
) -> None:
    log_in(client, citizen_lan)
    verifier, challenge = pkce_pair()
    params = authorize_params(portal_rp, challenge, acr_values=ACR_LEVEL2)
    response = _authorize(client, params)
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/xac-thuc-bo-sung/?next=")
    back = _step_up_with_sms(client, response["Location"], django_capture_on_commit_callbacks)
    assert back.status_code == 302
    assert back["Location"].startswith("/oidc/authorize?")
    consent = client.get(back["Location"])
    assert consent.status_code == 200
    granted = client.post("/oidc/authorize", {**params, "decision": "allow"})
    code = _query(granted)["code"][0]
    claims = _id_token(client, exchange_code(client, portal_rp, code, verifier).json())
    assert claims["acr"] == ACR_LEVEL2
    assert claims["amr"] == ["mfa", "pwd", "sms"]


def test_it_refuses_a_level1_account_at_a_level2_client_clearly(
    client: HttpClient, citizen_minh: User, hospital_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(hospital_rp, challenge, state="st"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "mức 2" in page
    assert "Tài khoản của bạn đang ở mức 1" in page
    back = re.search(r'href="(https://hospital\.example/cb\?[^"]+)"', page)
    assert back is not None
    query = parse_qs(urlsplit(back.group(1).replace("&amp;", "&")).query)
    assert query["error"] == ["unmet_authentication_requirements"]
    assert query["state"] == ["st"]
    assert AuthorizationCode.objects.count() == 0


def test_it_refuses_a_level1_account_even_when_the_level2_client_asks_for_level1(
    client: HttpClient, citizen_minh: User, hospital_rp: RelyingParty
) -> None:
    log_in(client, citizen_minh)
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(hospital_rp, challenge, acr_values=ACR_LEVEL1))
    assert response.status_code == 403
    assert AuthorizationCode.objects.count() == 0


def test_it_refuses_unknown_acr_values(client: HttpClient, citizen_lan: User, portal_rp: RelyingParty) -> None:
    log_in(client, citizen_lan)
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(portal_rp, challenge, acr_values="urn:other:loa:4"))
    assert _query(response)["error"] == ["invalid_request"]


def test_it_asks_for_interaction_under_prompt_none_when_a_step_up_is_needed(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_lan)
    _, challenge = pkce_pair()
    response = _authorize(client, authorize_params(portal_rp, challenge, acr_values=ACR_LEVEL2, prompt="none"))
    assert _query(response)["error"] == ["interaction_required"]


# --- userinfo ---------------------------------------------------------------------------------


def test_it_answers_userinfo_only_with_a_valid_token(client: HttpClient) -> None:
    response = client.get("/oidc/userinfo")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    forged = client.get("/oidc/userinfo", HTTP_AUTHORIZATION="Bearer eyJhbGciOiJub25lIn0.e30.")
    assert forged.status_code == 401


def test_it_releases_address_phone_id_and_household_when_consented(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty
) -> None:
    log_in(client, citizen_lan)
    verifier, challenge = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge, scope="openid address phone personal_id household")
    body = exchange_code(client, portal_rp, code, verifier).json()
    info = client.get("/oidc/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").json()
    assert info["personal_id"] == "031190001234"
    assert info["phone_number"] == "+84912345678"
    assert info["phone_number_verified"] is True
    assert info["address"]["street_address"] == "Số 12 đường Lạch Tray"
    assert info["address"]["locality"] == "Phường Hồng Bàng"
    assert info["address"]["region"] == "Thành phố Hải Phòng"
    assert info["address"]["formatted"] == "Số 12 đường Lạch Tray, Phường Hồng Bàng, Thành phố Hải Phòng"
    assert info["household"] == {"household_id": "HP-0001", "relation_to_head": "Chủ hộ"}
    assert "name" not in info
    entry = AuditEntry.objects.get(action="identity.userinfo_read")
    assert entry.subject_personal_id == "031190001234"
    assert entry.fields == ["address", "household", "personal_id", "phone_number", "phone_number_verified", "sub"]
    assert Token.objects.get().claims == [
        "sub",
        "address",
        "phone_number",
        "phone_number_verified",
        "personal_id",
        "household",
    ]


def test_it_goes_on_with_the_authorization_request_right_after_the_login(
    client: HttpClient, citizen_lan: User, portal_rp: RelyingParty
) -> None:
    _, challenge = pkce_pair()
    params = authorize_params(portal_rp, challenge, state="st-2")
    next_url = _login_form_next(_authorize(client, params))
    asked = client.post(
        "/dang-nhap/", {"username": citizen_lan.username, "password": "hoa sen trong dam nuoc trong", "next": next_url}
    )
    # No consent yet: the login answers with the consent page, whose form goes to the endpoint.
    assert asked.status_code == 200
    assert 'action="/oidc/authorize"' in asked.content.decode()
    client.post("/oidc/authorize", {**params, "decision": "allow"})
    client.post("/dang-xuat/")
    params = authorize_params(portal_rp, challenge, state="st-2")  # a fresh nonce
    next_url = _login_form_next(_authorize(client, params))
    logged = client.post(
        "/dang-nhap/", {"username": citizen_lan.username, "password": "hoa sen trong dam nuoc trong", "next": next_url}
    )
    assert logged.status_code == 302
    query = _query(logged)
    assert logged["Location"].startswith(portal_rp.client.redirect_uris[0])
    assert query["state"] == ["st-2"]
    assert "code" in query
