"""Known answers and round trips for the TCVN3 and VNI decoders."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dancu.linkage.engine.legacy_encodings import (
    decode_legacy,
    decode_tcvn3,
    decode_vni,
    detect_encoding,
    dominant_encoding,
    encode_tcvn3,
    encode_vni,
)

_NAMES = [
    "Nguyễn Văn Hùng",
    "Trần Thị Thủy",
    "Lê Hoàng Ánh Dương",
    "Phạm Quốc Việt",
    "Đặng Ngọc Khuê",
    "Huỳnh Tấn Phát",
    "Ngô Thị Hồng Nhung",
    "Vũ Đức Ước",
    "Lò Thị Xuân",
    "Bùi Thị Yến",
]


def test_it_decodes_tcvn3_as_excel_shows_it() -> None:
    assert decode_tcvn3("NguyÔn V¨n Hïng") == "Nguyễn Văn Hùng"
    assert decode_tcvn3("TrÇn ThÞ Thñy") == "Trần Thị Thủy"


def test_it_restores_capitals_tcvn3_cannot_store() -> None:
    assert decode_tcvn3("NGUYÔN §øC ¦íC") == "NGUYỄN ĐỨC ƯỚC"
    assert decode_tcvn3("Lª Hoµng ¸nh D\u00ad¬ng") == "Lê Hoàng Ánh Dương"


def test_it_decodes_vni_as_excel_shows_it() -> None:
    assert decode_vni("Nguyeãn Vaên Huøng") == "Nguyễn Văn Hùng"
    assert decode_vni("NGUYEÃN ÑÖÙC ÖÔÙC") == "NGUYỄN ĐỨC ƯỚC"
    assert decode_vni("Leâ Hoaøng AÙnh Döông") == "Lê Hoàng Ánh Dương"


def test_it_detects_each_encoding() -> None:
    for name in _NAMES:
        assert detect_encoding(name) == "unicode"
        assert detect_encoding(name.upper()) == "unicode"
        assert detect_encoding(encode_tcvn3(name)) == "tcvn3", name
        assert detect_encoding(encode_vni(name)) == "vni", name


def test_it_leaves_plain_ascii_and_minority_names_alone() -> None:
    assert decode_legacy("NGUYEN VAN HUNG") == "NGUYEN VAN HUNG"
    assert decode_legacy("H'Hen Niê") == "H'Hen Niê"
    assert decode_legacy("Ksor Y Bih") == "Ksor Y Bih"


def test_it_uses_the_column_hint_for_legacy_words_made_of_valid_letters() -> None:
    # "Hßa" is clearly TCVN3; "Hãa" (TCVN3 for "Hóa") reads as valid letters alone.
    assert dominant_encoding(["NguyÔn V¨n Hïng", "TrÇn ThÞ Hãa", "Lª Hßa"]) == "tcvn3"
    assert decode_legacy("Hãa", hint="tcvn3") == "Hóa"
    assert decode_legacy("Hòa", hint="tcvn3") == "Hòa"


_VIETNAMESE_WORD = st.sampled_from(
    ["nguyễn", "trần", "thị", "văn", "hùng", "hưng", "thủy", "thùy", "ánh", "dương", "quốc",
     "việt", "đức", "ước", "khuê", "yến", "hồng", "nhung", "phát", "tấn", "huỳnh", "ngọc"]
)  # fmt: skip


@given(st.lists(_VIETNAMESE_WORD, min_size=1, max_size=5))
def test_it_round_trips_any_name_through_both_encodings(words: list[str]) -> None:
    name = " ".join(w.capitalize() for w in words)
    assert decode_legacy(name) == name
    # A legacy spelling that is itself valid Vietnamese ("Thò" is VNI for "Thị")
    # cannot be told apart alone; every other one must decode exactly.
    for encoded in (encode_tcvn3(name), encode_vni(name)):
        if detect_encoding(encoded) != "unicode":
            assert decode_legacy(encoded) == name


def test_it_decodes_telex_keystrokes_left_in_a_name() -> None:
    from dancu.linkage.engine.legacy_encodings import decode_telex

    assert decode_telex("Nguyeenx Thij Hoaf") == "Nguyễn Thị Hòa"
    assert decode_telex("DDawngj DDuwcs Truwowngf") == "Đặng Đức Trường"
    # plain ASCII names and words that are no Vietnamese syllable stay as typed
    assert decode_telex("Nguyen Van Thanh") == "Nguyen Van Thanh"
    assert decode_telex("Ksor Hwen") == "Ksor Hwen"
    # a title typed with its marks before a name typed with the keyboard off
    assert decode_telex("Bà Traanf Thij Tus") == "Bà Trần Thị Tú"
    assert decode_telex("Ông Nguyễn Văn Thanh") == "Ông Nguyễn Văn Thanh"
