"""The SMS gateway's integration tests talk to a local Twilio stand-in."""

from tests.twilio_standin import twilio_standin  # noqa: F401 (the fixture)
