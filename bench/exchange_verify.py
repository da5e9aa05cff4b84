"""Benchmark: audited ``verify`` calls against a large register, beside a trivial endpoint.

    .venv/bin/python bench/exchange_verify.py --database sqlite --people 2000000
    .venv/bin/python bench/exchange_verify.py --database postgres --people 2000000

What it does, all with the product's own commands and endpoints:

1. a fresh ``DANCU_HOME`` (SQLite file, or the PostgreSQL database ``bench_exchange``), migrated;
2. a synthetic province of ``--people`` persons (``dancu.registry.synthetic``) bulk-loaded into
   the register (kept between runs: the load is skipped when the count is already there);
3. a bank's e-KYC system onboarded through ``dancu exchange request`` / ``approve`` with an EC key
   of its own, its limits raised so the gateway's rate limit is not what is measured;
4. ``dancu serve --no-demo`` (gunicorn with its default shape for the database — one process per
   core with eight threads each on PostgreSQL, one process of sixteen threads on SQLite — and the
   background worker that seals the audit chain), a client-credentials token from
   ``/oidc/token`` (``private_key_jwt``);
5. for each concurrency level, ``--seconds`` of ``GET /healthz`` (the ceiling: the same server,
   a trivial view) then ``--seconds`` of ``POST .../verify/v1`` on random persons (5 % unknown),
   each client a keep-alive connection driven by one asyncio loop;
6. the audit log is then counted: ok ``exchange.verify`` entries must equal the 200 responses.

Results are printed as a Markdown table and written as JSON to ``bench/out/``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "bench_exchange"
PATH = "/r1/VN/GOV/DANCU-31/registry/verify/v1"


# --- environment -----------------------------------------------------------------------------


def bench_env(database: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANCU_")}
    env.update(
        {
            "DANCU_HOME": str(home),
            "DANCU_ENV": "development",
            "DANCU_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    if database == "postgres":
        env["DANCU_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
    return env


def dancu(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "-m", "dancu", *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"dancu {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def ensure_postgres_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]).fetchone()
        if not exists:
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "dancu.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# --- the register ----------------------------------------------------------------------------


def load_people(people: int, seed: int = 2025) -> int:
    """Bulk-load synthetic persons (only the ``registry_person`` table: verify reads nothing else)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from dancu.core.text import fold, split_name
    from dancu.registry.models import Person
    from dancu.registry.synthetic import HEADER, generate_rows

    have = Person.objects.count()
    if have >= people:
        return have
    if have:
        Person.objects.all().delete()
    index = {name: i for i, name in enumerate(HEADER)}
    now = timezone.now()
    given = {
        "full_name",
        "surname",
        "middle_name",
        "given_name",
        "name_key",
        "birth_date",
        "birth_precision",
        "birth_year",
        "sex",
        "ethnicity",
        "nationality",
        "phone",
        "commune_code",
        "status",
        "personal_id",
        "public_id",
    }
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    defaults: dict[str, Any] = {}
    for f in fields:
        if f.name in given:
            continue
        default = f.get_default()
        defaults[f.column] = now if isinstance(default, dt.datetime) else default
        if isinstance(default, (list, dict)):
            defaults[f.column] = json.dumps(default)
    columns = [f.column for f in fields]

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in generate_rows(people, seed):
            name = row[index["full_name"]]
            parts = split_name(name)
            birth = row[index["birth_date"]]
            year_only = len(birth) == 4
            born = dt.date(int(birth), 1, 1) if year_only else dt.date.fromisoformat(birth)
            values = {
                "personal_id": row[index["personal_id"]],
                "full_name": name,
                "surname": parts.surname,
                "middle_name": parts.middle,
                "given_name": parts.given,
                "name_key": fold(name),
                "birth_date": born,
                "birth_precision": "year" if year_only else "day",
                "birth_year": born.year,
                "sex": "male" if row[index["sex"]] == "Nam" else "female",
                "ethnicity": row[index["ethnicity"]] or "Kinh",
                "nationality": row[index["nationality"]] or "Việt Nam",
                "phone": row[index["phone"]],
                "commune_code": row[index["commune_code"]],
                "status": row[index["status"]] or "alive",
                "public_id": uuid.uuid4().hex,
            }
            yield tuple(values[f.name] if f.name in given else defaults[f.column] for f in fields)

    table = Person._meta.db_table
    started = time.monotonic()
    loaded = 0
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for values in rows():
                    copy.write_row(values)
                    loaded += 1
            cursor.execute(f"ANALYZE {table}")
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 — names from the model
        batch: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            for values in rows():
                batch.append(values)
                if len(batch) == 20_000:
                    with transaction.atomic():
                        cursor.executemany(sql, batch)
                    loaded += len(batch)
                    batch.clear()
            if batch:
                with transaction.atomic():
                    cursor.executemany(sql, batch)
                loaded += len(batch)
            cursor.execute("ANALYZE")
    print(f"loaded {loaded} persons in {time.monotonic() - started:.0f} s", flush=True)
    return loaded


def sample_people(count: int, seed: int = 7) -> list[dict[str, str]]:
    """Request bodies: random persons (as the register has them) and 5 % unknown numbers."""
    from dancu.registry.models import Person

    rng = random.Random(seed)
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = sorted({rng.randint(1, top) for _ in range(count * 2)})[: count * 2]
    rows = list(
        Person.objects.filter(pk__in=picks).values_list(
            "personal_id", "full_name", "birth_date", "birth_precision", "sex"
        )
    )
    rng.shuffle(rows)
    bodies = []
    for pid, name, born, precision, sex in rows[:count]:
        if rng.random() < 0.05:
            pid = pid[:6] + f"{rng.randint(0, 999_999):06d}"
        birth = str(born.year) if precision == "year" else born.isoformat()
        bodies.append({"personal_id": pid, "full_name": name, "birth_date": birth, "sex": sex})
    return bodies


# --- the system ------------------------------------------------------------------------------


def onboard(env: dict[str, str], home: Path) -> tuple[str, Any]:
    from joserfc.jwk import ECKey

    key = ECKey.generate_key("P-256", parameters={"kid": "bench", "use": "sig", "alg": "ES256"})
    jwks = home / "bench-jwks.json"
    jwks.write_text(json.dumps({"keys": [key.as_dict(private=False)]}), encoding="utf-8")
    code = f"bench-{uuid.uuid4().hex[:6]}"
    request = json.loads(
        dancu(
            env,
            "exchange",
            "request",
            "--member-class",
            "COM",
            "--member-code",
            code,
            "--member-name",
            "Ngân hàng thử tải / load-test bank",
            "--system-code",
            "ekyc",
            "--system-name",
            "eKYC",
            "--jwks",
            str(jwks),
            "--contact",
            "bench@example.org",
            "--access",
            "verify:NH.KYC:full_name,birth_date,sex",
            "--sector",
            "bank",
        )
    )
    approved = json.loads(dancu(env, "exchange", "approve", str(request["request_id"])))
    client_id = approved["client_id"]
    dancu(env, "exchange", "limits", "--client-id", client_id, "--per-minute", "100000000", "--per-day", "2000000000")
    return client_id, key


def fetch_token(base: str, client_id: str, key: Any) -> str:
    import httpx
    from joserfc import jwt

    now = int(time.time())
    assertion = jwt.encode(
        {"alg": "ES256", "kid": key.kid},
        {
            "iss": client_id,
            "sub": client_id,
            "aud": f"{base}/oidc/token",
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + 120,
        },
        key,
    )
    response = httpx.post(
        f"{base}/oidc/token",
        data={
            "grant_type": "client_credentials",
            "scope": "exchange",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
        timeout=30,
    )
    if response.status_code != 200:
        raise SystemExit(f"token endpoint: {response.status_code} {response.text}")
    return str(response.json()["access_token"])


# --- load ------------------------------------------------------------------------------------


def group_cpu_seconds(pgid: int) -> tuple[float, float]:
    """User + system CPU time of every live process in the server's process group (gunicorn
    master and workers, and the background worker that seals the audit chain), and of the
    PostgreSQL backends serving the benchmark's database."""
    ticks = os.sysconf("SC_CLK_TCK")
    server = database = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        used = int(fields[11]) + int(fields[12])
        if cmdline.startswith(b"postgres:") and PG_DATABASE.encode() in cmdline:
            database += used
        elif int(fields[2]) == pgid:
            server += used
    return server / ticks, database / ticks


def machine_busy_seconds() -> float:
    """CPU time spent by everything on the machine (all cores), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    endpoint: str
    concurrency: int
    seconds: float
    ok: int = 0
    #: CPU of the server's processes and (PostgreSQL) the database's backends, per 200 answer.
    server_cpu_ms_per_ok: float = 0.0
    database_cpu_ms_per_ok: float = 0.0
    client_cpu_ms_per_ok: float = 0.0
    load_average: float = 0.0
    #: Cores' worth of CPU that other programs on the machine used during the run.
    others_cores: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    throughput: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0


async def _client(
    port: int,
    requests: list[bytes],
    deadline: float,
    latencies: list[float],
    statuses: dict[str, int],
    counters: dict[str, int],
    rng: random.Random,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            request = requests[rng.randrange(len(requests))]
            started = time.perf_counter()
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = head[9:12].decode()
                length = 0
                close = False
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    lowered = name.strip().lower()
                    if lowered == b"content-length":
                        length = int(value)
                    elif lowered == b"connection" and value.strip().lower() == b"close":
                        close = True
                if length:
                    await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                counters["errors"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run_load(port: int, endpoint: str, requests: list[bytes], concurrency: int, seconds: float, pgid: int) -> Run:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    counters = {"errors": 0}

    async def main() -> float:
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(
            *(
                _client(port, requests, deadline, latencies, statuses, counters, random.Random(i))
                for i in range(concurrency)
            )
        )
        return time.monotonic() - started

    server_before, database_before = group_cpu_seconds(pgid)
    client_before = time.process_time()
    machine_before = machine_busy_seconds()
    elapsed = asyncio.run(main())
    server_after, database_after = group_cpu_seconds(pgid)
    server_cpu = server_after - server_before
    database_cpu = database_after - database_before
    client_cpu = time.process_time() - client_before
    others = machine_busy_seconds() - machine_before - server_cpu - database_cpu - client_cpu
    ok = statuses.get("200", 0)
    return Run(
        server_cpu_ms_per_ok=round(server_cpu * 1000 / max(ok, 1), 2),
        database_cpu_ms_per_ok=round(database_cpu * 1000 / max(ok, 1), 2),
        client_cpu_ms_per_ok=round(client_cpu * 1000 / max(ok, 1), 2),
        load_average=round(os.getloadavg()[0], 1),
        others_cores=round(max(0.0, others) / elapsed, 2),
        endpoint=endpoint,
        concurrency=concurrency,
        seconds=round(elapsed, 1),
        ok=ok,
        statuses=statuses,
        errors=counters["errors"],
        throughput=round(ok / elapsed, 1),
        p50_ms=round(_percentile(latencies, 0.50), 1),
        p95_ms=round(_percentile(latencies, 0.95), 1),
        p99_ms=round(_percentile(latencies, 0.99), 1),
        max_ms=round(max(latencies) * 1000 if latencies else 0.0, 1),
    )


def verify_requests(bodies: list[dict[str, str]], token: str) -> list[bytes]:
    out = []
    for body in bodies:
        payload = json.dumps(body, ensure_ascii=False).encode()
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "X-Road-Client: {client}\r\nX-Road-UserId: VN031000000042\r\nX-Road-Purpose: NH.KYC\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        out.append(head.encode() + payload)
    return out


# --- main ------------------------------------------------------------------------------------


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=2_000_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn processes (default: dancu serve's for the database)"
    )
    parser.add_argument("--threads", type=int, default=0, help="threads per gunicorn process (default: dancu serve's)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--home", type=Path, default=None, help="DANCU_HOME to reuse (default: a fixed temp dir)")
    args = parser.parse_args()

    if not args.port:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    home = args.home or Path(tempfile.gettempdir()) / f"dancu-bench-exchange-{args.database}"
    home.mkdir(parents=True, exist_ok=True)
    env = bench_env(args.database, home)
    env["DANCU_BASE_URL"] = f"http://127.0.0.1:{args.port}"
    if args.database == "postgres":
        ensure_postgres_database()
    dancu(env, "manage", "migrate", "--verbosity", "0")
    setup_django(env)
    from django.db import connection

    people = load_people(args.people)
    client_id, key = onboard(env, home)
    bodies = sample_people(20_000)
    connection.close()

    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "dancu",
            "serve",
            "--no-demo",
            "--port",
            str(args.port),
            *(["--workers", str(args.workers)] if args.workers else []),
            *(["--threads", str(args.threads)] if args.threads else []),
        ],
        env=env,
        start_new_session=True,
    )
    results: list[Run] = []
    warm_up = Run(endpoint="warm-up", concurrency=0, seconds=0)
    try:
        wait_healthy(args.port, server)
        base = f"http://127.0.0.1:{args.port}"
        token = fetch_token(base, client_id, key)
        from dancu.exchange.models import MemberSystem

        xroad_client = MemberSystem.objects.select_related("member").get(client_id=client_id).xroad_id
        connection.close()
        verify = [r.replace(b"{client}", xroad_client.encode()) for r in verify_requests(bodies, token)]
        health = [b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"]
        warm_up = run_load(args.port, "warm-up", verify, 8, 3, server.pid)
        for concurrency in args.concurrency:
            for endpoint, requests in (("GET /healthz (ceiling)", health), ("POST verify/v1 (audited)", verify)):
                run = run_load(args.port, endpoint, requests, concurrency, args.seconds, server.pid)
                results.append(run)
                print(json.dumps(asdict(run)), flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)

    from dancu.core.models import AuditEntry

    audited = AuditEntry.objects.filter(action="exchange.verify", outcome="ok", actor_id=client_id).count()
    answered = sum(r.ok for r in results if "verify" in r.endpoint) + warm_up.ok
    report = {
        "database": args.database,
        "workers": args.workers,
        "threads": args.threads,
        "load_average_after": os.getloadavg(),
        "people": people,
        "cpus": os.cpu_count(),
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "runs": [asdict(r) for r in results],
        "audited_ok_entries": audited,
        "verify_200_responses": answered,
        "audit_matches_responses": audited == answered,
    }
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"exchange_verify_{args.database}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print()
    print(f"{args.database}, {people:,} persons, {os.cpu_count()} CPUs, load average after {os.getloadavg()}")
    print(
        "| endpoint | clients | 200/s | p50 ms | p95 ms | p99 ms | max ms | server CPU ms/call "
        "| database CPU ms/call | client CPU ms/call | other programs (cores) | other statuses | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for r in results:
        other = {k: v for k, v in r.statuses.items() if k != "200"}
        print(
            f"| {r.endpoint} | {r.concurrency} | {r.throughput:,.0f} | {r.p50_ms} | {r.p95_ms} | {r.p99_ms} | "
            f"{r.max_ms} | {r.server_cpu_ms_per_ok} | {r.database_cpu_ms_per_ok} | {r.client_cpu_ms_per_ok} | "
            f"{r.others_cores} | "
            f"{other or '—'} | {r.errors} |"
        )
    print(f"audit: {audited} ok verify entries for {answered} verify 200 responses (warm-up included)")


if __name__ == "__main__":
    main()
