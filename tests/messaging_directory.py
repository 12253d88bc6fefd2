"""Messaging's directory as identity's events fill it, for messaging's tests: the application
with only what the directory needs, and identity's events about residents."""

from __future__ import annotations

from typing import Any

from kinlink_contracts.envelope import Envelope
from kinlink_contracts.envelope import IntegrationEvent
from kinlink_contracts.facility import ResidentBooked
from kinlink_kit.eventstore import open_store
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.views import view_store
from kinlink_messaging.adapters.directory import RecordedDirectory
from kinlink_messaging.adapters.messaging_views import MessagingViews
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.messaging import MessagingStore


class Unused:
    """A collaborator of the application the directory never calls."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the directory called {name}")


def directory_only(settings: ServiceSettings) -> Messaging:
    """Messaging on these settings' store, for what identity's events record in it."""
    store = open_store(MessagingStore, settings, "messaging")
    return Messaging(
        store=store,
        views=MessagingViews.open(store, view_store(settings, "messaging")),
        wallet=Unused(),
        images=Unused(),
        directory=RecordedDirectory(store),
        prepare_image=Unused(),
    )


def from_identity(event: IntegrationEvent, key: str) -> Envelope:
    return Envelope.wrap(event, key=key, producer="identity", correlation_id="test")


def booked(facility_id: str, resident_id: str, first_name: str = "Ada") -> Envelope:
    event = ResidentBooked(
        facility_id=facility_id, resident_id=resident_id, first_name=first_name, last_name="King"
    )
    return from_identity(event, resident_id)
