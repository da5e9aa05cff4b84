"""The identity pages (HTML) and the OpenID Connect endpoints."""
