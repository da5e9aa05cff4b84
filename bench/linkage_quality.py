"""Quality of Dancu's linkage against plain Splink and exact-ID matching, same data.

    .venv/bin/python bench/linkage_quality.py --register 200000 --extract 50000 --seed 1
    .venv/bin/python bench/linkage_quality.py --register 200000 --extract 50000 --seed 1 --style retyped
    .venv/bin/python bench/linkage_quality.py --register 200000 --extract 50000 --seed 1 --style insurance

Builds a synthetic register (``dancu.registry.synthetic``) and a messy extract
from it (``--style messy``: ``dancu.linkage.engine.messy``, an agency database
exported to Excel; ``--style retyped``: ``dancu.linkage.engine.retyped``, an
independently written error model of a list re-typed from paper forms;
``--style insurance``: ``dancu.linkage.engine.insurance``, a third, a health-insurance
list exported from an old system), links it three ways and prints F1,
precision, recall, review share and wall time for each, plus a JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import fields
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from linkage_baselines import exact_id, plain_splink

from dancu.linkage.engine.insurance import make_insurance_extract
from dancu.linkage.engine.messy import MessyOptions, make_messy_extract, register_rows
from dancu.linkage.engine.pipeline import link
from dancu.linkage.engine.quality import measure
from dancu.linkage.engine.retyped import make_retyped_extract
from dancu.registry.synthetic import generate_province


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--register", type=int, default=200_000)
    parser.add_argument("--extract", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", default="dancu,plain_splink,exact_id")
    parser.add_argument(
        "--mess",
        type=float,
        default=1.0,
        help="scale every mess rate of the generator (0.5 = half as messy)",
    )
    parser.add_argument("--style", choices=("messy", "retyped", "insurance"), default="messy")
    args = parser.parse_args()

    started = time.perf_counter()
    register = register_rows(generate_province(args.register, seed=args.seed))
    defaults = MessyOptions()
    options = MessyOptions(**{f.name: getattr(defaults, f.name) * args.mess for f in fields(MessyOptions)})
    if args.style == "retyped":
        extract = make_retyped_extract(register, args.extract, seed=args.seed + 2000)
    elif args.style == "insurance":
        extract = make_insurance_extract(register, args.extract, seed=args.seed + 3000)
    else:
        extract = make_messy_extract(register, args.extract, seed=args.seed + 1000, options=options)
    register_table = pa.Table.from_pylist(register)
    print(
        f"data: register {len(register):,}, extract {len(extract.rows):,} rows "
        f"({time.perf_counter() - started:.0f} s to generate)"
    )

    report = {}
    for method in args.methods.split(","):
        t0 = time.perf_counter()
        if method == "dancu":
            table = link(extract.rows, register_table).table
            result = {
                r["row_id"]: (r["status"], r["personal_id"])
                for r in table.select(["row_id", "status", "personal_id"]).to_pylist()
            }
        elif method == "plain_splink":
            result = plain_splink(extract.rows, register_table)
        elif method == "exact_id":
            result = exact_id(extract.rows, register_table)
        else:
            raise SystemExit(f"unknown method {method}")
        seconds = time.perf_counter() - t0
        quality = measure(result, extract.truth).as_dict()
        report[method] = {**quality, "seconds": round(seconds, 1)}
        print(
            f"{method:>13}: F1 {quality['f1']:.4f}  precision {quality['precision']:.4f}  "
            f"recall {quality['recall']:.4f}  review {100 * quality['review_share']:.2f}%  "
            f"FP {quality['false_positives']}  FN {quality['false_negatives']}  {seconds:.1f} s"
        )
    print(
        json.dumps(
            {
                "register": args.register,
                "extract": args.extract,
                "seed": args.seed,
                "style": args.style,
                "mess": args.mess,
                **report,
            }
        )
    )


if __name__ == "__main__":
    main()
