"""The pictures of an SMS reply as the gateway checks and keeps them (decision 0046)."""

from __future__ import annotations

from kinlink_contracts.facility_settings import ImageRules
from kinlink_sms.domain.reply_pictures import PictureRefusal
from kinlink_sms.domain.reply_pictures import ReplyPicture
from kinlink_sms.domain.reply_pictures import broken_rule
from kinlink_sms.domain.reply_pictures import too_many

from tests.unit.sms.test_inbound_sms import received

RULES = ImageRules(max_bytes=1000, content_types=("image/jpeg", "image/png"), max_per_message=2)


def test_each_rule_is_named_by_its_own_refusal() -> None:
    assert too_many(RULES, 2) is None
    assert too_many(RULES, 3) is PictureRefusal.TOO_MANY_PICTURES
    assert broken_rule(RULES, "IMAGE/PNG", 1000) is None
    assert broken_rule(RULES, "image/gif", 10) is PictureRefusal.PICTURE_TYPE_REFUSED
    assert broken_rule(RULES, "image/jpeg", 1001) is PictureRefusal.PICTURE_TOO_LARGE


def test_a_picture_matches_its_own_bytes_only() -> None:
    picture = ReplyPicture.of(0, "https://api.twilio.com/Media/ME1", b"jpeg bytes", "image/jpeg")

    assert picture.size == 10 and picture.matches(b"jpeg bytes")
    assert not picture.matches(b"jpeg bytez")


def test_a_text_reply_records_no_pictures_and_a_picture_reply_keeps_them_once() -> None:
    text = received()
    text.keep_pictures(())
    assert [type(e).__name__ for e in text.collect_events()] == ["Received"]

    mms = received(pictures=1)
    first = ReplyPicture.of(0, "https://api.twilio.com/Media/ME1", b"first", "image/png")
    mms.keep_pictures((first,))
    mms.keep_pictures((ReplyPicture.of(0, "https://api.twilio.com/Media/ME2", b"x", "image/png"),))
    assert mms.kept == (first,)
    assert [type(e).__name__ for e in mms.collect_events()] == ["Received", "PicturesKept"]
