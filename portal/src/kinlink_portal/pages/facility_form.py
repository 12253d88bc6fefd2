"""The facility settings an operator edits in the console, as a form: inputs named as the
paths identity names in its refusals (`settings.deposit_fee_tiers[1].fee_cents`), amounts in
dollars, the settings the form does not show (visiting hours, image rules, funding options)
kept as they are. The video price's cap is the FCC's for the facility's kind and size (identity
refuses a price above it)."""

from __future__ import annotations

import re
from datetime import date

from kinlink.identity.v1 import identity_pb2 as pb
from kinlink_contracts.facility_settings import FacilityKind
from kinlink_contracts.facility_settings import video_price_cap_cents
from starlette.datastructures import FormData

from kinlink_portal.forms import Form
from kinlink_portal.i18n import gettext
from kinlink_portal.money import cents_of
from kinlink_portal.money import typed_dollars
from kinlink_portal.sentences import N_
from kinlink_portal.services import Refusal

PREFIX = "settings."
LIMIT = "settings.weekly_deposit_limit_cents"
TIERS = "settings.deposit_fee_tiers"
BRANDS = "settings.accepted_card_brands"
THRESHOLD = "settings.id_verification_threshold_cents"
# Amounts typed in dollars, kept in cents.
AMOUNTS = (
    LIMIT,
    "settings.message_price_cents",
    "settings.image_price_cents",
    "settings.video_price_per_minute_cents",
)
CHOICES = ("settings.review_policy", "settings.id_verification", "settings.commissary_posting_day")
SWITCHES = (
    "settings.messaging_switched_off",
    "settings.refund_rejected_messages",
    "settings.sms_available",
    "settings.mms_available",
)
STATIONS = "settings.video_stations"
KIND, POPULATION = "settings.facility_kind", "settings.average_daily_population"
SLOTS, BLACKOUTS = "settings.video_slot_minutes", "settings.video_blackout_dates"
LEAD, HORIZON = "settings.video_booking_lead_minutes", "settings.video_booking_horizon_days"
# Video visits' settings after the stations and the price; the lead time and horizon shown at
# the defaults identity applies when they are left out.
VIDEO = (KIND, POPULATION, SLOTS, LEAD, HORIZON, BLACKOUTS)
DEFAULT_LEAD_MINUTES, DEFAULT_HORIZON_DAYS = 1440, 14
FACILITY_KINDS = (("jail", N_("Jail")), ("prison", N_("Prison")))
CARD_BRANDS = (("visa", "Visa"), ("mastercard", "Mastercard"), ("discover", "Discover"),
               ("amex", "American Express"))  # fmt: skip
REVIEW_POLICIES = (
    ("review_none", N_("Messages go straight to the resident")),
    ("review_all", N_("An officer approves every message first")),
)
ID_VERIFICATION_POLICIES = (
    ("never", N_("Never")),
    ("before_activation", N_("Before the account is activated")),
    ("before_deposit", N_("Before a deposit")),
)
WEEKDAYS = (
    ("monday", N_("Monday")),
    ("tuesday", N_("Tuesday")),
    ("wednesday", N_("Wednesday")),
    ("thursday", N_("Thursday")),
    ("friday", N_("Friday")),
    ("saturday", N_("Saturday")),
    ("sunday", N_("Sunday")),
)
# Rows for fee tiers: the facility's tiers and one more; at least this many.
MIN_TIER_ROWS = 3
_TIER_INPUT = re.compile(r"settings\.deposit_fee_tiers\[(\d+)\]\.(up_to_cents|fee_cents)")


def tier_input(row: int, part: str) -> str:
    return f"{TIERS}[{row}].{part}"


def fields(tier_rows: int) -> tuple[str, ...]:
    """The form's inputs and fieldsets, in the order of the page."""
    tiers = [
        tier_input(row, part) for row in range(tier_rows) for part in ("up_to_cents", "fee_cents")
    ]
    return ("settings.name", "settings.time_zone", LIMIT, TIERS, *tiers, BRANDS, *AMOUNTS[1:],
            "settings.review_policy", "settings.id_verification", THRESHOLD, STATIONS, *VIDEO,
            *SWITCHES, "settings.commissary_posting_day")  # fmt: skip


def form_of(settings: pb.FacilitySettings) -> tuple[Form, list[str]]:
    """The form filled with `settings`, and the brands ticked."""
    tiers = list(settings.deposit_fee_tiers)
    values = {
        "settings.name": settings.name,
        "settings.time_zone": settings.time_zone,
        STATIONS: str(settings.video_stations),
        THRESHOLD: typed_dollars(settings.id_verification_threshold_cents)
        if settings.id_verification_threshold_cents
        else "",
    }
    values |= {
        name: typed_dollars(getattr(settings, name.removeprefix(PREFIX))) for name in AMOUNTS
    }
    values |= {name: getattr(settings, name.removeprefix(PREFIX)) for name in CHOICES}
    values |= {
        name: "on" if getattr(settings, name.removeprefix(PREFIX)) else "" for name in SWITCHES
    }
    values |= {
        KIND: settings.facility_kind or "jail",
        POPULATION: str(settings.average_daily_population),
        SLOTS: ", ".join(str(minutes) for minutes in settings.video_slot_minutes),
        LEAD: str(
            settings.video_booking_lead_minutes
            if settings.HasField("video_booking_lead_minutes")
            else DEFAULT_LEAD_MINUTES
        ),
        HORIZON: str(settings.video_booking_horizon_days or DEFAULT_HORIZON_DAYS),
        BLACKOUTS: ", ".join(settings.video_blackout_dates),
    }
    for row, tier in enumerate(tiers):
        values[tier_input(row, "up_to_cents")] = typed_dollars(tier.up_to_cents)
        values[tier_input(row, "fee_cents")] = typed_dollars(tier.fee_cents)
    return Form(fields(max(MIN_TIER_ROWS, len(tiers) + 1)), values), list(
        settings.accepted_card_brands
    )


def posted_tier_rows(data: FormData) -> int:
    rows = [int(match.group(1)) for key in data if (match := _TIER_INPUT.fullmatch(key))]
    return max(MIN_TIER_ROWS, max(rows, default=-1) + 1)


def apply(form: Form, brands: list[str], settings: pb.FacilitySettings) -> list[int]:
    """The posted settings written over `settings`; each fault the portal can see is said on
    `form` (identity says the rest when it refuses). Blank tier rows are left out: the answer is
    the row each tier sent was typed in."""
    values = form.values
    settings.name = values["settings.name"]
    settings.time_zone = values["settings.time_zone"]
    settings.accepted_card_brands[:] = brands
    for name in CHOICES:
        setattr(settings, name.removeprefix(PREFIX), values[name])
    for name in SWITCHES:
        setattr(settings, name.removeprefix(PREFIX), bool(values[name]))
    for name in AMOUNTS:
        setattr(settings, name.removeprefix(PREFIX), _cents(form, name))
    settings.id_verification_threshold_cents = _cents(form, THRESHOLD) if values[THRESHOLD] else 0
    settings.video_stations = _whole_number(form, STATIONS)
    settings.average_daily_population = _whole_number(form, POPULATION)
    settings.video_slot_minutes[:] = _whole_numbers(form, SLOTS)
    settings.video_blackout_dates[:] = _dates(form, BLACKOUTS)
    # A default shown and kept is left as it was (unset), as old facilities have it.
    if values[KIND] != "jail" or settings.facility_kind:
        settings.facility_kind = values[KIND]
    lead = _whole_number(form, LEAD)
    if lead != DEFAULT_LEAD_MINUTES or settings.HasField("video_booking_lead_minutes"):
        settings.video_booking_lead_minutes = lead
    horizon = _whole_number(form, HORIZON)
    if horizon != DEFAULT_HORIZON_DAYS or settings.video_booking_horizon_days:
        settings.video_booking_horizon_days = horizon
    del settings.deposit_fee_tiers[:]
    rows = []
    for row in range(tier_rows_of(form)):
        up_to, fee = tier_input(row, "up_to_cents"), tier_input(row, "fee_cents")
        if values[up_to] or values[fee]:
            settings.deposit_fee_tiers.add(
                up_to_cents=_cents(form, up_to), fee_cents=_cents(form, fee)
            )
            rows.append(row)
    return rows


def refused(form: Form, refusal: Refusal, tier_rows: list[int]) -> None:
    """Identity's refusal beside the input it is about: a tier's index becomes its row's."""
    match = re.fullmatch(r"settings\.deposit_fee_tiers\[(\d+)\](.*)", refusal.field)
    if match and int(match.group(1)) < len(tier_rows):
        row = tier_rows[int(match.group(1))]
        refusal = Refusal(refusal.code, f"{TIERS}[{row}]{match.group(2)}")
    form.refused(refusal)


def tier_rows_of(form: Form) -> int:
    return sum(1 for name in form.fields if name.endswith("].up_to_cents"))


def _cents(form: Form, name: str) -> int:
    try:
        return cents_of(form.values[name], name)
    except Refusal as refusal:
        form.refused(refusal)
        return 0


def _whole_number(form: Form, name: str) -> int:
    if form.values[name].isdigit():
        return int(form.values[name])
    form.refused(Refusal("number_invalid", name))
    return 0


def _listed(form: Form, name: str) -> list[str]:
    return [part.strip() for part in form.values[name].split(",") if part.strip()]


def _whole_numbers(form: Form, name: str) -> list[int]:
    """e.g. `15, 30`; empty: the facility's defaults."""
    typed = _listed(form, name)
    if all(part.isdigit() for part in typed):
        return [int(part) for part in typed]
    form.refused(Refusal("numbers_invalid", name))
    return []


def _dates(form: Form, name: str) -> list[str]:
    """e.g. `2026-12-25, 2027-01-01`: the facility's own dates."""
    typed = _listed(form, name)
    try:
        return [date.fromisoformat(part).isoformat() for part in typed]
    except ValueError:
        form.refused(Refusal("dates_invalid", name))
        return []


def video_price_cap(settings: pb.FacilitySettings) -> int:
    """The FCC's cap on a video minute for the facility's kind and size, in cents."""
    kind = FacilityKind(settings.facility_kind or FacilityKind.JAIL)
    return video_price_cap_cents(kind, settings.average_daily_population)


def translated(options: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(value, gettext(text)) for value, text in options]


def chosen(options: tuple[tuple[str, str], ...], value: str) -> str:
    """The name of the option `value`, in the visitor's language (the value, if unknown)."""
    return next((gettext(text) for option, text in options if option == value), value)
