"""Read free-text Vietnamese addresses into administrative units, old or new.

An extract says "Thôn 3, X. Tân Phong, H. Kiến Thụy, TP Hải Phòng" (the district
level was abolished on 1 July 2025), "xã Tân Phong, Hải Phòng" (current units) or
"P.7, Q.3, TP.HCM". :func:`parse_address` cuts it into village, commune, district
and province; :func:`resolve_addresses` maps each to the *current* commune codes
it may mean (a former commune split between several new ones gives several) and
the current province, which is what the register stores.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type stubs

from dancu.core import units
from dancu.core.text import fold

__all__ = [
    "ParsedAddress",
    "ResolvedAddresses",
    "parse_address",
    "resolve_address",
    "resolve_addresses",
    "resolve_register_communes",
]

# Type words and their abbreviations, folded, by level. Longest first so "thi tran"
# wins over "thi", "tp" over "t".
_PREFIXES: Final[tuple[tuple[str, str], ...]] = tuple(
    sorted(
        [
            ("tinh", "province"), ("t", "province"), ("thanh pho", "city"), ("tp", "city"),
            ("huyen", "district"), ("h", "district"), ("quan", "district"), ("q", "district"),
            ("thi xa", "district"), ("tx", "district"),
            ("xa", "commune"), ("x", "commune"), ("phuong", "commune"), ("p", "commune"),
            ("f", "commune"), ("thi tran", "commune"), ("tt", "commune"),
            ("dac khu", "commune"),
            ("thon", "village"), ("xom", "village"), ("ap", "village"), ("ban", "village"),
            ("to dan pho", "village"), ("to", "village"), ("khu pho", "village"),
            ("kp", "village"), ("khom", "village"), ("so", "village"), ("ngo", "village"),
        ],
        key=lambda p: -len(p[0]),
    )
)  # fmt: skip
_PREFIX_RE: Final = re.compile(r"^(" + "|".join(re.escape(p) for p, _ in _PREFIXES) + r")(?:\.|\s+|(?=\d))\s*(.*)$")
_PREFIX_LEVEL: Final = dict(_PREFIXES)
# Keywords that start a unit when an address has no commas: "Xã A Huyện B Tỉnh C".
_SPLIT_BEFORE: Final = re.compile(r"\s+(?=(?:xa|phuong|thi tran|huyen|quan|thi xa|tinh|thanh pho|tp)\b)")
_PROVINCE_ALIASES: Final[dict[str, str]] = {
    "hcm": "ho chi minh", "tphcm": "ho chi minh", "sai gon": "ho chi minh",
    "hn": "ha noi", "hp": "hai phong", "brvt": "ba ria vung tau", "tt hue": "thua thien hue",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """The parts of an address, each folded (no diacritics, lowercase) or empty.

    ``*_level`` records the type word that was written ("city" for "TP"), which
    tells a provincial city (TP Hải Phòng) from a district-level one (TP Hải Dương).
    """

    village: str = ""
    commune: str = ""
    district: str = ""
    province: str = ""
    district_level: str = ""
    province_level: str = ""


_SEPARATORS: Final = re.compile(r"[,;|]|\s-\s|\n")
_LEADING_DIGIT: Final = re.compile(r"^\d")


def _segments(text: str) -> list[tuple[str, str]]:
    """Folded (level, name) segments; level is "" where no type word was written."""
    folded = fold(text).replace("tp.hcm", "tp hcm")
    raw = [s.strip() for s in _SEPARATORS.split(folded) if s.strip()]
    pieces: list[str] = []
    if len(raw) == 1:  # noqa: SIM108
        # No separators at all: cut before each type word instead. Only then, since
        # unit names contain such words once folded ("Quán Toan" -> "quan toan").
        pieces = [p.strip() for p in _SPLIT_BEFORE.split(raw[0]) if p.strip()]
    else:
        pieces = raw
    out: list[tuple[str, str]] = []
    for piece in pieces:
        match = _PREFIX_RE.match(piece)
        if match and match.group(2):
            out.append((_PREFIX_LEVEL[match.group(1)], match.group(2).strip(" .")))
        else:
            out.append(("", piece.strip(" .")))
    return out


def parse_address(text: str) -> ParsedAddress:
    """Cut an address into village, commune, district and province (folded names).

    Units are read from the right (the province comes last in Vietnamese
    addresses); a segment without a type word takes the next level up that is
    still free.
    """
    segments = _segments(text)
    found: dict[str, str] = {}
    levels: dict[str, str] = {}
    order = ("province", "district", "commune", "village")
    for written, name in reversed(segments):
        if written == "city":
            level = "province" if "province" not in found else "district"
        elif written:
            level = written
        else:
            free = [lvl for lvl in order if lvl not in found]
            # Numbers and house numbers are no unit names.
            level = "village" if not free or _LEADING_DIGIT.match(name) else free[0]
        if level in found:
            if level != "village":
                continue
            found[level] = f"{name}, {found[level]}"
            continue
        found[level] = name
        levels[level] = written
    return ParsedAddress(
        village=found.get("village", ""),
        commune=found.get("commune", ""),
        district=found.get("district", ""),
        province=_PROVINCE_ALIASES.get(found.get("province", ""), found.get("province", "")),
        district_level=levels.get("district", ""),
        province_level=levels.get("province", ""),
    )


@dataclass
class _Index:
    provinces: dict[str, dict[str, list[str]]]  # era -> folded name -> codes
    districts: dict[str, list[tuple[str, str]]]  # folded name -> (code, former province)
    communes: dict[tuple[str, str], dict[str, list[str]]]  # (era, province) -> name -> codes
    communes_by_district: dict[str, dict[str, list[str]]]  # former district -> name -> codes
    current_province_of: dict[str, str]  # current commune -> current province


def _strip_type(name: str) -> str:
    match = _PREFIX_RE.match(fold(name))
    return match.group(2) if match and match.group(2) else fold(name)


@cache
def _index() -> _Index:
    provinces: dict[str, dict[str, list[str]]] = {"current": defaultdict(list), "former": defaultdict(list)}
    districts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    communes: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    by_district: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    current_province_of: dict[str, str] = {}
    for era in ("current", "former"):
        for province in units.provinces(era):
            for key in {fold(province.short_name), _strip_type(province.name)}:
                provinces[era][key].append(province.code)
            for commune in units.communes(era, province.code):
                key = fold(commune.short_name)
                communes[(era, province.code)][key].append(commune.code)
                if era == "current":
                    current_province_of[commune.code] = province.code
                elif commune.parent_code:
                    by_district[commune.parent_code][key].append(commune.code)
            if era == "former":
                for district in units.districts(province.code):
                    districts[fold(district.short_name)].append((district.code, province.code))
    return _Index(provinces, districts, communes, by_district, current_province_of)


@cache
def _former_to_current_province(code: str) -> tuple[str, ...]:
    return tuple(u.code for u in units.to_current(code, "former"))


@cache
def _successor_codes(former_commune: str) -> tuple[str, ...]:
    try:
        return tuple(u.code for u in units.successors(former_commune))
    except units.UnknownUnitError:
        return ()


def _ward_number(name: str) -> str:
    # "P.7", "F7", "phuong 07" all mean ward 7.
    return str(int(name)) if name.isdigit() else name


@dataclass(frozen=True, slots=True)
class Resolved:
    """Current commune codes an address may mean, and its current province."""

    communes: tuple[str, ...]
    province: str | None


def resolve_address(parsed: ParsedAddress, default_provinces: Sequence[str] = ()) -> Resolved:
    """Map a parsed address to current commune codes and the current province.

    ``default_provinces`` (current codes) are assumed when the address names no
    province, as in an extract of one province's agency.
    """
    index = _index()
    current_provs: list[str] = []
    former_provs: list[str] = []
    if parsed.province:
        current_provs = list(index.provinces["current"].get(parsed.province, []))
        former_provs = list(index.provinces["former"].get(parsed.province, []))
        for former in former_provs:
            current_provs.extend(_former_to_current_province(former))
    if not current_provs and not former_provs:
        current_provs = list(default_provinces)
        for code in default_provinces:
            former_provs.extend(f for f, _ in _former_provinces_of(code))
    current_provs = list(dict.fromkeys(current_provs))
    commune, district = parsed.commune, parsed.district
    if not commune and district and not parsed.district_level and district not in index.districts:
        # "Gia Phúc - Hải Phòng": a bare name before the province that no district
        # ever had is a commune (districts were abolished in 2025, so it is how
        # current addresses are written).
        commune, district = district, ""
    commune_name = _ward_number(commune) if commune else ""
    found: list[str] = []
    if commune_name:
        district_codes: list[str] = []
        if district:
            district_codes = [
                code for code, prov in index.districts.get(district, []) if not former_provs or prov in former_provs
            ]
        for district in district_codes:
            for former in index.communes_by_district[district].get(commune_name, []):
                found.extend(_successor_codes(former))
        if not found:
            for prov in current_provs:
                found.extend(index.communes[("current", prov)].get(commune_name, []))
        if not found and not district_codes:
            for prov in former_provs:
                for former in index.communes[("former", prov)].get(commune_name, []):
                    found.extend(_successor_codes(former))
    found = list(dict.fromkeys(found))
    province = None
    if found:
        provs = {index.current_province_of.get(c) for c in found} - {None}
        province = provs.pop() if len(provs) == 1 else None
    if province is None and len(current_provs) == 1 and (parsed.province or found):
        province = current_provs[0]
    # Too many candidates (a common name, no district) say little: keep at most 4.
    return Resolved(tuple(found[:4]) if len(found) <= 4 else (), province)


@cache
def _former_provinces_of(current: str) -> tuple[tuple[str, str], ...]:
    out = []
    for former in units.provinces("former"):
        if current in _former_to_current_province(former.code):
            out.append((former.code, former.short_name))
    return tuple(out)


@dataclass
class ResolvedAddresses:
    """Per-row results as Arrow arrays: ``communes`` (list of codes), ``province``."""

    communes: pa.Array
    province: pa.Array


_HOUSE_PREFIX: Final = re.compile(r"^\s*(?:s[ốoỐO]\s*)?\d[^,;|]*?(?:[,;|]|\s-\s)\s*", re.IGNORECASE)


def resolve_addresses(texts: Iterable[str], default_provinces: Sequence[str] = ()) -> ResolvedAddresses:
    """Resolve many addresses, parsing each distinct administrative part once."""
    by_text: dict[str, int] = {}
    by_units: dict[tuple[str, str, str, str], int] = {}
    results: list[Resolved] = []
    chosen: list[int] = []
    defaults = tuple(default_provinces)
    for raw in texts:
        # The house number and street in front say nothing about the units, and
        # make nearly every address distinct: parse what follows them once.
        text = _HOUSE_PREFIX.sub("", raw, count=1) if raw else raw
        result = by_text.get(text)
        if result is None:
            parsed = parse_address(text)
            # The district's type word counts too: a bare name there may be a commune.
            key = (parsed.commune, parsed.district, parsed.district_level, parsed.province)
            result = by_units.get(key)
            if result is None:
                result = by_units[key] = len(results)
                results.append(resolve_address(parsed, defaults) if text else Resolved((), None))
            by_text[text] = result
        chosen.append(result)
    # Few distinct results: build them once and spread them over the addresses.
    positions = pa.array(chosen, pa.int32())
    return ResolvedAddresses(
        pa.array([list(r.communes) for r in results], pa.list_(pa.string())).take(positions),
        pa.array([r.province for r in results], pa.string()).take(positions),
    )


def resolve_register_communes(codes: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """Map register commune codes (current or former) to (current commune, current province)."""
    index = _index()
    out: dict[str, tuple[str | None, str | None]] = {}
    for code in codes:
        if code in index.current_province_of:
            out[code] = (code, index.current_province_of[code])
            continue
        successors = _successor_codes(code) if code else ()
        first = successors[0] if successors else None
        out[code] = (first, index.current_province_of.get(first) if first else None)
    return out
