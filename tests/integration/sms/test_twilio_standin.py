"""The stand-in refuses what Twilio refuses, as Twilio does: a test that passes against it did
not send Twilio a request it would have refused."""

from __future__ import annotations

import httpx
import pytest

from tests.twilio_standin import TwilioStandin

GOOD = {
    "To": "+12025550123",
    "From": "+15005550006",
    "Body": "Hello",
    "StatusCallback": "https://sms.kinlink.example/sms/status/sms:1",
}


def create(standin: TwilioStandin, form: dict[str, str], **changes: object) -> httpx.Response:
    request: dict[str, object] = {
        "url": f"{standin.base_url}/2010-04-01/Accounts/{standin.account_sid}/Messages.json",
        "data": form,
        "auth": (standin.account_sid, standin.auth_token),
    } | changes
    return httpx.post(**request)  # type: ignore[arg-type]


def test_a_well_formed_message_is_created_and_served(twilio_standin: TwilioStandin) -> None:
    created = create(twilio_standin, GOOD)

    assert created.status_code == 201
    sid = created.json()["sid"]
    fetched = httpx.get(
        f"{twilio_standin.base_url}{created.json()['uri']}",
        auth=(twilio_standin.account_sid, twilio_standin.auth_token),
    )
    assert fetched.status_code == 200
    assert (fetched.json()["sid"], fetched.json()["status"], fetched.json()["to"]) == (
        sid,
        "queued",
        "+12025550123",
    )


@pytest.mark.parametrize(
    ("form", "changes", "status", "code"),
    [
        ({k: v for k, v in GOOD.items() if k != "To"}, {}, 400, 21604),
        ({k: v for k, v in GOOD.items() if k != "From"}, {}, 400, 21603),
        ({k: v for k, v in GOOD.items() if k != "Body"}, {}, 400, 21602),
        (GOOD | {"To": "2025550123"}, {}, 400, 21211),
        (GOOD | {"From": "+1 500 555 0006"}, {}, 400, 21212),
        (GOOD | {"StatusCallback": "/sms/status/sms:1"}, {}, 400, 21609),
        (GOOD | {"MediaUrl": "ftp://images/a.jpg"}, {}, 400, 21620),
        (GOOD | {"Body": "a" * 1601}, {}, 400, 21617),
        (GOOD, {"auth": None}, 401, 20003),
        (GOOD, {"auth": ("AC" + "0" * 32, "wrong")}, 401, 20003),
        (GOOD, {"data": None, "json": GOOD}, 400, 21601),
    ],
)
def test_a_request_twilio_would_refuse_is_refused_with_twilios_error(
    twilio_standin: TwilioStandin,
    form: dict[str, str],
    changes: dict[str, object],
    status: int,
    code: int,
) -> None:
    answer = create(twilio_standin, form, **changes)

    assert answer.status_code == status
    assert answer.json()["code"] == code
    assert answer.json()["status"] == status
    assert twilio_standin.messages == {}


def test_another_accounts_messages_are_refused(twilio_standin: TwilioStandin) -> None:
    other = f"{twilio_standin.base_url}/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"

    answer = create(twilio_standin, GOOD, url=other)

    assert (answer.status_code, answer.json()["code"]) == (401, 20003)
    assert twilio_standin.messages == {}


@pytest.mark.parametrize(
    ("body", "segments"), [("a" * 160, "1"), ("a" * 161, "2"), ("\u2019" * 71, "2")]
)
def test_the_segments_are_counted_as_twilio_counts_them(
    twilio_standin: TwilioStandin, body: str, segments: str
) -> None:
    assert create(twilio_standin, GOOD | {"Body": body}).json()["num_segments"] == segments
