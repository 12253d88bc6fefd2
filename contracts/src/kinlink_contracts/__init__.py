"""Kinlink's public contract: the event envelope, integration events and topic names.

Facility integrations and every Kinlink service depend on this package and on nothing else of ours.
"""
