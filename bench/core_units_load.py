"""How long loading the administrative units and building the name index takes, beside a
baseline of merely decompressing and parsing the same data file.

    .venv/bin/python bench/core_units_load.py
"""

from __future__ import annotations

import gzip
import json
import statistics
import time
from importlib import resources

from dancu.core.units import _search, _store


def main() -> None:
    data = resources.files("dancu.core.units").joinpath("data").joinpath(_store.data_file_name())
    rounds = 7
    baseline, full = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        json.loads(gzip.decompress(data.read_bytes()))
        baseline.append(time.perf_counter() - start)
        start = time.perf_counter()
        loaded = _store.load()
        _search.NameIndex.build(u for era in loaded.by_code.values() for u in era.values())
        full.append(time.perf_counter() - start)
    print(f"{'what':<40} {'median s':>10}")
    print(f"{'gunzip + json.loads (baseline)':<40} {statistics.median(baseline):>10.3f}")
    print(f"{'load + index':<40} {statistics.median(full):>10.3f}")


if __name__ == "__main__":
    main()
