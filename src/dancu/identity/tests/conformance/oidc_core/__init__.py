"""Conformance: oidc_core."""
