"""Find administrative units by name, with or without diacritics, type words or abbreviations.

A query is read two ways: as a whole ("Phường Hồng Bàng", "Hồng Bàng") and, when it starts
with a type word or its abbreviation ("P. Hồng Bàng", "TP.Hải Phòng", "Q1"), as that type plus
the rest. Matches are ranked in tiers, exact diacritics before diacritic-insensitive:

0. the whole query equals the unit's name or short name, diacritics kept (tone placement,
   case and spacing ignored: `dancu.core.text.exact_key`);
1. a type word typed with its diacritics (or an abbreviation) + the rest equals the short name;
2. as 0, diacritic-insensitive (`dancu.core.text.fold`);
3. as 1, diacritic-insensitive.

Within a tier: units of the type the query named first, then current before former, then
province, district, commune, then code.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from dancu.core.text import exact_key, fold, nfc
from dancu.core.units._model import Unit

# Type words (as folded) and the unit kinds they name.
_TYPE_WORDS: dict[str, frozenset[str]] = {
    "thanh pho": frozenset({"city"}),
    "thi tran": frozenset({"township"}),
    "thi xa": frozenset({"town"}),
    "dac khu": frozenset({"special_zone"}),
    "xa": frozenset({"commune"}),
    "phuong": frozenset({"ward"}),
    "huyen": frozenset({"district"}),
    "quan": frozenset({"urban_district"}),
    "tinh": frozenset({"province"}),
}
# The type words with their diacritics, to tell "Quận 1" (a type word) from "Quan" (a name).
_TYPE_WORDS_EXACT = frozenset(
    exact_key(w) for w in ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Xã", "Phường", "Huyện", "Quận", "Tỉnh")
)
# Abbreviations, written with a dot ("P.", "TP.") or, for the two-letter ones, a space.
_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "tp": _TYPE_WORDS["thanh pho"],
    "tt": _TYPE_WORDS["thi tran"],
    "tx": _TYPE_WORDS["thi xa"],
    "x": _TYPE_WORDS["xa"],
    "p": _TYPE_WORDS["phuong"],
    "h": _TYPE_WORDS["huyen"],
    "q": _TYPE_WORDS["quan"],
    "t": _TYPE_WORDS["tinh"],
}
_DOTTED = re.compile(r"([A-Za-z]{1,2})\s*\.\s*(.+)")
_NUMBERED = re.compile(r"([PpQq])\s*(\d+)")  # "P12", "Q1": numbered wards and urban districts
_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘ʼ`"))
_PUNCTUATION = re.compile(r"[\-–—.,;:()/\\\"]+")
_LEADING_ZEROS = re.compile(r"\b0+(?=\d)")

_ERA_ORDER = {"current": 0, "former": 1}
_LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}


def name_key(s: str, *, exact: bool) -> str:
    """Key under which a unit name is indexed: `exact_key` or `fold`, punctuation-insensitive.

    Apostrophes vanish ("M'Drắk" = "M’Drắk" = "MDrắk"), other punctuation is a space
    ("Bà Rịa - Vũng Tàu" = "Bà Rịa Vũng Tàu"), numbers lose leading zeros ("Phường 01" = "Phường 1").
    """
    key = exact_key(s) if exact else fold(s)
    key = _PUNCTUATION.sub(" ", key.translate(_APOSTROPHES))
    return " ".join(_LEADING_ZEROS.sub("", key).split())


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a query: REST names a unit whose kind is in KINDS (empty: any kind)."""

    rest: str
    kinds: frozenset[str]
    typed_exactly: bool  # the type word had its diacritics, or was an abbreviation


def readings(query: str) -> list[Reading]:
    """The type-word readings of QUERY (the whole query is always read as a name too)."""
    found: list[Reading] = []
    numbered = _NUMBERED.fullmatch(query)
    if numbered:
        found.append(Reading(numbered.group(2), _ABBREVIATIONS[numbered.group(1).lower()], True))
    dotted = _DOTTED.fullmatch(query)
    if dotted and dotted.group(1).lower() in _ABBREVIATIONS:
        found.append(Reading(dotted.group(2), _ABBREVIATIONS[dotted.group(1).lower()], True))
    words = query.split(" ")
    if len(words) > 1 and words[0].lower() in ("tp", "tt", "tx"):
        found.append(Reading(" ".join(words[1:]), _ABBREVIATIONS[words[0].lower()], True))
    for size in (2, 1):
        if len(words) > size:
            head = " ".join(words[:size])
            kinds = _TYPE_WORDS.get(fold(head))
            if kinds is not None:
                found.append(Reading(" ".join(words[size:]), kinds, exact_key(head) in _TYPE_WORDS_EXACT))
    return found


@dataclass(slots=True)
class NameIndex:
    """Units by the keys of their full name and of their short name, exact and folded."""

    exact_name: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))
    exact_short: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))
    folded_name: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))
    folded_short: dict[str, list[Unit]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(cls, units: Iterable[Unit]) -> NameIndex:
        """Index UNITS (keys are computed once per distinct short name and type word)."""
        index = cls()
        exact_cache: dict[str, str] = {}
        folded_cache: dict[str, str] = {}

        def keys(text: str) -> tuple[str, str]:
            if text not in exact_cache:
                exact_cache[text] = name_key(text, exact=True)
                folded_cache[text] = name_key(text, exact=False)
            return exact_cache[text], folded_cache[text]

        for unit in units:
            short_exact, short_folded = keys(unit.short_name)
            type_word = unit.name[: len(unit.name) - len(unit.short_name)].strip()
            type_exact, type_folded = keys(type_word)
            index.exact_short[short_exact].append(unit)
            index.folded_short[short_folded].append(unit)
            index.exact_name[f"{type_exact} {short_exact}".strip()].append(unit)
            index.folded_name[f"{type_folded} {short_folded}".strip()].append(unit)
        return index

    def find(self, name: str) -> list[tuple[Unit, tuple[int, int]]]:
        """Units matching NAME with their (tier, kind mismatch), best reading of each unit kept."""
        query = nfc(name)
        best: dict[Unit, tuple[int, int]] = {}

        def offer(units: Iterable[Unit], tier: int, kinds: frozenset[str]) -> None:
            for unit in units:
                rank = (tier, 1 if kinds and unit.kind not in kinds else 0)
                if unit not in best or rank < best[unit]:
                    best[unit] = rank

        if not query:
            return []
        whole_exact, whole_folded = name_key(query, exact=True), name_key(query, exact=False)
        other = readings(query)
        named_kinds = frozenset().union(*(r.kinds for r in other)) if other else frozenset()
        offer(self.exact_name.get(whole_exact, ()), 0, named_kinds)
        offer(self.exact_short.get(whole_exact, ()), 0, frozenset())
        offer(self.folded_name.get(whole_folded, ()), 2, named_kinds)
        offer(self.folded_short.get(whole_folded, ()), 2, frozenset())
        for reading in other:
            if reading.typed_exactly:
                offer(self.exact_short.get(name_key(reading.rest, exact=True), ()), 1, reading.kinds)
            offer(self.folded_short.get(name_key(reading.rest, exact=False), ()), 3, reading.kinds)
        return list(best.items())


def ranked(matches: Iterable[tuple[Unit, tuple[int, int]]]) -> list[Unit]:
    """Order matches best first: tier, kind named by the query, era, level, code."""
    return [
        unit
        for unit, _rank in sorted(
            matches,
            key=lambda m: (m[1], _ERA_ORDER[m[0].era], _LEVEL_ORDER[m[0].level], m[0].code),
        )
    ]
