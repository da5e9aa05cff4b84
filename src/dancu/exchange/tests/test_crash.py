"""``kill -9`` under load: every answer a client received is in the audit log, bound to the bytes
it received, and nothing else is — except answers the crash cut off after their transaction
committed, at most one per connection in flight. The hash chain verifies afterwards.

The real server (``dancu serve``, gunicorn) runs on a SQLite file of its own; the test holds only
an HTTP client, the system's private key and, at the end, a read-only look at the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jwt

from dancu.exchange.tests.conftest import new_key, public_jwks

pytestmark = pytest.mark.slow

CLIENTS = 8
PATH = "/r1/VN/GOV/DANCU-31/registry/verify/v1"
SEED = """
import datetime as dt
from dancu.core.text import fold
from dancu.registry.models import Person
Person.objects.bulk_create(
    Person(
        personal_id=f"0311900{i:05d}", full_name=f"Nguyễn Thị Lan {i}", surname="Nguyễn", middle_name="Thị",
        given_name="Lan", name_key=fold(f"Nguyễn Thị Lan {i}"), birth_date=dt.date(1990, 5, 12), birth_year=1990,
        sex="female", commune_code="31105",
    )
    for i in range(500)
)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _dancu(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "dancu", *args], env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _token(base: str, client_id: str, key: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": f"{base}/oidc/token",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 120,
    }
    response = httpx.post(
        f"{base}/oidc/token",
        data={
            "grant_type": "client_credentials",
            "scope": "exchange",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key),
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_it_audits_exactly_what_it_answered_when_killed_under_load(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DANCU_", "DJANGO_"))}
    env.update(
        {"DANCU_HOME": str(tmp_path), "DANCU_ENV": "development", "DANCU_BASE_URL": base, "DANCU_LOG_LEVEL": "WARNING"}
    )
    _dancu(env, "manage", "migrate", "--verbosity", "0")
    _dancu(env, "manage", "shell", "-c", SEED)
    key = new_key()
    (tmp_path / "jwks.json").write_text(json.dumps(public_jwks(key)), encoding="utf-8")
    request = json.loads(
        _dancu(
            env,
            "exchange",
            "request",
            "--member-class",
            "COM",
            "--member-code",
            "0100112437",
            "--member-name",
            "Ngân hàng TMCP Ngoại thương Việt Nam",
            "--system-code",
            "ekyc",
            "--system-name",
            "eKYC",
            "--jwks",
            str(tmp_path / "jwks.json"),
            "--contact",
            "it@bank.example",
            "--access",
            "verify:NH.KYC:full_name,sex",
        )
    )
    client_id = json.loads(_dancu(env, "exchange", "approve", str(request["request_id"])))["client_id"]
    server = subprocess.Popen(
        [sys.executable, "-m", "dancu", "serve", "--no-demo", "--no-worker", "--port", str(port), "--workers", "2"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.25)
        token = _token(base, client_id, key)
        headers = {
            "Authorization": f"Bearer {token}",
            "X-Road-Client": "VN/COM/0100112437/ekyc",
            "X-Road-UserId": "VN031000000042",
            "X-Road-Purpose": "NH.KYC",
        }
        answered: dict[str, str] = {}
        cut_off: set[str] = set()
        lock = threading.Lock()
        stop = threading.Event()

        def load(worker: int) -> None:
            with httpx.Client(base_url=base, timeout=10) as http:
                n = 0
                while not stop.is_set():
                    rid = f"crash-{worker}-{n}"
                    n += 1
                    body = {"personal_id": f"0311900{n % 500:05d}", "full_name": f"Nguyễn Thị Lan {n % 500}"}
                    try:
                        response = http.post(PATH, json=body, headers={**headers, "X-Road-Id": rid})
                    except httpx.HTTPError:
                        with lock:
                            cut_off.add(rid)
                        return
                    assert response.status_code == 200, response.text
                    with lock:
                        answered[rid] = hashlib.sha256(response.content).hexdigest()

        threads = [threading.Thread(target=load, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(2.0)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        for thread in threads:
            thread.join(timeout=30)
        stop.set()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)

    with sqlite3.connect(tmp_path / "dancu.sqlite3") as db:
        rows = db.execute(
            "SELECT request_id, response_hash FROM core_auditentry WHERE action = 'exchange.verify' AND outcome = 'ok'"
        ).fetchall()
    audited = dict(rows)
    assert len(rows) == len(audited), "one entry per request"
    assert len(answered) > 100, f"too little load before the kill: {len(answered)}"
    # Every answer received is audited, with the hash of the very bytes received.
    assert {rid: audited.get(rid) for rid in answered} == answered
    # Whatever else is audited was cut off by the kill after its commit: one in flight per client at most.
    extra = set(audited) - set(answered)
    assert extra <= cut_off
    assert len(extra) <= CLIENTS
    assert len(audited) == len(answered) + len(extra)
    # The chain still verifies (the sealer links every entry that survived).
    verified = json.loads(_dancu(env, "audit", "verify"))
    assert verified["ok"] is True
    assert verified["sealed"] >= len(audited)
