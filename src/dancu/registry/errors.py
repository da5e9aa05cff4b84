"""The register's refusals: a stable code, a Vietnamese / English message, an HTTP status.

Actions and queries raise them; views turn them into a page with the message, the API into
problem+json with the code. A refusal changes nothing.
"""

from __future__ import annotations

__all__ = [
    "InvalidRegisterInputError",
    "NotInJurisdictionError",
    "PersonNotFoundError",
    "RegistryError",
    "RoleNotAllowedError",
]


class RegistryError(Exception):
    """Base of the register's refusals."""

    code = "registry.error"
    status = 400

    def __init__(self, message_vi: str, message_en: str, *, field: str = "") -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field
        super().__init__(f"{message_vi} / {message_en}")

    @property
    def message(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


class PersonNotFoundError(RegistryError):
    code = "registry.person_not_found"
    status = 404

    def __init__(self, personal_id: str = "") -> None:
        super().__init__(
            "Không tìm thấy công dân trong cơ sở dữ liệu dân cư",
            "No such person in the population register",
        )
        self.personal_id = personal_id


class NotInJurisdictionError(RegistryError):
    code = "registry.not_in_jurisdiction"
    status = 403

    def __init__(self) -> None:
        super().__init__(
            "Công dân không thuộc địa bàn bạn được giao quản lý",
            "This person is outside the area you are assigned to",
        )


class RoleNotAllowedError(RegistryError):
    code = "registry.role_not_allowed"
    status = 403

    def __init__(self, what_vi: str, what_en: str) -> None:
        super().__init__(f"Vai trò của bạn không được {what_vi}", f"Your role may not {what_en}")


class InvalidRegisterInputError(RegistryError):
    code = "registry.invalid_input"
    status = 400
