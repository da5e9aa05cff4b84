"""Benchmark: password logins and client-credentials grants, beside a trivial endpoint, per core.

    .venv/bin/python bench/identity_login.py                     # SQLite, 15 s per scenario
    .venv/bin/python bench/identity_login.py --database postgres --seconds 20

Keycloak's published sizing is about 15 password logins/s and 120 client-credentials grants/s
per vCPU. This measures ours on this machine, in one run, side by side:

1. a fresh ``DANCU_HOME`` (SQLite, or the PostgreSQL database ``bench_identity``), migrated;
   ``--users`` citizens with real Argon2id password hashes (m = 19 MiB, t = 2, p = 1), a
   relying party they already consented to, and an agency system with a client secret;
2. ``dancu serve --no-demo --no-worker`` (gunicorn, ``--workers`` processes × 4 threads);
3. in ``--rounds`` rounds, for each scenario ``--seconds`` of load from ``--concurrency`` asyncio
   clients (keep-alive), rounds interleaving the scenarios:
   - ``healthz``: ``GET /healthz`` (the ceiling: the same server, a trivial view with one query);
   - ``client_credentials``: ``POST /oidc/token`` (client_secret_basic), a signed JWT access
     token recorded and audited;
   - ``password_login``: ``GET /dang-nhap/`` then ``POST /dang-nhap/`` with a fresh cookie jar
     (throttle check, Argon2id verify, session, login record, login event, audit entry);
   - ``oidc_login``: the whole code flow a relying party drives — authorize (which shows the
     login form) → password (answered, consent being remembered, by the redirect to the relying
     party with a code) → ``POST /oidc/token`` with PKCE and client_secret_basic → ID token and
     access token. This is what Keycloak counts as a login.
4. the server's CPU time (master and workers, from ``/proc``) is read before and after each
   scenario: operations per server CPU-second is the per-core figure compared with Keycloak's.
   The load generator shares the machine, so wall-clock throughput understates a dedicated server.

Results are printed as a Markdown table and written as JSON to ``bench/out/``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "bench_identity"
PASSWORD = "mot mat khau du dai de dang nhap"  # noqa: S105 — the benchmark accounts' password
REDIRECT_URI = "https://rp.bench.example/cb"
KEYCLOAK_PER_VCPU = {"password_login": 15.0, "oidc_login": 15.0, "client_credentials": 120.0}
TICKS = os.sysconf("SC_CLK_TCK")

SETUP = """
import datetime as dt, json, sys
from dancu.core.audit import Actor
from dancu.identity.actions import do_create_citizen_account, do_grant_consent, do_register_client
from dancu.identity.models import RegisteredVia
from dancu.registry.models import Person, Sex
users = []
for i in range({users}):
    person = Person.objects.create(
        personal_id=f"0310900{{i:05d}}", full_name="Nguyễn Văn Thử", surname="Nguyễn", middle_name="Văn",
        given_name="Thử", name_key="nguyen van thu", birth_date=dt.date(1990, 1, 1), birth_year=1990,
        sex=Sex.MALE, phone=f"09{{i:08d}}", commune_code="11311",
    )
    users.append(do_create_citizen_account(
        person, password={password!r}, level=1, via=RegisteredVia.ADMIN, phone=person.phone,
        phone_verified=True, actor=Actor.system("bench"),
    ))
rp = do_register_client("Bench relying party", "oidc", [{redirect!r}], scopes=["openid", "profile"])
for user in users:
    do_grant_consent(user, rp.client, claims=["sub", "name", "family_name", "middle_name", "given_name", "gender"], scopes=["openid", "profile"])
system = do_register_client("Bench agency system", "exchange")
sys.stdout.write("BENCH" + json.dumps({{
    "usernames": [u.username for u in users],
    "rp": [rp.client.client_id, rp.secret], "system": [system.client.client_id, system.secret],
}}) + "\\n")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_env(database: str, home: Path, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANCU_")}
    env |= {
        "DANCU_HOME": str(home),
        "DANCU_ENV": "development",
        "DANCU_LOG_LEVEL": "WARNING",
        "DANCU_BASE_URL": base_url,
        "PYTHONPATH": str(ROOT / "src"),
    }
    if database == "postgres":
        env["DANCU_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
    return env


def recreate_postgres_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")


def dancu(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "-m", "dancu", *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"dancu {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def process_tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of ``root`` and its live children."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


@dataclass
class Result:
    scenario: str
    concurrency: int
    seconds: float
    operations: int
    errors: int
    per_second: float
    server_cpu_seconds: float
    per_server_cpu_second: float
    p50_ms: float
    p95_ms: float
    keycloak_per_vcpu: float | None


async def drive(
    name: str, operation: Callable[[httpx.AsyncClient], Awaitable[bool]], *, base: str, concurrency: int,
    seconds: float, server_pid: int,
) -> Result:  # fmt: skip
    latencies: list[float] = []
    errors = 0
    stop_at = 0.0

    async def worker() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            while time.monotonic() < stop_at:
                started = time.monotonic()
                try:
                    ok = await operation(client)
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.monotonic() - started)
                else:
                    errors += 1

    cpu_before = process_tree_cpu(server_pid)
    began = time.monotonic()
    stop_at = began + seconds
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - began
    cpu = process_tree_cpu(server_pid) - cpu_before
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(int(len(latencies) * p), len(latencies) - 1)] * 1000, 1) if latencies else 0.0

    return Result(
        scenario=name,
        concurrency=concurrency,
        seconds=round(elapsed, 2),
        operations=len(latencies),
        errors=errors,
        per_second=round(len(latencies) / elapsed, 1),
        server_cpu_seconds=round(cpu, 2),
        per_server_cpu_second=round(len(latencies) / cpu, 1) if cpu else 0.0,
        p50_ms=pct(0.5),
        p95_ms=pct(0.95),
        keycloak_per_vcpu=KEYCLOAK_PER_VCPU.get(name),
    )


def scenarios(data: dict[str, Any]) -> dict[str, Callable[[httpx.AsyncClient], Awaitable[bool]]]:
    usernames: list[str] = data["usernames"]
    rp_id, rp_secret = data["rp"]
    system_id, system_secret = data["system"]
    system_auth = "Basic " + base64.b64encode(f"{system_id}:{system_secret}".encode()).decode()
    rp_auth = "Basic " + base64.b64encode(f"{rp_id}:{rp_secret}".encode()).decode()
    counter = iter(range(10**9))

    async def healthz(client: httpx.AsyncClient) -> bool:
        return (await client.get("/healthz")).status_code == 200

    async def client_credentials(client: httpx.AsyncClient) -> bool:
        response = await client.post(
            "/oidc/token", data={"grant_type": "client_credentials"}, headers={"Authorization": system_auth}
        )
        return response.status_code == 200 and "access_token" in response.json()

    async def log_in(client: httpx.AsyncClient, page: httpx.Response, next_url: str) -> httpx.Response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise httpx.HTTPError("no CSRF token on the login page")
        username = usernames[next(counter) % len(usernames)]
        return await client.post(
            "/dang-nhap/",
            data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD, "next": next_url},
        )

    async def password_login(client: httpx.AsyncClient) -> bool:
        client.cookies.clear()
        page = await client.get("/dang-nhap/", params={"next": "/tai-khoan/"})
        response = await log_in(client, page, "/tai-khoan/")
        return response.status_code == 302 and response.headers["location"] == "/tai-khoan/"

    async def oidc_login(client: httpx.AsyncClient) -> bool:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        authorize = "/oidc/authorize?" + urlencode({
            "response_type": "code", "client_id": rp_id, "redirect_uri": REDIRECT_URI, "scope": "openid profile",
            "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8),
            "code_challenge": challenge, "code_challenge_method": "S256",
        })  # fmt: skip
        client.cookies.clear()
        # The authorization endpoint shows the login form itself.
        first = await client.get(authorize)
        if first.status_code != 200:
            return False
        # The login goes on with the authorization request: its answer is the redirect to the
        # relying party with the code (consent was given before).
        logged = await log_in(client, first, authorize)
        location = logged.headers.get("location", "")
        if not location.startswith(REDIRECT_URI):
            return False
        code = parse_qs(urlsplit(location).query)["code"][0]
        # The relying party redeems the code from its own server: no browser cookies.
        client.cookies.clear()
        tokens = await client.post(
            "/oidc/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            },
            headers={"Authorization": rp_auth},
        )
        return tokens.status_code == 200 and "id_token" in tokens.json()

    return {
        "healthz": healthz,
        "client_credentials": client_credentials,
        "password_login": password_login,
        "oidc_login": oidc_login,
    }


def combine(name: str, rounds: list[Result]) -> Result:
    """Totals over the rounds (latencies: the median round's)."""
    operations = sum(r.operations for r in rounds)
    seconds = sum(r.seconds for r in rounds)
    cpu = sum(r.server_cpu_seconds for r in rounds)
    middle = sorted(rounds, key=lambda r: r.p50_ms)[len(rounds) // 2]
    return Result(
        scenario=name,
        concurrency=rounds[0].concurrency,
        seconds=round(seconds, 2),
        operations=operations,
        errors=sum(r.errors for r in rounds),
        per_second=round(operations / seconds, 1),
        server_cpu_seconds=round(cpu, 2),
        per_server_cpu_second=round(operations / cpu, 1) if cpu else 0.0,
        p50_ms=middle.p50_ms,
        p95_ms=middle.p95_ms,
        keycloak_per_vcpu=rounds[0].keycloak_per_vcpu,
    )


def markdown(results: list[Result], cores: int) -> str:
    lines = [
        "| scenario | clients | ops/s (wall) | server CPU-s | ops per server CPU-second | Keycloak per vCPU | p50 ms | p95 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        keycloak = f"{r.keycloak_per_vcpu:g}" if r.keycloak_per_vcpu else "—"
        lines.append(
            f"| {r.scenario} | {r.concurrency} | {r.per_second} | {r.server_cpu_seconds} | **{r.per_server_cpu_second}** "
            f"| {keycloak} | {r.p50_ms} | {r.p95_ms} | {r.errors} |"
        )
    lines.append(f"\n{cores} cores; wall-clock ops/s divided by cores: " + ", ".join(
        f"{r.scenario} {round(r.per_second / cores, 1)}" for r in results
    ))  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="dancu-bench-identity-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = bench_env(args.database, home, base)
    if args.database == "postgres":
        recreate_postgres_database()
    dancu(env, "manage", "migrate", "-v0")
    output = dancu(
        env, "manage", "shell", "-c", SETUP.format(users=args.users, password=PASSWORD, redirect=REDIRECT_URI)
    )
    data = json.loads(output.split("BENCH", 1)[1])
    server = subprocess.Popen(
        [PYTHON, "-m", "dancu", "serve", "--no-demo", "--no-worker", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(args.workers), "--threads", "4"],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        runs: dict[str, list[Result]] = {}
        load_before = os.getloadavg()[0]
        # Rounds interleave the scenarios, so a neighbour's load on this shared machine weighs
        # on all of them alike; the totals over all rounds are reported.
        for round_no in range(args.rounds):
            for name, operation in scenarios(data).items():
                if round_no == 0:
                    # A short warm-up so every worker has loaded its code and opened its connection.
                    asyncio.run(
                        drive(
                            name, operation, base=base, concurrency=args.concurrency, seconds=2, server_pid=server.pid
                        )
                    )
                result = asyncio.run(
                    drive(
                        name,
                        operation,
                        base=base,
                        concurrency=args.concurrency,
                        seconds=args.seconds,
                        server_pid=server.pid,
                    )
                )
                runs.setdefault(name, []).append(result)
                print(
                    f"round {round_no + 1} {name}: {result.per_second}/s wall, {result.per_server_cpu_second} per server CPU-second",
                    file=sys.stderr,
                )
        load_after = os.getloadavg()[0]
        results = [combine(name, rounds) for name, rounds in runs.items()]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    cores = os.cpu_count() or 1
    table = markdown(results, cores)
    print(table)
    print(f"\nload average (1 min) before/after: {load_before:.1f} / {load_after:.1f}")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"identity_login-{args.database}-{stamp}.json").write_text(
        json.dumps(
            {"database": args.database, "cores": cores, "workers": args.workers, "users": args.users,
             "rounds": args.rounds, "load_before": load_before, "load_after": load_after,
             "results": [asdict(r) for r in results], "by_round": {k: [asdict(r) for r in v] for k, v in runs.items()}},
            indent=2,
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
