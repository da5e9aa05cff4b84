"""HTML forms of the identity pages: typed validation at the edge, labels marked for translation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dancu.core.access import OfficerRole
from dancu.identity.models import ClientKind
from dancu.identity.passwords import MAX_LENGTH


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Số định danh cá nhân hoặc tên đăng nhập cán bộ"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực (6 chữ số)"),
        min_length=6,
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class RegistrationForm(forms.Form):
    personal_id = forms.RegexField(
        label=_("Số định danh cá nhân"),
        regex=r"^\d{12}$",
        error_messages={"invalid": _("Số định danh gồm 12 chữ số")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    birth_date = forms.DateField(label=_("Ngày sinh"), widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=15,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class NewPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Mật khẩu mới"),
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 15 ký tự; nên dùng một cụm từ dễ nhớ"),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") != data.get("password2"):
            raise forms.ValidationError(_("Hai mật khẩu không giống nhau"))
        return data


class RegistrationConfirmForm(CodeForm, NewPasswordForm):
    pass


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại mới"),
        max_length=15,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class AccountSearchForm(forms.Form):
    personal_id = forms.RegexField(
        label=_("Số định danh cá nhân"),
        regex=r"^\d{12}$",
        error_messages={"invalid": _("Số định danh gồm 12 chữ số")},
    )


class LevelEvidenceForm(forms.Form):
    card_number = forms.RegexField(
        label=_("Số thẻ căn cước đã kiểm tra"),
        regex=r"^\d{9,12}$",
    )
    face_matches_card = forms.BooleanField(label=_("Đã đối chiếu khuôn mặt với ảnh trên thẻ"), required=False)
    fingerprints_match = forms.BooleanField(label=_("Đã đối chiếu vân tay"), required=False)
    guardian_present = forms.BooleanField(label=_("Có người đại diện hợp pháp đi cùng (dưới 14 tuổi)"), required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)


class ReasonForm(forms.Form):
    note = forms.CharField(label=_("Lý do"), max_length=300)


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Tên ứng dụng"), max_length=200)
    kind = forms.ChoiceField(label=_("Loại"), choices=ClientKind.choices)
    redirect_uris = forms.CharField(
        label=_("Địa chỉ chuyển hướng (mỗi dòng một địa chỉ)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    jwks = forms.CharField(
        label=_("Bộ khóa công khai JWK (JSON), để dùng private_key_jwt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    min_level = forms.TypedChoiceField(
        label=_("Mức định danh tối thiểu"),
        choices=[(0, "—"), (1, _("Mức 1")), (2, _("Mức 2"))],
        coerce=int,
    )
    organisation = forms.CharField(label=_("Mã tổ chức"), max_length=100, required=False)


class OfficerForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=64)
    display_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    role = forms.ChoiceField(label=_("Vai trò"), choices=OfficerRole.choices)


class WardForm(forms.Form):
    """A child's personal ID, for a parent registering them."""

    personal_id = forms.CharField(
        label=_("Số định danh cá nhân của con"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
