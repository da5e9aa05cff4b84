"""``changes`` endpoints: the pull feed and webhook subscriptions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema
from pydantic import Field

from dancu.exchange.api.base import PROBLEMS, begin, problems, respond
from dancu.exchange.api.schemas import ChangesOut, DataHeaders, SubscriptionIn, SubscriptionOut, SubscriptionsOut
from dancu.exchange.services.changes import feed, list_subscriptions, subscribe, unsubscribe

router = Router(tags=["changes"])


class FeedQuery(Schema):
    after: int = Field(0, ge=0, le=2**62, description="Cursor: the last event id already processed")
    limit: int = Field(100, ge=1, le=1000)


@router.get(
    "/changes/v1",
    response={200: ChangesOut, **problems(*PROBLEMS)},
    operation_id="changes_v1",
    summary="Biến động dân cư sau con trỏ / Change events after a cursor",
)
def changes(request: HttpRequest, headers: Header[DataHeaders], query: Query[FeedQuery]) -> HttpResponse:
    call = begin(request, headers, "changes")
    return respond(request, feed(call, after=query.after, limit=query.limit))


@router.get(
    "/changes/v1/subscriptions",
    response={200: SubscriptionsOut, **problems(*PROBLEMS)},
    operation_id="list_subscriptions_v1",
    summary="Các webhook đã đăng ký / The system's webhooks",
)
def subscriptions(request: HttpRequest, headers: Header[DataHeaders]) -> HttpResponse:
    call = begin(request, headers, "changes")
    return respond(request, list_subscriptions(call))


@router.post(
    "/changes/v1/subscriptions",
    response={201: SubscriptionOut, **problems(*PROBLEMS)},
    operation_id="create_subscription_v1",
    summary="Đăng ký webhook / Subscribe a webhook",
)
def create_subscription(request: HttpRequest, headers: Header[DataHeaders], payload: SubscriptionIn) -> HttpResponse:
    call = begin(request, headers, "changes")
    return respond(request, subscribe(call, url=payload.url, kinds=list(payload.kinds)))


@router.delete(
    "/changes/v1/subscriptions/{subscription_id}",
    response={204: None, **problems(*PROBLEMS, 404)},
    operation_id="delete_subscription_v1",
    summary="Hủy webhook / Remove a webhook",
)
def delete_subscription(request: HttpRequest, headers: Header[DataHeaders], subscription_id: int) -> HttpResponse:
    call = begin(request, headers, "changes")
    return respond(request, unsubscribe(call, subscription_id))
