"""A second, independently written messy extract: a list re-typed from paper forms.

:mod:`.messy` imitates an agency's own database exported to Excel. This one imitates
another way agency data goes wrong, so that the engine is not judged only on the
errors its own generator makes:

- names typed by hand or scanned: Telex keystrokes left in when the Vietnamese
  keyboard was off ("Nguyeenx"), tone marks lost by OCR while the vowel hats stay
  ("Nguyên Văn Hung"), OCR letter confusions (rn/m, cl/d, li/h), keyboard slips to a
  neighbouring key, the given name written first, an honorific ("Ông", "Bà") in front,
  plain ASCII capitals;
- dates written out ("ngày 5 tháng 3 năm 1980"), with a two-digit year, as month/year,
  year only, or with one digit misread (1/7, 3/8, 5/6, 0/8);
- ID numbers typed in groups or with dots, with a digit misread, the old 9-digit card,
  a family member's card, or none (more often than in database exports);
- addresses written the old way (village, commune, district, province in lower case,
  without commas sometimes), with only the commune's bare name, or of a former home;
- phone numbers more often present, in several spellings;
- people the register lacks (strangers, namesakes, twins) and people listed twice.

No row receives more than three kinds of mess at once: paper forms are copied by a
person who gets most of a line right. The truth is kept apart, as in :mod:`.messy`.
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from dancu.core import units
from dancu.core.text import fold, split_name

from .messy import MessyExtract

__all__ = ["RetypedOptions", "make_retyped_extract"]

HEADERS: Final = {
    "row_id": "STT", "full_name": "Ho va ten", "birth_date": "Ngay thang nam sinh",
    "sex": "Gioi tinh", "personal_id": "CCCD/CMND", "address": "Dia chi thuong tru",
    "phone": "Dien thoai lien he",
}  # fmt: skip


@dataclass(frozen=True)
class RetypedOptions:
    """Rates per row of each kind of mess."""

    stranger: float = 0.04
    namesake: float = 0.015
    twin: float = 0.01
    duplicate: float = 0.03
    telex: float = 0.03
    tones_lost: float = 0.10
    ascii_caps: float = 0.15
    ocr_letters: float = 0.03
    key_slip: float = 0.03
    given_first: float = 0.015
    honorific: float = 0.02
    middle_missing: float = 0.03
    date_words: float = 0.10
    date_two_digit_year: float = 0.10
    date_month_year: float = 0.03
    date_year_only: float = 0.07
    date_digit_misread: float = 0.02
    date_missing: float = 0.02
    id_missing: float = 0.35
    id_old: float = 0.10
    id_digit_misread: float = 0.03
    id_family: float = 0.015
    address_old_style: float = 0.45
    address_bare: float = 0.10
    address_missing: float = 0.05
    address_moved: float = 0.05
    phone_present: float = 0.6


_TONES: Final = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_HATS: Final = {"\u0302": None, "\u0306": "w", "\u031b": "w"}
_KEY_NEIGHBOURS: Final = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "g": "fh", "h": "gj", "i": "uo",
    "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et",
    "s": "ad", "t": "ry", "u": "yi", "v": "cb", "x": "zc", "y": "tu",
}  # fmt: skip
_OCR_LETTERS: Final = (("m", "rn"), ("d", "cl"), ("h", "li"), ("n", "ri"), ("u", "ii"), ("a", "o"), ("e", "c"))
_OCR_DIGITS: Final = {"1": "7", "7": "1", "3": "8", "8": "3", "5": "6", "6": "5", "0": "8"}


def _telex(word: str) -> str:
    """Type ``word`` on a Telex keyboard with the Vietnamese mode off: "Nguyễn" → "Nguyeenx"."""
    out: list[str] = []
    tone = ""
    for char in unicodedata.normalize("NFD", word):
        if char in _TONES:
            tone = _TONES[char]
        elif char in _HATS:
            base = out[-1] if out else ""
            out.append(base if _HATS[char] is None else "w")
        elif char in "đĐ":
            out.append("dd" if char == "đ" else "DD")
        else:
            out.append(char)
    return "".join(out) + tone


def _without_tones(text: str) -> str:
    kept = (c for c in unicodedata.normalize("NFD", text) if c not in _TONES)
    return unicodedata.normalize("NFC", "".join(kept))


def _key_slip(rng: random.Random, word: str) -> str:
    positions = [i for i, c in enumerate(word) if fold(c).lower() in _KEY_NEIGHBOURS and i > 0]
    if not positions:
        return word
    i = rng.choice(positions)
    return word[:i] + rng.choice(_KEY_NEIGHBOURS[fold(word[i]).lower()]) + word[i + 1 :]


def _ocr_letters(rng: random.Random, text: str) -> str:
    options = [(a, b) for a, b in _OCR_LETTERS if a in text[1:]]
    if not options:
        return text
    a, b = rng.choice(options)
    i = text.index(a, 1)
    return text[:i] + b + text[i + 1 :]


def _name(rng: random.Random, full_name: str, sex: str, o: RetypedOptions, kinds: list[str]) -> str:
    parts = split_name(full_name)
    words = [w for w in (parts.surname, parts.middle, parts.given) if w]
    if parts.middle and rng.random() < o.middle_missing:
        kinds.append("middle_missing")
        words = [parts.surname, parts.given]
    if len(words) > 1 and rng.random() < o.given_first:
        kinds.append("given_first")
        # "Hùng Nguyễn Văn", or the Western order "Văn Hùng Nguyễn"
        words = [words[-1], *words[:-1]] if rng.random() < 0.5 else [*words[1:], words[0]]
    if rng.random() < o.key_slip:
        kinds.append("key_slip")
        j = rng.randrange(len(words))
        words[j] = _key_slip(rng, words[j])
    text = " ".join(words)
    roll = rng.random()
    if roll < o.telex:
        kinds.append("telex")
        text = " ".join(_telex(w) for w in text.split())
    elif roll < o.telex + o.tones_lost:
        kinds.append("tones_lost")
        text = _without_tones(text)
    elif roll < o.telex + o.tones_lost + o.ascii_caps:
        kinds.append("ascii_caps")
        text = fold(text).upper()
    if rng.random() < o.ocr_letters:
        kinds.append("ocr_letters")
        text = _ocr_letters(rng, text)
    if rng.random() < o.honorific:
        kinds.append("honorific")
        text = ("Ông " if sex == "Nam" else "Bà ") + text
    return text


def _misread(rng: random.Random, digits: str) -> str:
    positions = [i for i, c in enumerate(digits) if c in _OCR_DIGITS]
    if not positions:
        return digits
    i = rng.choice(positions)
    return digits[:i] + _OCR_DIGITS[digits[i]] + digits[i + 1 :]


def _date(rng: random.Random, iso: str, o: RetypedOptions, kinds: list[str]) -> str:
    if not iso or rng.random() < o.date_missing:
        kinds.append("date_missing")
        return ""
    if len(iso) < 10:
        return iso[:4]
    year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    roll = rng.random()
    if roll < o.date_year_only:
        kinds.append("date_year_only")
        return f"{year}"
    roll -= o.date_year_only
    if roll < o.date_month_year:
        kinds.append("date_month_year")
        return f"{month:02d}/{year}"
    roll -= o.date_month_year
    if roll < o.date_words:
        text = f"ngày {day} tháng {month} năm {year}"
    elif roll < o.date_words + o.date_two_digit_year:
        kinds.append("date_two_digit_year")
        text = f"{day}/{month}/{year % 100:02d}"
    elif rng.random() < 0.2:
        text = f"{year}-{month:02d}-{day:02d}"
    else:
        text = f"{day:02d}/{month:02d}/{year}"
    if rng.random() < o.date_digit_misread:
        kinds.append("date_digit_misread")
        text = _misread(rng, text)
    return text


def _sex(rng: random.Random, sex: str) -> str:
    male = sex == "Nam"
    return rng.choice(("Nam", "nam", "NAM", "M")) if male else rng.choice(("Nữ", "nữ", "NỮ", "F"))


def _id(
    rng: random.Random, person: Mapping[str, Any], family: Sequence[str], o: RetypedOptions, kinds: list[str]
) -> str:
    pid, old = str(person.get("personal_id") or ""), str(person.get("old_id_number") or "")
    roll = rng.random()
    if not pid or roll < o.id_missing:
        kinds.append("id_missing")
        return ""
    roll -= o.id_missing
    if roll < o.id_old and old:
        kinds.append("id_old")
        return old
    roll -= o.id_old
    if roll < o.id_family and family:
        kinds.append("id_family")
        pid = rng.choice(list(family))
    elif rng.random() < o.id_digit_misread / (1 - o.id_missing - o.id_old):
        kinds.append("id_digit_misread")
        pid = pid[:3] + _misread(rng, pid[3:])
    style = rng.random()
    if style < 0.1:
        return f"{pid[:4]} {pid[4:8]} {pid[8:]}"
    if style < 0.15:
        return f"{pid[:3]}.{pid[3:6]}.{pid[6:9]}.{pid[9:]}"
    if style < 0.25:
        return pid.lstrip("0")
    return pid


def _unit_names(code: str, era: str) -> list[str]:
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


def _address(
    rng: random.Random, person: Mapping[str, Any], communes: Sequence[str], o: RetypedOptions, kinds: list[str]
) -> str:
    if rng.random() < o.address_missing:
        kinds.append("address_missing")
        return ""
    code = str(person.get("commune_code") or "")
    line = str(person.get("address_line") or "")
    if communes and rng.random() < o.address_moved:
        kinds.append("address_moved")
        code, line = rng.choice(list(communes)), ""
    roll = rng.random()
    if roll < o.address_old_style:
        olds = units.predecessors(code) if code else []
        if olds:
            kinds.append("address_old_style")
            names = _unit_names(olds[0].code, "former")
            text = " ".join(n[0].lower() + n[1:] for n in names) if rng.random() < 0.3 else ", ".join(names)
            return f"{line} {text}".strip() if line and rng.random() < 0.5 else text
    elif roll < o.address_old_style + o.address_bare:
        kinds.append("address_bare")
        names = _unit_names(code, "current")
        if names:
            bare = names[0].split(" ", 1)[-1] if names[0].startswith(("Xã ", "Phường ")) else names[0]
            return f"{bare} - {names[-1]}" if len(names) > 1 else bare
    names = _unit_names(code, "current") or [str(person.get("commune_name") or "")]
    return ", ".join(([line] if line else []) + names)


def _phone(rng: random.Random, phone: str, o: RetypedOptions) -> str:
    if not phone or rng.random() >= o.phone_present:
        return ""
    digits = phone[1:] if phone.startswith("0") else phone
    style = rng.random()
    if style < 0.3:
        return f"0{digits[:3]}.{digits[3:6]}.{digits[6:]}"
    if style < 0.5:
        return f"0{digits[:3]} {digits[3:6]} {digits[6:]}"
    if style < 0.65:
        return f"+84{digits}"
    return phone


def _invent(
    rng: random.Random,
    kind: str,
    person: Mapping[str, Any],
    given_pool: Mapping[str, list[str]],
    taken: set[tuple[str, str]],
    communes: Sequence[str],
) -> dict[str, Any] | None:
    parts = split_name(str(person["full_name"]))
    birth = str(person.get("birth_date") or "")
    if not birth:
        return None
    for _ in range(20):
        if kind == "twin":
            given = rng.choice(given_pool.get(str(person["sex"])) or [parts.given])
            if fold(given) == fold(parts.given):
                continue
            name, new_birth, commune = f"{parts.surname} {parts.middle} {given}".replace("  ", " "), birth, None
        elif kind == "namesake":
            # another person of the same name, born within three years (another day)
            name = str(person["full_name"])
            year = int(birth[:4]) + rng.choice((-3, -2, -1, 1, 2, 3))
            new_birth = date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
            commune = rng.choice(list(communes)) if rng.random() < 0.5 else None
        else:
            given = rng.choice(given_pool.get(str(person["sex"])) or [parts.given])
            name = f"{parts.surname} {given}" if rng.random() < 0.3 else f"{parts.surname} {parts.middle} {given}"
            year = int(birth[:4]) + rng.choice((-1, 1)) * rng.randint(2, 15)
            new_birth, commune = date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat(), None
        if (fold(name), new_birth[:4]) in taken:
            continue
        fake = dict(person) | {"full_name": name, "birth_date": new_birth, "personal_id": "", "old_id_number": ""}
        if commune:
            fake |= {"commune_code": commune, "address_line": ""}
        return fake
    return None


def make_retyped_extract(
    register: Sequence[Mapping[str, Any]], size: int, *, seed: int, options: RetypedOptions | None = None
) -> MessyExtract:
    """An extract of ``size`` rows re-typed from paper, from the clean ``register`` rows."""
    o = options or RetypedOptions()
    rng = random.Random(seed)  # noqa: S311  # test data, not secrets
    by_id = {str(p["personal_id"]): p for p in register}
    households: dict[str, list[str]] = defaultdict(list)
    for p in register:
        if p.get("household_id"):
            households[str(p["household_id"])].append(str(p["personal_id"]))
    given_pool: dict[str, list[str]] = defaultdict(list)
    for p in register[:: max(1, len(register) // 20000)]:
        given_pool[str(p.get("sex"))].append(split_name(str(p["full_name"])).given)
    communes = sorted({str(p["commune_code"]) for p in register if p.get("commune_code")})
    taken = {(fold(str(p["full_name"])), str(p["birth_date"])[:4]) for p in register}
    out = MessyExtract(headers=list(HEADERS.values()), rows=[])
    emitted: list[tuple[dict[str, Any], str, list[str]]] = []
    for index in rng.sample(range(len(register)), k=min(size, len(register))):
        if len(emitted) >= size:
            break
        person = register[index]
        roll = rng.random()
        kind = (
            "stranger" if roll < o.stranger
            else "namesake" if roll < o.stranger + o.namesake
            else "twin" if roll < o.stranger + o.namesake + o.twin
            else ""
        )  # fmt: skip
        subject: Mapping[str, Any] = person
        truth = str(person["personal_id"])
        base_kinds: list[str] = []
        if kind:
            fake = _invent(rng, kind, person, given_pool, taken, communes)
            if fake is not None:
                subject, truth, base_kinds = fake, "", [f"unregistered_{kind}"]
        family = households.get(str(person.get("household_id")), []) + [
            str(person.get(k) or "") for k in ("father_id", "mother_id", "spouse_id")
        ]
        family = [f for f in dict.fromkeys(family) if f and f != person["personal_id"] and f in by_id]
        for copy in range(2 if rng.random() < o.duplicate else 1):
            for _ in range(10):  # at most three kinds of mess on one row
                kinds = list(base_kinds) + (["duplicate"] if copy else [])
                row = {
                    "full_name": _name(rng, str(subject["full_name"]), str(subject["sex"]), o, kinds),
                    "birth_date": _date(rng, str(subject.get("birth_date") or ""), o, kinds),
                    "sex": _sex(rng, str(subject.get("sex") or "")),
                    "personal_id": _id(rng, subject, family, o, kinds),
                    "address": _address(rng, subject, communes, o, kinds),
                    "phone": _phone(rng, str(subject.get("phone") or ""), o) if truth else "",
                }
                if kind == "twin" and truth == "" and rng.random() < 0.2:
                    row["personal_id"] = str(person["personal_id"])
                    kinds.append("id_of_twin")
                mess = [k for k in kinds if not k.startswith("unregistered") and k not in ("duplicate", "id_missing")]
                if len(mess) <= 3:
                    break
            emitted.append((row, truth, kinds))
    rng.shuffle(emitted)
    for number, (row, truth, kinds) in enumerate(emitted[:size], start=1):
        out.rows.append({HEADERS["row_id"]: number} | {HEADERS[k]: v for k, v in row.items()})
        out.truth[str(number)] = truth
        out.kinds[str(number)] = kinds
    return out
