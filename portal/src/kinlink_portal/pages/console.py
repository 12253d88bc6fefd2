"""The console of facility officers, operators and auditors: the facilities in their care and
each one's settings; operators change them."""

from __future__ import annotations

from kinlink.identity.v1 import identity_pb2 as pb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kinlink_portal.forms import submitted
from kinlink_portal.money import dollars
from kinlink_portal.navigation import with_notice
from kinlink_portal.pages import facility_form
from kinlink_portal.rendering import render
from kinlink_portal.services import Refusal
from kinlink_portal.services import call
from kinlink_portal.services import services
from kinlink_portal.sessions import call_signed_in
from kinlink_portal.sessions import require_staff
from kinlink_portal.time_zones import time_zone_name
from kinlink_portal.time_zones import time_zone_options


def in_care(request: Request, facility_id: str) -> bool:
    """Officers see their facilities; operators and auditors every one."""
    roles = set(request.session.get("roles", ()))
    return bool(roles & {"operator", "auditor"}) or facility_id in request.session.get(
        "facility_ids", ()
    )


def is_operator(request: Request) -> bool:
    return "operator" in request.session.get("roles", ())


async def console(request: Request) -> Response:
    require_staff(request)
    listed = await call(
        request, services(request).identity.ListFacilities, pb.ListFacilitiesRequest()
    )
    facilities = sorted(
        (f for f in listed.facilities if in_care(request, f.facility_id)),
        key=lambda f: f.settings.name,
    )
    return render(request, "console.html", facilities=facilities, operator=is_operator(request))


async def facility_of(request: Request) -> pb.Facility:
    require_staff(request)
    facility_id = request.path_params["facility_id"]
    if not in_care(request, facility_id):
        raise Refusal("facility_out_of_scope")
    request_message = pb.GetFacilityRequest(facility_id=facility_id)
    return await call(request, services(request).identity.GetFacility, request_message)


async def facility_settings(request: Request) -> Response:
    facility = await facility_of(request)
    settings = facility.settings
    return render(
        request,
        "facility.html",
        facility=facility,
        time_zone=time_zone_name(settings.time_zone),
        weekly_limit=dollars(settings.weekly_deposit_limit_cents),
        fee_tiers=[
            (dollars(t.up_to_cents), dollars(t.fee_cents)) for t in settings.deposit_fee_tiers
        ],
        message_price=dollars(settings.message_price_cents),
        image_price=dollars(settings.image_price_cents),
        video_price=dollars(settings.video_price_per_minute_cents),
        video_cap=dollars(facility_form.video_price_cap(settings)),
        review=facility_form.chosen(facility_form.REVIEW_POLICIES, settings.review_policy),
        id_verification=facility_form.chosen(
            facility_form.ID_VERIFICATION_POLICIES, settings.id_verification
        ),
        posting_day=facility_form.chosen(facility_form.WEEKDAYS, settings.commissary_posting_day),
        may_edit=is_operator(request),
        saved=request.query_params.get("notice") == "saved",
    )


async def edit_facility(request: Request) -> Response:
    facility = await facility_of(request)
    if not is_operator(request):
        raise Refusal("role_not_allowed")
    settings = facility.settings
    if request.method == "GET":
        form, brands = facility_form.form_of(settings)
    else:
        data = await request.form()
        form = await submitted(request, facility_form.fields(facility_form.posted_tier_rows(data)))
        brands = sorted(str(brand) for brand in data.getlist(facility_form.BRANDS))
        # What the form does not show stays as it is: ConfigureFacility replaces them whole.
        tier_rows = facility_form.apply(form, brands, settings)
        if not form.errors:
            change = pb.ConfigureFacilityRequest(
                facility_id=facility.facility_id, settings=settings
            )
            try:
                await call_signed_in(request, services(request).identity.ConfigureFacility, change)
            except Refusal as refusal:
                facility_form.refused(form, refusal, tier_rows)
            else:
                return with_notice(f"/console/facilities/{facility.facility_id}", "saved")
    status = 400 if form.errors else 200
    return render(
        request,
        "facility_edit.html",
        status,
        form=form,
        brands=brands,
        tier_rows=range(facility_form.tier_rows_of(form)),
        facility=facility,
        time_zones=time_zone_options(),
        options=facility_form,
        video_cap=dollars(facility_form.video_price_cap(facility.settings)),
    )


routes = [
    Route("/console", console),
    Route("/console/facilities/{facility_id}", facility_settings),
    Route("/console/facilities/{facility_id}/edit", edit_facility, methods=["GET", "POST"]),
]
