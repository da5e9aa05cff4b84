"""The portal's forms: granting and withdrawing consent, deciding onboarding requests."""

from __future__ import annotations

from typing import Any

from django import forms

from dancu.exchange.catalogue import FIELDS

DURATIONS = (
    ("180", "6 tháng / 6 months"),
    ("365", "1 năm / 1 year"),
    ("730", "2 năm / 2 years"),
    ("", "Đến khi tôi rút lại / Until I withdraw it"),
)


class ConsentGrantForm(forms.Form):
    agreement = forms.CharField(widget=forms.HiddenInput, max_length=40)
    shared = forms.MultipleChoiceField(
        label="Dữ liệu được chia sẻ / Data shared",
        choices=[(name, spec.label) for name, spec in FIELDS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    duration = forms.ChoiceField(label="Thời hạn / For how long", choices=DURATIONS, required=False)

    def __init__(self, *args: Any, offered: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offered:
            shared = self.fields["shared"]
            assert isinstance(shared, forms.MultipleChoiceField)
            shared.choices = [(f, FIELDS[f].label) for f in offered if f in FIELDS]
            shared.initial = list(offered)


class ConsentWithdrawForm(forms.Form):
    agreement = forms.CharField(widget=forms.HiddenInput, max_length=40)


class ApproveForm(forms.Form):
    note = forms.CharField(
        label="Ghi chú / Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Lý do từ chối (bắt buộc) / Reason for refusal (required)",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
