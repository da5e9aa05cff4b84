"""Tests for dancu.core.text: known answers, then properties over arbitrary strings."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dancu.core.text import (
    NameParts,
    canonical_tones,
    exact_key,
    fold,
    nfc,
    normalise_person_name,
    split_name,
)

# --- nfc ---------------------------------------------------------------------------------------


def test_it_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thủy")
    assert decomposed != "Nguyễn Thị Thủy"
    assert nfc(decomposed) == "Nguyễn Thị Thủy"


def test_it_strips_invisible_characters_and_collapses_spaces() -> None:
    assert nfc("\ufeff  Trần\u200b Văn\u00a0\u00a0 Nam\t\n") == "Trần Văn Nam"


def test_it_composes_a_mark_separated_from_its_letter_by_a_zero_width_space() -> None:
    assert nfc("Nguye\u0302\u200b\u0303n") == "Nguyễn"


# --- canonical tone placement ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("Khoá", "Khóa"),
        ("thuỷ", "thủy"),
        ("THUỶ", "THỦY"),
        ("khoẻ", "khỏe"),
        ("Thuỵ", "Thụy"),
        ("cuả", "của"),
        ("qúa", "quá"),
        ("gìa", "già"),
        ("xóay", "xoáy"),
        ("ngòai", "ngoài"),
        ("ngươì", "người"),
        ("hòang", "hoàng"),
        ("hủynh", "huỷnh"),
        ("tuần", "tuần"),
        ("Quý", "Quý"),
        ("giữ", "giữ"),
        ("gìn", "gìn"),
        ("Đắk Lắk", "Đắk Lắk"),
        ("Lê Thị Hoà, 1990", "Lê Thị Hòa, 1990"),
    ],
)
def test_it_places_tone_marks_canonically(typed: str, canonical: str) -> None:
    assert canonical_tones(typed) == canonical


def test_it_leaves_a_word_with_two_tone_marks_as_typed() -> None:
    assert canonical_tones("hòà") == "hòà"


def test_it_places_tones_on_decomposed_input() -> None:
    assert canonical_tones(unicodedata.normalize("NFD", "Hoà")) == "Hòa"


# --- keys --------------------------------------------------------------------------------------


def test_it_gives_old_and_new_tone_styles_the_same_exact_key() -> None:
    assert exact_key("Lê Thị HOÀ") == exact_key("lê  thị hòa") == "lê thị hòa"
    assert exact_key("Nguyễn Thanh Thuỷ") == exact_key("Nguyễn Thanh Thủy")


def test_it_keeps_distinct_names_distinct_in_the_exact_key() -> None:
    assert exact_key("Hùng") != exact_key("Hưng")
    assert exact_key("Thủy") != exact_key("Thùy")


def test_it_reads_eth_as_d_in_keys() -> None:
    assert exact_key("Ðỗ Ðức") == "đỗ đức"
    assert fold("Ðỗ Ðức") == "do duc"


def test_it_folds_diacritics_case_and_d() -> None:
    assert fold("  Nguyễn  THỊ Thuỷ ") == "nguyen thi thuy"
    assert fold("Đặng Đức Hưng") == "dang duc hung"
    assert fold("Hùng") == fold("Hưng") == "hung"


def test_it_folds_decomposed_and_composed_input_alike() -> None:
    name = "Trương Quỳnh Hương"
    assert fold(unicodedata.normalize("NFD", name)) == fold(name) == "truong quynh huong"


# --- names -------------------------------------------------------------------------------------


def test_it_splits_a_three_word_name() -> None:
    assert split_name("Phạm Thị Lan") == NameParts("Phạm", "Thị", "Lan")


def test_it_splits_a_long_middle_name() -> None:
    assert split_name(" Lê  Hoàng Anh Tuấn ") == NameParts("Lê", "Hoàng Anh", "Tuấn")


def test_it_splits_a_two_word_name() -> None:
    assert split_name("Trần Nam") == NameParts("Trần", "", "Nam")


def test_it_treats_a_single_word_as_the_given_name() -> None:
    assert split_name("Lan") == NameParts("", "", "Lan")


def test_it_splits_an_empty_name() -> None:
    assert split_name(" \u200b ") == NameParts("", "", "")


@pytest.mark.parametrize(
    ("full", "parts"),
    [
        ("Tôn Thất Thuyết", NameParts("Tôn Thất", "", "Thuyết")),
        ("Tôn Nữ Thị Ngọc Hân", NameParts("Tôn Nữ", "Thị Ngọc", "Hân")),
        ("Nguyễn Phúc Vĩnh Lộc", NameParts("Nguyễn Phúc", "Vĩnh", "Lộc")),
        ("nguyen phuoc buu chanh", NameParts("nguyen phuoc", "buu", "chanh")),
        ("Âu Dương Lân", NameParts("Âu Dương", "", "Lân")),
        ("Công Tằng Tôn Nữ Thị Bích", NameParts("Công Tằng Tôn Nữ", "Thị", "Bích")),
    ],
)
def test_it_keeps_a_compound_surname_whole(full: str, parts: NameParts) -> None:
    assert split_name(full) == parts


def test_it_does_not_treat_pham_thi_as_a_compound_surname() -> None:
    assert split_name("Phạm Thị Hoa") == NameParts("Phạm", "Thị", "Hoa")


def test_it_needs_a_given_name_after_a_compound_surname() -> None:
    assert split_name("Tôn Thất") == NameParts("Tôn", "", "Thất")


def test_it_capitalises_a_person_name() -> None:
    assert normalise_person_name("  nguyễN   văn đức ") == "Nguyễn Văn Đức"
    assert normalise_person_name("ĐẶNG THỊ HOÀ") == "Đặng Thị Hoà"


def test_it_capitalises_after_an_apostrophe_or_hyphen() -> None:
    assert normalise_person_name("h'hen niê") == "H'Hen Niê"
    assert normalise_person_name("y-moan ênuôl") == "Y-Moan Ênuôl"


def test_it_reads_a_legacy_eth_as_d_in_a_person_name() -> None:
    assert normalise_person_name("ðỗ minh ðức") == "Đỗ Minh Đức"


# --- properties --------------------------------------------------------------------------------

# Vietnamese-heavy text (letters with every mark, decomposed marks, odd spaces, invisibles)
# mixed with arbitrary Unicode, so the properties are tried on both.
_VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐÐð"
_ODD = " \t\n\u00a0\u3000\u200b\u200d\ufeff\u00ad'’-.\u0300\u0301\u0309\u0303\u0323\u0302\u0306\u031b"
texts = st.one_of(
    st.text(alphabet=_VIETNAMESE + _ODD, max_size=40),
    st.text(max_size=40),
)


@given(texts)
@settings(max_examples=400)
def test_it_keeps_nfc_idempotent_and_normalised(s: str) -> None:
    once = nfc(s)
    assert nfc(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip()
    assert "  " not in once


@given(texts)
@settings(max_examples=400)
def test_it_gives_nfd_and_nfc_input_the_same_results(s: str) -> None:
    decomposed = unicodedata.normalize("NFD", s)
    assert nfc(decomposed) == nfc(s)
    assert fold(decomposed) == fold(s)
    assert exact_key(decomposed) == exact_key(s)
    assert canonical_tones(decomposed) == canonical_tones(s)


@given(texts)
@settings(max_examples=400)
def test_it_keeps_fold_idempotent_and_mark_free(s: str) -> None:
    folded = fold(s)
    assert fold(folded) == folded
    assert folded == folded.casefold()
    assert not any(0x300 <= ord(c) <= 0x36F for c in folded)
    assert "đ" not in folded


@given(texts)
@settings(max_examples=400)
def test_it_keeps_exact_key_and_canonical_tones_idempotent(s: str) -> None:
    key = exact_key(s)
    assert exact_key(key) == key
    assert fold(key) == fold(s)
    canonical = canonical_tones(s)
    assert canonical_tones(canonical) == canonical
    assert fold(canonical) == fold(s)


@given(texts)
@settings(max_examples=400)
def test_it_keeps_person_name_normalisation_idempotent(s: str) -> None:
    name = normalise_person_name(s)
    assert normalise_person_name(name) == name
    assert fold(name) == fold(nfc(s))


@given(texts)
@settings(max_examples=400)
def test_it_splits_any_text_into_parts_that_rebuild_it(s: str) -> None:
    parts = split_name(s)
    rebuilt = " ".join(p for p in (parts.surname, parts.middle, parts.given) if p)
    assert rebuilt == nfc(s)


_INITIALS = ["", "b", "h", "kh", "ng", "ngh", "qu", "gi", "g", "tr", "th"]
_FINALS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
_TONE_MARKS = ["\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]


@given(
    st.sampled_from(_INITIALS),
    st.text(alphabet="aăâeêioôơuưy", min_size=1, max_size=3),
    st.sampled_from(_FINALS),
    st.sampled_from(_TONE_MARKS),
)
def test_it_maps_every_placement_of_a_tone_in_a_syllable_to_one_form(
    initial: str, nucleus: str, final: str, tone: str
) -> None:
    word = initial + nucleus + final
    vowels = range(len(initial), len(initial) + len(nucleus))
    forms = {canonical_tones(unicodedata.normalize("NFC", word[: i + 1] + tone + word[i + 1 :])) for i in vowels}
    assert len(forms) == 1
    assert fold(forms.pop()) == fold(word)
