"""The base of every service's application: its event store, its read models, its clock, and
one way to change aggregates while others may change them at the same moment.

Conflict policy (decision 0020), the same in every service: a save that loses a race on an
aggregate's version raises the store's IntegrityError and records nothing. The use case then
reads again and applies its change to what it finds, up to MAX_ATTEMPTS times in all; past
that the caller is refused with ConcurrentChange (ABORTED, `concurrent_change`), which is safe
to ask again. A change whose rule no longer holds on the re-read (a link used meanwhile, an
email taken) is refused by the domain on that re-read, with its own code.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import Generic
from typing import Protocol
from typing import TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from kinlink_kit.errors import ConcurrentChange
from kinlink_kit.eventstore import TrackedApplication

# Enough for dozens of writers on one aggregate at once (deposits to one resident's week): each
# attempt re-reads only what it changes, and the store serialises the saves.
MAX_ATTEMPTS = 50


def utc_now() -> datetime:
    return datetime.now(UTC)


class Closable(Protocol):
    def close(self) -> None: ...


Store = TypeVar("Store", bound=TrackedApplication)
Views = TypeVar("Views", bound=Closable)
Kind = TypeVar("Kind")
Result = TypeVar("Result")


def retrying(
    attempt: Callable[[], Result], *, on_conflict: Callable[[], Result | None] | None = None
) -> Result:
    """Run `attempt` (read, decide, save) again each time its save collides, as the policy says.

    `on_conflict` is asked after each collision whether what won is already the answer (the same
    request, saved first by someone else): an answer other than None ends the retries."""
    for _ in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except IntegrityError:
            if on_conflict is not None:
                settled = on_conflict()
                if settled is not None:
                    return settled
    raise ConcurrentChange()


@dataclass
class ServiceApplication(Generic[Store, Views]):
    """What a service's use cases receive: a service subclasses it (a dataclass too) and adds
    its own collaborators (payment processor, mailer, directories)."""

    store: Store
    views: Views
    # Timezone-aware UTC; tests inject their own. Keyword-only so subclasses add plain fields.
    clock: Callable[[], datetime] = field(default=utc_now, kw_only=True)

    def find(self, aggregate_id: UUID, kind: type[Kind], *, to_change: bool = True) -> Kind | None:
        """The aggregate if there is one and it is a `kind` (see TrackedApplication.find)."""
        return self.store.find(aggregate_id, kind, to_change=to_change)

    def require(
        self, aggregate_id: UUID, kind: type[Kind], missing: Callable[[], Exception]
    ) -> Kind:
        """The aggregate, or the domain's not-found error `missing()` (e.g. `CardNotFound`):
        which request field held the id is the entrypoint's to say."""
        found = self.find(aggregate_id, kind)
        if found is None:
            raise missing()
        return found

    def change(
        self,
        aggregate_id: UUID,
        kind: type[Kind],
        fn: Callable[[Kind], Result],
        *,
        missing: Callable[[], Exception] | None = None,
        create: Callable[[], Kind] | None = None,
        also_saving: Callable[[Result], Iterable[Any]] = lambda _: (),
        on_conflict: Callable[[], Result | None] | None = None,
    ) -> Result:
        """Apply `fn` to the aggregate as it is now and save it, with what `also_saving` names
        of `fn`'s result, in one transaction; under the conflict policy when someone saved
        first. A missing aggregate is `create()`d if given, else refused with `missing()`."""
        if (missing is None) == (create is None):
            raise TypeError("say what a missing aggregate is: `missing` or `create`, not both")

        def attempt() -> Result:
            aggregate = self.find(aggregate_id, kind)
            if aggregate is None:
                if create is None:
                    assert missing is not None
                    raise missing()
                aggregate = create()
            result = fn(aggregate)
            self.store.save(aggregate, *also_saving(result))
            return result

        return retrying(attempt, on_conflict=on_conflict)

    def retrying(
        self,
        attempt: Callable[[], Result],
        *,
        on_conflict: Callable[[], Result | None] | None = None,
    ) -> Result:
        """`retrying`, for a use case that reads and saves several aggregates in `attempt`."""
        return retrying(attempt, on_conflict=on_conflict)

    def close(self) -> None:
        self.store.close()
        self.views.close()
