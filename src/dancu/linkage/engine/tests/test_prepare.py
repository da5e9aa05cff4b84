"""The prepared tables: name keys are built per distinct name and joined back to every row."""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from dancu.core.text import fold
from dancu.linkage.engine.pipeline import _connect
from dancu.linkage.engine.prepare import (
    _HOUSE,
    _house_number,
    clean_extract,
    home_provinces,
    load_register,
    prepare_extract,
    prepare_register,
)


def _register() -> pa.Table:
    people = [
        ("001090000001", "Nguyễn Văn An", "1990-03-04"),
        ("001090000002", "Nguyễn Văn An", "1991-05-06"),
        ("001090000003", "Trần Thị Bình", "1985-01-02"),
        ("001090000004", "Tôn Thất Minh", "1970-07-08"),
    ] + [(f"0010900001{i:02d}", f"Nguyễn Thị Mai {i}", "1980-02-03") for i in range(10)]
    return pa.table(
        {
            "personal_id": [p[0] for p in people],
            "full_name": [p[1] for p in people],
            "birth_date": [p[2] for p in people],
        }
    )


def _prepared() -> duckdb.DuckDBPyConnection:
    con = _connect()
    load_register(con, _register())
    prepare_register(con)
    fields = pa.table(
        {
            "row_id": ["1", "2", "3", "4", "5"],
            "full_name": ["NGUYEN VAN AN", "Nguyen Van An", "Nguyễn Văn An", "Ông Nguyễn Văn An", ""],
        }
    )
    prepare_extract(con, fields)
    return con


def test_namesakes_in_the_register_each_get_the_name_keys() -> None:
    con = _prepared()
    rows = con.sql("SELECT uid, surname_f, middle_f, given_f, given_x FROM reg ORDER BY uid").fetchall()
    assert rows[0] == ("001090000001", "nguyen", "van", "an", "an")
    assert rows[1] == ("001090000002", "nguyen", "van", "an", "an")
    assert rows[3] == ("001090000004", "ton that", None, "minh", "minh")
    assert con.sql("SELECT count(*) FROM reg").fetchall()[0][0] == 14


def test_every_extract_row_gets_the_keys_of_its_own_name() -> None:
    con = _prepared()
    rows = dict(con.sql("SELECT uid, name_f FROM ext").fetchall())
    assert rows == {
        "1": "nguyen van an",
        "2": "nguyen van an",
        "3": "nguyen van an",
        "4": "nguyen van an",  # the honorific in front of a usual surname is dropped
        "5": None,
    }
    marked = dict(con.sql("SELECT uid, given_x FROM ext").fetchall())
    assert marked["3"] == "an"


def test_rows_sharing_an_address_each_get_what_it_resolves_to_alone() -> None:
    # Addresses are resolved once per distinct value and spread back: every row,
    # repeated or not, must carry what its own address resolves to.
    from dancu.linkage.engine.addresses import parse_address, resolve_address
    from dancu.linkage.engine.prepare import _house_number

    con = _connect()
    load_register(con, _register())
    prepare_register(con)
    addresses = [
        "Số 129 Tô Hiệu, P. Nam Triệu, TP Hải Phòng",
        "Thôn Nam - Xã Gia Lộc - Thành phố Hải Phòng",
        "Số 129 Tô Hiệu, P. Nam Triệu, TP Hải Phòng",
        "",
        "Thôn Nam - Xã Gia Lộc - Thành phố Hải Phòng",
        "Số 129 Tô Hiệu, P. Nam Triệu, TP Hải Phòng",
    ]
    fields = pa.table(
        {"row_id": [str(i) for i in range(len(addresses))], "full_name": ["Nguyễn Văn An"] * len(addresses)}
    ).append_column("address", pa.array(addresses))
    prepare_extract(con, fields)
    rows = {r[0]: r[1:] for r in con.sql("SELECT uid, communes, province, house_key FROM ext").fetchall()}
    assert len(rows) == len(addresses)
    for i, text in enumerate(addresses):
        alone = resolve_address(parse_address(text)) if text else None
        communes = list(alone.communes) if alone else []
        house = _house_number(text)
        assert rows[str(i)][:2] == (communes, alone.province if alone else None)
        assert rows[str(i)][2] == (f"{house}|{communes[0]}" if house and communes else None)
    assert rows["0"][0], "the street address resolves to a commune"
    assert rows["0"][2] == rows["2"][2] == rows["5"][2] is not None


def test_an_address_split_over_unit_columns_skips_the_empty_parts() -> None:
    from dancu.linkage.engine.prepare import _address_text

    fields = pa.table(
        {
            "address": ["Số 5 Lê Lợi", "", None, "Thôn 3"],
            "commune": ["P. Nam Triệu", "Xã Gia Lộc", "", None],
            "province": ["Hải Phòng", None, "", ""],
        }
    )
    assert _address_text(fields, 4).to_pylist() == [
        "Số 5 Lê Lợi, P. Nam Triệu, Hải Phòng",
        "Xã Gia Lộc",
        "",
        "Thôn 3",
    ]


def test_the_house_is_read_from_the_first_part_of_the_address_only() -> None:
    from dancu.linkage.engine.prepare import _house_number

    assert _house_number("Số 129  Tô Hiệu, P. Nam Triệu, TP Hải Phòng") == "129 to hieu"
    assert _house_number("số nhà 12a/3 Trần Phú; Phường 7") == "12a/3 tran phu"
    # " - " cuts the house off even right before the first comma.
    assert _house_number("12 Lê Lợi - , Phường 7") == "12 le loi"
    assert _house_number("12 Lê Lợi -\u200b Phường 7, Quận 3") == "12 le loi"  # invisible character folded away
    # A number after the first separator is no house; nor is an address without digits.
    assert _house_number("Thôn Nam, Số 12 Lê Lợi") is None
    assert _house_number("Thôn Nam - Xã Gia Lộc") is None
    assert _house_number("") is None


def test_the_home_provinces_are_those_reg_will_hold_most() -> None:
    con = _connect()
    people = [
        # a former commune code (Hải Dương's, now Hải Phòng's), a current one, a bare
        # province code, and people the register places nowhere
        *[(f"0310900000{i:02d}", "10510", "30") for i in range(5)],
        *[(f"0310900001{i:02d}", None, "01") for i in range(3)],
        *[(f"0310900002{i:02d}", None, "") for i in range(6)],
        *[(f"0310900003{i:02d}", "99999", None) for i in range(2)],
    ]
    register = pa.table(
        {
            "personal_id": [p[0] for p in people],
            "full_name": ["Nguyễn Văn An"] * len(people),
            "birth_date": ["1990-03-04"] * len(people),
            "commune_code": [p[1] for p in people],
            "province_code": [p[2] for p in people],
        }
    )
    load_register(con, register)
    early = home_provinces(con)
    prepare_register(con)
    held = con.sql(
        "SELECT province FROM reg WHERE province IS NOT NULL GROUP BY province ORDER BY count(*) DESC LIMIT 2"
    ).fetchall()
    assert early == [r[0] for r in held]
    assert len(early) == 2


def test_the_extract_cleaned_beforehand_gives_the_same_table() -> None:
    con = _prepared()
    fields = pa.table(
        {
            "row_id": ["1", "2", "3", "4", "5"],
            "full_name": ["NGUYEN VAN AN", "Nguyen Van An", "Nguyễn Văn An", "Ông Nguyễn Văn An", ""],
            "birth_date": ["04/03/1990", "1990", "31123", "ngày 4 tháng 3 năm 1990", "x"],
            "address": ["Số 12 Lê Lợi, Xã A, Tỉnh Hải Dương", "", "Thôn 3", "12 Lê Lợi - Xã B", "x"],
        }
    )
    prepare_extract(con, fields)
    direct = con.sql("SELECT * FROM ext ORDER BY uid").fetchall()
    prepare_extract(con, fields, cleaned=clean_extract(fields, home_provinces(con)))
    assert con.sql("SELECT * FROM ext ORDER BY uid").fetchall() == direct


def _house_of_the_whole_address(address: str) -> str | None:
    """What ``_house_number`` means: the house of the first part of the folded address."""
    first = re.split(r"[,;|]|\s-\s", fold(address), maxsplit=1)[0].strip()
    match = _HOUSE.match(first)
    return f"{match.group(1)} {' '.join(match.group(2).split())}" if match else None


def test_a_house_is_read_from_the_first_part_of_the_address() -> None:
    assert _house_number("Số 12 Lê Lợi, Phường A") == "12 le loi"
    assert _house_number("SỐ 5/3 ngõ 4 Trần Phú - Xã B - Tỉnh C") == "5/3 ngo 4 tran phu"
    assert _house_number("Thôn 3, Xã A") is None
    for address in ("12 Lê Lợi - ,", "12 Lê Lợi - \u200b", "12 x \u200b- - y", "\u200b - 12 abc", "12 a - _"):
        assert _house_number(address) == _house_of_the_whole_address(address), address


_ADDRESS_PIECES = st.sampled_from(
    ["1", "25", "/", " ", "-", " - ", ",", ";", "|", "\n", "\u200b", "\u00a0", "\u0301", "Số", "so", "nhà",
     "Lê Lợi", "ngõ", "a", "Ấ", "S", "đ", "５", "_", "x"]
)  # fmt: skip


@given(st.lists(_ADDRESS_PIECES, max_size=14).map("".join))
def test_a_house_read_from_the_cut_address_is_that_of_the_whole(address: str) -> None:
    assert _house_number(address) == _house_of_the_whole_address(address)
