"""Conformance tests, one package per specification (docs/standards/)."""
