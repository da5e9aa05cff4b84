"""Federation, proved with two Dancu instances: an upstream (``dancu serve`` in a subprocess with
its own DANCU_HOME and SQLite database, playing VNeID) and the province (this test process's
live server). A citizen logs into the province's level-2 relying party through the upstream,
steps up there, and the upstream's level passes through as the province's ``acr``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from django.conf import LazySettings
from joserfc import jwt
from joserfc.jwk import KeySet

from dancu.identity.actions import do_register_client
from dancu.identity.levels import ACR_LEVEL2
from dancu.identity.models import FederatedIdentity, RegisteredVia, User
from dancu.identity.tests.flows import RelyingParty, make_person, pkce_pair, rp_key
from dancu.registry.models import Sex

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
LAN = {"personal_id": "031190001234", "name": "Phạm Thị Lan", "birth": dt.date(1990, 3, 14), "phone": "0912345678"}
UPSTREAM_PASSWORD = "hoa sen trong dam nuoc trong"
SETUP = """
import datetime as dt
from dancu.identity.tests.flows import make_person, citizen_account
from dancu.registry.models import Sex
person = make_person("031190001234", "Phạm Thị Lan", birth_date=dt.date(1990, 3, 14), sex=Sex.FEMALE, phone="0912345678")
citizen_account(person, level=2)
"""


@dataclass
class Upstream:
    url: str
    home: Path
    client_id: str
    client_secret: str

    def latest_code(self, phone: str) -> str:
        with sqlite3.connect(self.home / "upstream.sqlite3") as db:
            row = db.execute(
                'SELECT body FROM identity_smsmessage WHERE "to" = ? ORDER BY id DESC LIMIT 1', (phone,)
            ).fetchone()
        found = re.search(r"(?<!\d)(\d{6})(?!\d)", row[0])
        assert found is not None
        return found.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def upstream(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    home = tmp_path_factory.mktemp("upstream")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DANCU_", "DJANGO_"))}
    env |= {
        "DANCU_HOME": str(home),
        "DANCU_ENV": "development",
        "DANCU_BASE_URL": url,
        "DANCU_DATABASE_URL": f"sqlite:///{home / 'upstream.sqlite3'}",
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
    }
    dancu = [sys.executable, "-m", "dancu"]
    subprocess.run([*dancu, "manage", "migrate", "-v0"], env=env, check=True, timeout=120)
    subprocess.run([*dancu, "manage", "shell", "-c", SETUP], env=env, check=True, timeout=60)
    added = subprocess.run(
        [*dancu, "client", "add", "--name", "Hải Phòng", "--kind", "oidc",
         "--redirect-uri", f"{live_server.url}/dang-nhap/cap-tren/callback"],
        env=env, check=True, timeout=60, capture_output=True, text=True,
    )  # fmt: skip
    client = json.loads(added.stdout)
    server = subprocess.Popen(
        [*dancu, "serve", "--no-demo", "--no-worker", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the upstream Dancu did not start")
            time.sleep(0.3)
        yield Upstream(url, home, client["client_id"], client["client_secret"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture
def province(live_server: Any, settings: LazySettings, upstream: Upstream, monkeypatch: pytest.MonkeyPatch) -> str:
    settings.DANCU_BASE_URL = live_server.url
    monkeypatch.setenv("DANCU_UPSTREAM_ISSUER", upstream.url)
    monkeypatch.setenv("DANCU_UPSTREAM_CLIENT_ID", upstream.client_id)
    monkeypatch.setenv("DANCU_UPSTREAM_CLIENT_SECRET", upstream.client_secret)
    monkeypatch.setenv("DANCU_UPSTREAM_NAME", "VNeID (thử nghiệm)")
    return str(live_server.url)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _follow(browser: httpx.Client, response: httpx.Response, base: str) -> httpx.Response:
    location = response.headers["location"]
    return browser.get(location if location.startswith("http") else base + location)


def _through_upstream(browser: httpx.Client, upstream: Upstream, authorize_url: str) -> str:
    """Play the citizen at the upstream: password, a step-up by SMS when the level asks for it,
    consent when the upstream asks for it. Returns the province callback URL."""
    page = browser.get(authorize_url)
    assert page.status_code == 200
    next_url = _hidden(page.text)["next"].replace("&amp;", "&")
    response = browser.post(
        f"{upstream.url}/dang-nhap/",
        data={
            "csrfmiddlewaretoken": _csrf(page.text),
            "username": LAN["personal_id"],
            "password": UPSTREAM_PASSWORD,
            "next": next_url,
        },
    )
    # The login goes on with the authorization request in the same response.
    if response.status_code == 302 and response.headers["location"].startswith("/dang-nhap/xac-thuc-bo-sung/"):
        step_up_url = upstream.url + response.headers["location"]
        page = browser.get(step_up_url)
        sent = browser.post(step_up_url, data={"csrfmiddlewaretoken": _csrf(page.text), "send": "1", "next": next_url})
        code = upstream.latest_code(LAN["phone"])
        response = browser.post(
            step_up_url, data={"csrfmiddlewaretoken": _csrf(sent.text), "code": code, "next": next_url}
        )
        response = _follow(browser, response, upstream.url)
    if response.status_code == 200 and 'name="decision"' in response.text:
        response = browser.post(
            f"{upstream.url}/oidc/authorize",
            data={**_hidden(response.text), "csrfmiddlewaretoken": _csrf(response.text), "decision": "allow"},
        )
    assert response.status_code == 302, response.text[:500]
    return str(response.headers["location"])


def test_it_logs_in_through_an_upstream_dancu_and_passes_its_level_through(province: str, upstream: Upstream) -> None:
    make_person(LAN["personal_id"], LAN["name"], birth_date=LAN["birth"], sex=Sex.FEMALE, phone=LAN["phone"])
    key = rp_key()
    hospital = RelyingParty(
        do_register_client(
            "Bệnh viện Việt Tiệp",
            "oidc",
            ["https://hospital.example/cb"],
            {"keys": [key.as_dict(private=False)]},
            min_level=2,
        ).client,
        key,
    )
    verifier, challenge = pkce_pair()
    authorize = "/oidc/authorize?" + urlencode(
        {
            "response_type": "code",
            "client_id": hospital.client.client_id,
            "redirect_uri": "https://hospital.example/cb",
            "scope": "openid profile personal_id",
            "state": "st-1",
            "nonce": "n-1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    with httpx.Client(timeout=30) as browser:
        # The province asks the citizen to log in; she chooses the upstream provider.
        login_page = browser.get(province + authorize)
        assert "Đăng nhập bằng VNeID (thử nghiệm)" in login_page.text
        to_upstream = browser.get(f"{province}/dang-nhap/cap-tren/", params={"next": authorize})
        assert to_upstream.status_code == 302
        upstream_authorize = to_upstream.headers["location"]
        assert upstream_authorize.startswith(f"{upstream.url}/oidc/authorize?")
        assert parse_qs(urlsplit(upstream_authorize).query)["acr_values"] == [ACR_LEVEL2]

        # At the upstream: password, then a step-up to level 2 by SMS, then consent.
        callback = _through_upstream(browser, upstream, upstream_authorize)
        assert callback.startswith(f"{province}/dang-nhap/cap-tren/callback?code=")

        # Back at the province: the login is verified and linked; the hospital's request resumes.
        resumed = browser.get(callback)
        assert resumed.status_code == 302, resumed.text[:500]
        assert resumed.headers["location"] == authorize
        consent_here = browser.get(province + authorize)
        assert 'name="decision"' in consent_here.text
        granted = browser.post(
            f"{province}/oidc/authorize",
            data={**_hidden(consent_here.text), "csrfmiddlewaretoken": _csrf(consent_here.text), "decision": "allow"},
        )
        code = parse_qs(urlsplit(granted.headers["location"]).query)["code"][0]
        tokens = browser.post(
            f"{province}/oidc/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "https://hospital.example/cb",
                "code_verifier": verifier,
                **hospital.auth_form(audience=f"{province}/oidc/token"),
            },
        ).json()
        jwks = KeySet.import_key_set(browser.get(f"{province}/oidc/jwks").json())
    id_token = jwt.decode(tokens["id_token"], jwks, algorithms=["RS256"]).claims
    assert id_token["iss"] == province
    assert id_token["acr"] == ACR_LEVEL2
    assert id_token["amr"] == ["mfa", "pwd", "sms"]
    link = FederatedIdentity.objects.select_related("user").get()
    assert link.issuer == upstream.url
    assert link.last_acr == ACR_LEVEL2
    assert link.user.username == LAN["personal_id"]
    assert link.user.registered_via == RegisteredVia.FEDERATION
    assert link.user.eid_level == 2
    assert not link.user.has_usable_password()


def test_it_refuses_an_upstream_login_for_someone_outside_the_register(province: str, upstream: Upstream) -> None:
    with httpx.Client(timeout=30) as browser:
        to_upstream = browser.get(f"{province}/dang-nhap/cap-tren/", params={"next": "/tai-khoan/"})
        callback = _through_upstream(browser, upstream, to_upstream.headers["location"])
        refused = browser.get(callback)
    assert refused.status_code == 403
    assert "Không có trong Cơ sở dữ liệu dân cư của tỉnh" in refused.text
    assert User.objects.count() == 0
    assert FederatedIdentity.objects.count() == 0
