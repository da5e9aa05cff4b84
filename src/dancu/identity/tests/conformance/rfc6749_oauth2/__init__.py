"""Conformance: rfc6749_oauth2."""
