"""Identity's refusals: a stable ``code`` for programs and tests, a bilingual message for people."""

from __future__ import annotations

__all__ = ["IdentityError"]


class IdentityError(Exception):
    """An action was refused; nothing was changed.

    ``code`` is stable (tests and API problem documents use it); ``message`` is shown to the
    person, Vietnamese first then English.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


# The messages, kept together so the wording stays consistent across pages and commands.
NOT_IN_REGISTER = (
    "Thông tin không khớp với Cơ sở dữ liệu quốc gia về dân cư / The details do not match the population register"
)
ALREADY_REGISTERED = "Số định danh này đã có tài khoản / This personal ID already has an account"
TOO_YOUNG_SELF = (
    "Người dưới 14 tuổi đăng ký qua người đại diện hợp pháp / Under 14, the account is registered by a guardian"
)
DECEASED = "Công dân đã mất / The citizen has died"
CODE_WRONG = "Mã xác thực không đúng / The code is wrong"
CODE_EXPIRED = (
    "Mã xác thực đã hết hạn hoặc đã dùng, hãy yêu cầu mã mới / The code has expired or was used; ask for a new one"
)
CODE_TOO_MANY = "Nhập sai quá nhiều lần, hãy yêu cầu mã mới / Too many wrong codes; ask for a new one"
CODE_RATE = "Bạn đã yêu cầu quá nhiều mã, hãy thử lại sau / Too many codes requested; try again later"
NOT_ALLOWED = "Bạn không có quyền thực hiện thao tác này / You are not allowed to do this"
OUT_OF_JURISDICTION = "Công dân không thuộc địa bàn quản lý của bạn / This citizen is outside your jurisdiction"
ACCOUNT_LOCKED = "Tài khoản đang bị khóa / The account is locked"
