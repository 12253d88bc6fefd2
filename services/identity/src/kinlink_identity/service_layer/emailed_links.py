"""Links sent by email: a single-use, expiring token saved with the change that asks for it,
and the email sent once that is saved. A link is spent by saving the token with what it allows:
of two uses at once one collides and, reading again under the conflict policy, finds it used."""

from __future__ import annotations

from datetime import timedelta

from kinlink_kit.errors import InvalidArgument
from kinlink_kit.errors import Unavailable
from kinlink_kit.logging import get_logger

from kinlink_identity.domain.account import Account
from kinlink_identity.domain.emails import link_email
from kinlink_identity.domain.mail import Email
from kinlink_identity.domain.mail import MailUnavailable
from kinlink_identity.domain.one_time_token import OneTimeToken
from kinlink_identity.domain.one_time_token import TokenPurpose
from kinlink_identity.domain.one_time_token import digest
from kinlink_identity.service_layer.identity import Identity
from kinlink_identity.service_layer.identity import IdentityPolicy

log = get_logger(__name__)


def _lifetime(policy: IdentityPolicy, purpose: TokenPurpose) -> timedelta:
    return {
        TokenPurpose.ACTIVATION: policy.activation_ttl,
        TokenPurpose.PASSWORD_RESET: policy.password_reset_ttl,
        TokenPurpose.EMAIL_CHANGE: policy.email_change_ttl,
        TokenPurpose.REACTIVATION: policy.reactivation_ttl,
    }[purpose]


def issue_link(
    identity: Identity, account: Account, purpose: TokenPurpose, to: str = "", subject: str = ""
) -> tuple[OneTimeToken, Email]:
    """The token to save and the email to send after it, to `to` or else the account's email."""
    expires_at = identity.clock() + _lifetime(identity.policy, purpose)
    token, secret = OneTimeToken.issue(purpose, account.id, expires_at, subject)
    email = link_email(
        purpose, to or account.email, account.first_name, identity.policy.public_url, secret
    )
    return token, email


def send(identity: Identity, email: Email) -> None:
    try:
        identity.mailer.send(email)
    except MailUnavailable as error:
        log.warning("mail_unavailable", error=str(error))
        raise Unavailable(
            "mail_unavailable", "We could not send the email just now; ask again in a minute."
        ) from None


def send_link(identity: Identity, account: Account, purpose: TokenPurpose) -> None:
    token, email = issue_link(identity, account, purpose)
    identity.store.save(token)
    send(identity, email)


def redeem(identity: Identity, token: str, purpose: TokenPurpose) -> OneTimeToken:
    """The token, spent (until saved with what it allows); unknown ones are refused like used."""
    found = identity.find(OneTimeToken.create_id(digest(token)), OneTimeToken) if token else None
    if found is None:
        raise InvalidArgument("token_invalid", "This link is not valid.")
    found.use(purpose, identity.clock())
    return found
