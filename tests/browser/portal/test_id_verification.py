"""ID verification before activation, in the browser: the operator makes a facility verify
identities first; a family member signs up for it, and the activation link leads them to
verify their identity (a refusal beside the date of birth, a failed verification said at the
top, the SSN never shown back) before the account is active."""

from __future__ import annotations

import pytest
from kinlink_embedded import demo
from playwright.async_api import expect

from tests.browser.portal.conftest import Visitor

EAST = "Eastern Regional Detention Center"
FAMILY = ("ivy.family@example.com", "a long family password")
# The simulated verification provider fails every SSN ending in 9999.
FAILING_SSN, PASSING_SSN = "123-45-9999", "123-45-6780"


@pytest.mark.usefixtures("demo_facilities")
async def test_a_family_member_verifies_their_identity_before_activation(
    visitor: Visitor,
) -> None:
    page = visitor.page
    await visitor.log_in(demo.OPERATOR_EMAIL, demo.OPERATOR_PASSWORD)
    await visitor.follow(EAST)
    await visitor.follow("Change the settings")
    await page.get_by_label("ID verification").select_option(
        label="Before the account is activated"
    )
    await visitor.press("Save the settings")
    await expect(page.locator(".details")).to_contain_text("Before the account is activated")
    await visitor.press("Log out")

    await visitor.sign_up(*FAMILY, facility=EAST)
    await visitor.open(visitor.portal.emailed_link(FAMILY[0], "activate"))
    await visitor.press("Activate my account")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Verify your identity")

    documents = {
        "Legal first name": "Ivy",
        "Legal last name": "Family",
        "Date of birth": "2020-01-01",
        "Street address": "12 Elm Street",
        "City": "Springfield",
        "State": "IL",
        "ZIP code": "62701",
        "Social Security number": PASSING_SSN,
    }
    await visitor.fill(**documents)
    await visitor.press("Verify my identity")
    assert await visitor.error_beside("date_of_birth") == (
        "Error: You must be 18 or older to send money."
    )
    await expect(page.get_by_label("Social Security number")).to_have_value("")
    assert PASSING_SSN not in await page.content()

    await visitor.fill(**{"Date of birth": "1980-04-30", "Social Security number": FAILING_SSN})
    await visitor.press("Verify my identity")
    await expect(page.locator("#form-error")).to_contain_text(
        "We could not verify your identity with these details."
    )

    await visitor.fill(**{"Social Security number": PASSING_SSN})
    await visitor.press("Verify my identity")
    await expect(page.get_by_role("status")).to_have_text(
        "Your account is active. You can log in now."
    )
    await visitor.log_in(*FAMILY)
    await expect(page.get_by_role("heading", level=1)).to_have_text("My account")
