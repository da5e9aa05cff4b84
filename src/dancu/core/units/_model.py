"""The administrative-unit record and its error (pure Python, shared by the store and the search)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Era = Literal["current", "former"]
Level = Literal["province", "district", "commune"]

ERAS: tuple[Era, ...] = ("current", "former")
LEVELS: tuple[Level, ...] = ("province", "district", "commune")

# How an era reads in an error message: Vietnamese / English.
ERA_LABELS: dict[str, tuple[str, str]] = {
    "current": ("hiện hành, từ 01/07/2025", "current, from 2025-07-01"),
    "former": ("trước 01/07/2025", "before 2025-07-01"),
}


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit of one era, as published by the National Statistics Office."""

    code: str  # zero-padded official code: province 2 digits, district 3, commune 5
    name: str  # full name with its type word, NFC: "Phường Hồng Bàng"
    short_name: str  # without the type word: "Hồng Bàng"
    kind: str  # type word in English: province, city, district, urban_district, town, commune, ward, township, special_zone
    level: Level
    era: Era
    parent_code: str | None  # commune -> district (former) or province (current); district -> province
    province_code: str  # the province this unit is in, in the same era (its own code for a province)


class UnknownUnitError(LookupError):
    """No administrative unit has this code (in the era asked for)."""

    def __init__(self, code: object, era: str | None = None) -> None:
        self.code = code
        self.era = era
        if era in ERA_LABELS:
            vi, en = ERA_LABELS[era]
            message = (
                f"Không có đơn vị hành chính mã {code!r} ({vi}) / Unknown administrative unit code {code!r} ({en})"
            )
        else:
            message = f"Không có đơn vị hành chính mã {code!r} / Unknown administrative unit code {code!r}"
        super().__init__(message)


def check_era(era: object) -> Era:
    """Return ERA if it is "current" or "former"; raise ValueError naming it otherwise."""
    if era == "current":
        return "current"
    if era == "former":
        return "former"
    raise ValueError(f"Thời kỳ không hợp lệ {era!r} (current|former) / Invalid era {era!r} (current|former)")
