"""The gateway's HTTP edge: the Ninja API object, bearer authentication, X-Road response
headers, and every refusal as an audited RFC 9457 problem."""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any, Final

from django.db import DatabaseError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from dancu.core.audit import Actor, record
from dancu.core.middleware import request_id_of
from dancu.core.models import ActorKind, Outcome
from dancu.exchange.api.schemas import Problem
from dancu.exchange.authentication import Caller, authenticate_token
from dancu.exchange.calls import (
    HEADER_CLIENT,
    HEADER_ISSUE,
    HEADER_PURPOSE,
    HEADER_USER,
    Call,
    Served,
    encode_json,
    open_call,
    sha256_hex,
)
from dancu.exchange.catalogue import PROVIDER, SERVICES, provider_path
from dancu.exchange.error_codes import ErrorCode, ExchangeError, problem_of
from dancu.exchange.policy import current_policy

__all__ = ["PROBLEMS", "ExchangeAPI", "api", "begin", "problems", "respond"]

log = logging.getLogger(__name__)
PROBLEM_TYPE: Final = "application/problem+json"


class ExchangeBearer(HttpBearer):
    """``Authorization: Bearer <access token>`` from Dancu's OAuth provider (client credentials,
    ``private_key_jwt``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        return authenticate_token(token)


class ExchangeAPI(NinjaAPI):
    """The Ninja API, with problem responses documented as ``application/problem+json``."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        # Mounted at /r1/ inside the "exchange" URL namespace, where Ninja's own reverse() of its
        # root would not look.
        schema = super().get_openapi_schema(path_prefix=path_prefix or "/r1/", path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_TYPE] = content.pop("application/json")
        return schema


api = ExchangeAPI(
    title="Dancu — cổng trao đổi dữ liệu dân cư / population data exchange",
    version="1",
    description=(
        "X-Road REST services of the population register. Every call names the calling system "
        "(`X-Road-Client`), the officer (`X-Road-UserId`), the purpose (`X-Road-Purpose`) and "
        "optionally the dossier (`X-Road-Issue`); every call is audited."
    ),
    urls_namespace="exchange-api",
    auth=ExchangeBearer(),
    docs_url=None,
    openapi_url="/openapi.json",
)


def problems(*statuses: int) -> dict[int, Any]:
    return dict.fromkeys(statuses, Problem)


#: The refusals any authenticated call can meet.
PROBLEMS: Final = (400, 401, 403, 429, 503)


def service_of_path(path: str) -> str:
    """The service a request path belongs to (``metadata`` for discovery calls)."""
    prefix = "/" + provider_path() + "/"
    if path.startswith(prefix):
        code = path[len(prefix) :].split("/", 1)[0]
        if code in SERVICES:
            return code
    return "metadata"


def begin(request: HttpRequest, headers: Any, service: str) -> Call:
    """Open the call (see :func:`dancu.exchange.calls.open_call`) and remember it on the request."""
    caller: Caller = request.auth  # type: ignore[attr-defined]  # set by Ninja's authentication
    call = open_call(
        client_id=caller.client_id,
        token_id=caller.token_id,
        service=service,
        xroad_client=headers.x_road_client,
        user_id=getattr(headers, "x_road_user_id", None),
        purpose=getattr(headers, "x_road_purpose", None),
        issue=getattr(headers, "x_road_issue", None),
        request_id=request_id_of(request),
    )
    request.exchange_call = call  # type: ignore[attr-defined]  # read by the refusal handler
    return call


def _request_hash(request: HttpRequest) -> str:
    try:
        body = request.body
    except RawPostDataException:
        return ""
    return base64.b64encode(hashlib.sha512(body).digest()).decode()


def _decorate(request: HttpRequest, response: HttpResponse, code: str = "") -> HttpResponse:
    call: Call | None = getattr(request, "exchange_call", None)
    response["X-Road-Id"] = request_id_of(request)
    response["X-Road-Service"] = f"{PROVIDER.path}/{service_of_path(request.path)}"
    if call is not None:
        response["X-Road-Client"] = call.system.xroad_id
    request_hash = _request_hash(request)
    if request_hash:
        response["X-Road-Request-Hash"] = request_hash
    if code:
        response["X-Road-Error"] = code
    response["Cache-Control"] = "no-store"
    return response


def respond(request: HttpRequest, served: Served) -> HttpResponse:
    """The HTTP response of a served (and already audited) call, byte for byte."""
    response = HttpResponse(served.body, status=served.status, content_type=served.content_type)
    return _decorate(request, response, served.code)


# --- refusals --------------------------------------------------------------------------------


def _refusal_actor(request: HttpRequest) -> tuple[Actor, str, str]:
    call: Call | None = getattr(request, "exchange_call", None)
    if call is not None:
        return call.actor, call.purpose, call.dossier
    caller: Caller | None = getattr(request, "auth", None)
    if caller is None:
        return Actor(kind=ActorKind.ANONYMOUS), "", ""
    client_id = caller.client_id
    system = current_policy().systems_by_client.get(client_id)
    officer = request.headers.get(HEADER_USER, "")[:100]
    purpose = request.headers.get(HEADER_PURPOSE, "")[:60]
    dossier = request.headers.get(HEADER_ISSUE, "")[:60]
    actor = Actor(
        kind=ActorKind.MACHINE,
        id=client_id,
        on_behalf_of=officer,
        organisation=system.member_code if system else "",
    )
    return actor, purpose, dossier


def refuse(request: HttpRequest, error: ExchangeError) -> HttpResponse:
    """Answer with ``error`` as problem+json and audit the refusal (no data is ever in it)."""
    body = encode_json(problem_of(error, instance=request_id_of(request)))
    service = service_of_path(request.path)
    actor, purpose, dossier = _refusal_actor(request)
    outcome = Outcome.FAILED if error.status >= 500 or error.status == 404 else Outcome.REFUSED
    try:
        with transaction.atomic():
            record(
                action=f"exchange.{service}",
                actor=actor,
                outcome=outcome,
                subject_personal_id=error.subject_personal_id if actor.kind == ActorKind.MACHINE else "",
                purpose=purpose,
                dossier=dossier,
                details={
                    "code": error.code.value,
                    "status": error.status,
                    "client": request.headers.get(HEADER_CLIENT, "")[:200],
                },
                response_hash=sha256_hex(body),
                request_id=request_id_of(request),
            )
    except DatabaseError:
        # The refusal carries no data, so it is still given; the failure is an operator's alarm.
        log.exception("could not audit a refused exchange call")
    response = HttpResponse(body, status=error.status, content_type=PROBLEM_TYPE)
    if error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    if error.code == ErrorCode.UNAUTHENTICATED:
        response["WWW-Authenticate"] = 'Bearer realm="dancu-exchange", error="invalid_token"'
    return _decorate(request, response, error.code.value)


@api.exception_handler(ExchangeError)
def _on_exchange_error(request: HttpRequest, exc: ExchangeError) -> HttpResponse:
    return refuse(request, exc)


@api.exception_handler(AuthenticationError)
def _on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return refuse(
        request,
        ExchangeError(
            ErrorCode.UNAUTHENTICATED,
            "Cần access token hợp lệ (Authorization: Bearer …) / a valid access token is required",
        ),
    )


@api.exception_handler(ValidationError)
def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    for error in exc.errors:
        location = error.get("loc", ())
        if location and location[0] == "header" and error.get("type") == "missing":
            header = str(location[-1])
            return refuse(
                request,
                ExchangeError(
                    ErrorCode.MISSING_HEADER,
                    f"Thiếu tiêu đề {header} / the {header} header is required",
                    extra={"header": header},
                ),
            )
    # Name where and what, never the submitted value: it may be personal data.
    problems_text = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors[:10]
    )
    return refuse(
        request,
        ExchangeError(ErrorCode.INVALID_REQUEST, f"Yêu cầu không hợp lệ / invalid request: {problems_text}"[:1000]),
    )


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return refuse(request, ExchangeError(ErrorCode.NOT_FOUND))


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: ErrorCode.INVALID_REQUEST, 404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}.get(
        exc.status_code, ErrorCode.INVALID_REQUEST
    )
    return refuse(request, ExchangeError(code))


@api.exception_handler(DatabaseError)
def _on_database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    # A locked or unreachable database: answer at once rather than let callers hang.
    log.warning("exchange call failed on the database: %s", exc)
    return refuse(request, ExchangeError(ErrorCode.OVERLOADED, retry_after=1))
