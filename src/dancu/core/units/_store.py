"""Load the units data file once per process and index it by code and by conversion.

The data file (``data/units-*.json.gz``) is written by ``tools/build_units.py``; its ``source``
header names the package, version and date it was built from. Exactly one such file ships.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from dancu.core.units._model import Era, Level, Unit

DATA_FORMAT = "dancu-units/1"


@dataclass(slots=True)
class Store:
    """Every unit of both eras, indexed once."""

    source: dict[str, Any]
    by_code: dict[Era, dict[str, Unit]] = field(default_factory=dict)
    by_level: dict[tuple[Era, Level], list[Unit]] = field(default_factory=dict)
    # (era, level, province code) -> the units of that level in that province, in code order
    in_province: dict[tuple[Era, Level, str], list[Unit]] = field(default_factory=dict)
    # former code -> current codes, main successor first
    successors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # current code -> former codes, in code order
    predecessors: dict[str, tuple[str, ...]] = field(default_factory=dict)


def data_file_name() -> str:
    """Name of the one data file shipped in ``data/`` (it carries the source version and date)."""
    names = sorted(
        entry.name
        for entry in resources.files("dancu.core.units").joinpath("data").iterdir()
        if entry.name.startswith("units-") and entry.name.endswith(".json.gz")
    )
    if len(names) != 1:
        raise RuntimeError(f"expected one units-*.json.gz data file, found {names}")
    return names[0]


def load() -> Store:
    """Read and index the data file (call `store` instead: it caches)."""
    raw = resources.files("dancu.core.units").joinpath("data").joinpath(data_file_name()).read_bytes()
    payload = json.loads(gzip.decompress(raw))
    if payload.get("format") != DATA_FORMAT:
        raise RuntimeError(f"units data file format {payload.get('format')!r}, expected {DATA_FORMAT!r}")
    result = Store(source=payload["source"])
    for era in ("current", "former"):
        result.by_code[era] = {}
    for era, level, rows in _levels(payload["units"]):
        known = result.by_code[era]
        units = []
        for code, name, short_name, kind, parent in rows:
            # Parents come first (see _levels), so a parent's province is already known.
            province = code if parent is None else known[parent].province_code
            unit = Unit(code, name, short_name, kind, level, era, parent, province)
            known[code] = unit
            units.append(unit)
            if level != "province":
                result.in_province.setdefault((era, level, province), []).append(unit)
        result.by_level[(era, level)] = units
    _index_conversions(result, payload)
    return result


def _levels(units: dict[str, dict[str, list[list[Any]]]]) -> Iterable[tuple[Era, Level, list[list[Any]]]]:
    """Yield each (era, level, rows) with parents before children."""
    yield "current", "province", units["current"]["province"]
    yield "current", "commune", units["current"]["commune"]
    yield "former", "province", units["former"]["province"]
    yield "former", "district", units["former"]["district"]
    yield "former", "commune", units["former"]["commune"]


def _index_conversions(result: Store, payload: dict[str, Any]) -> None:
    """Fill successors (former -> current) and predecessors (current -> former) for all levels."""
    successors: dict[str, tuple[str, ...]] = {}
    for old, news, _partly in payload["commune_conversion"]:
        successors[old] = tuple(news)
    for old, news in payload["province_conversion"]:
        successors[old] = tuple(news)
    # A former district's successors are the current communes its communes went to, the one
    # that received most of them first; island districts without communes have their own rows.
    by_district: dict[str, Counter[str]] = defaultdict(Counter)
    for commune in result.by_level[("former", "commune")]:
        for new in successors.get(commune.code, ()):
            by_district[commune.parent_code or ""][new] += 1
    for old, news in payload["district_conversion"]:
        by_district[old].update(news)
    for district, counts in by_district.items():
        successors[district] = tuple(code for code, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    result.successors = successors

    predecessors: dict[str, set[str]] = defaultdict(set)
    for old, news in [(o, n) for o, n, _p in payload["commune_conversion"]] + payload["district_conversion"]:
        for new in news:
            predecessors[new].add(old)
    for old, news in payload["province_conversion"]:
        for new in news:
            predecessors[new].add(old)
    result.predecessors = {new: tuple(sorted(olds)) for new, olds in predecessors.items()}


# Reentrant: the name index (built under it) reads the store, which may load under it.
lock = threading.RLock()
_loaded: list[Store] = []


def store() -> Store:
    """The process-wide store, loaded on first use (thread-safe)."""
    if not _loaded:
        with lock:
            if not _loaded:
                _loaded.append(load())
    return _loaded[0]
