"""Kinlink's web front end."""
