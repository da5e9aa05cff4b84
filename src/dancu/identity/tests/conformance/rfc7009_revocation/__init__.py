"""Conformance: rfc7009_revocation."""
