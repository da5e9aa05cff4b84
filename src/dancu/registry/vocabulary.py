"""The register's closed vocabularies: ethnic groups, relations to the head of household, sex and
status words, and how the spellings found in the field map onto them.

Matching is by a *spelling key*: diacritics, case, spaces, hyphens and apostrophes removed
("Ê-đê", "ê đê" and "EDE" are one key), because agencies write the same group several ways.
"""

from __future__ import annotations

import re
from typing import Final

from dancu.core.text import fold

__all__ = [
    "ETHNIC_GROUPS",
    "HEAD_OF_HOUSEHOLD",
    "RELATIONS",
    "canonical_ethnicity",
    "canonical_nationality",
    "canonical_relation",
    "canonical_sex",
    "canonical_status",
    "spelling_key",
]

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def spelling_key(value: str) -> str:
    """The key two spellings of one term share: folded, letters and digits only."""
    return _NOT_ALNUM.sub("", fold(value))


#: The 54 ethnic groups of Viet Nam (General Statistics Office, Decision 121-TCTK/PPCĐ of
#: 2 March 1979, "Danh mục các dân tộc Việt Nam", the list the census still uses), in the GSO's
#: order, each with the other spellings found in registers. The first spelling is the one we
#: store; "Khmer", "H'Mông" and "Ê Đê" are the spellings of current ID cards.
_ETHNIC_GROUPS: Final[tuple[tuple[str, ...], ...]] = (
    ("Kinh", "Việt"),
    ("Tày",),
    ("Thái",),
    ("Hoa", "Hán"),
    ("Khmer", "Khơ Me", "Khơ-me", "Khơme", "Khmer Krom"),
    ("Mường",),
    ("Nùng",),
    ("H'Mông", "Mông", "Hmông", "Mèo"),
    ("Dao",),
    ("Gia Rai", "Gia-rai", "Jrai"),
    ("Ngái",),
    ("Ê Đê", "Ê-đê", "Rhade"),
    ("Ba Na", "Ba-na", "Bahnar"),
    ("Xơ Đăng", "Xơ-đăng", "Sedang"),
    ("Sán Chay", "Cao Lan", "Sán Chỉ"),
    ("Cơ Ho", "Cơ-ho", "K'Ho"),
    ("Chăm", "Chàm"),
    ("Sán Dìu",),
    ("Hrê", "H're"),
    ("Mnông", "M'Nông"),
    ("Ra Glai", "Raglai", "Ra-glai"),
    ("Xtiêng", "X'Tiêng", "Stiêng"),
    ("Bru Vân Kiều", "Bru - Vân Kiều", "Bru-Vân Kiều", "Vân Kiều"),
    ("Thổ",),
    ("Giáy",),
    ("Cơ Tu", "Cơ-tu", "Katu"),
    ("Giẻ Triêng", "Gié Triêng", "Giẻ-Triêng"),
    ("Mạ",),
    ("Khơ Mú", "Khơ-mú", "Khmu"),
    ("Co", "Cor"),
    ("Tà Ôi", "Tà-ôi", "Pa Cô"),
    ("Chơ Ro", "Chơ-ro"),
    ("Kháng",),
    ("Xinh Mun", "Xinh-mun"),
    ("Hà Nhì",),
    ("Chu Ru", "Chu-ru"),
    ("Lào",),
    ("La Chí",),
    ("La Ha",),
    ("Phù Lá",),
    ("La Hủ",),
    ("Lự",),
    ("Lô Lô",),
    ("Chứt",),
    ("Mảng",),
    ("Pà Thẻn",),
    ("Cờ Lao", "Cơ Lao"),
    ("Cống",),
    ("Bố Y",),
    ("Si La",),
    ("Pu Péo",),
    ("Brâu",),
    ("Ơ Đu",),
    ("Rơ Măm",),
)

#: The names we store, in the GSO's order.
ETHNIC_GROUPS: Final[tuple[str, ...]] = tuple(spellings[0] for spellings in _ETHNIC_GROUPS)

_ETHNICITY_BY_KEY: Final[dict[str, str]] = {
    spelling_key(spelling): spellings[0] for spellings in _ETHNIC_GROUPS for spelling in spellings
}

HEAD_OF_HOUSEHOLD: Final = "Chủ hộ"

#: Relations to the head of household as the residence register writes them (Circular
#: 55/2021/TT-BCA forms), with other spellings. Other relations are kept as written.
_RELATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (HEAD_OF_HOUSEHOLD, "Chủ hộ gia đình", "CH", "Head"),
    ("Vợ", "Wife"),
    ("Chồng", "Husband"),
    ("Con", "Con đẻ", "Con ruột", "Child"),
    ("Con nuôi",),
    ("Con dâu",),
    ("Con rể",),
    ("Cha", "Bố", "Cha đẻ", "Bố đẻ", "Father"),
    ("Mẹ", "Mẹ đẻ", "Mother"),
    ("Cha chồng", "Bố chồng"),
    ("Mẹ chồng",),
    ("Cha vợ", "Bố vợ"),
    ("Mẹ vợ",),
    ("Ông",),
    ("Bà",),
    ("Ông nội",),
    ("Bà nội",),
    ("Ông ngoại",),
    ("Bà ngoại",),
    ("Cháu",),
    ("Cháu nội",),
    ("Cháu ngoại",),
    ("Chắt",),
    ("Anh",),
    ("Chị",),
    ("Em",),
    ("Anh trai",),
    ("Chị gái",),
    ("Em trai",),
    ("Em gái",),
    ("Cô",),
    ("Dì",),
    ("Chú",),
    ("Bác",),
    ("Cậu",),
    ("Thím",),
    ("Mợ",),
    ("Người ở nhờ", "Ở nhờ"),
    ("Khác", "Other"),
)

RELATIONS: Final[tuple[str, ...]] = tuple(spellings[0] for spellings in _RELATIONS)

# Keys are compared with diacritics, because "Cô" (aunt) and "Có" or "Co" would otherwise meet:
# only case, spaces and hyphens are ignored.
_RELATION_BY_KEY: Final[dict[str, str]] = {
    " ".join(spelling.casefold().replace("-", " ").split()): spellings[0]
    for spellings in _RELATIONS
    for spelling in spellings
}

_SEX_BY_KEY: Final[dict[str, str]] = {
    "nam": "male",
    "male": "male",
    "m": "male",
    "trai": "male",
    "nu": "female",
    "female": "female",
    "f": "female",
    "gai": "female",
}

_STATUS_BY_KEY: Final[dict[str, str]] = {
    "alive": "alive",
    "consong": "alive",
    "song": "alive",
    "deceased": "deceased",
    "dead": "deceased",
    "damat": "deceased",
    "dachet": "deceased",
    "chet": "deceased",
    "mat": "deceased",
    "tutran": "deceased",
    "daquadoi": "deceased",
}

_VIET_NAM: Final = "Việt Nam"
_NATIONALITY_BY_KEY: Final[dict[str, str]] = dict.fromkeys(
    ("vietnam", "vn", "vnm", "nuoccongnghoaxahoichunghiavietnam", "socialistrepublicofvietnam"), _VIET_NAM
)


def canonical_ethnicity(value: str) -> str | None:
    """The stored name of the ethnic group VALUE spells, or None when it names none of the 54."""
    return _ETHNICITY_BY_KEY.get(spelling_key(value))


def canonical_relation(value: str) -> str:
    """The register's spelling of a relation to the head ("chủ hộ" -> "Chủ hộ"); others as written."""
    cleaned = " ".join(value.replace("-", " ").split())
    return _RELATION_BY_KEY.get(cleaned.casefold(), cleaned)


def canonical_sex(value: str) -> str | None:
    """``"male"``/``"female"`` for Nam/Nữ (any case, with or without marks, English too), else None."""
    return _SEX_BY_KEY.get(spelling_key(value))


def canonical_status(value: str) -> str | None:
    """``"alive"``/``"deceased"`` for the words registers use (còn sống, đã mất, …), else None."""
    return _STATUS_BY_KEY.get(spelling_key(value))


def canonical_nationality(value: str) -> str:
    """ "Việt Nam" for its usual spellings (Viet Nam, VN, Vietnam); other nationalities as written."""
    cleaned = " ".join(value.split())
    return _NATIONALITY_BY_KEY.get(spelling_key(cleaned), cleaned)
