"""What every part of the SMS gateway's API shares: the service's name, method names, the
roles that call it, the request fields refusals are about, and subscriptions as the API shows
them."""

from __future__ import annotations

from uuid import UUID

from kinlink.sms.v1 import sms_pb2 as pb
from kinlink_contracts.sms import SmsOffReason
from kinlink_kit import grpc_helpers
from kinlink_kit.auth import Role
from kinlink_kit.auth import current_principal
from kinlink_kit.grpc_helpers import parse_id
from kinlink_kit.grpc_helpers import proto_enum
from kinlink_kit.grpc_helpers import timestamp

from kinlink_sms.domain.consent import consent_words
from kinlink_sms.domain.segments import Encoding
from kinlink_sms.domain.subscription import SmsSubscription
from kinlink_sms.domain.subscription import SubscriptionStatus
from kinlink_sms.domain.verification import Verification

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["SmsGatewayService"].full_name
# Family members manage and read their own SMS settings and history.
FAMILY = frozenset({Role.FAMILY_MEMBER})

# The request field a refusal is about, by its code, as every request naming it calls it; a
# method whose request names it otherwise says so where it calls its use case.
REQUEST_FIELDS = {
    **dict.fromkeys(("facility_not_found", "sms_unavailable"), "facility_id"),
    **dict.fromkeys(("no_prior_correspondence", "sms_subscription_not_found"), "resident_id"),
    "phone_number_invalid": "phone_number",
    "consent_version_unknown": "consent_version",
    **dict.fromkeys(
        (
            "verification_code_wrong",
            "verification_code_expired",
            "verification_attempts_exhausted",
        ),
        "code",
    ),
    "body_missing": "body",
}

_STATUS = proto_enum(SubscriptionStatus, pb.SmsSubscriptionStatus)
_OFF_REASON = proto_enum(SmsOffReason, pb.SmsOffReason)
ENCODING = proto_enum(Encoding, pb.SmsEncoding)


def method(name: str) -> str:
    """The full gRPC method name, as access policies name it."""
    return grpc_helpers.method(SERVICE_NAME, name)


def caller_account() -> UUID:
    """The signed-in family member's account."""
    return parse_id(current_principal().account_id, "account_id")


def verification_view(subscription: SmsSubscription, verification: Verification) -> pb.Verification:
    words = consent_words(verification.consent_version)
    return pb.Verification(
        facility_id=subscription.facility_id,
        resident_id=subscription.resident_id,
        phone_number=verification.phone_number,
        code_expires_at=timestamp(verification.code_expires_at),
        resend_available_at=timestamp(verification.resend_available_at),
        attempts_left=verification.attempts_left,
        consent=pb.SmsConsent(version=words.version, text=words.text),
    )


def subscription_view(subscription: SmsSubscription) -> pb.SmsSubscription:
    off_reason = subscription.shown_off_reason
    view = pb.SmsSubscription(
        facility_id=subscription.facility_id,
        resident_id=subscription.resident_id,
        status=_STATUS[subscription.status],
        phone_number=subscription.phone_number or "",
        kinlink_number=subscription.kinlink_number or "",
        off_reason=_OFF_REASON[off_reason] if off_reason else pb.SMS_OFF_REASON_UNSPECIFIED,
    )
    if subscription.pending is not None:
        view.pending_verification.CopyFrom(verification_view(subscription, subscription.pending))
    if subscription.consent is not None:
        view.consented_at.CopyFrom(timestamp(subscription.consent.given_at))
        view.consent_version = subscription.consent.version
    return view


__all__ = [
    "ENCODING",
    "FAMILY",
    "REQUEST_FIELDS",
    "SERVICE_NAME",
    "caller_account",
    "method",
    "subscription_view",
    "timestamp",
    "verification_view",
]
