"""Conformance: rfc7523_jwt_client_auth."""
