"""The gateway's tables, one module per aggregate."""

from dancu.exchange.models.batch import BatchJob, BatchJobStatus
from dancu.exchange.models.changes import ChangeEvent, DeliveryStatus, Subscription, WebhookDelivery
from dancu.exchange.models.consent import ConsentEvent, ConsentEventType, ConsentRecord, ConsentState
from dancu.exchange.models.limits import Allowance
from dancu.exchange.models.members import (
    Member,
    MemberClass,
    MemberSystem,
    OnboardingRequest,
    OnboardingStatus,
    Sector,
    SystemStatus,
)
from dancu.exchange.models.policy import AccessGrant, LawfulBasis, PolicyState, Purpose

__all__ = [
    "AccessGrant",
    "Allowance",
    "BatchJob",
    "BatchJobStatus",
    "ChangeEvent",
    "ConsentEvent",
    "ConsentEventType",
    "ConsentRecord",
    "ConsentState",
    "DeliveryStatus",
    "LawfulBasis",
    "Member",
    "MemberClass",
    "MemberSystem",
    "OnboardingRequest",
    "OnboardingStatus",
    "PolicyState",
    "Purpose",
    "Sector",
    "Subscription",
    "SystemStatus",
    "WebhookDelivery",
]
