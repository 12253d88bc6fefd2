"""The help pages: complete in English and Spanish, linked correctly, answering every question
families bring from the provider Kinlink replaces, and stating the numbers the code applies."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from kinlink_contracts.facility_settings import DEFAULT_CARD_BRANDS
from kinlink_contracts.facility_settings import DEFAULT_WEEKLY_LIMIT_CENTS
from kinlink_contracts.facility_settings import ImageRules
from kinlink_identity.adapters.resident_directory_view import MIN_LAST_NAME_LETTERS
from kinlink_identity.domain.id_verification import ADULT_AGE
from kinlink_identity.domain.password_rules import MIN_PASSWORD_LENGTH
from kinlink_ledger.domain.facility import ID_VERIFICATION_WINDOW
from kinlink_ledger.domain.money import Cents
from kinlink_ledger.domain.money import format_dollars
from kinlink_ledger.domain.quote import QUOTE_LIFETIME
from kinlink_ledger.domain.week import deposit_week_start
from kinlink_portal.help import LANGUAGES
from kinlink_portal.help import SECTIONS
from kinlink_portal.help import HelpTopic
from kinlink_portal.help import MalformedTopic
from kinlink_portal.help import TopicNotFound
from kinlink_portal.help import load_topics
from kinlink_portal.help import parse_topic
from kinlink_portal.help import topic
from starlette.testclient import TestClient

# Every question of the help families know from the provider Kinlink replaces, in our words, and
# the topic answering it. A question without its topic here, or a topic missing, fails.
QUESTIONS = {
    # accounts
    "opening an account": "create-an-account",
    "the activation email does not arrive": "missing-activation-email",
    "verifying one's identity before depositing": "id-verification",
    "why a Social Security number is asked for": "social-security-number",
    "changing name, address, phone or time zone": "edit-account-details",
    "resetting a forgotten password": "forgotten-password",
    "changing the account's email address": "change-email-address",
    "the notice about being unsubscribed from emails": "unsubscribed-from-emails",
    "closing the account": "close-account",
    "reopening a closed account": "reactivate-account",
    "using the site on a phone": "mobile-devices",
    # cards
    "which cards are accepted": "accepted-cards",
    "adding a card": "add-a-card",
    "editing or removing a card": "edit-or-remove-a-card",
    # deposits
    "sending money": "make-a-deposit",
    "what a deposit costs": "deposit-fees",
    "the weekly deposit limit": "weekly-deposit-limit",
    "a resident who moved or was released": "resident-transferred-or-released",
    "when a deposit arrives": "where-is-my-deposit",
    "money sent to the wrong resident": "wrong-resident",
    "a deposit that failed": "deposit-declined",
    "the card issuer's extra check": "payer-authentication",
    "a deposit that seems charged twice": "duplicate-deposit",
    "getting a deposit back": "deposit-refunds",
    "the resident's balance": "resident-balance",
    "the list of deposits and orders for a resident": "deposit-history",
    "the resident cannot be found when depositing": "find-a-resident",
    # messaging
    "what the messaging subscription is": "messaging-subscription",
    "setting up the messaging subscription": "set-up-messaging-subscription",
    "adding money to the messaging subscription": "refill-messaging-subscription",
    "stopping the messaging subscription": "disable-messaging-subscription",
    "paying the messaging subscription with another card": "change-subscription-card",
    "writing to a resident": "send-a-message",
    "sending a photo": "send-an-image",
    "which photos are allowed": "image-rules",
    "an error with a reference code": "reference-codes",
    "a message waiting for the facility's approval": "pending-review",
    "the resident cannot be found when writing": "find-a-resident",
    "drafts and messages that did not go": "message-drafts",
    "stopping a resident from writing": "block-a-resident",
    "getting money back for messages": "messaging-refunds",
    "the list of what the messaging subscription paid": "messaging-history",
    "messages that are no longer there": "expired-messages",
    # commissary
    "what a commissary allowance is": "commissary-allowance",
    "giving a commissary allowance": "create-commissary-allowance",
    "receipts of allowances": "allowance-receipts",
    "ordering a commissary pack": "commissary-order",
    "what an order's status means": "commissary-order-statuses",
    "cancelling an order": "cancel-commissary-order",
    "when an order is delivered": "commissary-delivery",
    "a resident who left before the order arrived": "commissary-resident-moved",
    "the resident cannot be found when ordering": "find-a-resident",
    "getting money back for an order": "commissary-refunds",
    "changing an order or choosing its card later": "change-commissary-order",
    # visits
    "booking a video visit": "schedule-video-visit",
    "joining a booked visit": "join-video-visit",
    "calling without booking": "direct-dial-call",
    "cancelling a booked visit": "cancel-video-visit",
    "preparing a computer for video visits": "video-setup",
    "poor sound during a visit": "video-sound",
    "getting minutes back after a failed visit": "video-refunds",
    "video visits on a phone or tablet": "video-on-phones",
    "visit times look wrong": "time-zone",
    "letting the browser use the camera and microphone": "camera-and-microphone",
    # sms
    "getting messages by text": "set-up-sms",
    "turning text messages off": "turn-off-sms",
    "texts to another phone number": "change-sms-number",
    "reading texted messages on the site": "read-sms-online",
    "what text messages cost": "sms-cost",
    "pictures by text": "pictures-by-sms",
    "whether the resident sees the phone number": "sms-number-privacy",
    "the verification code does not arrive": "sms-verification-code",
    "text messages in short": "how-sms-works",
    "the rules of text messages": "sms-rules",
    "how long a text can be": "sms-length",
    "a phone that splits texts into many short ones": "sms-special-characters",
    "stopping texts from the phone, and help by text": "sms-stop-and-help",
    # support
    "reaching support": "contact-support",
}

# Numbers a topic states and the code applies: (slug, as the help writes it, from the code).
_IMAGE_RULES = ImageRules()
STATED_NUMBERS = [
    ("weekly-deposit-limit", format_dollars(Cents(DEFAULT_WEEKLY_LIMIT_CENTS)).removeprefix("$")),
    ("find-a-resident", str(MIN_LAST_NAME_LETTERS)),
    ("make-a-deposit", str(QUOTE_LIFETIME // timedelta(minutes=1))),
    ("deposit-declined", str(QUOTE_LIFETIME // timedelta(minutes=1))),
    ("image-rules", str(_IMAGE_RULES.max_bytes // 1_000_000)),  # in MB
    ("image-rules", str(_IMAGE_RULES.max_per_message)),
    ("id-verification", str(ID_VERIFICATION_WINDOW.days)),
    ("social-security-number", str(ADULT_AGE)),
    ("create-an-account", str(MIN_PASSWORD_LENGTH)),
    ("forgotten-password", str(MIN_PASSWORD_LENGTH)),
]
# Weekdays as each language names them, Monday first (as date.weekday counts).
WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
BRAND_NAMES = {"visa": "Visa", "mastercard": "Mastercard", "discover": "Discover"}
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}

_LINK = re.compile(r"\]\(([^)\s]*)\)")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


def _topics(language: str) -> dict[str, HelpTopic]:
    return {each.slug: each for each in load_topics(language)}


def _numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_is_answered_by_its_topic(language: str) -> None:
    slugs = _topics(language).keys()
    unanswered = {question: slug for question, slug in QUESTIONS.items() if slug not in slugs}
    assert unanswered == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_topic_answers_a_question_of_the_table(language: str) -> None:
    assert set(_topics(language)) == set(QUESTIONS.values())


def test_every_topic_has_its_twin_in_the_other_language() -> None:
    english, spanish = _topics("en"), _topics("es")
    assert set(english) == set(spanish)
    for slug, page in english.items():
        assert (spanish[slug].section, spanish[slug].order) == (page.section, page.order), slug


@pytest.mark.parametrize("language", LANGUAGES)
def test_topics_come_in_the_order_of_their_sections(language: str) -> None:
    topics = load_topics(language)
    keys = [(SECTIONS.index(each.section), each.order) for each in topics]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys), "two topics of a section share an order"
    assert {each.section for each in topics} == set(SECTIONS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_two_topics_share_a_title(language: str) -> None:
    titles = [each.title for each in load_topics(language)]
    assert len(set(titles)) == len(titles)


@pytest.mark.parametrize("language", LANGUAGES)
def test_links_lead_to_topics_of_the_same_language_or_to_the_portals_pages(
    language: str, portal: TestClient
) -> None:
    topics = _topics(language)
    broken = {
        (each.slug, target)
        for each in topics.values()
        for target in _LINK.findall(each.body)
        if target not in topics
        and not (target.startswith("/") and portal.get(target).status_code == 200)
    }
    assert broken == set()


def test_a_topic_and_its_translation_state_the_same_numbers() -> None:
    english, spanish = _topics("en"), _topics("es")
    differing = {
        slug: (_numbers(page.body), _numbers(spanish[slug].body))
        for slug, page in english.items()
        if _numbers(page.body) != _numbers(spanish[slug].body)
    }
    assert differing == {}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("slug", "number"), STATED_NUMBERS)
def test_the_help_states_the_numbers_the_code_applies(
    language: str, slug: str, number: str
) -> None:
    assert number in _numbers(topic(language, slug).body)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_deposit_week_is_named_as_the_ledger_counts_it(language: str) -> None:
    # The ledger's week starts on the weekday of the Sunday it returns and ends six days later.
    first = deposit_week_start(datetime(2026, 12, 2, 12, tzinfo=UTC), ZoneInfo("UTC")).weekday()
    names = WEEKDAYS[language]
    body = topic(language, "weekly-deposit-limit").body
    assert names[first] in body
    assert names[(first + 6) % 7] in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_default_card_brands_are_the_ones_named(language: str) -> None:
    body = topic(language, "accepted-cards").body
    assert {BRAND_NAMES[brand] for brand in DEFAULT_CARD_BRANDS} <= set(re.findall(r"\w+", body))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_default_image_formats_are_the_ones_named(language: str) -> None:
    body = topic(language, "image-rules").body
    named = {IMAGE_FORMATS[kind] for kind in _IMAGE_RULES.content_types}
    assert named <= set(re.findall(r"\w+", body))


def test_a_topic_is_found_by_language_and_slug() -> None:
    assert topic("es", "make-a-deposit").title != topic("en", "make-a-deposit").title
    with pytest.raises(TopicNotFound):
        topic("en", "no-such-topic")
    with pytest.raises(ValueError):
        load_topics("fr")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("title: Q\nsection: cards\norder: 1\n\nA.", "does not start"),
        ("---\ntitle: Q\nsection: cards\norder: 1\n\nA.", "not closed"),
        ("---\ntitle: Q\nsection: cards\n---\nA.", "lacks order"),
        ("---\ntitle: Q\nsection: billing\norder: 1\n---\nA.", "unknown section"),
        ("---\ntitle: Q\nsection: cards\norder: first\n---\nA.", "not a whole number"),
        ("---\ntitle: Q\nsection: cards\norder: 1\nauthor: me\n---\nA.", "unexpected"),
        ("---\ntitle: Q\nsection: cards\norder: 1\n---\n\n", "no answer"),
    ],
)
def test_a_file_without_a_complete_front_matter_is_refused(text: str, problem: str) -> None:
    with pytest.raises(MalformedTopic, match=problem):
        parse_topic("a-topic", text)


def test_a_complete_file_reads_as_its_topic() -> None:
    parsed = parse_topic("a-topic", "---\ntitle: Q?\nsection: cards\norder: 2\n---\n\nA.\n")
    assert parsed == HelpTopic("a-topic", "Q?", "cards", 2, "A.\n")
