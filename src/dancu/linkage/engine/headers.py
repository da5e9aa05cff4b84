"""Recognise the columns of a sectoral extract by their (Vietnamese) headers.

Agencies export with their own headers: ``HO_TEN``, ``Họ và tên``, ``HỌ TÊN``,
``Số CCCD``, ``NGAY_SINH``… :func:`recognise_headers` maps them onto the engine's
field names; the mapping is shown to the user, who may correct it with a small
JSON file (:func:`load_mapping`) that the CLI passes back in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "FIELDS",
    "HeaderMapping",
    "MappingError",
    "load_mapping",
    "recognise_headers",
    "save_mapping",
]

#: The fields the engine understands, with a Vietnamese label for the mapping screen.
FIELDS: Final[dict[str, str]] = {
    "row_id": "Số thứ tự / Row number",
    "full_name": "Họ và tên / Full name",
    "family_name": "Họ và tên đệm (cột riêng) / Surname and middle name (own column)",
    "birth_date": "Ngày sinh / Date of birth",
    "birth_year": "Năm sinh / Year of birth",
    "sex": "Giới tính / Sex",
    "personal_id": "Số định danh (CCCD) / Personal ID",
    "old_id_number": "Số CMND cũ / Former ID-card number",
    "address": "Địa chỉ / Address",
    "village": "Thôn, tổ dân phố / Village",
    "commune": "Xã, phường / Commune",
    "district": "Quận, huyện / District",
    "province": "Tỉnh, thành phố / Province",
    "phone": "Số điện thoại / Phone",
    "ethnicity": "Dân tộc / Ethnicity",
    "household_head": "Họ tên chủ hộ / Head of household",
}

# Aliases are compared after folding (no diacritics, lowercase, only letters and
# digits), so "Họ và tên", "HO_VA_TEN" and "ho va ten" are one alias.
_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "row_id": ("stt", "so thu tu", "tt", "ma ho so", "ma dong", "id dong", "row id", "row_id",
               "ma ban ghi", "ma kcb", "ma the", "ma so bhxh", "ma bhxh", "ma doi tuong"),
    "full_name": ("ho ten", "ho va ten", "ho ten nguoi", "ten", "hoten", "ten day du",
                  "ho ten cong dan", "ho ten doi tuong", "ho ten nguoi benh", "full name",
                  "name", "ho ten nguoi su dung dat", "ho ten chu the"),
    "family_name": ("ho", "ho dem", "ho va ten dem", "ho va chu dem", "ho lot", "ho va ten lot",
                    "ho va dem", "ho chu dem"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh", "ngay thang nam", "ns", "dob",
                   "birth date", "date of birth", "ngaysinh", "ngay sinh dd mm yyyy"),
    "birth_year": ("nam sinh", "namsinh", "year of birth", "birth year"),
    "sex": ("gioi tinh", "gt", "gioitinh", "phai", "sex", "gender", "nam nu"),
    "personal_id": ("so cccd", "cccd", "so dinh danh", "so dinh danh ca nhan", "ma dinh danh",
                    "so can cuoc", "can cuoc", "so can cuoc cong dan", "so cccd cmnd",
                    "so cmnd cccd", "cmnd cccd", "cccd cmnd", "so giay to", "so giay to tuy than",
                    "personal id", "id number", "so ddcn", "ma ddcn", "so id"),
    "old_id_number": ("so cmnd", "cmnd", "so chung minh nhan dan", "so chung minh thu",
                      "cmnd cu", "so cmnd cu", "old id number", "old id", "so cmt"),
    "address": ("dia chi", "dia chi thuong tru", "noi thuong tru", "thuong tru", "noi o",
                "noi o hien nay", "cho o hien nay", "dia chi lien he", "address", "dc",
                "dia chi cu tru", "noi cu tru", "que quan dia chi"),
    "village": ("thon", "thon xom", "to dan pho", "thon to", "xom", "ap", "ban", "village"),
    "commune": ("xa", "phuong", "xa phuong", "phuong xa", "xa phuong thi tran", "ma xa",
                "ten xa", "commune", "ward"),
    "district": ("huyen", "quan", "quan huyen", "huyen quan", "huyen thi xa", "ma huyen",
                 "ten huyen", "district"),
    "province": ("tinh", "thanh pho", "tinh thanh pho", "tinh tp", "ma tinh", "ten tinh",
                 "province", "city"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "dt", "phone", "mobile", "so dt"),
    "ethnicity": ("dan toc", "ethnicity"),
    "household_head": ("chu ho", "ho ten chu ho", "ten chu ho", "household head"),
}  # fmt: skip


class MappingError(ValueError):
    """A mapping file that names an unknown field or a column the extract lacks."""


def _fold_header(header: str) -> str:
    text = unicodedata.normalize("NFD", header.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


_ALIAS_INDEX: Final[dict[str, str]] = {
    _fold_header(alias): name for name, aliases in _ALIASES.items() for alias in aliases
}


@dataclass
class HeaderMapping:
    """Which extract column feeds which engine field.

    ``fields`` maps an engine field to the extract's header; ``unmapped`` lists the
    headers no field took, shown to the user so nothing is silently ignored.
    """

    fields: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)

    def describe(self) -> list[tuple[str, str, str]]:
        """Rows for the mapping screen: (extract header, engine field, label)."""
        rows = [(header, name, FIELDS[name]) for name, header in self.fields.items()]
        rows.extend((header, "", "bỏ qua / ignored") for header in self.unmapped)
        return rows

    def to_json(self) -> str:
        """The mapping as the JSON the mapping file holds ({header: field})."""
        inverse = {header: name for name, header in self.fields.items()}
        return json.dumps(inverse, ensure_ascii=False, indent=2)


def _guess(folded: str) -> str | None:
    if folded in _ALIAS_INDEX:
        return _ALIAS_INDEX[folded]
    # Longer headers ("Họ và tên người bệnh (*)", "Số CCCD/CMND của chủ hộ") contain
    # an alias as whole words; the longest alias contained wins.
    best: tuple[int, str] | None = None
    padded = f" {folded} "
    for alias, name in _ALIAS_INDEX.items():
        # Single words ("tinh") must match alone: "Tình trạng" is no province.
        contained = " " in alias and f" {alias} " in padded
        if contained and (best is None or len(alias) > best[0]):
            best = (len(alias), name)
    return best[1] if best else None


def recognise_headers(headers: Sequence[str], overrides: Mapping[str, str] | None = None) -> HeaderMapping:
    """Map extract headers to engine fields; the first column claiming a field wins.

    ``overrides`` ({header: field or ""}) is the user's correction, e.g. from
    :func:`load_mapping`; an empty field means "ignore this column".
    """
    overrides = dict(overrides or {})
    unknown = [f for f in overrides.values() if f and f not in FIELDS]
    if unknown:
        raise MappingError(f"Trường không tồn tại / Unknown field: {', '.join(sorted(set(unknown)))}")
    missing = [h for h in overrides if h not in headers]
    if missing:
        raise MappingError(f"Tệp không có cột / The extract has no column: {', '.join(missing)}")
    mapping = HeaderMapping()
    for header, name in overrides.items():
        if name:
            mapping.fields[name] = header
    for header in headers:
        if header in overrides:
            if not overrides[header]:
                mapping.unmapped.append(header)
            continue
        guess = _guess(_fold_header(header))
        if guess is None or guess in mapping.fields:
            mapping.unmapped.append(header)
        else:
            mapping.fields[guess] = header
    return mapping


def load_mapping(path: str | Path) -> dict[str, str]:
    """Read a mapping file: a JSON object {extract header: engine field or ""}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MappingError(f"Không đọc được tệp ánh xạ / Cannot read mapping file: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise MappingError("Tệp ánh xạ phải là {cột: trường} / Mapping file must be {column: field}")
    return data


def save_mapping(mapping: HeaderMapping, path: str | Path) -> None:
    """Write ``mapping`` as a mapping file the user can edit and pass back."""
    Path(path).write_text(mapping.to_json() + "\n", encoding="utf-8")
