"""Vietnamese text: Unicode cleaning, tone-mark placement, search keys and personal names.

Pure Python (no Django): the linkage engine and the synthetic generator import it directly.
Every function is total: it accepts any ``str`` and never raises.

Keys come in two strengths, because stripping diacritics merges distinct names
(Hùng/Hưng, Thủy/Thùy) and matching must rank the exact level above the folded one:

- `exact_key` keeps every diacritic but ignores case, Unicode form, spacing and where the
  tone mark was typed ("Hoà" and "Hòa" give the same key; "Hùng" and "Hưng" do not);
- `fold` drops every mark ("Nguyễn Thị Thủy" -> "nguyen thi thuy").

Tone-mark placement. Two conventions coexist for open syllables whose rhyme has two vowels:
"hòa, khỏe, thủy" (mark on the first vowel) and "hoà, khoẻ, thuỷ" (mark on the second vowel of
oa/oe/uy). `canonical_tones` rewrites every syllable to ONE placement: the first vowel of an
open two-vowel rhyme ("hòa", "thủy", "Khóa"). Why this one: it is the placement of the large
majority of administrative-unit names published by the National Statistics Office (770 "Hòa,
Thủy, Hóa…" against 115 "Hoà, Thuỷ, Hoá…" in our units data file), it is one rule for every
open two-vowel rhyme (mùa, cái, hòa, thủy) instead of an exception list, and keyboards that
follow it are the default in common Vietnamese input methods. Stored names are never rewritten
(a birth certificate that says "Hoà" stays "Hoà"); only keys use the canonical placement.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "NameParts",
    "canonical_tones",
    "exact_key",
    "fold",
    "nfc",
    "normalise_person_name",
    "split_name",
]

# Invisible characters that sneak in from copy-paste and web forms (zero-width space, joiners,
# word joiner, byte-order mark, soft hyphen). They split words invisibly, so they go first.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_DROP_INVISIBLE = str.maketrans(dict.fromkeys(_INVISIBLE))

# Legacy fonts and OCR put the Icelandic eth (Ð U+00D0, ð U+00F0) where Vietnamese has đ/Đ.
_ETH_TO_D = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})

# The five Vietnamese tone marks as combining characters: grave, acute, hook above, tilde,
# dot below. Vowel-quality marks (circumflex, breve, horn) are part of the letter.
_TONES = "\u0300\u0301\u0309\u0303\u0323"
_VOWELS = frozenset("aăâeêioôơuưy")
_QUALITY_VOWELS = frozenset("ăâêôơư")


def _build_tone_tables() -> tuple[dict[str, tuple[str, str]], dict[tuple[str, str], str]]:
    """Map each toned vowel (both cases) to (toneless letter, tone mark), and back."""
    split: dict[str, tuple[str, str]] = {}
    join: dict[tuple[str, str], str] = {}
    for base in "aăâeêioôơuưy":
        for letter in (base, base.upper()):
            for tone in _TONES:
                toned = unicodedata.normalize("NFC", letter + tone)
                split[toned] = (letter, tone)
                join[(letter, tone)] = toned
    return split, join


_TONE_OF, _WITH_TONE = _build_tone_tables()
_TONED_CHARS = frozenset(_TONE_OF)

# Marks stripped by `fold`: the combining blocks (diacritics, extended, supplement, for
# symbols, half marks) plus the invisible characters; đ/Đ and ð/Ð fold to d.
_COMBINING_RANGES = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)
_FOLD_TABLE: dict[int, str | None] = {cp: None for lo, hi in _COMBINING_RANGES for cp in range(lo, hi + 1)}
_FOLD_TABLE.update(dict.fromkeys(map(ord, _INVISIBLE)))
_FOLD_TABLE.update({0x0110: "d", 0x0111: "d", 0x00D0: "d", 0x00F0: "d"})

# A "word" for tone placement: a run of letters (no digits, no underscore) with any combining
# marks NFC left loose among them, so that no mark next to a rewritten word can compose with it.
_MARK = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _COMBINING_RANGES)
_WORD = re.compile(rf"(?:[^\W\d_][{_MARK}]*)+")
_LOOSE_MARK = re.compile(rf"[{_MARK}]")


def nfc(s: str) -> str:
    """Return S in Unicode NFC without invisible characters, spaces collapsed and trimmed.

    >>> nfc("  Nguye\u0302\u0303n\u200b  Văn ")
    'Nguyễn Văn'
    """
    # Invisible characters are removed *before* composing: one sitting between a letter and
    # its combining mark would otherwise block the composition.
    s = unicodedata.normalize("NFC", s.translate(_DROP_INVISIBLE))
    return " ".join(s.split())


def canonical_tones(s: str) -> str:
    """Return S (in NFC) with every syllable's tone mark in the canonical place.

    "hoà" -> "hòa", "THUỶ" -> "THỦY", "cuả" -> "của", "qúa" -> "quá"; "Hùng" and "Hưng" stay
    distinct. Letters, case, spacing and everything that is not a toned syllable are kept.
    """
    s = unicodedata.normalize("NFC", s)
    if not any(c in _TONED_CHARS for c in s):
        return s
    return _WORD.sub(lambda m: _place_tone(m.group()), s)


@lru_cache(maxsize=65536)
def _place_tone(word: str) -> str:
    """Move the single tone mark of WORD onto its canonical vowel (cached: names reuse syllables)."""
    tones = [(i, _TONE_OF[c]) for i, c in enumerate(word) if c in _TONED_CHARS]
    if len(tones) != 1 or _LOOSE_MARK.search(word):
        # No tone, several, or a mark that NFC could not attach: not one Vietnamese
        # syllable, leave it as typed.
        return word
    index, (letter, tone) = tones[0]
    bare = word[:index] + letter + word[index + 1 :]
    target = _tone_position(bare.lower())
    if target is None or target == index:
        return word
    toned = _WITH_TONE.get((bare[target], tone))
    if toned is None:
        return word
    return bare[:target] + toned + bare[target + 1 :]


def _tone_position(syllable: str) -> int | None:
    """Index of the vowel that carries the tone in a lowercase toneless SYLLABLE, or None."""
    start = 0
    # "qu" and "gi" before another vowel are initial consonants: quá, già, giữ.
    if syllable[:2] in ("qu", "gi") and len(syllable) > 2 and syllable[2] in _VOWELS:
        start = 2
    while start < len(syllable) and syllable[start] not in _VOWELS:
        start += 1
    end = start
    while end < len(syllable) and syllable[end] in _VOWELS:
        end += 1
    if start == end or any(c in _VOWELS for c in syllable[end:]):
        return None  # no vowel, or vowels after a consonant: not a single syllable
    nucleus = syllable[start:end]
    if "ươ" in nucleus:
        return start + nucleus.index("ươ") + 1  # người, rượu, được
    marked = [i for i, c in enumerate(nucleus) if c in _QUALITY_VOWELS]
    if marked:
        return start + marked[-1]  # tiếng, muốn, khuấy, mưa, cứu
    if len(nucleus) == 1:
        return start
    if end < len(syllable):
        return end - 1  # closed syllable: hoàng, toán, huỳnh
    if len(nucleus) >= 3:
        return start + 1  # ngoài, khuỷu, xoáy
    return start  # open two-vowel rhyme, the chosen convention: hòa, thủy, mùa, cái


def fold(s: str) -> str:
    """Return the diacritic-insensitive search key of S: lowercase, đ -> d, no marks, one space.

    >>> fold("  Nguyễn  THỊ Thuỷ ")
    'nguyen thi thuy'
    """
    # casefold, not lower: it is Unicode's case-insensitive form ("µ", "Μ" and "μ" agree).
    return " ".join(unicodedata.normalize("NFD", s.casefold()).translate(_FOLD_TABLE).split())


def exact_key(s: str) -> str:
    """Return the diacritic-keeping key of S: `nfc`, lowercase, canonical tone placement.

    >>> exact_key("Lê Thị  HOÀ") == exact_key("lê thị hòa")
    True
    """
    return canonical_tones(nfc(s).translate(_ETH_TO_D).lower())


@dataclass(frozen=True, slots=True)
class NameParts:
    """A Vietnamese personal name cut into surname (họ), middle name (tên đệm), given name (tên)."""

    surname: str
    middle: str
    given: str


# Compound surnames recognised by `split_name` (compared folded). Only those that cannot be
# read as surname + middle name in practice; "Phạm Thị", "Nguyễn Văn" are surname + middle.
_COMPOUND_SURNAMES = tuple(
    tuple(fold(s).split())
    for s in ("Công Tằng Tôn Nữ", "Tôn Nữ", "Tôn Thất", "Nguyễn Phúc", "Nguyễn Phước", "Âu Dương")
)


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    """`fold` of one word of a name (cached: names reuse a few thousand words)."""
    return fold(word)


def split_name(full_name: str) -> NameParts:
    """Split a full name, in Vietnamese order, into surname, middle and given name.

    The surname is the first word, the given name the last, the middle name the rest
    ("Phạm Thị Lan" -> Phạm / Thị / Lan). A compound surname (Tôn Thất, Tôn Nữ, Nguyễn Phúc,
    Âu Dương, …) is taken whole when at least one word is left for the given name.
    A single word is a given name. Words are returned as in ``nfc(full_name)``.
    """
    cleaned = nfc(full_name)
    if not cleaned:
        return NameParts("", "", "")
    words = cleaned.split(" ")
    if len(words) == 1:
        return NameParts("", "", words[0])
    folded = [_fold_word(w) for w in words]
    surname_len = 1
    for compound in _COMPOUND_SURNAMES:
        if len(words) > len(compound) and tuple(folded[: len(compound)]) == compound:
            surname_len = len(compound)
            break
    return NameParts(
        surname=" ".join(words[:surname_len]),
        middle=" ".join(words[surname_len:-1]),
        given=words[-1],
    )


_WORD_PART = re.compile(r"[^\s'’\-]+")


def normalise_person_name(s: str) -> str:
    """Return a personal name in NFC with each word capitalised: "nguyễN văn đức" -> "Nguyễn Văn Đức".

    Parts after a hyphen or an apostrophe are capitalised too ("h'hen niê" -> "H'Hen Niê").
    Letters and tone-mark placement are kept as written (it is the legal spelling); only a
    legacy Ð/ð (eth) is read as Đ/đ.
    """
    s = nfc(s).translate(_ETH_TO_D)
    s = _WORD_PART.sub(lambda m: _capitalise(m.group()), s)
    # Case mapping can leave a sequence that NFC would compose differently; normalise last.
    return unicodedata.normalize("NFC", s)


@lru_cache(maxsize=65536)
def _capitalise(word: str) -> str:
    """Upper-case the first character and lower-case the rest, one character for one.

    ``str.capitalize`` may change the length ("ŉ" -> "ʼN") and is then not idempotent; a
    character whose case mapping is not a single character is kept as it is. Cached: names
    reuse a few thousand words.
    """
    first = word[0].upper()
    if len(first) != 1:
        first = word[0]
    rest = "".join(low if len(low := c.lower()) == 1 else c for c in word[1:])
    return first + rest
