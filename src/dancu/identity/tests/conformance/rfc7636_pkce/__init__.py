"""Conformance: rfc7636_pkce."""
