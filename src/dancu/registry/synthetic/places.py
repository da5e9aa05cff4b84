"""Where synthetic households live: the province's real current communes and plausible addresses."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from dancu.core import units
from dancu.registry.synthetic.tables import Weighted, read_rows

__all__ = ["Commune", "Places", "load_places"]

# Relative size of a unit by kind: wards are denser than rural communes; the special zones
# (offshore islands such as Bạch Long Vĩ, Cát Hải) are small.
_KIND_WEIGHT = {"ward": 1.6, "commune": 1.0, "township": 1.0, "special_zone": 0.3}
_URBAN_KINDS = frozenset({"ward"})


@dataclass(frozen=True, slots=True)
class Commune:
    """A current commune-level unit with what the generator needs to place people in it."""

    code: str
    name: str
    urban: bool
    #: Personal-ID code of the former province the unit lies in ("031" or "030" in Hải Phòng):
    #: most residents had their birth registered there.
    home_code: str
    #: Streets (wards) or village names (communes) addresses are made from.
    localities: tuple[str, ...]

    def address(self, rng: random.Random) -> str:
        """A household address inside this unit, e.g. "Số 12 ngõ 34 Lạch Tray" or "Thôn Đông"."""
        u = rng.random()
        locality = self.localities[int(rng.random() * len(self.localities))]
        if self.urban:
            # House and lane numbers: small numbers are much more common than large ones.
            house = 1 + int(rng.random() ** 2 * 250)
            if u < 0.40:
                return f"Số {house} {locality}"
            lane = 1 + int(rng.random() ** 2 * 400)
            if u < 0.85:
                return f"Số {house} ngõ {lane} {locality}"
            if u < 0.92:
                return f"Số {house} ngách {1 + int(rng.random() * 40)} ngõ {lane} {locality}"
            return f"Tổ dân phố {1 + int(rng.random() * 30)}"
        if u < 0.80:
            return f"Thôn {locality}"
        return f"Xóm {1 + int(rng.random() * 12)}, thôn {locality}"


@dataclass(frozen=True, slots=True)
class Places:
    """The communes of one province and how households spread over them."""

    province_code: str
    #: Personal-ID code of the province itself ("031" for Hải Phòng).
    home_code: str
    household_prefix: str
    communes: Weighted[Commune]


def _former_province_code(unit: units.Unit, fallback: str) -> str:
    formers = {f.province_code for f in units.predecessors(unit.code)}
    if len(formers) == 1:
        return units.personal_id_province_code(formers.pop())
    # A unit made from parts of two former provinces (rare): count it with the current one.
    return fallback


def load_places(province_code: str, rng: random.Random) -> Places:
    """The province's current communes, each with its streets or villages and a relative size."""
    found = units.communes(era="current", province_code=province_code)
    if not found:
        raise ValueError(f"Không có xã/phường cho tỉnh {province_code!r} / No communes for province {province_code!r}")
    home = units.personal_id_province_code(province_code)
    streets: dict[str, list[str]] = {}
    for row in read_rows("streets.csv"):
        streets.setdefault(row["area"], []).append(row["street"])
    all_streets = sorted({s for names in streets.values() for s in names})
    villages = [row["name"] for row in read_rows("villages.csv")]
    pairs: list[tuple[Commune, float]] = []
    for unit in sorted(found, key=lambda u: u.code):
        home_code = _former_province_code(unit, home)
        urban = unit.kind in _URBAN_KINDS
        if urban:
            pool = streets.get(home_code, all_streets)
            localities = tuple(rng.sample(pool, min(len(pool), rng.randint(4, 12))))
        elif rng.random() < 0.3:
            # Many communes simply number their villages.
            localities = tuple(str(n) for n in range(1, rng.randint(4, 14)))
        else:
            localities = tuple(rng.sample(villages, rng.randint(4, 12)))
        commune = Commune(unit.code, unit.name, urban, home_code, localities)
        size = _KIND_WEIGHT.get(unit.kind, 1.0) * math.exp(rng.gauss(0.0, 0.45))
        pairs.append((commune, size))
    prefix = "HP" if province_code == "31" else f"H{province_code}"
    return Places(province_code, home, prefix, Weighted(pairs))
