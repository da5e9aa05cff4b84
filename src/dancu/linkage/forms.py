"""HTML forms of the linkage pages: validation at the edge, plain values inward."""

from __future__ import annotations

from typing import Any

from django import forms

from dancu.linkage.engine.headers import FIELDS
from dancu.linkage.models import Decision

__all__ = ["DecisionForm", "MappingForm", "UploadForm"]

IGNORE_LABEL = "— Bỏ qua cột này / Ignore this column —"


class UploadForm(forms.Form):
    source = forms.CharField(
        label="Nguồn dữ liệu / Source",
        max_length=200,
        help_text="Tên bộ dữ liệu của cơ quan, ví dụ “BHXH Hải Phòng” / The agency dataset's name",
        widget=forms.TextInput(attrs={"list": "known-sources", "autocomplete": "off"}),
        error_messages={"required": "Hãy nhập tên nguồn dữ liệu / Enter the source name"},
    )
    extract = forms.FileField(
        label="Tệp trích xuất (CSV hoặc XLSX) / Extract file (CSV or XLSX)",
        help_text="CSV phải lưu mã UTF-8 / CSV files must be saved as UTF-8",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={
            "required": "Hãy chọn tệp trích xuất / Choose the extract file",
            "empty": "Tệp rỗng / The file is empty",
            "invalid": "Không nhận được tệp / No file was received",
        },
    )


class MappingForm(forms.Form):
    """One select per extract column: which engine field it feeds, or none."""

    def __init__(self, headers: list[str], *args: Any, initial_mapping: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", IGNORE_LABEL), *FIELDS.items()]
        initial_mapping = initial_mapping or {}
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or f"(cột {index + 1} không tên / unnamed column {index + 1})",
                choices=choices,
                required=False,
                initial=initial_mapping.get(header, ""),
            )

    def mapping(self) -> dict[str, str]:
        """The chosen mapping {header: field or ""} (call after ``is_valid``)."""
        return {header: self.cleaned_data.get(f"col_{i}", "") or "" for i, header in enumerate(self.headers)}


class DecisionForm(forms.Form):
    """A review decision. The page's buttons send ``choice`` = ``"confirm:<personal ID>"``,
    ``"reject:<personal ID>"`` or ``"none"``; ``decision`` and ``candidate`` may be sent apart
    instead (a blank candidate means the engine's)."""

    choice = forms.CharField(required=False, max_length=40)
    decision = forms.ChoiceField(choices=Decision.choices, required=False)
    candidate = forms.RegexField(regex=r"^\d{12}$", required=False, max_length=12)
    reason = forms.CharField(
        label="Lý do / Reason",
        max_length=500,
        required=False,
        help_text="Bắt buộc khi bác bỏ / Required when rejecting",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = str(data.get("choice") or "")
        if choice:
            decision, _, candidate = choice.partition(":")
            if decision not in Decision.values or (candidate and not (candidate.isdigit() and len(candidate) == 12)):
                raise forms.ValidationError("Lựa chọn không hợp lệ / Invalid choice")
            data["decision"], data["candidate"] = decision, candidate
        if not data.get("decision"):
            raise forms.ValidationError("Hãy chọn một quyết định / Choose a decision")
        return data
