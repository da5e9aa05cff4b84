"""Benchmark: officer look-ups on an N-person register — by personal ID, and by name + birth year.

    .venv/bin/python bench/registry_lookup.py --people 2000000 [--backends sqlite,postgresql]
        [--samples 2000] [--pg-url postgresql://postgres@127.0.0.1:5432] [--workdir var/bench]

Uses the register bench/registry_import.py left in WORKDIR (``dancu-bench.sqlite3``, database
``dancu_bench``) when it holds N persons, else loads the synthetic province of N first. Then, for
random persons of the register, times (milliseconds, p50 / p95 / p99):

- ``personal ID, query``: the indexed read of one person with household and relatives;
- ``personal ID, officer view``: ``get_person_for_officer`` — role and jurisdiction check, the
  person with household, residences, cards, events and history, and the audit entry committed;
- ``name + year, with / without diacritics``: ``search_persons`` (audited), the name as stored
  and folded to plain ASCII.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 of SAMPLES (seconds), in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def measure(samples: int, seed: int) -> None:
    """Run inside a process whose Django settings point at the register to measure."""
    import django

    django.setup()
    from django.db import connection

    from dancu.core.access import Jurisdiction, OfficerRole
    from dancu.core.text import fold
    from dancu.registry.models import Person
    from dancu.registry.queries import get_person_for_officer, search_persons

    @dataclass(frozen=True)
    class BenchOfficer:
        actor_id: str = "bench.lookup"
        officer_role: str = OfficerRole.DEPARTMENT_ADMIN
        jurisdiction: Jurisdiction = field(default_factory=lambda: Jurisdiction(province_wide=True))

    officer = BenchOfficer()
    total = Person.objects.count()
    rng = random.Random(seed)
    ids = sorted(rng.sample(range(1, Person.objects.order_by("-id").values_list("id", flat=True)[0] + 1), samples * 2))
    people = list(Person.objects.filter(id__in=ids).values_list("personal_id", "full_name", "birth_year")[:samples])
    rng.shuffle(people)

    def timed(call: object, arguments: list[tuple[object, ...]]) -> list[float]:
        results = []
        for args in arguments:
            started = time.perf_counter()
            call(*args)  # type: ignore[operator]
            results.append(time.perf_counter() - started)
        return results

    def query(pid: str) -> None:
        Person.objects.select_related("household", "father", "mother", "spouse").get(personal_id=pid)

    def view(pid: str) -> None:
        get_person_for_officer(officer, pid)

    def search(name: str, year: int) -> None:
        result = search_persons(officer, query=name, birth_year=year)
        assert result.rows, (name, year)

    # Warm the caches (and the connection) first, as a running server would be.
    timed(query, [(p[0],) for p in people[:200]])
    timed(search, [(p[1], p[2]) for p in people[:100]])
    rows = {
        "personal ID, query": timed(query, [(p[0],) for p in people]),
        "personal ID, officer view (audited)": timed(view, [(p[0],) for p in people]),
        "name + year, with diacritics (audited)": timed(search, [(p[1], p[2]) for p in people]),
        "name + year, without diacritics (audited)": timed(search, [(fold(p[1]), p[2]) for p in people]),
    }
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "persons": total,
                "samples": len(people),
                "results": {name: percentiles(values) for name, values in rows.items()},
            }
        )
    )


def ensure_register(backend: str, people: int, args: argparse.Namespace) -> dict[str, str]:
    """Environment for a process on a register of PEOPLE persons (loaded when needed)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dancu.settings", "DANCU_ENV": "development"}
    env["DANCU_HOME"] = str(args.workdir / f"home-{backend}")
    if backend == "sqlite":
        env["DANCU_DATABASE_URL"] = f"sqlite:///{args.workdir / 'dancu-bench.sqlite3'}"
    else:
        env["DANCU_DATABASE_URL"] = f"{args.pg_url}/dancu_bench"
    probe = subprocess.run(
        [PYTHON, "-m", "dancu", "registry", "stats"], env=env, capture_output=True, text=True, check=False
    )
    if probe.returncode == 0 and json.loads(probe.stdout)["persons"] == people:
        return env
    print(f"{backend}: loading a register of {people} people first", file=sys.stderr)
    subprocess.run(
        [PYTHON, str(ROOT / "bench" / "registry_import.py"), "--people", str(people), "--backends", backend,
         "--workdir", str(args.workdir), "--pg-url", args.pg_url],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.samples, args.seed)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    print("| backend | look-up | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---:|---:|---:|")
    for backend in args.backends.split(","):
        env = ensure_register(backend.strip(), args.people, args)
        done = subprocess.run(
            [PYTHON, __file__, "--measure", "--samples", str(args.samples), "--seed", str(args.seed)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr[-3000:])
        result = json.loads(done.stdout.strip().splitlines()[-1])
        for name, (p50, p95, p99) in result["results"].items():
            print(f"| {result['vendor']} ({result['persons']:,}) | {name} | {p50:.2f} | {p95:.2f} | {p99:.2f} |")


if __name__ == "__main__":
    main()
