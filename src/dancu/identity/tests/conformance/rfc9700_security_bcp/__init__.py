"""Conformance: rfc9700_security_bcp."""
