"""Visitation's money sweeps as background jobs, each in one replica at a time: the meter
charges the connected minutes of visits in progress (service_layer.meter), the window-over sweep
ends the visits still connected when their window ends (service_layer.window_over), and the
refund sweep issues the approved refunds the ledger has not confirmed
(service_layer.refund_requests)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kinlink_kit.leadership import Leadership
from kinlink_kit.sweep import Sweep
from pydantic import Field
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from kinlink_visitation.service_layer.meter import meter_visits
from kinlink_visitation.service_layer.refund_requests import issue_approved_credits
from kinlink_visitation.service_layer.visitation import Visitation
from kinlink_visitation.service_layer.window_over import end_visits_past_their_window


class MoneySweepSettings(BaseSettings):
    """How often the money sweeps run (mixed into the service's settings)."""

    model_config = SettingsConfigDict(env_prefix="KINLINK_", extra="ignore")

    visit_meter_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often the meter charges the minutes begun in visits in progress: "
        "charges lag the connected time by up to this.",
    )
    visit_meter_concurrency: int = Field(
        default=4,
        ge=1,
        le=16,
        description="How many visits the meter charges at once (each needs a store connection: "
        "keep it below KINLINK_POSTGRES_POOL_SIZE).",
    )
    visit_window_sweep_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How often visits still connected past their window are ended.",
    )
    refund_sweep_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often approved refunds the ledger did not confirm are issued again.",
    )


def money_sweeps(
    visitation: Visitation, database_url: str | None, settings: MoneySweepSettings
) -> list[Sweep]:
    def sweep(name: str, work: Callable[[], object], every_seconds: float) -> Sweep:
        return Sweep(name, work, Leadership(database_url, name), every_seconds)

    return [
        sweep(
            "visit meter",
            partial(meter_visits, visitation, settings.visit_meter_concurrency),
            settings.visit_meter_seconds,
        ),
        sweep(
            "visit window over",
            partial(end_visits_past_their_window, visitation),
            settings.visit_window_sweep_seconds,
        ),
        sweep(
            "visit refund credits",
            partial(issue_approved_credits, visitation),
            settings.refund_sweep_seconds,
        ),
    ]
