"""Kinlink SMS gateway."""
