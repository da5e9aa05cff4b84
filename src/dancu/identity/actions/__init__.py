"""Every write of the identity app: ``do_*`` changes state and audits in one transaction,
``check_*`` validates then calls ``do_*``. Other apps use what ``__all__`` lists."""

from dancu.identity.actions.accounts import (
    LevelEvidence,
    check_complete_self_registration,
    check_lock_by_authority,
    check_lock_by_citizen,
    check_raise_level,
    check_register_ward,
    check_set_password,
    check_start_self_registration,
    check_start_unlock_by_citizen,
    check_unlock_by_authority,
    check_unlock_by_citizen,
    do_create_citizen_account,
    do_lock_account,
    do_lock_on_death,
    do_unlock_account,
)
from dancu.identity.actions.clients import (
    RegisteredClient,
    do_disable_client,
    do_register_client,
    do_rotate_client_secret,
)
from dancu.identity.actions.codes import check_verify_code, do_send_code
from dancu.identity.actions.consents import do_grant_consent, do_record_consent_refused, do_revoke_consent
from dancu.identity.actions.factors import check_confirm_totp, do_start_totp_enrolment, verify_totp
from dancu.identity.actions.login import PasswordCheck, check_password_login, needs_totp
from dancu.identity.actions.sessions import do_end_session, do_end_sessions_of_user
from dancu.identity.actions.staff import (
    check_set_officer_organisation,
    do_create_admin,
    do_create_officer,
    do_set_officer_organisation,
)
from dancu.identity.actions.tokens import (
    IssuedTokens,
    TokenGrant,
    do_issue_tokens,
    do_revoke_family,
    do_revoke_tokens_of_code,
    do_revoke_tokens_of_user,
)

__all__ = [
    "IssuedTokens",
    "LevelEvidence",
    "PasswordCheck",
    "RegisteredClient",
    "TokenGrant",
    "check_complete_self_registration",
    "check_confirm_totp",
    "check_lock_by_authority",
    "check_lock_by_citizen",
    "check_password_login",
    "check_raise_level",
    "check_register_ward",
    "check_set_officer_organisation",
    "check_set_password",
    "check_start_self_registration",
    "check_start_unlock_by_citizen",
    "check_unlock_by_authority",
    "check_unlock_by_citizen",
    "check_verify_code",
    "do_create_admin",
    "do_create_citizen_account",
    "do_create_officer",
    "do_disable_client",
    "do_end_session",
    "do_end_sessions_of_user",
    "do_grant_consent",
    "do_issue_tokens",
    "do_lock_account",
    "do_lock_on_death",
    "do_record_consent_refused",
    "do_register_client",
    "do_revoke_consent",
    "do_revoke_family",
    "do_revoke_tokens_of_code",
    "do_revoke_tokens_of_user",
    "do_rotate_client_secret",
    "do_send_code",
    "do_set_officer_organisation",
    "do_start_totp_enrolment",
    "do_unlock_account",
    "needs_totp",
    "verify_totp",
]
