"""The officer pages' forms: typed values at the edge (STYLE.md §6)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["ContactForm", "DeathForm", "SearchForm"]


class SearchForm(forms.Form):
    """Search by personal ID, former ID-card number or name (with the birth year), or household."""

    q = forms.CharField(
        label=_("Số định danh, số CMND hoặc họ và tên"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    birth_year = forms.IntegerField(label=_("Năm sinh"), min_value=1880, max_value=2100, required=False)
    household = forms.CharField(label=_("Số hộ"), max_length=32, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not (data.get("q") or "").strip() and not (data.get("household") or "").strip():
            raise forms.ValidationError(_("Nhập số định danh, họ tên hoặc số hộ để tra cứu."), code="empty")
        return data


class ContactForm(forms.Form):
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), max_length=254, required=False)
    reason = forms.CharField(label=_("Căn cứ"), max_length=300, required=False)


class DeathForm(forms.Form):
    deceased_on = forms.DateField(label=_("Ngày mất"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Số giấy báo tử / căn cứ"), max_length=300)
