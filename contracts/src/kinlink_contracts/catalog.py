"""Every integration event, by topic: the source of the exported JSON Schemas."""

from kinlink_contracts import commissary
from kinlink_contracts import facility
from kinlink_contracts import identity
from kinlink_contracts import ledger
from kinlink_contracts import messaging
from kinlink_contracts import sms
from kinlink_contracts import topics
from kinlink_contracts import visitation
from kinlink_contracts.envelope import IntegrationEvent

_RESIDENT_EVENTS = (
    facility.ResidentBooked,
    facility.ResidentTransferred,
    facility.ResidentReleased,
)

EVENTS_BY_TOPIC: dict[str, tuple[type[IntegrationEvent], ...]] = {
    topics.LEDGER_EVENTS: (
        ledger.DepositRequested,
        ledger.DepositCaptured,
        ledger.DepositDeclined,
        ledger.MessagingSubscriptionSetUp,
        ledger.MessagingSubscriptionDisabled,
        ledger.WalletFunded,
        ledger.WalletFundingFailed,
        ledger.WalletCharged,
        ledger.WalletCredited,
        ledger.WalletChargeRefunded,
        ledger.AllowanceAuthorized,
        ledger.AllowanceDeclined,
        ledger.AllowanceEnded,
        ledger.CommissaryOrderCharged,
        ledger.CommissaryOrderChargeDeclined,
    ),
    topics.FACILITY_EVENTS: (
        facility.DepositPosted,
        *_RESIDENT_EVENTS,
        facility.ResidentMessagePosted,
        facility.CommissaryPurchased,
        facility.CommissaryCatalogPublished,
        facility.CommissaryPackShipped,
        facility.CommissaryPackDelivered,
        facility.CommissaryPackDecided,
    ),
    topics.IDENTITY_EVENTS: (
        identity.AccountRegistered,
        identity.AccountActivated,
        identity.AccountDetailsChanged,
        identity.AccountEmailChanged,
        identity.EmailSubscriptionChanged,
        identity.AccountClosed,
        identity.AccountReactivated,
        identity.AccountIdVerified,
        identity.CardAdded,
        identity.CardRemoved,
        identity.MessagingSubscriptionCardChosen,
        identity.FacilityConfigured,
        *_RESIDENT_EVENTS,
    ),
    topics.COMMISSARY_EVENTS: (
        commissary.AllowanceConsumed,
        commissary.AllowanceEnded,
        commissary.AllowanceCreated,
        commissary.OrderPlaced,
        commissary.OrderChanged,
        commissary.OrderCancelled,
        commissary.OrderPaid,
        commissary.OrderIncomplete,
        commissary.OrderShipped,
        commissary.OrderDelivered,
        commissary.OrderOverdue,
        commissary.OrderResidentLeft,
        commissary.OrderPackDecided,
    ),
    topics.MESSAGING_EVENTS: (
        messaging.MessageSubmitted,
        messaging.MessageApproved,
        messaging.MessageRejected,
        messaging.MessageDelivered,
        messaging.MessageRead,
        messaging.MessageExpired,
    ),
    topics.SMS_EVENTS: (
        sms.SmsTurnedOn,
        sms.SmsTurnedOff,
        sms.SmsSent,
        sms.SmsDelivered,
        sms.SmsFailed,
        sms.SmsNotSent,
        sms.SmsReplyReceived,
        sms.SmsReplyRefused,
    ),
    topics.VISITATION_EVENTS: (
        visitation.CallScheduled,
        visitation.CallCancelled,
        visitation.CallStarted,
        visitation.CallInterrupted,
        visitation.CallResumed,
        visitation.CallEnded,
        visitation.CallMissed,
        visitation.CallMinuteCharged,
        visitation.CallCredited,
        visitation.RefundRequested,
        visitation.RefundRequestDecided,
    ),
}
