"""Identity's tables, one module per aggregate; import them from here."""

from dancu.identity.models.accounts import (
    EidLevel,
    LockReason,
    RegisteredVia,
    User,
    UserKind,
    UserManager,
)
from dancu.identity.models.factors import CodePurpose, OneTimeCode, SmsMessage, TotpDevice
from dancu.identity.models.federation import FederatedIdentity
from dancu.identity.models.oidc import (
    AuthorizationCode,
    Client,
    ClientAuthMethod,
    ClientKind,
    Consent,
    Token,
    UsedAssertion,
    digest,
)
from dancu.identity.models.sessions import LoginEvent, LoginOutcome, LoginSession, Throttle

__all__ = [
    "AuthorizationCode",
    "Client",
    "ClientAuthMethod",
    "ClientKind",
    "CodePurpose",
    "Consent",
    "EidLevel",
    "FederatedIdentity",
    "LockReason",
    "LoginEvent",
    "LoginOutcome",
    "LoginSession",
    "OneTimeCode",
    "RegisteredVia",
    "SmsMessage",
    "Throttle",
    "Token",
    "TotpDevice",
    "UsedAssertion",
    "User",
    "UserKind",
    "UserManager",
    "digest",
]
