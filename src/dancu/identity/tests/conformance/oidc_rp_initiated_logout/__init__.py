"""Conformance: oidc_rp_initiated_logout."""
