"""Drafts saved, listed, edited, deleted and sent, surviving a restart; residents blocked and
unblocked at any time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import UUID
from uuid import uuid4

from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import Clock
from kinlink_kit.testing import refused
from kinlink_messaging.service_layer.block_resident import block_resident
from kinlink_messaging.service_layer.delete_draft import delete_draft
from kinlink_messaging.service_layer.list_blocked_residents import list_blocked_residents
from kinlink_messaging.service_layer.list_drafts import ListDrafts
from kinlink_messaging.service_layer.list_drafts import list_drafts
from kinlink_messaging.service_layer.messaging import Messaging
from kinlink_messaging.service_layer.save_draft import SaveDraft
from kinlink_messaging.service_layer.save_draft import save_draft
from kinlink_messaging.service_layer.send_message import SendMessage
from kinlink_messaging.service_layer.send_message import send_message
from kinlink_messaging.service_layer.unblock_resident import unblock_resident

from tests.integration.messaging.conftest import Outside
from tests.messaging_doubles import FACILITY
from tests.messaging_doubles import RESIDENT
from tests.messaging_doubles import REVIEWING_FACILITY


def drafting(account_id: UUID, body: str, key: str = "draft-1") -> SaveDraft:
    return SaveDraft(account_id, FACILITY, RESIDENT, body, client_key=key)


def bodies(messaging: Messaging, account_id: UUID, page_size: int = 10) -> list[str]:
    return [d.body for d in list_drafts(messaging, ListDrafts(account_id, page_size)).rows]


def test_drafts_survive_a_restart_and_are_listed_last_saved_first(
    reopen: Callable[[], Messaging], family: UUID, clock: Clock
) -> None:
    first = reopen()
    draft = save_draft(first, drafting(family, "Dear Ann"))
    clock.now += timedelta(minutes=1)
    save_draft(first, drafting(family, "Dear Bob", key="draft-2"))
    clock.now += timedelta(minutes=1)
    save_draft(first, SaveDraft(family, FACILITY, RESIDENT, "Dear Ann, at last", draft.id))
    # A new draft saved twice (a retried request) is one draft.
    save_draft(first, drafting(family, "Dear Bob", key="draft-2"))
    first.close()

    again = reopen()
    assert bodies(again, family) == ["Dear Ann, at last", "Dear Bob"]
    assert bodies(again, uuid4()) == []


def test_drafts_are_listed_page_by_page(messaging: Messaging, family: UUID, clock: Clock) -> None:
    for number in range(5):
        save_draft(messaging, drafting(family, f"Draft {number}", key=f"d{number}"))
        clock.now += timedelta(seconds=1)
    first = list_drafts(messaging, ListDrafts(family, 2))
    second = list_drafts(messaging, ListDrafts(family, 2, first.next_page_token))
    third = list_drafts(messaging, ListDrafts(family, 2, second.next_page_token))
    shown = [d.body for page in (first, second, third) for d in page.rows]
    assert shown == ["Draft 4", "Draft 3", "Draft 2", "Draft 1", "Draft 0"]
    assert third.next_page_token == ""


def test_a_deleted_draft_is_gone_and_someone_elses_is_not_found(
    messaging: Messaging, family: UUID
) -> None:
    draft = save_draft(messaging, drafting(family, "Dear Ann"))
    with refused(NotFound, "draft_not_found"):
        delete_draft(messaging, uuid4(), draft.id)
    with refused(NotFound, "draft_not_found"):
        save_draft(messaging, SaveDraft(uuid4(), FACILITY, RESIDENT, "Mine now", draft.id))
    delete_draft(messaging, family, draft.id)
    assert bodies(messaging, family) == []
    with refused(NotFound, "draft_not_found"):
        save_draft(messaging, SaveDraft(family, FACILITY, RESIDENT, "Back", draft.id))
    with refused(NotFound, "draft_not_found"):
        save_draft(messaging, SaveDraft(family, FACILITY, RESIDENT, "Never saved", uuid4()))


def test_a_draft_needs_a_key_and_a_known_resident(messaging: Messaging, family: UUID) -> None:
    with refused(InvalidArgument, "client_key_missing"):
        save_draft(messaging, drafting(family, "Dear Ann", key=""))
    with refused(NotFound, "resident_not_found"):
        save_draft(messaging, SaveDraft(family, FACILITY, "R-404", "Hi", client_key="k"))


def test_sending_a_draft_deletes_it_but_a_refused_send_keeps_it(
    messaging: Messaging, outside: Outside, family: UUID
) -> None:
    draft = save_draft(messaging, drafting(family, "Dear Ann"))
    outside.wallet.balances[family] = 0
    send = SendMessage(family, FACILITY, RESIDENT, "send-1", "Dear Ann", draft_id=draft.id)
    with refused(FailedPrecondition, "insufficient_credit"):
        send_message(messaging, send)
    assert bodies(messaging, family) == ["Dear Ann"]

    outside.wallet.fund(family, 50)
    send_message(messaging, send)
    assert bodies(messaging, family) == []
    with refused(NotFound, "draft_not_found"):
        send_message(
            messaging, SendMessage(family, FACILITY, RESIDENT, "send-2", "x", (), draft.id)
        )


def test_a_resident_is_blocked_and_unblocked_at_any_time(
    messaging: Messaging, family: UUID, clock: Clock
) -> None:
    block_resident(messaging, family, FACILITY, RESIDENT)
    clock.now += timedelta(minutes=1)
    block_resident(messaging, family, REVIEWING_FACILITY, RESIDENT)
    block_resident(messaging, family, FACILITY, RESIDENT)
    assert [(b.facility_id, b.blocked_at) for b in list_blocked_residents(messaging, family)] == [
        (REVIEWING_FACILITY, clock.now),
        (FACILITY, clock.now - timedelta(minutes=1)),
    ]
    assert list_blocked_residents(messaging, uuid4()) == []

    unblock_resident(messaging, family, FACILITY, RESIDENT)
    unblock_resident(messaging, uuid4(), FACILITY, RESIDENT)
    assert [b.facility_id for b in list_blocked_residents(messaging, family)] == [
        REVIEWING_FACILITY
    ]
    send_message(messaging, SendMessage(family, FACILITY, RESIDENT, "k", "Hello again"))
