"""Generate a messy sectoral extract from a clean register, with the truth kept apart.

It imitates what agencies export to Excel: names in capitals, without diacritics or
in TCVN3/VNI; dates in many formats, year only, ``01/01/YYYY`` placeholders,
day/month swaps and Excel serials; IDs that lost their leading zero, carry an
apostrophe, are the old 9-digit number, have a mistyped or transposed digit, or
belong to a family member; addresses with the districts and provinces that
stopped existing on 1 July 2025 and their abbreviations, or an earlier residence
the register keeps (``former_commune_codes``); people missing from the
register (namesakes, unregistered twins of registered people, strangers); and the
same person twice. It is both the known-answer data of the quality tests and the
demo data of the linkage screens.
"""

from __future__ import annotations

import dataclasses
import random
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from dancu.core import units
from dancu.core.text import fold, split_name

from .legacy_encodings import encode_tcvn3, encode_vni

__all__ = ["MessyExtract", "MessyOptions", "make_messy_extract", "register_rows"]

#: Header styles seen in real exports; one is chosen per extract.
HEADER_STYLES: Final[tuple[dict[str, str], ...]] = (
    {"row_id": "STT", "full_name": "HO_TEN", "birth_date": "NGAY_SINH", "sex": "GIOI_TINH",
     "personal_id": "SO_CCCD", "address": "DIA_CHI", "phone": "SO_DIEN_THOAI"},
    {"row_id": "STT", "full_name": "Họ và tên", "birth_date": "Ngày sinh", "sex": "Giới tính",
     "personal_id": "Số định danh", "address": "Nơi thường trú", "phone": "Điện thoại"},
    {"row_id": "TT", "full_name": "Họ tên", "birth_date": "Ngày tháng năm sinh",
     "sex": "Giới tính", "personal_id": "Số CCCD/CMND", "address": "Địa chỉ",
     "phone": "SĐT"},
)  # fmt: skip


@dataclass(frozen=True)
class MessyOptions:
    """Rates of each kind of mess (each a probability per extract row)."""

    unregistered_stranger: float = 0.03
    unregistered_namesake: float = 0.02
    unregistered_twin: float = 0.015
    duplicate: float = 0.02
    name_upper: float = 0.25
    name_ascii: float = 0.15
    name_tcvn3: float = 0.05
    name_vni: float = 0.04
    name_nfd: float = 0.05
    name_typo: float = 0.03
    name_drop_middle: float = 0.02
    id_missing: float = 0.25
    id_old_number: float = 0.08
    id_typo: float = 0.02
    id_transposed: float = 0.02
    id_family_member: float = 0.02
    id_as_number: float = 0.12
    id_apostrophe: float = 0.05
    date_year_only: float = 0.06
    date_placeholder: float = 0.04
    date_swapped: float = 0.03
    date_excel_serial: float = 0.08
    date_year_typo: float = 0.01
    date_missing: float = 0.01
    address_former_units: float = 0.4
    address_abbreviated: float = 0.5
    address_missing: float = 0.05
    address_moved: float = 0.04
    #: of the people whose register keeps an earlier residence, the share whose row
    #: still gives it (the agency was never told of the move)
    address_stale: float = 0.3
    sex_missing: float = 0.03


@dataclass
class MessyExtract:
    """The generated extract (rows keyed by its own headers) and the truth kept apart.

    ``truth`` maps the extract's row id (``STT``) to the register's personal ID, or
    ``""`` for a person who is not in the register; ``kinds`` names the mess each
    row received, for error analysis.
    """

    headers: list[str]
    rows: list[dict[str, Any]]
    truth: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, list[str]] = field(default_factory=dict)


def register_rows(people: Iterable[Any]) -> list[dict[str, Any]]:
    """Turn register rows (dataclasses, named tuples or mappings) into dicts."""
    out: list[dict[str, Any]] = []
    for person in people:
        if dataclasses.is_dataclass(person) and not isinstance(person, type):
            out.append(dataclasses.asdict(person))
        elif hasattr(person, "_asdict"):
            out.append(dict(person._asdict()))
        elif isinstance(person, Mapping):
            out.append(dict(person))
        else:
            raise TypeError(f"Không đọc được dòng sổ / Unreadable register row: {person!r}")
    return out


_TYPO_LETTERS = "aăâeêioôơuưyncmhtgd"


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 2:
        return word
    i = rng.randrange(1, len(word))
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + rng.choice(_TYPO_LETTERS) + word[i + 1 :]
    if kind < 0.7:
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice(_TYPO_LETTERS) + word[i:]


def _mess_name(rng: random.Random, name: str, opts: MessyOptions, kinds: list[str]) -> str:
    parts = split_name(name)
    words = [w for w in (parts.surname, parts.middle, parts.given) if w]
    if rng.random() < opts.name_drop_middle and parts.middle:
        words = [parts.surname, parts.given]
        kinds.append("name_drop_middle")
    if rng.random() < opts.name_typo:
        j = rng.randrange(len(words))
        words[j] = _typo(rng, words[j])
        kinds.append("name_typo")
    text = " ".join(words)
    roll = rng.random()
    if roll < opts.name_tcvn3:
        kinds.append("name_tcvn3")
        return encode_tcvn3(text.upper() if rng.random() < 0.3 else text)
    roll -= opts.name_tcvn3
    if roll < opts.name_vni:
        kinds.append("name_vni")
        return encode_vni(text.upper() if rng.random() < 0.3 else text)
    roll -= opts.name_vni
    if roll < opts.name_ascii:
        kinds.append("name_ascii")
        text = " ".join(w.capitalize() for w in fold(text).split())
    elif roll - opts.name_ascii < opts.name_nfd:
        kinds.append("name_nfd")
        text = unicodedata.normalize("NFD", text)
    if rng.random() < opts.name_upper:
        kinds.append("name_upper")
        text = text.upper()
    if rng.random() < 0.05:
        text = "  " + text.replace(" ", "  ") + " "
    return text


def _excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def _mess_date(rng: random.Random, iso: str, opts: MessyOptions, kinds: list[str]) -> Any:
    if not iso or rng.random() < opts.date_missing:
        kinds.append("date_missing")
        return ""
    year = int(iso[:4])
    if len(iso) == 4:
        return str(year) if rng.random() < 0.6 else f"01/01/{year}"
    month, day = int(iso[5:7]), int(iso[8:10])
    if rng.random() < opts.date_year_typo:
        kinds.append("date_year_typo")
        year += rng.choice((-1, 1))
    roll = rng.random()
    if roll < opts.date_year_only:
        kinds.append("date_year_only")
        return str(year) if rng.random() < 0.5 else year
    roll -= opts.date_year_only
    if roll < opts.date_placeholder:
        kinds.append("date_placeholder")
        return f"01/01/{year}"
    if rng.random() < opts.date_swapped and day <= 12 and day != month:
        kinds.append("date_swapped")
        month, day = day, month
    try:
        value = date(year, month, day)
    except ValueError:  # 29 February moved by a year typo
        value = date(year, month, 28)
    if rng.random() < opts.date_excel_serial:
        kinds.append("date_excel_serial")
        return _excel_serial(value)
    style = rng.random()
    if style < 0.35:
        return value.strftime("%d/%m/%Y")
    if style < 0.5:
        return f"{value.day}/{value.month}/{value.year}"
    if style < 0.65:
        return value.isoformat()
    if style < 0.78:
        return value.strftime("%d-%m-%Y")
    if style < 0.88:
        return value.strftime("%d.%m.%Y")
    if style < 0.94:
        return value.strftime("%d%m%Y")
    if day > 12:
        kinds.append("date_month_first")
        return value.strftime("%m/%d/%Y")
    return value.strftime("%d/%m/%y")


def _mess_sex(rng: random.Random, sex: str, opts: MessyOptions) -> Any:
    if rng.random() < opts.sex_missing:
        return ""
    male = sex == "Nam"
    style = rng.random()
    if style < 0.4:
        return sex
    if style < 0.6:
        return "NAM" if male else "NU"
    if style < 0.8:
        return 1 if male else 0
    if style < 0.9:
        return "M" if male else "F"
    return "Nam" if male else "NỮ"


def _swap_digits(rng: random.Random, pid: str) -> str:
    i = rng.randrange(6, 11)  # serial digits: the prefix repeats the birth year
    if pid[i] == pid[i + 1]:
        i = 6 if pid[6] != pid[7] else i
    return pid[:i] + pid[i + 1] + pid[i] + pid[i + 2 :]


def _retype_digit(rng: random.Random, pid: str) -> str:
    i = rng.randrange(3, 12)
    digit = rng.choice([d for d in "0123456789" if d != pid[i]])
    return pid[:i] + digit + pid[i + 1 :]


def _mess_id(
    rng: random.Random,
    person: Mapping[str, Any],
    family_ids: Sequence[str],
    opts: MessyOptions,
    kinds: list[str],
) -> Any:
    pid = str(person.get("personal_id") or "")
    old = str(person.get("old_id_number") or "")
    roll = rng.random()
    if not pid or roll < opts.id_missing:
        kinds.append("id_missing")
        return ""
    roll -= opts.id_missing
    if roll < opts.id_old_number:
        if old:
            kinds.append("id_old_number")
            return old if rng.random() < 0.8 else int(old)
        kinds.append("id_missing")
        return ""
    roll -= opts.id_old_number
    if roll < opts.id_typo:
        kinds.append("id_typo")
        pid = _retype_digit(rng, pid)
    elif roll - opts.id_typo < opts.id_transposed:
        kinds.append("id_transposed")
        pid = _swap_digits(rng, pid)
    elif roll - opts.id_typo - opts.id_transposed < opts.id_family_member and family_ids:
        kinds.append("id_family_member")
        pid = rng.choice(list(family_ids))
    style = rng.random()
    if style < opts.id_as_number and pid.startswith("0"):
        kinds.append("id_as_number")
        return int(pid)
    style -= opts.id_as_number
    if style < opts.id_apostrophe:
        return "'" + pid
    if style - opts.id_apostrophe < 0.03:
        return f"{pid[:3]} {pid[3:6]} {pid[6:]}"
    return pid


_ABBREVIATIONS: Final = (
    ("Thành phố ", ("TP. ", "TP ", "Tp.")),
    ("Thị trấn ", ("TT. ", "TT ")),
    ("Thị xã ", ("TX. ", "TX ")),
    ("Phường ", ("P. ", "P.", "F.")),
    ("Xã ", ("X. ", "X.")),
    ("Huyện ", ("H. ", "H.")),
    ("Quận ", ("Q. ", "Q.")),
    ("Tỉnh ", ("T. ", "")),
)


def _abbreviate(rng: random.Random, text: str) -> str:
    for full, shorts in _ABBREVIATIONS:
        if text.startswith(full):
            return rng.choice(shorts) + text[len(full) :]
    return text


def _unit_chain(code: str, era: str) -> list[str]:
    """Names of a unit and its parents up to the province ("Xã A", "Huyện B", "Tỉnh C")."""
    chain: list[str] = []
    next_code: str | None = code
    while next_code:
        try:
            unit = units.get_unit(next_code, era)  # type: ignore[arg-type]  # era is a literal
        except units.UnknownUnitError:
            break
        chain.append(unit.name)
        next_code = unit.parent_code
    return chain


def _former_chain(commune_code: str) -> list[str] | None:
    """The former commune, district and province a current commune was made from."""
    olds = units.predecessors(commune_code) if commune_code else []
    return _unit_chain(olds[0].code, "former") if olds else None


def _current_chain(commune_code: str) -> list[str] | None:
    return _unit_chain(commune_code, "current") or None if commune_code else None


def _mess_address(
    rng: random.Random,
    person: Mapping[str, Any],
    opts: MessyOptions,
    kinds: list[str],
    commune_codes: Sequence[str],
    stale: random.Random,
) -> str:
    if rng.random() < opts.address_missing:
        kinds.append("address_missing")
        return ""
    commune_code = str(person.get("commune_code") or "")
    line = str(person.get("address_line") or "")
    if rng.random() < opts.address_moved and commune_codes:
        kinds.append("address_moved")
        commune_code = rng.choice(list(commune_codes))
        line = f"Số {rng.randint(1, 200)}"
    # An earlier residence the register keeps, drawn apart so that the rest of a seeded
    # extract stays as it was.
    earlier = str(person.get("former_commune_codes") or "").split(",")[0]
    if earlier and stale.random() < opts.address_stale:
        kinds.append("address_stale")
        commune_code = earlier
        line = f"Số {stale.randint(1, 200)}"
    chain: list[str] | None = None
    if rng.random() < opts.address_former_units:
        chain = _former_chain(commune_code)
        if chain:
            kinds.append("address_former_units")
    if not chain:
        chain = _current_chain(commune_code)
    if not chain:
        chain = [str(person.get("commune_name") or "")]
    if rng.random() < opts.address_abbreviated:
        kinds.append("address_abbreviated")
        chain = [_abbreviate(rng, part) for part in chain]
    parts = ([line] if line and rng.random() < 0.7 else []) + chain
    separator = rng.choice((", ", " - ", ","))
    text = separator.join(p for p in parts if p)
    return text.upper() if rng.random() < 0.1 else text


def _mess_phone(rng: random.Random, phone: str) -> str:
    if not phone or rng.random() < 0.5:
        return ""
    if rng.random() < 0.2 and phone.startswith("0"):
        return "+84" + phone[1:]
    if rng.random() < 0.2 and phone.startswith("0"):
        return phone[1:]  # Excel dropped the zero
    return phone


def _shift_date(rng: random.Random, iso: str) -> str:
    """A different plausible birth date, in another year, for a namesake or a stranger."""
    year = int(iso[:4]) + rng.choice((-1, 1)) * rng.randint(1, 8)
    if len(iso) < 10:
        return str(year)
    return date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()


def _stranger(
    rng: random.Random,
    person: Mapping[str, Any],
    register: Sequence[Mapping[str, Any]],
    given_by_sex: Mapping[str, list[str]],
    taken: set[tuple[str, str]],
) -> dict[str, Any] | None:
    """Someone living with ``person`` whom the register does not hold (a lodger, a
    relative not yet registered): a plausible name, another birth date."""
    for _ in range(10):
        other = split_name(str(register[rng.randrange(len(register))]["full_name"]))
        given = rng.choice(given_by_sex.get(str(person["sex"])) or [other.given])
        middle = split_name(str(person["full_name"])).middle
        name = " ".join(w for w in (other.surname, middle, given) if w)
        birth = _shift_date(rng, str(person["birth_date"]))
        if (fold(name), birth[:4]) not in taken:
            return dict(person) | {"full_name": name, "birth_date": birth}
    return None


def _twin(
    rng: random.Random,
    person: Mapping[str, Any],
    given_by_sex: Mapping[str, list[str]],
    taken: set[tuple[str, str]],
) -> dict[str, Any] | None:
    """The unregistered twin of ``person``: everything shared but the given name."""
    parts = split_name(str(person["full_name"]))
    pool = given_by_sex.get(str(person["sex"]), [])
    for _ in range(20):
        given = rng.choice(pool) if pool else ""
        name = " ".join(w for w in (parts.surname, parts.middle, given) if w)
        if given and fold(given) != fold(parts.given) and (fold(name), str(person["birth_date"])[:4]) not in taken:
            return dict(person) | {"full_name": name}
    return None


def make_messy_extract(
    register: Sequence[Mapping[str, Any]],
    size: int,
    *,
    seed: int,
    options: MessyOptions | None = None,
    header_style: int | None = None,
) -> MessyExtract:
    """Build an extract of ``size`` rows from the clean ``register`` rows.

    Registered people are sampled without replacement; unregistered ones are
    invented next to them (a namesake, an unregistered twin, a stranger), so
    the truth of each row is known. ``seed`` makes the extract reproducible.
    """
    opts = options or MessyOptions()
    rng = random.Random(seed)  # noqa: S311  # test data, not secrets
    stale = random.Random(f"stale-{seed}")  # noqa: S311  # test data, not secrets
    style = HEADER_STYLES[header_style if header_style is not None else seed % len(HEADER_STYLES)]
    by_id = {str(p["personal_id"]): p for p in register}
    households: dict[str, list[str]] = defaultdict(list)
    for p in register:
        if p.get("household_id"):
            households[str(p["household_id"])].append(str(p["personal_id"]))
    given_by_sex: dict[str, list[str]] = defaultdict(list)
    for p in register[:20000]:
        given_by_sex[str(p.get("sex"))].append(split_name(str(p["full_name"])).given)
    commune_codes = sorted({str(p.get("commune_code")) for p in register if p.get("commune_code")})
    # An invented person must not happen to be a registered one (same name and
    # birth year): the truth would be wrong.
    taken = {(fold(str(p["full_name"])), str(p["birth_date"])[:4]) for p in register}
    taken_dates = {(fold(str(p["full_name"])), str(p["birth_date"])) for p in register}

    out = MessyExtract(headers=list(style.values()), rows=[])
    order = rng.sample(range(len(register)), k=min(size, len(register)))
    emitted: list[tuple[dict[str, Any], str, list[str]]] = []
    cursor = 0
    while len(emitted) < size and cursor < len(order):
        person = register[order[cursor]]
        cursor += 1
        kinds: list[str] = []
        truth = str(person["personal_id"])
        roll = rng.random()
        fake: dict[str, Any] | None = None
        if roll < opts.unregistered_stranger:
            fake = _stranger(rng, person, register, given_by_sex, taken)
            if fake:
                kinds.append("unregistered_stranger")
        elif roll - opts.unregistered_stranger < opts.unregistered_namesake:
            birth = _shift_date(rng, str(person["birth_date"]))
            if (fold(str(person["full_name"])), birth) not in taken_dates:
                fake = dict(person) | {"birth_date": birth, "address_line": ""}
                fake["commune_code"] = rng.choice(commune_codes) if commune_codes else ""
                kinds.append("unregistered_namesake")
        elif roll - opts.unregistered_stranger - opts.unregistered_namesake < opts.unregistered_twin:
            fake = _twin(rng, person, given_by_sex, taken)
            if fake:
                kinds.append("unregistered_twin")
        if fake is not None:
            # An unregistered person has no ID of their own; sometimes the sibling's.
            fake["personal_id"] = ""
            fake["old_id_number"] = ""
            if "unregistered_twin" not in kinds:
                fake["former_commune_codes"] = ""  # not of the household they were made from
            truth = ""
            subject: Mapping[str, Any] = fake
        else:
            subject = person
        family = [pid for pid in households.get(str(person.get("household_id")), []) if pid != person["personal_id"]]
        family += [str(person.get(k) or "") for k in ("father_id", "mother_id", "spouse_id")]
        family = [pid for pid in dict.fromkeys(family) if pid and pid in by_id]
        copies = 2 if rng.random() < opts.duplicate else 1
        for copy in range(copies):
            row_kinds = list(kinds) + (["duplicate"] if copy else [])
            row = {
                "full_name": _mess_name(rng, str(subject["full_name"]), opts, row_kinds),
                "birth_date": _mess_date(rng, str(subject.get("birth_date") or ""), opts, row_kinds),
                "sex": _mess_sex(rng, str(subject.get("sex") or ""), opts),
                "personal_id": _mess_id(rng, subject, family, opts, row_kinds),
                "address": _mess_address(rng, subject, opts, row_kinds, commune_codes, stale),
                "phone": _mess_phone(rng, str(subject.get("phone") or "")) if truth else "",
            }
            if "unregistered_twin" in row_kinds and rng.random() < 0.2:
                row["personal_id"] = person["personal_id"]  # the registered twin's card
                row_kinds.append("id_of_twin")
            emitted.append((row, truth, row_kinds))
    rng.shuffle(emitted)
    for number, (row, truth, row_kinds) in enumerate(emitted[:size], start=1):
        out.rows.append({style["row_id"]: number} | {style[k]: v for k, v in row.items()})
        out.truth[str(number)] = truth
        out.kinds[str(number)] = row_kinds
    return out
