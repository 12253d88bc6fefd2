from datetime import UTC
from datetime import datetime
from uuid import uuid4

from kinlink_kit.errors import FailedPrecondition
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import NotFound
from kinlink_kit.testing import refused
from kinlink_messaging.domain.blocks import Blocks
from kinlink_messaging.domain.draft import Draft

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def test_a_draft_is_edited_until_deleted_and_is_no_one_elses() -> None:
    owner = uuid4()
    draft = Draft.save(uuid4(), owner, "FAC-1", "R-1", "Dear", NOW)
    draft.edit("Dear Ann", NOW)
    assert draft.body == "Dear Ann"
    assert draft.belongs_to(owner) and not draft.belongs_to(uuid4())
    draft.delete(NOW)
    assert not draft.belongs_to(owner)
    with refused(NotFound, "draft_not_found"):
        draft.edit("Dear Ann,", NOW)


def test_a_draft_is_held_to_the_length_of_a_message() -> None:
    with refused(InvalidArgument, "body_too_long"):
        Draft.save(uuid4(), uuid4(), "FAC-1", "R-1", "x" * 6001, NOW)


def test_an_unchanged_draft_records_nothing() -> None:
    draft = Draft.save(uuid4(), uuid4(), "FAC-1", "R-1", "Dear", NOW)
    draft.collect_events()
    draft.edit("Dear", NOW)
    assert draft.collect_events() == []


def test_a_resident_is_blocked_and_unblocked_at_any_time() -> None:
    blocks = Blocks(uuid4())
    blocks.block("FAC-1", "R-1", NOW)
    blocks.block("FAC-1", "R-1", NOW)
    with refused(FailedPrecondition, "resident_blocked"):
        blocks.check_not_blocked("FAC-1", "R-1")
    blocks.check_not_blocked("FAC-2", "R-1")
    blocks.unblock("FAC-1", "R-1", NOW)
    blocks.check_not_blocked("FAC-1", "R-1")
    assert [type(e) for e in blocks.collect_events()] == [
        Blocks.Opened,
        Blocks.Blocked,
        Blocks.Unblocked,
    ]
