"""Build Dancu's administrative-units data file from the `vietnam-provinces` package.

Usage::

    pip download --no-deps --python-version 3.12 --only-binary=:all: vietnam-provinces -d /tmp/vp
    python tools/build_units.py /tmp/vp/vietnam_provinces-2026.9.0-py3-none-any.whl

The argument may be the wheel, the sdist (.tar.gz) or an unpacked directory. The package is
GPL-3.0 and declares Python >= 3.12, so Dancu never imports it: this tool *reads* its published
tables as facts (with attribution) through `ast`, without executing any of its code, and writes
``src/dancu/core/units/data/units-vietnam-provinces-<version>-<data date>.json.gz``.

Tables read (paths inside the package):

- ``__init__.py``: ``__version__`` and ``__data_version__`` (the date the data was retrieved);
- ``_lookup.py``: current provinces and communes (from 1 July 2025);
- ``legacy/_lookup.py``: former provinces, districts and communes (before 1 July 2025);
- ``_ward_conversion_2025.py``: the official old -> new commune conversion table;
- ``data/nested-divisions.json``: only to cross-check names, differences are reported.

The tool checks the tables (unique codes, known parents, NFC names, type word in every name,
conversion rows pointing at known units) and fails loudly on anything it does not understand.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import sys
import tarfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "src" / "dancu" / "core" / "units" / "data"
FORMAT = "dancu-units/1"
PACKAGE = "vietnam_provinces"

# Division-type enum member -> (kind in English snake_case, level, type word that starts the name).
# Province-level "thành phố trung ương" and district-level "thành phố" are both "city": the
# level tells them apart.
DIVISION_TYPES: dict[str, tuple[str, str, str]] = {
    "TINH": ("province", "province", "Tỉnh"),
    "THANH_PHO_TRUNG_UONG": ("city", "province", "Thành phố"),
    "HUYEN": ("district", "district", "Huyện"),
    "QUAN": ("urban_district", "district", "Quận"),
    "THANH_PHO": ("city", "district", "Thành phố"),
    "THI_XA": ("town", "district", "Thị xã"),
    "XA": ("commune", "commune", "Xã"),
    "PHUONG": ("ward", "commune", "Phường"),
    "THI_TRAN": ("township", "commune", "Thị trấn"),
    "DAC_KHU": ("special_zone", "commune", "Đặc khu"),
}
CODE_WIDTH = {"province": 2, "district": 3, "commune": 5}


class BuildError(Exception):
    """The source package does not look like what this tool understands."""


@dataclass(frozen=True)
class Call:
    """A constructor call found in a data table, e.g. ``Ward('Phường X', WardCode.W_00004, ...)``."""

    func: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class EnumRef:
    """An enum member reference such as ``ProvinceCode.P_01``."""

    enum: str
    member: str


def literal(node: ast.expr) -> Any:
    """Evaluate a data-table expression without executing code."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise BuildError(f"dict unpacking is not data (line {node.lineno})")
        return {literal(k): literal(v) for k, v in zip(node.keys, node.values, strict=True) if k}
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return EnumRef(node.value.id, node.attr)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        return Call(node.func.id, tuple(literal(a) for a in node.args))
    raise BuildError(f"unexpected expression {ast.dump(node)[:80]} (line {node.lineno})")


def module_assignments(source: str, names: set[str]) -> dict[str, Any]:
    """Return the literal values of the named top-level assignments of a module."""
    found: dict[str, Any] = {}
    for stmt in ast.parse(source).body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            target, value = stmt.target, stmt.value
        if isinstance(target, ast.Name) and target.id in names and value is not None:
            found[target.id] = literal(value)
    missing = names - found.keys()
    if missing:
        raise BuildError(f"missing tables {sorted(missing)}")
    return found


def package_reader(path: Path) -> Callable[[str], str]:
    """Return a function reading a file (relative to the package folder) from PATH."""
    if path.is_dir():
        roots = [p.parent for p in path.rglob(f"{PACKAGE}/__init__.py")]
        if len(roots) != 1:
            raise BuildError(f"expected one {PACKAGE}/ folder under {path}, found {len(roots)}")
        root = roots[0]
        return lambda name: (root / name).read_text(encoding="utf-8")
    files: dict[str, bytes] = {}
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            for name in wheel.namelist():
                if name.startswith(f"{PACKAGE}/"):
                    files[name.removeprefix(f"{PACKAGE}/")] = wheel.read(name)
    elif path.name.endswith(".tar.gz"):
        prefix = f"{path.name.removesuffix('.tar.gz')}/{PACKAGE}/"
        with tarfile.open(path) as tar:
            for member in tar.getmembers():
                extracted = tar.extractfile(member) if member.name.startswith(prefix) else None
                if extracted is not None:
                    files[member.name.removeprefix(prefix)] = extracted.read()
    else:
        raise BuildError(f"{path}: expected a wheel, an sdist .tar.gz or a directory")

    def read(name: str) -> str:
        if name not in files:
            raise BuildError(f"{name} is not in {path}")
        return files[name].decode("utf-8")

    return read


def enum_int(ref: Any, enum: str) -> int:
    """``ProvinceCode.P_01`` -> 1 (the package names code members by their zero-padded code)."""
    if not isinstance(ref, EnumRef) or ref.enum != enum:
        raise BuildError(f"expected a {enum} member, got {ref!r}")
    return int(ref.member.split("_", 1)[1])


def unit_row(call: Any, func: str, level: str, code: int, parent_level: str | None, notes: list[str]) -> list[Any]:
    """Turn ``Ward('Phường X', WardCode.W_…, VietNamDivisionType.PHUONG, codename, parent)`` into a row.

    Row: code, name, short_name, kind, parent_code. A type word in the wrong case ("xã Bắc Sơn")
    is corrected and noted in NOTES.
    """
    if not isinstance(call, Call) or call.func != func:
        raise BuildError(f"expected {func}(...), got {call!r}")
    name, code_ref, type_ref = call.args[0], call.args[1], call.args[2]
    if not isinstance(name, str) or not isinstance(type_ref, EnumRef):
        raise BuildError(f"unexpected {func} row {call!r}")
    if type_ref.member not in DIVISION_TYPES:
        raise BuildError(f"unknown division type {type_ref.member} for {name}")
    kind, type_level, type_word = DIVISION_TYPES[type_ref.member]
    if type_level != level:
        raise BuildError(f"{name}: division type {type_ref.member} is not a {level}")
    if enum_int(code_ref, code_ref.enum) != code:
        raise BuildError(f"{name}: key {code} differs from its code {code_ref}")
    if unicodedata.normalize("NFC", name) != name or name != " ".join(name.split()):
        raise BuildError(f"{name!r} is not NFC with single spaces")
    if not name.startswith(type_word + " ") and name.lower().startswith(type_word.lower() + " "):
        fixed = type_word + name[len(type_word) :]
        notes.append(f"{pad(code, level)}: corrected the type word of {name!r} to {fixed!r}")
        name = fixed
    if not name.startswith(type_word + " "):
        raise BuildError(f"{name!r} does not start with its type word {type_word!r}")
    short_name = name[len(type_word) + 1 :]
    parent = None
    if parent_level is not None:
        parent_enum = {"province": "ProvinceCode", "district": "DistrictCode"}[parent_level]
        parent = pad(enum_int(call.args[4], parent_enum), parent_level)
    return [pad(code, level), name, short_name, kind, parent]


def pad(code: int, level: str) -> str:
    """Official codes are zero-padded strings: province 2, district 3, commune 5 digits."""
    return str(code).zfill(CODE_WIDTH[level])


def read_units(read: Callable[[str], str], notes: list[str]) -> dict[str, Any]:
    """Read both eras and the conversion tables into the data-file structure."""
    init = module_assignments(read("__init__.py"), {"__version__", "__data_version__"})
    current = module_assignments(read("_lookup.py"), {"PROVINCE_MAPPING", "WARD_MAPPING"})
    former = module_assignments(read("legacy/_lookup.py"), {"PROVINCE_MAPPING", "DISTRICT_MAPPING", "WARD_MAPPING"})
    conversion = module_assignments(read("_ward_conversion_2025.py"), {"OLD_TO_NEW", "EFFECTIVE_DATE", "SOURCE"})

    def rows(table: dict[int, Any], func: str, level: str, parent: str | None) -> list[Any]:
        return [unit_row(table[k], func, level, k, parent, notes) for k in sorted(table)]

    units = {
        "current": {
            "province": rows(current["PROVINCE_MAPPING"], "Province", "province", None),
            "commune": rows(current["WARD_MAPPING"], "Ward", "commune", "province"),
        },
        "former": {
            "province": rows(former["PROVINCE_MAPPING"], "Province", "province", None),
            "district": rows(former["DISTRICT_MAPPING"], "District", "district", "province"),
            "commune": rows(former["WARD_MAPPING"], "Ward", "commune", "district"),
        },
    }
    # Old commune -> new communes, in the order the table publishes them, with its flag saying
    # the old commune was only partly merged into (each of) the new one(s).
    commune_conversion = []
    # The district and province the conversion table itself gives for each former commune, kept
    # only to cross-check it against the former unit list.
    old_refs: dict[str, tuple[str, str]] = {}
    for old in sorted(conversion["OLD_TO_NEW"]):
        entry = conversion["OLD_TO_NEW"][old]
        old_ref, new_refs = entry.args
        if old_ref.args[0] != old or not isinstance(old_ref.args[3], bool):
            raise BuildError(f"conversion row {old} is malformed: {entry!r}")
        news = [pad(ref.args[0], "commune") for ref in new_refs]
        commune_conversion.append([pad(old, "commune"), news, old_ref.args[3]])
        old_refs[pad(old, "commune")] = (pad(old_ref.args[1], "district"), pad(old_ref.args[2], "province"))
    return {
        "version": init["__version__"],
        "data_version": init["__data_version__"],
        "effective_date": conversion["EFFECTIVE_DATE"],
        "conversion_source": conversion["SOURCE"],
        "units": units,
        "commune_conversion": commune_conversion,
        "old_refs": old_refs,
    }


def derive_conversions(data: dict[str, Any], read: Callable[[str], str], notes: list[str]) -> None:
    """Add the province conversion and the island-district conversion to DATA.

    Provinces: the package derives its province table from the commune table; we do the same and
    order each former province's successors by how many of its communes went to each, so the
    main successor comes first (Tiền Giang 82 -> Đồng Tháp 82, then Tây Ninh 80 for one commune).
    The province of a former commune is taken from the former unit list (commune -> district ->
    province), not from the conversion row's own province column, which has errors (see
    `check`); differences from the package's ``_province_conversion_2025.py`` go to NOTES.

    Island districts: five special zones (đặc khu) were formed from island districts that had no
    commune level, so the commune table has no row for them. Each is linked to the former district
    of the same short name in one of its predecessor provinces, and only when exactly one matches.
    """
    units = data["units"]
    district_province = {r[0]: r[4] for r in units["former"]["district"]}
    commune_province = {r[0]: district_province[r[4]] for r in units["former"]["commune"]}
    current_province = {r[0]: r[4] for r in units["current"]["commune"]}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for old, news, _partly in data["commune_conversion"]:
        if old in commune_province:
            for new in news:
                counts[commune_province[old]][current_province[new]] += 1
    province_conversion: list[tuple[str, list[str]]] = [
        (old, [new for new, _n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))])
        for old, c in sorted(counts.items())
    ]
    published = module_assignments(read("_province_conversion_2025.py"), {"OLD_TO_NEW"})
    theirs = {
        pad(k, "province"): {pad(ref.args[0], "province") for ref in v.args[1]}
        for k, v in published["OLD_TO_NEW"].items()
    }
    ours = {old: set(news) for old, news in province_conversion}
    for old in sorted(ours.keys() | theirs.keys()):
        if ours.get(old) != theirs.get(old):
            notes.append(
                f"province conversion {old}: ours {sorted(ours.get(old, ()))}, package {sorted(theirs.get(old, ()))}"
            )
    data["province_conversion"] = province_conversion

    reached = {n for _old, news, _p in data["commune_conversion"] for n in news}
    predecessors: dict[str, set[str]] = defaultdict(set)
    for old, news in province_conversion:
        for new in news:
            predecessors[new].add(old)
    district_conversion: list[tuple[str, list[str]]] = []
    for code, _name, short_name, kind, province in units["current"]["commune"]:
        if code in reached or kind != "special_zone":
            continue
        matches = [r[0] for r in units["former"]["district"] if r[2] == short_name and r[4] in predecessors[province]]
        if len(matches) == 1:
            district_conversion.append((matches[0], [code]))
    data["district_conversion"] = sorted(district_conversion)


def check(data: dict[str, Any]) -> list[str]:
    """Validate references; return the warnings worth reading (facts we keep but note)."""
    warnings: list[str] = []
    units = data["units"]
    for era, levels in units.items():
        for level, level_rows in levels.items():
            codes = [r[0] for r in level_rows]
            if len(set(codes)) != len(codes):
                raise BuildError(f"duplicate {era} {level} codes")
    parents = {
        ("current", "commune"): {r[0] for r in units["current"]["province"]},
        ("former", "district"): {r[0] for r in units["former"]["province"]},
        ("former", "commune"): {r[0] for r in units["former"]["district"]},
    }
    for (era, level), known in parents.items():
        for r in units[era][level]:
            if r[4] not in known:
                raise BuildError(f"{era} {level} {r[0]} {r[1]} has unknown parent {r[4]}")
    current = {r[0] for r in units["current"]["commune"]}
    former = {r[0] for r in units["former"]["commune"]}
    converted = set()
    for old, news, _partly in data["commune_conversion"]:
        if old not in former:
            warnings.append(f"conversion row for unknown former commune {old} -> {news}")
        unknown = [n for n in news if n not in current]
        if unknown:
            warnings.append(f"conversion row {old} -> unknown current communes {unknown}")
        converted.add(old)
    district_province = {r[0]: r[4] for r in units["former"]["district"]}
    commune_district = {r[0]: r[4] for r in units["former"]["commune"]}
    for old, (district, province) in sorted(data["old_refs"].items()):
        if old in commune_district:
            ours = (commune_district[old], district_province[commune_district[old]])
            if ours != (district, province):
                warnings.append(
                    f"conversion row {old} places it in district {district} province {province}; "
                    f"the former unit list says district {ours[0]} province {ours[1]} (kept)"
                )
    for code in sorted(former - converted):
        warnings.append(f"former commune {code} has no row in the conversion table")
    reached = {n for _old, news, _p in data["commune_conversion"] for n in news}
    reached |= {n for _old, news in data["district_conversion"] for n in news}
    for code in sorted(current - reached):
        warnings.append(f"current commune {code} has no predecessor in the conversion table")
    return warnings


def compare_json(data: dict[str, Any], read: Callable[[str], str]) -> list[str]:
    """Report where the package's JSON export differs from its Python tables."""
    notes: list[str] = []
    try:
        nested = json.loads(read("data/nested-divisions.json"))
    except (FileNotFoundError, BuildError):
        return ["data/nested-divisions.json not found; no cross-check"]
    ours = {r[0]: r[1] for level in data["units"]["current"].values() for r in level}
    theirs: dict[str, str] = {}
    for p in nested:
        theirs[pad(p["code"], "province")] = p["name"]
        for w in p["wards"]:
            theirs[pad(w["code"], "commune")] = w["name"]
    for code in sorted(ours.keys() | theirs.keys()):
        if ours.get(code) != theirs.get(code):
            notes.append(f"{code}: tables {ours.get(code)!r} / JSON {theirs.get(code)!r}")
    return notes


def write(data: dict[str, Any], licence: str, notes: list[str]) -> Path:
    """Write the data file (deterministic bytes) and remove the files of older builds."""
    name = f"units-vietnam-provinces-{data['version']}-{data['data_version']}.json.gz"
    payload = {
        "format": FORMAT,
        "source": {
            "package": "vietnam-provinces",
            "version": data["version"],
            "data_version": data["data_version"],
            "url": "https://pypi.org/project/vietnam-provinces/",
            "repository": "https://github.com/sunshine-tech/VietnamProvinces",
            "author": "Nguyễn Hồng Quân",
            "licence": licence,
            "upstream": "National Statistics Office of Viet Nam (danhmuchanhchinh.nso.gov.vn)",
            "conversion_table": data["conversion_source"],
            "effective_date": data["effective_date"],
            "note": "Facts (names, codes, conversion) taken from the package's published "
            "tables by tools/build_units.py; the package itself is not used at run time.",
            "build_notes": notes,
        },
        "columns": ["code", "name", "short_name", "kind", "parent_code"],
        "units": data["units"],
        "commune_conversion_columns": ["former_code", "current_codes", "partly_merged"],
        "commune_conversion": data["commune_conversion"],
        "province_conversion_columns": ["former_code", "current_codes"],
        "province_conversion": data["province_conversion"],
        "district_conversion_columns": ["former_code", "current_codes"],
        "district_conversion": data["district_conversion"],
    }
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    target = DATA_DIR / name
    for old in DATA_DIR.glob("units-*.json.gz"):
        if old != target:
            old.unlink()
    # mtime=0 and no file name inside the gzip header: the same input gives the same bytes.
    with target.open("wb") as out, gzip.GzipFile("", "wb", 9, out, mtime=0) as gz:
        gz.write(raw)
    return target


def licence_of(path: Path) -> str:
    """The licence declared in the package metadata (wheel METADATA, sdist or folder PKG-INFO)."""
    texts: list[str] = []
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            texts = [wheel.read(n).decode("utf-8") for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    elif path.name.endswith(".tar.gz"):
        with tarfile.open(path) as tar:
            member = tar.extractfile(f"{path.name.removesuffix('.tar.gz')}/PKG-INFO")
            texts = [member.read().decode("utf-8")] if member else []
    else:
        found = [*path.rglob("METADATA"), *path.rglob("PKG-INFO")]
        texts = [p.read_text(encoding="utf-8") for p in found]
    for text in texts:
        for line in text.splitlines():
            if line.startswith("License-Expression:"):
                return line.split(":", 1)[1].strip()
    raise BuildError(f"no License-Expression in the metadata of {path}")


def main(argv: list[str] | None = None) -> int:
    """Build the data file and print counts, warnings and differences."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path, help="vietnam-provinces wheel, sdist or directory")
    args = parser.parse_args(argv)
    read = package_reader(args.package)
    warnings: list[str] = []
    data = read_units(read, warnings)
    derive_conversions(data, read, warnings)
    warnings += check(data)
    differences = compare_json(data, read)
    target = write(data, licence_of(args.package), warnings + differences)
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")
    print(f"source vietnam-provinces {data['version']}, data {data['data_version']}")
    for era, levels in data["units"].items():
        for level, level_rows in levels.items():
            kinds = Counter(r[3] for r in level_rows)
            print(f"{era:8} {level:9} {len(level_rows):6,}  {dict(sorted(kinds.items()))}")
    conv = data["commune_conversion"]
    split = sum(1 for _o, news, _p in conv if len(news) > 1)
    print(f"conversion rows {len(conv):,}; former communes split among several: {split:,}")
    by_target: dict[str, int] = defaultdict(int)
    for _o, news, _p in conv:
        for n in news:
            by_target[n] += 1
    print(f"current communes reached by the conversion: {len(by_target):,}")
    print(f"island districts linked to special zones: {data['district_conversion']}")
    moved = {old: news for old, news in data["province_conversion"] if len(news) > 1}
    print(f"former provinces with several successors (main first): {moved}")
    for line in warnings:
        print("warning:", line)
    for line in differences:
        print("JSON differs:", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
