"""The `Carrier` through Twilio's Messages API, with Twilio's official SDK.

The SDK's `api` domain is pointed at the configured base URL (Twilio itself, or the stand-in in
the tests); everything else is the SDK as shipped. Each SMS names its status callback, the
webhook's status route for its reference, so a status arriving before the SID is recorded still
finds its SMS.

Twilio's refusals (a 4xx with its error code: 21211 not a valid number, 21610 the number sent
STOP, 21614 not a mobile number...) are `CarrierRefused`; no answer, a timeout, a 5xx, a 429 or
our own credentials refused are `CarrierUnavailable`: none of them is the SMS's fault, and a
later attempt may pass.

The pictures a phone sent (MMS) are fetched from their media URLs with the account's Basic auth
through the SDK's HTTP client's session (the SDK's own `request` keeps only the text of an
answer); Twilio redirects to its media store, and requests drops the credentials on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from kinlink_kit.logging import get_logger
from twilio.base import values
from twilio.base.exceptions import TwilioRestException
from twilio.base.exceptions import TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from kinlink_sms.adapters.twilio_settings import TwilioAccount
from kinlink_sms.adapters.twilio_settings import status_callback_url
from kinlink_sms.domain.ports import CarrierReceipt
from kinlink_sms.domain.ports import CarrierRefused
from kinlink_sms.domain.ports import CarrierStatus
from kinlink_sms.domain.ports import CarrierUnavailable
from kinlink_sms.domain.ports import FetchedPicture
from kinlink_sms.domain.ports import OutgoingSms
from kinlink_sms.domain.ports import PictureGone
from kinlink_sms.domain.ports import StatusReport

log = get_logger(__name__)

# Statuses Twilio also reports, as the gateway reads them; any other is taken as still on its way.
_STATUS_ALIASES = {
    "scheduled": CarrierStatus.QUEUED,
    "receiving": CarrierStatus.RECEIVED,
    "read": CarrierStatus.DELIVERED,
    "canceled": CarrierStatus.FAILED,
}
_UNAUTHORIZED = 401
_TOO_MANY_REQUESTS = 429
_NOT_FOUND = 404


def carrier_status(twilio_status: str) -> CarrierStatus:
    """A status as Twilio names it (API answers and callbacks) in the gateway's terms."""
    try:
        return CarrierStatus(twilio_status)
    except ValueError:
        return _STATUS_ALIASES.get(twilio_status, CarrierStatus.SENT)


class TwilioCarrier:
    def __init__(self, account: TwilioAccount) -> None:
        self._http = TwilioHttpClient(timeout=account.timeout_seconds)
        self._client = Client(account.sid, account.auth_token, http_client=self._http)
        self._credentials = (account.sid, account.auth_token)
        self._timeout_seconds = account.timeout_seconds
        # Every Messages API call is made below the `api` domain's base URL.
        self._client.api.base_url = account.api_base_url.rstrip("/")
        self._webhook_public_url = account.webhook_public_url

    def send(self, sms: OutgoingSms) -> CarrierReceipt:
        with _carrier_errors():
            message = self._client.messages.create(
                to=sms.to,
                from_=sms.from_,
                body=sms.body or values.unset,
                media_url=list(sms.media_urls) or values.unset,
                status_callback=status_callback_url(self._webhook_public_url, sms.reference),
            )
        return CarrierReceipt(sid=str(message.sid), status=carrier_status(str(message.status)))

    def status(self, sid: str) -> StatusReport:
        with _carrier_errors():
            message = self._client.messages(sid).fetch()
        return StatusReport(
            sid=sid, status=carrier_status(str(message.status)), error_code=message.error_code
        )

    def fetch_picture(self, url: str) -> FetchedPicture:
        session = self._http.session or requests.Session()
        try:
            answer = session.get(url, auth=self._credentials, timeout=self._timeout_seconds)
        except requests.RequestException as error:
            log.warning("twilio media could not be reached", error=type(error).__name__)
            raise CarrierUnavailable() from error
        if answer.status_code == _NOT_FOUND:
            raise PictureGone()
        if not answer.ok:
            log.error("twilio did not serve the media", http_status=answer.status_code)
            raise CarrierUnavailable()
        content_type = answer.headers.get("Content-Type", "application/octet-stream")
        return FetchedPicture(answer.content, content_type.split(";")[0].strip())


@contextmanager
def _carrier_errors() -> Iterator[None]:
    """Twilio's errors as the `Carrier` port names them."""
    try:
        yield
    except (TwilioRestException, TwilioServiceException) as error:
        status = int(error.status)
        code = int(error.code or status)
        if status >= 500 or status in (_UNAUTHORIZED, _TOO_MANY_REQUESTS):
            log.error("twilio did not take the call", http_status=status, twilio_code=code)
            raise CarrierUnavailable() from error
        detail = error.msg if isinstance(error, TwilioRestException) else error.title
        raise CarrierRefused(code, detail) from error
    except (requests.RequestException, ValueError) as error:  # ValueError: an unreadable answer
        log.warning("twilio could not be reached", error=type(error).__name__)
        raise CarrierUnavailable() from error
