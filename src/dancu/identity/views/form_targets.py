"""Where a page's forms may lead: the content security policy's ``form-action``.

Browsers apply ``form-action`` to every redirect that follows a form submission. A login,
step-up or consent form that ends an OpenID Connect flow redirects to the relying party, so
those pages allow, besides ``'self'``, exactly the origin of the redirect URI the pending
authorization request names — and only when that URI is registered for its client.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.http import HttpResponse

from dancu.core.middleware import CONTENT_SECURITY_POLICY
from dancu.identity.models import Client

__all__ = ["allow_form_targets", "origin_of", "relying_party_origin"]


def origin_of(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} and parts.netloc else ""


def relying_party_origin(next_url: str) -> str:
    """The origin a pending authorization request (``next``) will redirect to, if registered."""
    parts = urlsplit(next_url)
    if parts.path != "/oidc/authorize":
        return ""
    query = parse_qs(parts.query)
    client_id = (query.get("client_id") or [""])[0]
    redirect_uri = (query.get("redirect_uri") or [""])[0]
    client = Client.objects.filter(client_id=client_id, is_active=True).only("redirect_uris").first()
    if client is None or redirect_uri not in client.redirect_uris:
        return ""
    return origin_of(redirect_uri)


def allow_form_targets(response: HttpResponse, *origins: str) -> HttpResponse:
    """Let this page's forms end at ``origins`` as well as at this site."""
    extra = " ".join(sorted({o for o in origins if o}))
    if extra:
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", f"form-action 'self' {extra}"
        )
    return response
