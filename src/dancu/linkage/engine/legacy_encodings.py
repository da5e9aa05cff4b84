"""Decode Vietnamese text typed in the legacy TCVN3 (ABC) and VNI-Windows encodings.

Before Unicode, Vietnamese offices typed with 8-bit fonts (.VnTime for TCVN3,
VNI-Times for VNI). Excel keeps the bytes and shows them as Windows-1252 letters,
so a name arrives as ``NguyÔn V¨n Hïng`` (TCVN3) or ``Nguyeãn Vaên Huøng`` (VNI).
Both are undone here character by character; :func:`detect_encoding` decides per
value which reading gives the most plausible Vietnamese.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Final, Literal

from dancu.core.text import canonical_tones

__all__ = [
    "Encoding",
    "decode_legacy",
    "decode_tcvn3",
    "decode_telex",
    "decode_vni",
    "detect_encoding",
    "dominant_encoding",
    "encode_tcvn3",
    "encode_vni",
]

Encoding = Literal["unicode", "tcvn3", "vni"]

# TCVN 5712:1993 VN3 ("ABC"): one byte per letter. Uppercase letters with a tone
# have no code of their own (a separate capitals font reuses the lowercase codes),
# so decoding yields lowercase for them and the word is re-cased afterwards.
_TCVN3: dict[str, str] = {
    "\u00b5": "à", "\u00b8": "á", "\u00b6": "ả", "\u00b7": "ã", "\u00b9": "ạ",
    "\u00a8": "ă", "\u00bb": "ằ", "\u00be": "ắ", "\u00bc": "ẳ", "\u00bd": "ẵ", "\u00c6": "ặ",
    "\u00a9": "â", "\u00c7": "ầ", "\u00ca": "ấ", "\u00c8": "ẩ", "\u00c9": "ẫ", "\u00cb": "ậ",
    "\u00ae": "đ",
    "\u00cc": "è", "\u00d0": "é", "\u00ce": "ẻ", "\u00cf": "ẽ", "\u00d1": "ẹ",
    "\u00aa": "ê", "\u00d2": "ề", "\u00d5": "ế", "\u00d3": "ể", "\u00d4": "ễ", "\u00d6": "ệ",
    "\u00d7": "ì", "\u00dd": "í", "\u00d8": "ỉ", "\u00dc": "ĩ", "\u00de": "ị",
    "\u00df": "ò", "\u00e3": "ó", "\u00e1": "ỏ", "\u00e2": "õ", "\u00e4": "ọ",
    "\u00ab": "ô", "\u00e5": "ồ", "\u00e8": "ố", "\u00e6": "ổ", "\u00e7": "ỗ", "\u00e9": "ộ",
    "\u00ac": "ơ", "\u00ea": "ờ", "\u00ed": "ớ", "\u00eb": "ở", "\u00ec": "ỡ", "\u00ee": "ợ",
    "\u00ef": "ù", "\u00f3": "ú", "\u00f1": "ủ", "\u00f2": "ũ", "\u00f4": "ụ",
    "\u00ad": "ư", "\u00f5": "ừ", "\u00f8": "ứ", "\u00f6": "ử", "\u00f7": "ữ", "\u00f9": "ự",
    "\u00fa": "ỳ", "\u00fd": "ý", "\u00fb": "ỷ", "\u00fc": "ỹ", "\u00fe": "ỵ",
    "\u00a1": "Ă", "\u00a2": "Â", "\u00a7": "Đ", "\u00a3": "Ê", "\u00a4": "Ô", "\u00a5": "Ơ",
    "\u00a6": "Ư",
}  # fmt: skip
_TCVN3_TABLE = str.maketrans(_TCVN3)
_TCVN3_REVERSE = {v: k for k, v in _TCVN3.items()}

# VNI-Windows: a base letter followed by one modifier byte for the vowel shape
# and/or the tone, in the order (none, sắc, huyền, hỏi, ngã, nặng).
_VNI_TONES_PLAIN = ("", "ù", "ø", "û", "õ", "ï")
_VNI_TONES_HAT = ("â", "á", "à", "å", "ã", "ä")
_VNI_TONES_BREVE = ("ê", "é", "è", "ú", "ü", "ë")
_TONED = {
    "a": "aáàảãạ", "â": "âấầẩẫậ", "ă": "ăắằẳẵặ", "e": "eéèẻẽẹ", "ê": "êếềểễệ",
    "o": "oóòỏõọ", "ô": "ôốồổỗộ", "ơ": "ơớờởỡợ", "u": "uúùủũụ", "ư": "ưứừửữự",
    "i": "iíìỉĩị", "y": "yýỳỷỹỵ",
}  # fmt: skip


def _vni_table() -> dict[str, str]:
    lower: dict[str, str] = {}
    for base, shapes in (
        (
            "a",
            ((_VNI_TONES_PLAIN, "a"), (_VNI_TONES_HAT, "â"), (_VNI_TONES_BREVE, "ă")),
        ),
        ("e", ((_VNI_TONES_PLAIN, "e"), (_VNI_TONES_HAT, "ê"))),
        ("o", ((_VNI_TONES_PLAIN, "o"), (_VNI_TONES_HAT, "ô"))),
        ("u", ((_VNI_TONES_PLAIN, "u"),)),
        ("y", ((_VNI_TONES_PLAIN, "y"),)),
        # ơ and ư are single bytes (ô, ö) that take the plain tone bytes.
        ("ô", ((_VNI_TONES_PLAIN, "ơ"),)),
        ("ö", ((_VNI_TONES_PLAIN, "ư"),)),
    ):
        for tone_bytes, target in shapes:
            for tone, suffix in enumerate(tone_bytes):
                if suffix:
                    lower[base + suffix] = _TONED[target][tone]
    # i with a tone and ỵ, đ are single bytes of their own.
    lower.update({"í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ"})
    lower.update({"ô": "ơ", "ö": "ư"})
    table = dict(lower)
    for seq, uni in lower.items():
        table[seq.upper()] = uni.upper()
        # Mixed case as typed with Shift on the first letter only: "Aù".
        table[seq[0].upper() + seq[1:]] = uni.upper()
    return table


_VNI = _vni_table()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))
_VNI_REVERSE: dict[str, str] = {}
for _seq, _uni in sorted(_VNI.items(), key=lambda kv: (len(kv[0]), kv[0])):
    # Prefer the all-lowercase / all-uppercase spelling when encoding.
    if _uni not in _VNI_REVERSE and (_seq.islower() or _seq.isupper()):
        _VNI_REVERSE[_uni] = _seq
_VNI_REVERSE_PATTERN = re.compile("|".join(map(re.escape, _VNI_REVERSE)))

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_SHAPE_MARKS = frozenset("\u0302\u0306\u031b")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzđ")


def decode_tcvn3(text: str) -> str:
    """Read ``text`` as TCVN3 (ABC) shown through Windows-1252 and return Unicode (NFC)."""
    return _recase_words(text.translate(_TCVN3_TABLE))


def decode_vni(text: str) -> str:
    """Read ``text`` as VNI-Windows shown through Windows-1252 and return Unicode (NFC)."""
    return _VNI_PATTERN.sub(lambda m: _VNI[m.group(0)], text)


def encode_tcvn3(text: str) -> str:
    """Write Unicode ``text`` the way a .VnTime font stores it (for test data).

    Capital letters with a tone have no TCVN3 code; they are written with the
    lowercase code, as typists did with the capitals font.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        code = _TCVN3_REVERSE.get(ch) or _TCVN3_REVERSE.get(ch.lower())
        out.append(code if code is not None else ch)
    return "".join(out)


def encode_vni(text: str) -> str:
    """Write Unicode ``text`` the way a VNI-Windows font stores it (for test data)."""
    return _VNI_REVERSE_PATTERN.sub(lambda m: _VNI_REVERSE[m.group(0)], unicodedata.normalize("NFC", text))


def _recase_words(decoded: str) -> str:
    """Restore capitals that TCVN3 cannot store (its toned letters are lowercase only)."""
    ascii_letters = [c for c in decoded if c.isascii() and c.isalpha()]
    if len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters):
        return decoded.upper()
    words = decoded.split(" ")
    if all(w[:1].isupper() or not w[:1].isalpha() or w[:1] in _TCVN3_DECODED for w in words):
        words = [w[:1].upper() + w[1:] for w in words]
    return " ".join(words)


_TCVN3_DECODED = frozenset(_TCVN3.values())

# Vowel groups (tones removed) of a Vietnamese syllable, by what may follow them:
# a consonant coda or nothing, only a coda, or nothing (they end in a glide).
_OPEN_OR_CLOSED = "a e ê i o ô ơ u ư oa oe uê uy"
_CLOSED_ONLY = "ă â iê yê uô ươ uyê oă uâ"
_OPEN_ONLY = "ai ao au ay âu ây eo êu iu oi ôi ơi ui ưi ưu iêu yêu oai oao oay oeo uây uôi uyu ươi ươu ua ưa ia uya uơ"
_ONSET = "(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?"
_CODA = "(ch|ng|nh|[cmnpt])"


def _alternatives(groups: str) -> str:
    return "|".join(sorted(groups.split(), key=len, reverse=True))


_SYLLABLE = re.compile(
    f"^{_ONSET}(?:(?:{_alternatives(_OPEN_OR_CLOSED)}){_CODA}?"
    f"|(?:{_alternatives(_CLOSED_ONLY)}){_CODA}"
    f"|(?:{_alternatives(_OPEN_ONLY)})"
    f"|oo(?:ng|c))$"
)


def _strip_tones(word: str) -> str:
    return unicodedata.normalize(
        "NFC",
        "".join(c for c in unicodedata.normalize("NFD", word) if c not in _TONE_MARKS),
    )


def _implausibility(text: str) -> int:
    """Count what a correct Vietnamese text would not contain.

    Each character that is neither a Vietnamese letter, a digit nor common
    punctuation costs one; so does each extra tone mark in a word, each
    all-letter word that is no Vietnamese syllable ("nguyeón", "vaờn"), and each
    word with capitals inside ("TÊn").
    """
    return sum(_word_cost(word) for word in text.split())


@lru_cache(maxsize=200_000)
def _word_cost(word: str) -> int:
    # Names reuse few words: each is judged once (an extract has millions of names).
    cost = 0
    letters = [c for c in word if c.isalpha()]
    # "TÊn" is no way to write a word: capitals after the first letter with
    # lowercase beside them come from reading a legacy text the wrong way.
    if any(c.isupper() for c in letters[1:]) and any(c.islower() for c in letters):
        cost += 1
    tones = 0
    letters_only = True
    decomposed = unicodedata.normalize("NFD", word.lower())
    for ch in decomposed:
        if ch in _TONE_MARKS:
            tones += 1
        elif ch in _SHAPE_MARKS or ch in _LETTERS:
            continue
        else:
            letters_only = False
            if not (ch.isdigit() or ch in "-.,/'()"):
                cost += 1
    if tones > 1:
        cost += tones - 1
    if letters_only and not _SYLLABLE.match(_strip_tones(decomposed)):
        cost += 1
    return cost


def detect_encoding(text: str) -> Encoding:
    """Return the encoding under which ``text`` reads as the most plausible Vietnamese.

    Plain Unicode wins ties, so correct text is never changed. Between two equally
    plausible legacy readings ("Höng": VNI "Hưng", TCVN3 "Hửng") the one with fewer
    tone marks wins: the level tone is the most frequent in names.
    """
    own_cost = _implausibility(text)
    if own_cost == 0:
        return "unicode"
    tcvn3, vni = decode_tcvn3(text), decode_vni(text)
    ranked = sorted(
        (
            (_implausibility(tcvn3), _tone_count(tcvn3), "tcvn3"),
            (_implausibility(vni), _tone_count(vni), "vni"),
        )
    )
    cost, _, name = ranked[0]
    if cost >= own_cost:
        return "unicode"
    return "tcvn3" if name == "tcvn3" else "vni"


def _tone_count(text: str) -> int:
    return sum(1 for c in unicodedata.normalize("NFD", text) if c in _TONE_MARKS)


def dominant_encoding(values: Iterable[str]) -> Encoding:
    """Return the legacy encoding most values of a column were typed in, else unicode."""
    counts = {"unicode": 0, "tcvn3": 0, "vni": 0}
    for value in values:
        counts[detect_encoding(value)] += 1
    legacy = max(("tcvn3", "vni"), key=lambda k: counts[k])
    return legacy if counts[legacy] > counts["unicode"] else "unicode"  # type: ignore[return-value]  # keys are Encoding


def decode_legacy(text: str, hint: Encoding | None = None) -> str:
    """Return ``text`` in Unicode NFC, decoding TCVN3 or VNI when detected.

    ``hint`` is the column's dominant encoding; it is applied when it makes the
    value no less plausible, which catches legacy words that happen to be made of
    valid Vietnamese letters ("Hãa" is TCVN3 for "Hóa").
    """
    if text.isascii():
        return text  # legacy encodings live above U+007F; most names are checked here
    encoding = detect_encoding(text)
    if encoding == "unicode" and hint in ("tcvn3", "vni"):
        candidate = decode_tcvn3(text) if hint == "tcvn3" else decode_vni(text)
        if _implausibility(candidate) < _implausibility(text):
            return unicodedata.normalize("NFC", candidate)
    if encoding == "tcvn3":
        text = decode_tcvn3(text)
    elif encoding == "vni":
        text = decode_vni(text)
    return unicodedata.normalize("NFC", text)


# Telex typed with the Vietnamese keyboard off: the keystrokes stay in the text
# ("Nguyeenx Vawn Hungf" for "Nguyễn Văn Hùng"). A Vietnamese syllable never ends in
# s, f, r, x or j and never holds w, dd, aa, ee or oo, so these are the signs.
_TELEX_TONES: Final = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_TELEX_LETTERS: Final = (
    ("dd", "đ"), ("DD", "Đ"), ("Dd", "Đ"),
    ("uw", "ư"), ("UW", "Ư"), ("Uw", "Ư"), ("ow", "ơ"), ("OW", "Ơ"), ("Ow", "Ơ"),
    ("aw", "ă"), ("AW", "Ă"), ("Aw", "Ă"), ("aa", "â"), ("AA", "Â"), ("Aa", "Â"),
    ("ee", "ê"), ("EE", "Ê"), ("Ee", "Ê"), ("oo", "ô"), ("OO", "Ô"), ("Oo", "Ô"),
)  # fmt: skip
_TELEX_SIGN = re.compile(r"(dd|aa|aw|ee|oo|ow|uw|[aeiouy](?:c|ch|m|n|ng|nh|p|t)?[sfrxj])$|dd|aa|aw|ee|ow|uw", re.I)
_TELEX_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(ch|ng|nh|[cmnpt])?$"
)


def _telex_word(word: str) -> str:
    if not _TELEX_SIGN.search(word):
        return word
    body, tone = word, ""
    if word[-1].lower() in _TELEX_TONES and len(word) > 1:
        body, tone = word[:-1], _TELEX_TONES[word[-1].lower()]
    for keys, letter in _TELEX_LETTERS:
        body = body.replace(keys, letter)
    if not _TELEX_SYLLABLE.match(body.lower()):
        return word  # not a Vietnamese syllable (an ethnic-minority name, a foreign word)
    if tone:
        vowels = [i for i, c in enumerate(body.lower()) if c in "aăâeêioôơuưy"]
        i = vowels[-1]
        body = body[: i + 1] + tone + body[i + 1 :]
    return canonical_tones(unicodedata.normalize("NFC", body))


def decode_telex(text: str) -> str:
    """Turn Telex keystrokes left in plain ASCII text back into Vietnamese letters.

    Only a text with a Telex sign changes, and in it only the plain ASCII words that
    decode to a Vietnamese syllable ("Ksor" stays): "Nguyeenx Thij Lanf" → "Nguyễn Thị
    Làn"; a word typed with its marks stays as it is ("Bà Traanf Thij Tus" → "Bà Trần
    Thị Tú").
    """
    words = text.split()
    if not any(w.isascii() and _TELEX_SIGN.search(w) for w in words):
        return text
    return " ".join(_telex_word(w) if w.isascii() else w for w in words)
