"""A third, independently written messy extract: a health-insurance list from an old system.

:mod:`.messy` imitates an agency database exported to Excel and :mod:`.retyped` a list
re-typed from paper forms. This one imitates a provincial social-insurance (BHXH)
list of people holding a health-insurance card, exported from the old desktop
system it was kept in and consolidated from the lists the units send in: communes
(household insurance, *BHYT hộ gia đình*: every member of a household listed
together), schools (pupils), hospitals (newborns) and firms (workers, many from other
provinces). It was written without looking at the engine's matching code, so that
the engine is not judged only on errors its authors imagined.

What such a list looks like, and the rates assumed (per row unless said; our
estimates from how these systems are known to store data, not measured counts):

- **Names.** The old system stored plain ASCII in capitals: ``NGUYEN THI LAN``
  (40 % of households, one clerk typing the whole household the same way); capitals
  with diacritics (15 %); the rest in ordinary case, 10 % of them without
  diacritics. The middle name is cut to its initial (``NGUYEN T. LAN``,
  ``Trần V. Hùng``, ``PHAM T.T. HUONG``; 6 %, twice as often for "Thị"/"Văn") or
  dropped (3 %, "Thị" most of all); 0.5 % keep only initials for surname and middle
  (``N.T. LAN``). Surnames written in a variant found in practice (Hoàng/Huỳnh,
  Vũ/Võ, Lã/Lữ, Đỗ/Đổ, Nguyễn/Nguyển: 2 % of those surnames), given names with
  the other i/y or tone placement (Sỹ/Sĩ, Vy/Vi, Hòa/Hoà, Thủy/Thuỷ: 10 % of the
  names that have one), and a keying slip in the given name (1.5 %).
- **Birth dates.** ``dd/mm/yyyy`` mostly; ``dd/mm/yy`` (12 %); the year only (5 %,
  25 % for people born before 1950, as BHXH keeps "năm sinh" only for many elderly);
  ``01/01/yyyy`` or ``00/00/yyyy`` for an unknown day and month (4 %, 12 % before
  1960); day and month swapped by a spreadsheet read in the wrong locale (3 % of
  the dates where it is possible); one digit mistyped (1 %); none (1 %).
- **Sex.** ``Nam``/``Nữ`` (55 %), ``NAM``/``NU`` (17 %), coded ``1``/``2`` as the
  Ministry of Health's export format has it (15 %), empty (8 %), or the old form's
  single "Nữ" column with ``x`` for women and nothing for men (5 %).
- **ID numbers.** Adults: none (30 %); the old 9-digit CMND when they had one
  (12 %); a spouse's or other relative's number (1 %). Children under 14: none (55 %)
  or a parent's number (10 %: the card was applied for under the parent's papers) —
  such a row must never be linked to the parent. A 12-digit CCCD that lost its
  leading zero in Excel (20 % of the 12-digit numbers written), shown in scientific
  notation (``3.10859E+10``, 1 %), two adjacent digits transposed (1.5 %), one digit
  mistyped (1.5 %).
- **Addresses.** Written with the units before 1 July 2025, abbreviated the usual
  way (``Tổ 5, P. Lê Chân, Q. Lê Chân, TP Hải Phòng``; 55 %), with the current units
  (25 %), as free text naming only the village and the commune (8 %), or empty
  (6 %); 4 % are a former address in another commune of the province. Which of the
  communes merged on 1 July 2025 a household lived in is not in the register, so it
  is chosen once per household.
- **Phone.** Present for 30 % of adults, in several spellings.
- **Who is listed.** 35 % of picks list the whole household one after another
  (same surname, same address text, twins side by side). People the register does
  not hold: workers from other provinces living here (4 %: their own province's
  address or a lodging here, a CCCD of their province; 4 % of picks, ≈ 2 % of rows as
  households fill the rest), newborns not yet registered (6 % of picks of women aged
  18–42, ≈ 1 % of rows: ``CON BA NGUYEN THI LAN`` or a real name, born after the
  register's date, 40 % with the mother's ID), unregistered twins of registered
  children (3 % of picks under 16, ≈ 0.4 % of rows, 30 % with the twin's ID). The
  same person listed twice, by two units (2 %).

The truth is kept apart, as in :mod:`.messy`; ``kinds`` names the mess of each row.
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from dancu.core import units
from dancu.core.text import fold, split_name

from .messy import MessyExtract

__all__ = ["InsuranceOptions", "make_insurance_extract"]

HEADERS: Final = {
    "row_id": "STT", "full_name": "HO TEN", "birth_date": "NGAY SINH", "sex": "GIOI TINH",
    "personal_id": "SO CCCD/CMND", "address": "DIA CHI", "phone": "DIEN THOAI",
}  # fmt: skip

#: The register's date: newborns after it are not in it yet; ages are counted at it.
REGISTER_DATE: Final = date(2025, 7, 1)


@dataclass(frozen=True)
class InsuranceOptions:
    """Rates of each kind of mess; see the module's docstring for why these."""

    household_block: float = 0.35
    duplicate: float = 0.02
    migrant: float = 0.04
    newborn: float = 0.06
    unregistered_twin: float = 0.03
    name_ascii_caps: float = 0.40
    name_caps: float = 0.15
    name_no_marks: float = 0.10
    middle_initial: float = 0.06
    middle_dropped: float = 0.03
    initials: float = 0.005
    surname_variant: float = 0.02
    given_variant: float = 0.10
    name_slip: float = 0.015
    date_two_digit_year: float = 0.12
    date_year_only: float = 0.05
    date_year_only_elderly: float = 0.25
    date_placeholder: float = 0.04
    date_placeholder_elderly: float = 0.12
    date_swapped: float = 0.03
    date_digit: float = 0.01
    date_missing: float = 0.01
    id_missing: float = 0.30
    id_missing_child: float = 0.55
    id_parent_child: float = 0.10
    id_old: float = 0.12
    id_relative: float = 0.01
    id_lost_zero: float = 0.20
    id_scientific: float = 0.01
    id_transposed: float = 0.015
    id_digit: float = 0.015
    address_former: float = 0.55
    address_current: float = 0.25
    address_free_text: float = 0.08
    address_missing: float = 0.06
    address_moved: float = 0.04
    phone_present: float = 0.30


_SURNAME_VARIANTS: Final = {
    "Hoàng": "Huỳnh", "Huỳnh": "Hoàng", "Vũ": "Võ", "Võ": "Vũ", "Lã": "Lữ", "Lữ": "Lã",
    "Đỗ": "Đổ", "Nguyễn": "Nguyển",
}  # fmt: skip
_GIVEN_VARIANTS: Final = {
    "Sỹ": "Sĩ", "Sĩ": "Sỹ", "Vy": "Vi", "Vi": "Vy", "Mỹ": "Mĩ", "Lý": "Lí", "Kỳ": "Kì", "Hy": "Hi",
    "Hòa": "Hoà", "Hoà": "Hòa", "Thủy": "Thuỷ", "Thuỷ": "Thủy", "Thúy": "Thuý", "Thuý": "Thúy",
    "Hòe": "Hoè", "Tuý": "Túy", "Túy": "Tuý", "Thụy": "Thuỵ",
}  # fmt: skip

#: Former provinces whose people commonly work in Hải Phòng's industrial zones.
_MIGRANT_PROVINCES: Final = ("34", "36", "38", "40", "24", "22", "33", "37", "35", "26")

_ABBREVIATED: Final = (
    ("Thành phố ", ("TP ", "TP. ", "Tp.")),
    ("Thị trấn ", ("TT ", "TT. ")),
    ("Thị xã ", ("TX ", "TX. ")),
    ("Phường ", ("P. ", "P.", "Phường ")),
    ("Xã ", ("X. ", "Xã ", "xã ")),
    ("Huyện ", ("H. ", "Huyện ", "H.")),
    ("Quận ", ("Q. ", "Q.", "Quận ")),
    ("Tỉnh ", ("T. ", "Tỉnh ", "")),
)


def _age(iso: str) -> int:
    return REGISTER_DATE.year - int(iso[:4]) if iso[:4].isdigit() else 40


def _strip_marks(text: str) -> str:
    return " ".join(_cap(w) for w in fold(text).split())


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _initial(word: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word)[0]).upper() + "."


def _slip(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    roll = rng.random()
    if roll < 0.4:
        return word[:i] + word[i + 1 :]  # a letter left out
    if roll < 0.7:
        return word[:i] + word[i] + word[i:]  # a key pressed twice
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]  # two letters swapped


def _in_case(text: str, case: str, kinds: list[str]) -> str:
    if case == "ascii_caps":
        kinds.append("name_ascii_caps")
        return fold(text).upper()
    if case == "caps":
        kinds.append("name_caps")
        return text.upper()
    if case == "no_marks":
        kinds.append("name_no_marks")
        return _strip_marks(text)
    return text


def _name(rng: random.Random, full_name: str, case: str, o: InsuranceOptions, kinds: list[str]) -> str:
    parts = split_name(full_name)
    surname, middle, given = parts.surname, parts.middle.split(), parts.given
    if surname in _SURNAME_VARIANTS and rng.random() < o.surname_variant:
        kinds.append("surname_variant")
        surname = _SURNAME_VARIANTS[surname]
    if given in _GIVEN_VARIANTS and rng.random() < o.given_variant:
        kinds.append("given_variant")
        given = _GIVEN_VARIANTS[given]
    if rng.random() < o.name_slip:
        kinds.append("name_slip")
        given = _slip(rng, given)
    common = bool(set(middle) & {"Thị", "Văn"})
    roll = rng.random()
    if middle and roll < o.initials:
        kinds.append("initials")
        words = ["".join(_initial(w) for w in (surname, *middle)), given]
    elif middle and roll < o.initials + o.middle_initial * (2 if common else 0.5):
        kinds.append("middle_initial")
        shown = "".join(_initial(w) for w in middle)
        words = [surname, shown if rng.random() < 0.8 else shown.replace(".", ""), given]
    elif middle and rng.random() < o.middle_dropped * (2 if "Thị" in middle else 0.7):
        kinds.append("middle_dropped")
        words = [surname, given]
    else:
        words = [surname, *middle, given]
    return _in_case(" ".join(w for w in words if w), case, kinds)


def _name_case(rng: random.Random, o: InsuranceOptions) -> str:
    roll = rng.random()
    if roll < o.name_ascii_caps:
        return "ascii_caps"
    if roll < o.name_ascii_caps + o.name_caps:
        return "caps"
    return "no_marks" if rng.random() < o.name_no_marks else "plain"


def _date(rng: random.Random, iso: str, o: InsuranceOptions, kinds: list[str]) -> str:
    if not iso or rng.random() < o.date_missing:
        kinds.append("date_missing")
        return ""
    year = int(iso[:4])
    if len(iso) < 10:
        kinds.append("date_year_only")
        roll = rng.random()
        return str(year) if roll < 0.6 else f"01/01/{year}" if roll < 0.85 else f"00/00/{year}"
    month, day = int(iso[5:7]), int(iso[8:10])
    elderly = year < 1950
    if rng.random() < (o.date_year_only_elderly if elderly else o.date_year_only):
        kinds.append("date_year_only")
        return str(year)
    if rng.random() < (o.date_placeholder_elderly if year < 1960 else o.date_placeholder):
        kinds.append("date_placeholder")
        return f"01/01/{year}" if rng.random() < 0.7 else f"00/00/{year}"
    if day <= 12 and day != month and rng.random() < o.date_swapped:
        kinds.append("date_swapped")
        day, month = month, day
    if rng.random() < o.date_two_digit_year:
        kinds.append("date_two_digit_year")
        text = f"{day:02d}/{month:02d}/{year % 100:02d}"
    else:
        text = f"{day:02d}/{month:02d}/{year}" if rng.random() < 0.85 else f"{day}/{month}/{year}"
    if rng.random() < o.date_digit:
        kinds.append("date_digit")
        positions = [i for i, c in enumerate(text) if c.isdigit()]
        i = rng.choice(positions[:2] + positions[-1:])  # the day, or the year's last digit
        text = text[:i] + rng.choice([d for d in "0123456789" if d != text[i]]) + text[i + 1 :]
    return text


def _sex(rng: random.Random, sex: str, kinds: list[str]) -> str:
    male = sex == "Nam"
    roll = rng.random()
    if roll < 0.55:
        return "Nam" if male else "Nữ"
    if roll < 0.72:
        return "NAM" if male else "NU"
    if roll < 0.87:
        kinds.append("sex_coded")
        return "1" if male else "2"
    kinds.append("sex_missing" if roll < 0.95 or male else "sex_marker")
    return "" if roll < 0.95 or male else "x"


def _id_text(rng: random.Random, pid: str, o: InsuranceOptions, kinds: list[str]) -> str:
    if len(pid) == 12:
        if rng.random() < o.id_transposed:
            kinds.append("id_transposed")
            i = rng.randrange(4, 11)
            pid = pid[:i] + pid[i + 1] + pid[i] + pid[i + 2 :]
        elif rng.random() < o.id_digit:
            kinds.append("id_digit")
            i = rng.randrange(3, 12)
            pid = pid[:i] + rng.choice([d for d in "0123456789" if d != pid[i]]) + pid[i + 1 :]
        if pid.startswith("0"):
            roll = rng.random()
            if roll < o.id_scientific:
                kinds.append("id_scientific")
                return f"{int(pid):.5E}"  # what a "General" cell shows
            if roll < o.id_scientific + o.id_lost_zero:
                kinds.append("id_lost_zero")
                return pid.lstrip("0")
    return pid


def _id(
    rng: random.Random,
    person: Mapping[str, Any],
    parents: Sequence[str],
    relatives: Sequence[str],
    o: InsuranceOptions,
    kinds: list[str],
) -> str:
    pid, old = str(person.get("personal_id") or ""), str(person.get("old_id_number") or "")
    roll = rng.random()
    if _age(str(person.get("birth_date") or "")) < 14:
        if roll < o.id_missing_child or not pid:
            kinds.append("id_missing")
            return ""
        if roll < o.id_missing_child + o.id_parent_child and parents:
            kinds.append("id_of_parent")
            return _id_text(rng, rng.choice(list(parents)), o, kinds)
        return _id_text(rng, pid, o, kinds)
    if roll < o.id_missing or not pid:
        kinds.append("id_missing")
        return ""
    roll -= o.id_missing
    if roll < o.id_old:
        if old:
            kinds.append("id_old")
            return old
        return _id_text(rng, pid, o, kinds)
    roll -= o.id_old
    if roll < o.id_relative and relatives:
        kinds.append("id_of_relative")
        return _id_text(rng, rng.choice(list(relatives)), o, kinds)
    return _id_text(rng, pid, o, kinds)


def _chain(code: str, era: str) -> list[str]:
    names: list[str] = []
    current: str | None = code
    while current:
        try:
            unit = units.get_unit(current, era)  # type: ignore[arg-type]  # era is a literal
        except units.UnknownUnitError:
            break
        names.append(unit.name)
        current = unit.parent_code
    return names


def _abbreviate(rng: random.Random, name: str) -> str:
    for full, shorts in _ABBREVIATED:
        if name.startswith(full):
            return rng.choice(shorts) + name[len(full) :]
    return name


def _local_line(rng: random.Random, line: str) -> str:
    """The street or village part as a clerk writes it: a residents' group ("tổ") often added."""
    if not line or rng.random() < 0.25:
        return f"Tổ {rng.randint(1, 25)}" if rng.random() < 0.5 else ""
    return line.replace("Số ", "") if rng.random() < 0.3 else line


def _address(
    rng: random.Random, person: Mapping[str, Any], former: str, communes: Sequence[str], o: InsuranceOptions
) -> tuple[str, str]:
    """The address text of a household and the kind of it."""
    code, line = str(person.get("commune_code") or ""), str(person.get("address_line") or "")
    kind = ""
    if communes and rng.random() < o.address_moved:
        kind, code, line = "address_moved", rng.choice(list(communes)), ""
        olds = units.predecessors(code)
        former = olds[rng.randrange(len(olds))].code if olds else ""
    roll = rng.random()
    if roll < o.address_missing:
        return "", "address_missing"
    roll -= o.address_missing
    if roll < o.address_free_text:
        current = _chain(code, "current")
        commune = units.get_unit(former, "former").short_name if former else (current[0] if current else "")
        village = line if line.startswith(("Thôn", "Xóm", "Tổ")) else f"Xóm {rng.randint(1, 12)}"
        text = rng.choice((f"{village} {commune}", f"{village} - {commune}", f"{village}, xã {commune}"))
        return text, kind or "address_free_text"
    roll -= o.address_free_text
    use_former = bool(former) and roll < o.address_former
    names = _chain(former, "former") if use_former else _chain(code, "current")
    names = [_abbreviate(rng, n) for n in names] if rng.random() < 0.7 else names
    local = _local_line(rng, line)
    text = rng.choice((", ", " - ", ",")).join(p for p in [local, *names] if p)
    if rng.random() < 0.1:
        text = fold(text).upper()
    return text, kind or ("address_former" if use_former else "address_current")


def _phone(rng: random.Random, phone: str, age: int, o: InsuranceOptions) -> str:
    if not phone or age < 16 or rng.random() >= o.phone_present:
        return ""
    roll = rng.random()
    if roll < 0.2:
        return phone[1:]  # Excel dropped the zero
    if roll < 0.35:
        return f"{phone[:4]}.{phone[4:7]}.{phone[7:]}"
    return phone


Row = tuple[dict[str, str], str, list[str]]  # the extract row, the truth, the kinds of mess


class _Lister:
    """Writes the list's rows: one block per pick (a person, a household, a duplicate)."""

    def __init__(self, register: Sequence[Mapping[str, Any]], rng: random.Random, o: InsuranceOptions) -> None:
        self.rng, self.o = rng, o
        self.by_id = {str(p["personal_id"]): p for p in register}
        self.households: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for p in register:
            if p.get("household_id"):
                self.households[str(p["household_id"])].append(p)
        sample = register[:: max(1, len(register) // 20000)]
        self.surnames = [split_name(str(p["full_name"])).surname for p in sample]
        self.middles: dict[str, list[str]] = defaultdict(list)
        self.givens: dict[str, list[str]] = defaultdict(list)
        for p in sample:
            parts = split_name(str(p["full_name"]))
            self.middles[str(p["sex"])].append(parts.middle)
            self.givens[str(p["sex"])].append(parts.given)
        self.communes = sorted({str(p["commune_code"]) for p in register if p.get("commune_code")})
        # An invented person must not happen to be a registered one: the truth would be wrong.
        self.taken = {(fold(str(p["full_name"])), str(p["birth_date"])[:4]) for p in register}
        self.blocks: list[list[Row]] = []
        self.listed: set[str] = set()

    def former_of(self, person: Mapping[str, Any]) -> str:
        """The former commune a household lived in (fixed per household)."""
        olds = units.predecessors(str(person.get("commune_code") or ""))
        key = sum(ord(c) for c in str(person.get("household_id") or person["personal_id"]))
        return olds[key % len(olds)].code if olds else ""

    def family_of(self, person: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        """The registered parents and all registered relatives of ``person``."""
        parents = [str(person.get(k) or "") for k in ("father_id", "mother_id")]
        parents = [pid for pid in parents if pid in self.by_id]
        relatives = [str(m["personal_id"]) for m in self.households.get(str(person.get("household_id")), [])]
        relatives += [*parents, str(person.get("spouse_id") or "")]
        own = person["personal_id"]
        return parents, [pid for pid in dict.fromkeys(relatives) if pid and pid != own and pid in self.by_id]

    def row(self, subject: Mapping[str, Any], case: str, address: str, kinds: list[str]) -> dict[str, str]:
        """One row for ``subject`` (a registered person or an invented one)."""
        rng, o = self.rng, self.o
        parents, relatives = self.family_of(subject)
        birth = str(subject.get("birth_date") or "")
        return {
            "full_name": _name(rng, str(subject["full_name"]), case, o, kinds),
            "birth_date": _date(rng, birth, o, kinds),
            "sex": _sex(rng, str(subject.get("sex") or ""), kinds),
            "personal_id": _id(rng, subject, parents, relatives, o, kinds),
            "address": address,
            "phone": _phone(rng, str(subject.get("phone") or ""), _age(birth), o),
        }

    def address(self, person: Mapping[str, Any], kinds: list[str]) -> str:
        text, kind = _address(self.rng, person, self.former_of(person), self.communes, self.o)
        kinds.append(kind)
        return text

    def people(self, members: Sequence[Mapping[str, Any]], truth: bool, base: list[str]) -> None:
        """A block of rows sharing one address text and one way of writing names."""
        rng = self.rng
        case = _name_case(rng, self.o)
        shared: list[str] = []
        address = self.address(members[0], shared)
        block: list[Row] = []
        for member in members:
            kinds = [*base, *shared]
            row = self.row(member, case, address, kinds)
            block.append((row, str(member["personal_id"]) if truth else "", kinds))
            if rng.random() < self.o.duplicate:  # listed again by another unit, elsewhere in the list
                again = ["duplicate", *base]
                again_row = self.row(member, _name_case(rng, self.o), self.address(member, again), again)
                self.blocks.append([(again_row, block[-1][1], again)])
        self.blocks.append(block)

    def migrant(self) -> bool:
        """A worker from another province, whom the register does not hold."""
        rng = self.rng
        for _ in range(20):
            sex = rng.choice(("Nam", "Nữ"))
            words = (rng.choice(self.surnames), rng.choice(self.middles[sex]), rng.choice(self.givens[sex]))
            name = " ".join(w for w in words if w)
            born = date(rng.randint(1970, 2006), rng.randint(1, 12), rng.randint(1, 28))
            if (fold(name), str(born.year)) in self.taken:
                continue
            province = rng.choice(_MIGRANT_PROVINCES)
            century = (0 if born.year < 2000 else 2) + (1 if sex == "Nữ" else 0)
            person: dict[str, Any] = {
                "full_name": name, "birth_date": born.isoformat(), "sex": sex, "personal_id":
                f"{province.zfill(3)}{century}{born.year % 100:02d}{rng.randrange(10**6):06d}",
                "old_id_number": "", "phone": f"09{rng.randrange(10**8):08d}",
            }  # fmt: skip
            kinds = ["unregistered_migrant"]
            if rng.random() < 0.5:  # lodging here
                person |= {"commune_code": rng.choice(self.communes), "address_line": f"Phòng trọ {rng.randint(1, 40)}"}
                address = self.address(person, kinds)
            else:
                home = rng.choice(units.communes("former", province))
                address = ", ".join(_abbreviate(rng, n) for n in _chain(home.code, "former"))
                kinds.append("address_other_province")
            self.blocks.append([(self.row(person, _name_case(rng, self.o), address, kinds), "", kinds)])
            return True
        return False

    def newborn(self, mother: Mapping[str, Any]) -> None:
        """A baby born after the register's date, listed by the hospital under its mother."""
        rng = self.rng
        kinds = ["unregistered_newborn"]
        members = self.households.get(str(mother.get("household_id")), [])
        father = next((m for m in members if m["personal_id"] == mother.get("spouse_id")), mother)
        born = REGISTER_DATE + timedelta(days=rng.randint(1, 150))
        sex = rng.choice(("Nam", "Nữ"))
        case = _name_case(rng, self.o)
        if rng.random() < 0.5:
            name = _in_case(rng.choice(("Con bà ", "Con của ", "CS ")) + str(mother["full_name"]), case, kinds)
        else:
            surname = split_name(str(father["full_name"])).surname
            name = _name(rng, f"{surname} {rng.choice(self.givens[sex])}", case, self.o, kinds)
        row = {
            "full_name": name, "birth_date": _date(rng, born.isoformat(), self.o, kinds),
            "sex": _sex(rng, sex, kinds), "personal_id": "", "address": self.address(mother, kinds), "phone": "",
        }  # fmt: skip
        if rng.random() < 0.4:
            kinds.append("id_of_mother")
            row["personal_id"] = _id_text(rng, str(mother["personal_id"]), self.o, kinds)
        self.blocks.append([(row, "", kinds)])

    def twin(self, child: Mapping[str, Any]) -> bool:
        """The unregistered twin of a registered child: all shared but the given name."""
        rng = self.rng
        parts = split_name(str(child["full_name"]))
        others = [g for g in self.givens[str(child["sex"])] if fold(g) != fold(parts.given)]
        name = " ".join(w for w in (parts.surname, parts.middle, rng.choice(others)) if w)
        if (fold(name), str(child["birth_date"])[:4]) in self.taken:
            return False
        self.people([dict(child) | {"full_name": name, "personal_id": "", "old_id_number": ""}], False, [])
        row, _, kinds = self.blocks[-1][-1]
        kinds.append("unregistered_twin")
        if rng.random() < 0.3:
            kinds.append("id_of_twin")
            row["personal_id"] = _id_text(rng, str(child["personal_id"]), self.o, kinds)
        return True

    def pick(self, person: Mapping[str, Any]) -> None:
        """List ``person``, their household, or someone the register lacks in their place."""
        rng, o = self.rng, self.o
        age = _age(str(person.get("birth_date") or ""))
        if rng.random() < o.migrant and self.migrant():
            return
        if person.get("sex") == "Nữ" and 18 <= age <= 42 and rng.random() < o.newborn:
            self.newborn(person)
            return
        if age < 16 and rng.random() < o.unregistered_twin and self.twin(person):
            return
        block = [person]
        if rng.random() < o.household_block:
            household = self.households.get(str(person.get("household_id")), [])
            block = [m for m in household if m["status"] == "alive" and str(m["personal_id"]) not in self.listed]
            block = block or [person]
        self.listed.update(str(m["personal_id"]) for m in block)
        self.people(block, True, ["household_block"] if len(block) > 1 else [])


def make_insurance_extract(
    register: Sequence[Mapping[str, Any]], size: int, *, seed: int, options: InsuranceOptions | None = None
) -> MessyExtract:
    """An extract of ``size`` rows of a health-insurance list, from the clean ``register`` rows."""
    rng = random.Random(seed)  # noqa: S311  # test data, not secrets
    lister = _Lister(register, rng, options or InsuranceOptions())
    rows = 0
    for index in rng.sample(range(len(register)), k=len(register)):
        if rows >= size:
            break
        person = register[index]
        if str(person["personal_id"]) not in lister.listed:
            before = len(lister.blocks)
            lister.pick(person)
            rows += sum(len(b) for b in lister.blocks[before:])
    rng.shuffle(lister.blocks)
    out = MessyExtract(headers=list(HEADERS.values()), rows=[])
    emitted = [row for block in lister.blocks for row in block][:size]
    for number, (row, truth, kinds) in enumerate(emitted, start=1):
        out.rows.append({HEADERS["row_id"]: number} | {HEADERS[k]: v for k, v in row.items()})
        out.truth[str(number)] = truth
        out.kinds[str(number)] = [k for k in kinds if k]
    return out
