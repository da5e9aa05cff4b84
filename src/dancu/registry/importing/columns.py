"""The columns an import file may have: the canonical header of DESIGN.md §4, the optional
columns the register also keeps, and the Vietnamese headers agencies use for them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from dancu.core.text import fold
from dancu.registry.contract import CANONICAL_HEADER

__all__ = [
    "CANONICAL_HEADER",
    "COLUMNS",
    "OPTIONAL_HEADER",
    "REQUIRED",
    "Column",
    "header_key",
    "resolve_header",
]


@dataclass(frozen=True, slots=True)
class Column:
    """One column the import understands: its canonical name, label and accepted aliases."""

    name: str
    label_vi: str
    label_en: str
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.label_vi} / {self.label_en}"


#: Further person attributes a file may carry (the synthetic province writes the first four).
OPTIONAL_HEADER: Final[tuple[str, ...]] = (
    "religion",
    "birthplace",
    "hometown",
    "deceased_date",
    "email",
    "other_names",
)

#: Without these a row cannot make a person.
REQUIRED: Final[frozenset[str]] = frozenset({"personal_id", "full_name", "birth_date", "sex", "commune_code"})

_COLUMNS: Final[tuple[Column, ...]] = (
    Column("personal_id", "Số định danh cá nhân", "Personal ID",
           ("so dinh danh", "so dinh danh ca nhan", "so ddcn", "ma dinh danh", "so cccd", "cccd",
            "so can cuoc", "so can cuoc cong dan", "sodinhdanh", "so_dinh_danh", "id")),
    Column("full_name", "Họ và tên", "Full name",
           ("ho va ten", "ho ten", "hoten", "ho_ten", "ten day du", "name")),
    Column("birth_date", "Ngày sinh", "Birth date",
           ("ngay sinh", "ngay thang nam sinh", "ngaysinh", "ngay_sinh", "dob", "date of birth")),
    Column("sex", "Giới tính", "Sex", ("gioi tinh", "gioitinh", "gioi_tinh", "gender", "phai")),
    Column("ethnicity", "Dân tộc", "Ethnicity", ("dan toc", "dantoc", "dan_toc")),
    Column("nationality", "Quốc tịch", "Nationality", ("quoc tich", "quoctich", "quoc_tich")),
    Column("old_id_number", "Số CMND cũ", "Former ID-card number",
           ("so cmnd", "cmnd", "so cmnd cu", "cmnd cu", "so chung minh nhan dan", "so_cmnd")),
    Column("household_id", "Số hộ", "Household number",
           ("so ho", "ma ho", "ma ho gia dinh", "so ho khau", "ma_ho", "so_ho")),
    Column("relation_to_head", "Quan hệ với chủ hộ", "Relation to the head of household",
           ("quan he voi chu ho", "quan he chu ho", "quan he", "qh chu ho", "quan_he_chu_ho", "quan_he")),
    Column("father_id", "Số định danh của cha", "Father's personal ID",
           ("so dinh danh cha", "so ddcn cha", "ma dinh danh cha", "cccd cha", "cha", "id cha")),
    Column("mother_id", "Số định danh của mẹ", "Mother's personal ID",
           ("so dinh danh me", "so ddcn me", "ma dinh danh me", "cccd me", "me", "id me")),
    Column("spouse_id", "Số định danh của vợ/chồng", "Spouse's personal ID",
           ("so dinh danh vo chong", "so ddcn vo chong", "cccd vo chong", "vo chong", "id vo chong")),
    Column("province_code", "Mã tỉnh", "Province code", ("ma tinh", "matinh", "ma_tinh", "ma tinh thanh pho")),
    Column("commune_code", "Mã xã", "Commune code",
           ("ma xa", "maxa", "ma_xa", "ma xa phuong", "ma phuong xa", "ma don vi hanh chinh xa")),
    Column("commune_name", "Tên xã", "Commune name",
           ("ten xa", "xa phuong", "ten xa phuong", "xa", "phuong", "ten_xa")),
    Column("address_line", "Địa chỉ", "Address",
           ("dia chi", "dia chi thuong tru", "noi thuong tru", "so nha thon xom", "dia_chi", "address")),
    Column("phone", "Số điện thoại", "Phone", ("so dien thoai", "dien thoai", "sdt", "so_dien_thoai", "mobile")),
    Column("status", "Tình trạng", "Status", ("tinh trang", "trang thai", "tinh_trang", "con song da mat")),
    Column("religion", "Tôn giáo", "Religion", ("ton giao", "tongiao", "ton_giao")),
    Column("birthplace", "Nơi đăng ký khai sinh", "Birthplace",
           ("noi dang ky khai sinh", "noi sinh", "noisinh", "noi_sinh")),
    Column("hometown", "Quê quán", "Home town", ("que quan", "quequan", "que_quan")),
    Column("deceased_date", "Ngày mất", "Date of death",
           ("ngay mat", "ngay chet", "ngay tu vong", "ngay_mat", "deceased on", "date of death")),
    Column("email", "Thư điện tử", "Email", ("thu dien tu", "e mail")),
    Column("other_names", "Tên gọi khác", "Other names", ("ten goi khac", "ten khac", "bi danh")),
)  # fmt: skip

COLUMNS: Final[dict[str, Column]] = {column.name: column for column in _COLUMNS}

_NON_WORD = re.compile(r"[^a-z0-9]+")


def header_key(header: str) -> str:
    """How a header is compared: folded, a byte-order mark dropped, words joined by one space
    ("Họ và tên", "HO_VA_TEN" and " ho  va ten " give "ho va ten")."""
    return " ".join(_NON_WORD.sub(" ", fold(header.replace("\ufeff", ""))).split())


_BY_KEY: Final[dict[str, str]] = {
    header_key(alias): column.name
    for column in _COLUMNS
    for alias in (column.name, column.label_vi, column.label_en, *column.aliases)
}


def resolve_header(headers: list[str]) -> tuple[dict[int, str], list[str], list[tuple[str, str]]]:
    """Map a file's header cells to column names.

    Returns (position -> column name, headers not understood, (header, column) pairs that name a
    column already taken by an earlier header).
    """
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    duplicates: list[tuple[str, str]] = []
    taken: set[str] = set()
    for position, header in enumerate(headers):
        name = _BY_KEY.get(header_key(header))
        if name is None:
            if header.strip():
                unknown.append(header)
            continue
        if name in taken:
            duplicates.append((header, name))
            continue
        taken.add(name)
        mapping[position] = name
    return mapping, unknown, duplicates
