"""Benchmark: migration ``registry.0002_public_ids`` on a large register, beside the import that
built it.

    .venv/bin/python bench/registry_public_ids.py --people 2000000 [--backends sqlite,postgresql]
        [--pg-url postgresql://postgres@127.0.0.1:5432] [--workdir var/bench]

For each backend, on a fresh database: migrate, ``dancu registry import`` the synthetic province
(the baseline: the work of a first load), unapply 0002 (drop the public ids), then apply it again
— every person and household gets a new random id drawn by the database — and check that the ids
are all distinct. Prints a Markdown table for docs/benchmarks.md. Run it under the shared lock
(``flock /work/bench.lock ...``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry_import import ROOT, dancu, fresh_postgresql, synthetic_csv  # the sibling benchmark

DISTINCT = (
    "import django; django.setup(); "
    "from dancu.registry.models import Household, Person; "
    "print(Person.objects.count(), Person.objects.values('public_id').distinct().count(), "
    "Household.objects.count(), Household.objects.values('public_id').distinct().count())"
)


def run_backend(backend: str, path: Path, args: argparse.Namespace) -> dict[str, object]:
    workdir: Path = args.workdir
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dancu.settings", "DANCU_ENV": "development"}
    env["DANCU_HOME"] = str(workdir / f"home-ids-{backend}")
    if backend == "sqlite":
        db_file = workdir / "dancu-ids.sqlite3"
        for leftover in workdir.glob(db_file.name + "*"):
            leftover.unlink()
        env["DANCU_DATABASE_URL"] = f"sqlite:///{db_file}"
    else:
        fresh_postgresql(args.pg_url, "dancu_bench_ids")
        env["DANCU_DATABASE_URL"] = f"{args.pg_url}/dancu_bench_ids"
    dancu(env, "manage", "migrate", "-v0")
    imported, _ = dancu(env, "registry", "import", str(path), "--quiet")
    dropped, _ = dancu(env, "manage", "migrate", "registry", "0001", "-v0")
    added, _ = dancu(env, "manage", "migrate", "registry", "0002", "-v0")
    counts = subprocess.run(
        [sys.executable, "-c", DISTINCT], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    persons, distinct_persons, households, distinct_households = (int(c) for c in counts)
    assert (persons, households) == (distinct_persons, distinct_households), counts
    return {
        "backend": backend,
        "persons": persons,
        "households": households,
        "import": imported,
        "unapply": dropped,
        "apply": added,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = synthetic_csv(args.workdir, args.people, args.seed)
    started = time.strftime("%Y-%m-%d %H:%M")
    rows = [run_backend(backend, path, args) for backend in args.backends.split(",")]
    print(f"\n{args.people:,} people, started {started}, load average now {os.getloadavg()[0]:.1f}\n")
    print(
        "| backend | persons | households | import (baseline), s | unapply 0002, s | apply 0002, s | apply ÷ import |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        share = float(str(r["apply"])) / float(str(r["import"]))
        print(
            f"| {r['backend']} | {r['persons']:,} | {r['households']:,} | {r['import']:.1f} | "
            f"{r['unapply']:.1f} | {r['apply']:.1f} | {share:.0%} |"
        )


if __name__ == "__main__":
    main()
