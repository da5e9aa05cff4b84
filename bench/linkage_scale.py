"""Wall time and peak memory of linkage at scale: Dancu vs plain Splink vs exact-ID.

    .venv/bin/python bench/linkage_scale.py --register 2000000 --extract 1000000

Generates (once, cached under bench/out/) a synthetic register as Parquet and a
messy extract as CSV, then links the extract in a fresh process per method and
reports each one's wall time, peak resident memory and quality, side by side.
Only the linking is timed: reading the extract file and the register Parquet is
part of it; generating the data is not.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

OUT = Path(__file__).resolve().parent / "out"
_KEEP = (
    "personal_id", "full_name", "birth_date", "sex", "old_id_number", "household_id",
    "relation_to_head", "father_id", "mother_id", "spouse_id", "province_code", "commune_code",
    "commune_name", "address_line", "phone", "former_commune_codes",
)  # fmt: skip
#: Bumped when the generated data change, so that a cached older register is not reused
#: (2: the register keeps earlier residences, and some rows give them).
_DATA_VERSION = 2


def _paths(register: int, extract: int, seed: int) -> tuple[Path, Path, Path]:
    stem = f"linkage_{register}_{extract}_{seed}_v{_DATA_VERSION}"
    return OUT / f"{stem}_register.parquet", OUT / f"{stem}_extract.csv", OUT / f"{stem}_truth.json"


def generate(register: int, extract: int, seed: int) -> tuple[Path, Path, Path]:
    """Write the register (Parquet), the extract (CSV) and the truth (JSON), once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dancu.linkage.engine.messy import make_messy_extract
    from dancu.registry.synthetic import generate_province

    reg_path, ext_path, truth_path = _paths(register, extract, seed)
    if reg_path.exists() and ext_path.exists() and truth_path.exists():
        return reg_path, ext_path, truth_path
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows = [{k: getattr(p, k) for k in _KEEP} for p in generate_province(register, seed=seed)]
    pq.write_table(pa.Table.from_pylist(rows), reg_path)
    print(f"register: {len(rows):,} people in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    messy = make_messy_extract(rows, extract, seed=seed + 1000)
    with ext_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=messy.headers)
        writer.writeheader()
        writer.writerows(messy.rows)
    truth_path.write_text(json.dumps(messy.truth), encoding="utf-8")
    print(f"extract: {len(messy.rows):,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    return reg_path, ext_path, truth_path


def run_one(method: str, reg_path: Path, ext_path: Path, truth_path: Path) -> dict[str, object]:
    """Link once in this process; return time, peak memory and quality."""
    from linkage_baselines import exact_id, plain_splink

    from dancu.linkage.engine.pipeline import link
    from dancu.linkage.engine.quality import measure

    stages: dict[str, float] = {}
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, round(time.perf_counter() - started, 1))

    if method == "dancu":
        table = link(ext_path, str(reg_path), progress=progress).table
        result = {
            r["row_id"]: (r["status"], r["personal_id"])
            for r in table.select(["row_id", "status", "personal_id"]).to_pylist()
        }
    elif method == "plain_splink":
        result = plain_splink(ext_path, reg_path)
    elif method == "exact_id":
        result = exact_id(ext_path, reg_path)
    else:
        raise SystemExit(f"unknown method {method}")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    return {
        "method": method,
        "seconds": round(seconds, 1),
        "peak_memory_mb": round(peak_mb),
        "stages_started_at": stages,
        **measure(result, truth).as_dict(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--register", type=int, default=2_000_000)
    parser.add_argument("--extract", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", default="dancu,plain_splink,exact_id")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    reg_path, ext_path, truth_path = _paths(args.register, args.extract, args.seed)
    if args.run:
        print(json.dumps(run_one(args.run, reg_path, ext_path, truth_path)))
        return
    generate(args.register, args.extract, args.seed)
    results = []
    for method in args.methods.split(","):
        completed = subprocess.run(
            [sys.executable, __file__, "--register", str(args.register), "--extract", str(args.extract),
             "--seed", str(args.seed), "--run", method],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
        if completed.returncode != 0 or not lines:
            print(f"{method}: failed\n{completed.stderr[-3000:]}", flush=True)
            continue
        result = json.loads(lines[-1])
        results.append(result)
        print(
            f"{method:>13}: {result['seconds']:7.1f} s  peak {result['peak_memory_mb']:6,} MB  "
            f"F1 {result['f1']:.4f}  precision {result['precision']:.4f}  recall {result['recall']:.4f}  "
            f"review {100 * result['review_share']:.2f}%",
            flush=True,
        )
    print(json.dumps({"register": args.register, "extract": args.extract, "seed": args.seed, "results": results}))


if __name__ == "__main__":
    main()
