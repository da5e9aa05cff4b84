"""HTML forms of the identity pages: typed validation at the edge, bilingual labels."""

from __future__ import annotations

from typing import Any

from django import forms

from dancu.core.access import OfficerRole
from dancu.identity.models import ClientKind
from dancu.identity.passwords import MAX_LENGTH


class LoginForm(forms.Form):
    username = forms.CharField(
        label="Số định danh cá nhân hoặc tên đăng nhập cán bộ / Personal ID or officer username",
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mật khẩu / Password",
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Mã xác thực (6 chữ số) / Code (6 digits)",
        min_length=6,
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class RegistrationForm(forms.Form):
    personal_id = forms.RegexField(
        label="Số định danh cá nhân / Personal ID number",
        regex=r"^\d{12}$",
        error_messages={"invalid": "Số định danh gồm 12 chữ số / The personal ID has 12 digits"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(
        label="Họ và tên / Full name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    birth_date = forms.DateField(label="Ngày sinh / Date of birth", widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(
        label="Số điện thoại / Phone number",
        max_length=15,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class NewPasswordForm(forms.Form):
    password = forms.CharField(
        label="Mật khẩu mới / New password",
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Ít nhất 15 ký tự; nên dùng một cụm từ dễ nhớ / At least 15 characters; a memorable phrase works well",
    )
    password2 = forms.CharField(
        label="Nhập lại mật khẩu / Repeat the password",
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") != data.get("password2"):
            raise forms.ValidationError("Hai mật khẩu không giống nhau / The passwords differ")
        return data


class RegistrationConfirmForm(CodeForm, NewPasswordForm):
    pass


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="Số điện thoại mới / New phone number",
        max_length=15,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class AccountSearchForm(forms.Form):
    personal_id = forms.RegexField(
        label="Số định danh cá nhân / Personal ID number",
        regex=r"^\d{12}$",
        error_messages={"invalid": "Số định danh gồm 12 chữ số / The personal ID has 12 digits"},
    )


class LevelEvidenceForm(forms.Form):
    card_number = forms.RegexField(
        label="Số thẻ căn cước đã kiểm tra / Number of the ID card checked",
        regex=r"^\d{9,12}$",
    )
    face_matches_card = forms.BooleanField(
        label="Đã đối chiếu khuôn mặt với ảnh trên thẻ / Face compared with the card photo", required=False
    )
    fingerprints_match = forms.BooleanField(label="Đã đối chiếu vân tay / Fingerprints compared", required=False)
    guardian_present = forms.BooleanField(
        label="Có người đại diện hợp pháp đi cùng (dưới 14 tuổi) / Guardian present (under 14)", required=False
    )
    note = forms.CharField(label="Ghi chú / Note", max_length=300, required=False)


class ReasonForm(forms.Form):
    note = forms.CharField(label="Lý do / Reason", max_length=300)


class ClientForm(forms.Form):
    name = forms.CharField(label="Tên ứng dụng / Name", max_length=200)
    kind = forms.ChoiceField(label="Loại / Kind", choices=ClientKind.choices)
    redirect_uris = forms.CharField(
        label="Địa chỉ chuyển hướng (mỗi dòng một địa chỉ) / Redirect URIs (one per line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    jwks = forms.CharField(
        label="Bộ khóa công khai JWK (JSON), để dùng private_key_jwt / Public JWK set (JSON) for private_key_jwt",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    min_level = forms.TypedChoiceField(
        label="Mức định danh tối thiểu / Minimum e-ID level",
        choices=[(0, "—"), (1, "Mức 1 / Level 1"), (2, "Mức 2 / Level 2")],
        coerce=int,
    )
    organisation = forms.CharField(label="Mã tổ chức / Organisation code", max_length=100, required=False)


class OfficerForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập / Username", max_length=64)
    display_name = forms.CharField(label="Họ và tên / Name", max_length=200)
    role = forms.ChoiceField(label="Vai trò / Role", choices=OfficerRole.choices)


class WardForm(forms.Form):
    """A child's personal ID, for a parent registering them."""

    personal_id = forms.CharField(
        label="Số định danh cá nhân của con / Your child's personal ID",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
