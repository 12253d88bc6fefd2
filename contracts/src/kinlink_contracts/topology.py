"""Who publishes and who consumes each topic: Kinlink's services as their bootstraps wire them,
and the outside parties that read or write Kinlink's topics.

The AsyncAPI document (`kinlink_contracts.asyncapi`) and the brokers' access rules are derived
from this table; a test compares it with the services' real wiring, so it cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinlink_contracts import topics
from kinlink_contracts.topics import dead_letter_topic


@dataclass(frozen=True)
class Consumption:
    """A topic a party reads, and the event types it acts on (empty: every record)."""

    topic: str
    events: tuple[str, ...] = ()


@dataclass(frozen=True)
class Party:
    """A Kafka client of Kinlink's topics; `name` is also its principal on the brokers."""

    name: str
    description: str
    publishes: tuple[str, ...] = ()
    consumes: tuple[Consumption, ...] = ()
    # The consumer group a Kinlink service commits its offsets in.
    group: str | None = None
    # An outside party names its own groups, under this prefix (e.g. facility-<facility id>).
    group_prefix: str | None = None
    # Where the service's outbox relay puts a stored event it can never translate.
    outbox_dead_letters: str | None = None

    @property
    def is_service(self) -> bool:
        return self.group is not None

    @property
    def dead_letter_topics(self) -> tuple[str, ...]:
        """The topics a service writes dead letters to: one per topic it consumes, and its
        outbox's. Outside parties keep their own failures."""
        if not self.is_service:
            return ()
        consumed = tuple(dead_letter_topic(c.topic) for c in self.consumes)
        outbox = (self.outbox_dead_letters,) if self.outbox_dead_letters else ()
        return consumed + outbox


# What identity republishes of the facilities' bookings, and several services read from it.
_RESIDENT_EVENTS = ("ResidentBooked", "ResidentReleased", "ResidentTransferred")

IDENTITY = Party(
    name="identity",
    description="Accounts, cards, facilities and residents; republishes the facilities' bookings.",
    publishes=(topics.IDENTITY_EVENTS,),
    consumes=(
        Consumption(topics.FACILITY_EVENTS, _RESIDENT_EVENTS),
        Consumption(topics.LEDGER_EVENTS, ("MessagingSubscriptionDisabled",)),
        Consumption(topics.COMMISSARY_EVENTS, ("OrderPaid",)),
    ),
    group="kinlink-identity",
    outbox_dead_letters="kinlink.identity.outbox.dlq",
)
LEDGER = Party(
    name="ledger",
    description="All money; the only writer of the ledger's topics, its audit stream included.",
    publishes=(topics.LEDGER_EVENTS, topics.LEDGER_AUDIT),
    consumes=(
        Consumption(topics.FACILITY_EVENTS, ("DepositPosted",)),
        Consumption(
            topics.IDENTITY_EVENTS,
            (
                "CardAdded",
                "CardRemoved",
                "FacilityConfigured",
                "MessagingSubscriptionCardChosen",
                *_RESIDENT_EVENTS,
            ),
        ),
        Consumption(topics.COMMISSARY_EVENTS, ("AllowanceConsumed", "AllowanceEnded")),
    ),
    group="kinlink-ledger",
    outbox_dead_letters="kinlink.ledger.outbox.dlq",
)
MESSAGING = Party(
    name="messaging",
    description="Messages and photos between families and residents, and their review.",
    publishes=(topics.MESSAGING_EVENTS,),
    consumes=(
        Consumption(topics.IDENTITY_EVENTS, ("FacilityConfigured", *_RESIDENT_EVENTS)),
        Consumption(topics.FACILITY_EVENTS, ("ResidentMessagePosted",)),
        Consumption(topics.SMS_EVENTS, ("SmsReplyReceived",)),
    ),
    group="kinlink-messaging",
    outbox_dead_letters="kinlink.messaging.outbox.dlq",
)
SMS_GATEWAY = Party(
    name="sms-gateway",
    description="SMS notifications of residents' messages, and replies by SMS.",
    publishes=(topics.SMS_EVENTS,),
    consumes=(
        Consumption(topics.IDENTITY_EVENTS, ("FacilityConfigured",)),
        Consumption(topics.MESSAGING_EVENTS, ("MessageDelivered",)),
    ),
    group="kinlink-sms-gateway",
    # The gateway's store is named "sms", and so is its outbox.
    outbox_dead_letters="kinlink.sms.outbox.dlq",
)
COMMISSARY = Party(
    name="commissary",
    description="Allowances, commissary packs and their orders.",
    publishes=(topics.COMMISSARY_EVENTS,),
    consumes=(
        Consumption(topics.IDENTITY_EVENTS, ("FacilityConfigured", *_RESIDENT_EVENTS)),
        Consumption(
            topics.FACILITY_EVENTS,
            (
                "CommissaryCatalogPublished",
                "CommissaryPackDecided",
                "CommissaryPackDelivered",
                "CommissaryPackShipped",
                "CommissaryPurchased",
            ),
        ),
        Consumption(topics.LEDGER_EVENTS, ("AllowanceEnded",)),
    ),
    group="kinlink-commissary",
    outbox_dead_letters="kinlink.commissary.outbox.dlq",
)
VISITATION = Party(
    name="visitation",
    description="Video visits: scheduling, calls, minutes charged and credits.",
    publishes=(topics.VISITATION_EVENTS,),
    consumes=(Consumption(topics.IDENTITY_EVENTS, ("FacilityConfigured", *_RESIDENT_EVENTS)),),
    group="kinlink-visitation",
    outbox_dead_letters="kinlink.visitation.outbox.dlq",
)
FACILITY_INTEGRATION = Party(
    name="facility-integration",
    description="A facility's own systems (bookings, trust accounts, kiosks, commissary vendor): "
    "they publish the facility topic and may read every topic about residents, not identity's "
    "(families' accounts and cards) nor the ledger's audit stream.",
    publishes=(topics.FACILITY_EVENTS,),
    consumes=tuple(
        Consumption(topic)
        for topic in (
            topics.LEDGER_EVENTS,
            topics.COMMISSARY_EVENTS,
            topics.MESSAGING_EVENTS,
            topics.SMS_EVENTS,
            topics.VISITATION_EVENTS,
        )
    ),
    group_prefix="facility-",
)
AUDITOR = Party(
    name="auditor",
    description="Auditors' tools (`kinlink ledger verify|replay --source kafka`): read the "
    "ledger's audit stream and nothing else.",
    consumes=(Consumption(topics.LEDGER_AUDIT),),
)

SERVICES: tuple[Party, ...] = (IDENTITY, LEDGER, MESSAGING, SMS_GATEWAY, COMMISSARY, VISITATION)

# Every dead-letter topic the services write, and the topics whose letters go back there.
_DEAD_LETTERS = tuple(dict.fromkeys(t for s in SERVICES for t in s.dead_letter_topics))
_REPLAYED = tuple(dict.fromkeys(c.topic for s in SERVICES for c in s.consumes))
OPERATOR = Party(
    name="operator",
    description="Operators' `kinlink ops dlq list|show|replay`: read every dead-letter topic, "
    "without a consumer group, and put a letter back on the topic it failed on; not the "
    "ledger's topics, which only the ledger writes.",
    publishes=tuple(t for t in _REPLAYED if t not in (topics.LEDGER_EVENTS, topics.LEDGER_AUDIT)),
    consumes=tuple(Consumption(topic) for topic in _DEAD_LETTERS),
)
PARTIES: tuple[Party, ...] = (*SERVICES, FACILITY_INTEGRATION, AUDITOR, OPERATOR)


def writers(topic: str) -> tuple[Party, ...]:
    """The parties that write `topic`: its publishers, or for a dead-letter topic the services
    whose consumers or outbox put dead letters there."""
    return tuple(p for p in PARTIES if topic in (*p.publishes, *p.dead_letter_topics))


def readers(topic: str) -> tuple[Party, ...]:
    return tuple(p for p in PARTIES if any(c.topic == topic for c in p.consumes))
