"""A service's `migrate` command: its tables created by opening what it stores (decision 0085)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from kinlink_kit.eventstore import TrackedApplication
from kinlink_kit.eventstore import open_store
from kinlink_kit.settings import ServiceSettings
from kinlink_kit.views import ViewStore
from kinlink_kit.views import view_store

Store = TypeVar("Store", bound=TrackedApplication)


def create_tables(
    settings: ServiceSettings,
    database: str,
    store_class: type[Store],
    open_views: Callable[[Store, ViewStore], object],
) -> None:
    """Create the tables of one database: the event store's (events, tracking, what its recorder
    adds) and those `open_views` makes on the view store (read models, the service's own tables).
    Opening them is what creates them, so the tables are exactly those the service uses."""
    store = open_store(store_class, settings, database, create_tables=True)
    try:
        views = view_store(settings.model_copy(update={"create_tables": True}), database)
        try:
            open_views(store, views)
        finally:
            views.close()
    finally:
        store.close()
