"""Kinlink visitation: video visits scheduled, connected, charged per minute, credited."""
