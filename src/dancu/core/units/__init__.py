"""Vietnam's administrative units, before and after the 1 July 2025 reform, with the conversion.

Two eras (DESIGN.md §5):

- ``"current"``: from 1 July 2025, 34 provinces and about 3,321 communes, wards and special
  zones, with no district level (names as of the data file's date);
- ``"former"``: the 63 provinces, their districts and communes before 1 July 2025.

Codes are the official zero-padded strings (province 2 digits, district 3, commune 5). The same
code can name different units in the two eras (commune "00004" was Phường Trúc Bạch and is now
Phường Ba Đình), so every lookup says which era it means. The data come from a file in
``data/`` built by ``tools/build_units.py`` from the published tables of the ``vietnam-provinces``
package (see docs/data-sources.md); it is loaded once per process, on first use.

Pure Python: no Django import, so the linkage engine and the synthetic generator can use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dancu.core.units import _search, _store
from dancu.core.units._model import LEVELS, Era, Level, Unit, UnknownUnitError, check_era

__all__ = [
    "Era",
    "Level",
    "Unit",
    "UnknownUnitError",
    "communes",
    "districts",
    "find_units",
    "get_unit",
    "personal_id_province_code",
    "predecessors",
    "provinces",
    "successors",
    "to_current",
]


def get_unit(code: str, era: Era = "current") -> Unit:
    """Return the unit with this official CODE in ERA; raise UnknownUnitError if there is none."""
    unit = _store.store().by_code[check_era(era)].get(code)
    if unit is None:
        raise UnknownUnitError(code, era)
    return unit


def provinces(era: Era = "current") -> list[Unit]:
    """All provinces (provinces and centrally-run cities) of ERA, in code order."""
    return list(_store.store().by_level[(check_era(era), "province")])


def communes(era: Era = "current", province_code: str | None = None) -> list[Unit]:
    """All communes, wards, townships and special zones of ERA, or of one province, in code order.

    Raises UnknownUnitError when PROVINCE_CODE is not a province of ERA.
    """
    data = _store.store()
    era = check_era(era)
    if province_code is None:
        return list(data.by_level[(era, "commune")])
    _province(province_code, era)
    return list(data.in_province.get((era, "commune", province_code), ()))


def districts(province_code: str | None = None) -> list[Unit]:
    """All former districts (there are none from 1 July 2025), or those of one former province."""
    data = _store.store()
    if province_code is None:
        return list(data.by_level[("former", "district")])
    _province(province_code, "former")
    return list(data.in_province.get(("former", "district", province_code), ()))


def find_units(
    name: str,
    *,
    era: Era | None = None,
    level: str | None = None,
    within: str | None = None,
) -> list[Unit]:
    """Units called NAME, best match first.

    NAME may carry diacritics or not, the type word or not, in full or abbreviated ("Phường",
    "P.", "Thị trấn", "TT.", "Thành phố", "TP.", "Tx.", "Đặc khu", …; "P12", "Q1"), in any case
    and either tone-mark placement. Exact diacritics rank before diacritic-insensitive matches,
    then units of the type the query named, then current before former. ERA and LEVEL
    ("province", "district", "commune") narrow the search; WITHIN is a province code (either
    era) or a former district code whose units alone are searched.
    """
    data = _store.store()
    eras: tuple[Era, ...] = (check_era(era),) if era is not None else ("current", "former")
    if level is not None and level not in LEVELS:
        raise ValueError(
            f"Cấp không hợp lệ {level!r} (province|district|commune) / Invalid level {level!r} (province|district|commune)"
        )
    if within is not None and not any(
        (u := data.by_code[e].get(within)) is not None and u.level != "commune" for e in eras
    ):
        raise UnknownUnitError(within, era)
    matches = [
        (unit, rank)
        for unit, rank in _name_index().find(name)
        if unit.era in eras
        and (level is None or unit.level == level)
        and (within is None or within in (unit.province_code, unit.parent_code, unit.code))
    ]
    return _search.ranked(matches)


def successors(old_code: str) -> list[Unit]:
    """The current unit(s) a former province, district or commune became, main one first.

    A former commune split among several new communes has several successors, in the order of
    the official conversion table; a former province's come by how many of its communes went to
    each; a former district's are the current communes its communes went to. A former commune
    the conversion table does not list gives []. Raises UnknownUnitError for an unknown code.
    """
    data = _store.store()
    news = data.successors.get(old_code)
    if news is None:
        if old_code in data.by_code["former"]:
            return []
        raise UnknownUnitError(old_code, "former")
    return _units(news, "current")


def predecessors(new_code: str) -> list[Unit]:
    """The former unit(s) a current province or commune was made from, in code order.

    A special zone formed from an island district without communes has that district as
    predecessor. Raises UnknownUnitError for a code that is not a current unit.
    """
    data = _store.store()
    if new_code not in data.by_code["current"]:
        raise UnknownUnitError(new_code, "current")
    known = data.by_code["former"]
    # The conversion table names a few former communes missing from the former unit list
    # (docs/data-sources.md); they have no Unit to return.
    return [known[old] for old in data.predecessors.get(new_code, ()) if old in known]


def to_current(code: str, era: Era | None = None) -> list[Unit]:
    """The current unit(s) for CODE, a current code or a former one.

    With ERA None a code that exists now is read as current (every such code that also existed
    before maps, among others, to itself), else as former; pass ERA to say which it is.
    Raises UnknownUnitError when CODE is a unit of neither era.
    """
    data = _store.store()
    if era is None:
        if code in data.by_code["current"]:
            return [data.by_code["current"][code]]
        if code not in data.by_code["former"] and code not in data.successors:
            raise UnknownUnitError(code)
        return successors(code)
    if check_era(era) == "current":
        return [get_unit(code, "current")]
    return successors(code)


def personal_id_province_code(province_code: str) -> str:
    """The 3-digit birth-registration code of a former province in personal ID numbers: "31" -> "031".

    Personal ID numbers (Circular 59/2021/TT-BCA) keep the 63 pre-2025 province codes for good.
    Raises UnknownUnitError when PROVINCE_CODE is not a former 2-digit province code.
    """
    _province(province_code, "former")
    return province_code.zfill(3)


def _province(code: str, era: Era) -> Unit:
    """The province CODE of ERA, or UnknownUnitError."""
    unit = _store.store().by_code[era].get(code)
    if unit is None or unit.level != "province":
        raise UnknownUnitError(code, era)
    return unit


def _units(codes: Iterable[str], era: Era) -> list[Unit]:
    known = _store.store().by_code[era]
    return [known[code] for code in codes if code in known]


_index: list[_search.NameIndex] = []


def _name_index() -> _search.NameIndex:
    """The name index of every unit of both eras, built on the first search."""
    if not _index:
        with _store.lock:
            if not _index:
                data = _store.store()
                _index.append(_search.NameIndex.build(u for era in data.by_code.values() for u in era.values()))
    return _index[0]
