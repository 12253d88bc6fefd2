"""The `kinlink` CLI against the real services in this process, as a family member uses it: sign
up, activate from the emailed link, log in, add a card, find a resident, ask for a quote; and
the errors met on the way, by their stable codes."""

from __future__ import annotations

import asyncio
import email
import json
import re
import stat
from collections.abc import AsyncIterator
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from click.testing import Result
from kinlink_cli.main import cli
from kinlink_contracts.demo import DEMO_FACILITIES
from kinlink_contracts.demo import DEMO_RESIDENTS
from kinlink_contracts.demo import FAC_DEMO
from kinlink_contracts.facility_settings import FacilitySettings
from kinlink_contracts.facility_settings import IdVerificationPolicy
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_identity.bootstrap import build_identity
from kinlink_identity.bootstrap import identity_service
from kinlink_kit.auth import Role
from kinlink_kit.bus import InMemoryBus
from kinlink_kit.testing import eventually
from kinlink_kit.testing import serving
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_ledger.bootstrap import build_ledger
from kinlink_ledger.bootstrap import ledger_service
from structlog.testing import capture_logs

from tests.conftest import TokenKeys

EMAIL = "Grace.Family@Example.com"
ADDRESS = ("1 Main St", "Springfield", "IL", "62701")
PASSWORD = "a long family passphrase"


@dataclass
class Kinlink:
    """The CLI, run in a worker thread: its gRPC calls block, and the platform serves from this
    test's event loop."""

    address: str
    config_home: Path
    mail: Path
    logs: list[MutableMapping[str, Any]]

    async def __call__(self, *args: str, stdin: str | None = None, token: str = "") -> Result:
        env = {
            "KINLINK_TARGET": self.address,
            "XDG_CONFIG_HOME": str(self.config_home),
            "KINLINK_TOKEN": token or None,
        }
        return await asyncio.to_thread(CliRunner(env=env).invoke, cli, list(args), input=stdin)

    async def json(self, *args: str, stdin: str | None = None) -> Any:
        result = await self(*args, "--json", stdin=stdin)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def link_in_latest_email(self, to: str) -> str:
        """The link in the latest email to `to` in the mail folder."""
        for path in sorted(self.mail.glob("*.eml"), reverse=True):
            message = email.message_from_bytes(path.read_bytes())
            if message["To"].lower() == to.lower():
                body = message.get_payload(decode=True)
                assert isinstance(body, bytes)
                match = re.search(r"https?://\S+token=\S+", body.decode())
                assert match, f"no link in {path.name}"
                return match.group(0)
        raise AssertionError(f"no email to {to} in {self.mail}")

    @property
    def session_file(self) -> Path:
        return self.config_home / "kinlink" / "session.json"


def failed_with(result: Result, code: str) -> bool:
    return result.exit_code == 1 and f"error: {code}" in result.stderr


async def configure_facility(
    run: Kinlink, facility_id: str, settings: FacilitySettings, operator: str, folder: Path
) -> None:
    """As an operator does: the settings in a file, given to `facility configure`."""
    settings_file = folder / f"{facility_id}.json"
    settings_file.write_text(settings.model_dump_json())
    configured = await run(
        "facility", "configure", facility_id, f"--settings={settings_file}", token=operator
    )
    assert configured.exit_code == 0, configured.output


@pytest.fixture
async def kinlink(tmp_path: Path, token_keys: TokenKeys) -> AsyncIterator[Kinlink]:
    """Identity and the ledger on SQLite in this process, the demo facilities configured and
    their residents booked through the CLI by an operator."""
    bus = InMemoryBus()
    stores = {"data_dir": tmp_path / "var", "postgres_dsn": None, "kafka_bootstrap": None}
    identity_settings = IdentitySettings(
        **stores,
        jwt_private_key=token_keys.private_pem,
        jwt_key_id=token_keys.key_id,
        password_time_cost=1,
        password_memory_kib=1024,
        personal_data_key="q1wJ3WvS5ZQwRkGm1rE0aVh0hSZ8CB0l3XbJb3tIYk0=",
    )
    ledger_settings = LedgerSettings(**stores)
    parts = [
        identity_service(identity_settings, bus, build_identity(identity_settings)),
        ledger_service(ledger_settings, bus, build_ledger(ledger_settings)),
    ]
    # The CLI's output is captured by swapping sys.stdout for the whole process: the services'
    # log lines are kept aside, or they would land in the middle of it.
    with capture_logs() as logs:
        async with serving(parts, bus, token_keys.verifier()) as address:
            mail = identity_settings.data_dir / "mail"
            run = Kinlink(address, tmp_path / "config", mail, logs)
            operator = token_keys.token("operator-1", Role.OPERATOR)
            for facility_id, settings in DEMO_FACILITIES.items():
                await configure_facility(run, facility_id, settings, operator, tmp_path)
            for resident in DEMO_RESIDENTS:
                booked = await run(
                    "resident",
                    "book",
                    f"--facility={resident.facility_id}",
                    f"--resident={resident.resident_id}",
                    f"--first-name={resident.first_name}",
                    f"--last-name={resident.last_name}",
                    token=operator,
                )
                assert booked.exit_code == 0, booked.output

            async def residents_searchable() -> bool:
                # Searches read a directory that follows the event log: wait for the last one.
                last = DEMO_RESIDENTS[-1]
                found = await run("resident", "search", f"--id={last.resident_id}", token=operator)
                return last.last_name in found.stdout

            await eventually(residents_searchable)
            yield run


def address_options(prefix: str) -> list[str]:
    parts = zip(("line1", "city", "state", "zip"), ADDRESS, strict=True)
    return [f"--{prefix}-{part}={value}" for part, value in parts]


async def register(kinlink: Kinlink, *options: str) -> None:
    registered = await kinlink(
        "account",
        "register",
        f"--email={EMAIL}",
        "--first-name=Grace",
        "--last-name=Family",
        *address_options("address"),
        "--phone=+13125550100",
        "--time-zone=America/Chicago",
        *options,
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert registered.exit_code == 0, registered.output
    assert f"We sent an activation email to {EMAIL.lower()}" in registered.stdout


async def sign_up(kinlink: Kinlink) -> None:
    await register(kinlink)
    activated = await kinlink("account", "activate", kinlink.link_in_latest_email(EMAIL))
    assert activated.exit_code == 0, activated.output
    assert ": active" in activated.stdout


async def log_in(kinlink: Kinlink, password: str = PASSWORD) -> Result:
    return await kinlink(
        "account", "login", f"--email={EMAIL}", "--password-stdin", stdin=f"{password}\n"
    )


async def verify_id(kinlink: Kinlink, ssn: str, *options: str) -> Result:
    return await kinlink(
        "account",
        "verify-id",
        "--legal-first-name=Grace",
        "--legal-last-name=Family",
        "--date-of-birth=1980-04-30",
        *address_options("address"),
        *options,
        "--ssn-stdin",
        stdin=f"{ssn}\n",
    )


async def test_a_family_member_signs_up_adds_a_card_and_gets_a_quote(kinlink: Kinlink) -> None:
    await sign_up(kinlink)

    logged_in = await log_in(kinlink)
    assert logged_in.exit_code == 0, logged_in.output
    assert f"Logged in as Grace Family <{EMAIL.lower()}>" in logged_in.stdout
    assert "unsubscribed" not in logged_in.stdout
    assert stat.S_IMODE(kinlink.session_file.stat().st_mode) == 0o600
    assert PASSWORD not in kinlink.session_file.read_text()

    card = await kinlink.json(
        "card", "add", "pm_card_visa", f"--facility={FAC_DEMO}", *address_options("billing")
    )
    assert (card["brand"], card["last4"]) == ("visa", "4242")
    listed = await kinlink("card", "list")
    assert "Visa ending in 4242" in listed.stdout

    found = await kinlink.json("resident", "search", "Love")
    assert [
        (match["resident_id"], match["first_name"], match["last_name"], match["facility_id"])
        for match in found["residents"]
    ] == [("R-1001", "Ada", "Lovelace", FAC_DEMO)]

    quotes: list[Result] = []

    async def ledger_quotes() -> bool:
        # The ledger learns the facility's fees from identity's FacilityConfigured event.
        quotes.append(
            await kinlink(
                "deposit",
                "quote",
                f"--facility={FAC_DEMO}",
                "--resident=R-1001",
                "--amount=50.00",
                "--json",
            )
        )
        return quotes[-1].exit_code == 0

    await eventually(ledger_quotes)
    quote = json.loads(quotes[-1].stdout)
    charged = (quote["amount_cents"], quote["fee_cents"], quote["total_cents"])
    assert tuple(map(int, charged)) == (5000, 595, 5595)
    me = await kinlink.json("account", "show")
    assert quote["depositor_id"] == me["account_id"], "the depositor is who logged in"

    refreshed = await kinlink("account", "refresh")
    assert refreshed.exit_code == 0, refreshed.output
    assert "Logged in as Grace Family" in refreshed.stdout
    assert PASSWORD not in str(kinlink.logs), "passwords never reach the logs"


async def test_wrong_password_is_refused_without_saying_which_was_wrong(kinlink: Kinlink) -> None:
    await sign_up(kinlink)
    refused = await log_in(kinlink, password="not the passphrase")
    assert failed_with(refused, "invalid_credentials"), refused.output
    assert not kinlink.session_file.exists()


async def test_prepaid_cards_and_short_searches_are_refused(kinlink: Kinlink) -> None:
    await sign_up(kinlink)
    assert (await log_in(kinlink)).exit_code == 0

    prepaid = await kinlink(
        "card", "add", "pm_card_mastercard_prepaid", *address_options("billing")
    )
    assert failed_with(prepaid, "prepaid_not_supported"), prepaid.output
    short = await kinlink("resident", "search", "Lov")
    assert failed_with(short, "last_name_too_short"), short.output
    as_json = await kinlink("resident", "search", "Lov", "--json")
    assert json.loads(as_json.stdout)["error"]["code"] == "last_name_too_short"


async def test_unsubscribed_accounts_see_the_notice_at_login(kinlink: Kinlink) -> None:
    await sign_up(kinlink)
    assert (await log_in(kinlink)).exit_code == 0
    unsubscribed = await kinlink("account", "unsubscribe-emails")
    assert unsubscribed.exit_code == 0, unsubscribed.output

    logged_out = await kinlink("account", "logout")
    assert logged_out.exit_code == 0 and not kinlink.session_file.exists()
    anonymous = await kinlink("card", "list", "--json")
    assert anonymous.exit_code == 1
    assert json.loads(anonymous.stdout)["error"]["status"] == "UNAUTHENTICATED"

    logged_in = await log_in(kinlink)
    assert "You have unsubscribed from Kinlink emails" in logged_in.stdout
    assert "prevent you from being able to reset your password" in logged_in.stdout


async def test_facility_rules_and_settings_checked_before_sending(
    kinlink: Kinlink, tmp_path: Path
) -> None:
    shown = await kinlink("facility", "show", FAC_DEMO)
    assert shown.exit_code == 0, shown.output
    for rule in ("Demo County Jail", "per resident (Sunday to Saturday): $300.00", "$5.95"):
        assert rule in shown.stdout
    listed = await kinlink("facility", "list")
    assert "FAC-EAST  Eastern Regional Detention Center" in listed.stdout

    settings = tmp_path / "new.toml"
    settings.write_text(
        'name = "Somewhere"\ntime_zone = "Mars/Olympus"\n'
        "deposit_fee_tiers = [{up_to_cents = 2000, fee_cents = 295}]\n"
    )
    refused = await kinlink("facility", "configure", "FAC-NEW", f"--settings={settings}")
    assert refused.exit_code == 2
    assert "time_zone: Value error, unknown time zone 'Mars/Olympus'" in refused.stderr
    unknown = await kinlink("facility", "show", "FAC-NEW", "--json")
    assert json.loads(unknown.stdout)["error"]["status"] == "NOT_FOUND", "nothing was sent"


async def test_the_links_in_emails_cards_and_identity_documents(kinlink: Kinlink) -> None:
    await sign_up(kinlink)
    assert (await log_in(kinlink)).exit_code == 0
    new_email, new_password = "grace@example.org", "another family passphrase"

    changing = await kinlink(
        "account", "change-email", new_email, "--password-stdin", stdin=f"{PASSWORD}\n"
    )
    assert changing.exit_code == 0, changing.output
    confirmed = await kinlink("account", "confirm-email", kinlink.link_in_latest_email(new_email))
    assert f"Grace Family <{new_email}>" in confirmed.stdout

    assert (await kinlink("account", "forgot-password", new_email)).exit_code == 0
    reset_link = kinlink.link_in_latest_email(new_email)
    reset = await kinlink(
        "account", "reset-password", reset_link, "--password-stdin", stdin=f"{new_password}\n"
    )
    assert reset.exit_code == 0, reset.output
    logged_in = await kinlink(
        "account", "login", f"--email={new_email}", "--password-stdin", stdin=f"{new_password}\n"
    )
    assert logged_in.exit_code == 0, logged_in.output

    funding = await kinlink.json(
        "card", "add", "pm_card_visa", *address_options("billing"), "--fund-messaging-subscription"
    )
    other = await kinlink.json("card", "add", "pm_card_mastercard", *address_options("billing"))
    kept = await kinlink("card", "remove", funding["card_id"])
    assert failed_with(kept, "card_funds_messaging_subscription"), kept.output
    edited = await kinlink("card", "edit", other["card_id"], "--exp-month=3", "--exp-year=2031")
    assert "Mastercard ending in 4444, expires 03/2031" in edited.stdout
    assert (await kinlink("card", "remove", other["card_id"])).exit_code == 0
    assert "4444" not in (await kinlink("card", "list")).stdout

    ssn = "123456789"
    verified = await verify_id(kinlink, ssn)
    assert "ID verification: verified" in verified.stdout, verified.output
    assert ssn not in str(kinlink.logs)

    closed = await kinlink("account", "close", "--password-stdin", stdin=f"{new_password}\n")
    assert closed.exit_code == 0 and not kinlink.session_file.exists()
    assert (await kinlink("account", "request-reactivation", new_email)).exit_code == 0
    reopened = await kinlink("account", "reactivate", kinlink.link_in_latest_email(new_email))
    assert ": active" in reopened.stdout, reopened.output


async def test_a_facility_that_verifies_before_activation_is_joined_with_the_emailed_link(
    kinlink: Kinlink, token_keys: TokenKeys, tmp_path: Path
) -> None:
    verifying = DEMO_FACILITIES[FAC_DEMO].model_copy(
        update={
            "name": "Verifying County Jail",
            "id_verification": IdVerificationPolicy.BEFORE_ACTIVATION,
        }
    )
    operator = token_keys.token("operator-1", Role.OPERATOR)
    await configure_facility(kinlink, "FAC-IDV", verifying, operator, tmp_path)

    await register(kinlink, "--facility=FAC-IDV")
    link = kinlink.link_in_latest_email(EMAIL)
    held = await kinlink("account", "activate", link)
    assert failed_with(held, "id_verification_required"), held.output

    # No session yet: the activation link says whose identity this is, and activates at once.
    ssn = "123456789"
    verified = await verify_id(kinlink, ssn, f"--activation-link={link}")
    assert verified.exit_code == 0, verified.output
    assert ": active" in verified.stdout and "ID verification: verified" in verified.stdout
    assert ssn not in str(kinlink.logs)

    logged_in = await log_in(kinlink)
    assert logged_in.exit_code == 0, logged_in.output
    assert (await kinlink.json("account", "show"))["id_verification"] == "ID_VERIFICATION_VERIFIED"


async def test_operators_transfer_and_release_residents(
    kinlink: Kinlink, token_keys: TokenKeys
) -> None:
    operator = token_keys.token("operator-1", Role.OPERATOR)
    moved = await kinlink(
        "resident",
        "transfer",
        "--facility=FAC-DEMO",
        "--resident=R-1002",
        "--to-facility=FAC-EAST",
        "--to-resident=R-2003",
        token=operator,
    )
    assert "R-1002 Grace Hopper at FAC-DEMO: transferred to FAC-EAST as R-2003" in moved.stdout
    released = await kinlink(
        "resident", "release", "--facility=FAC-DEMO", "--resident=R-1003", token=operator
    )
    assert "R-1003 Katherine Johnson at FAC-DEMO: released" in released.stdout

    async def search(*args: str) -> str:
        return (await kinlink("resident", "search", *args, token=operator)).stdout

    async def moved_and_gone() -> bool:
        return "Eastern Regional" in await search("--id=R-2003") and "No resident found" in (
            await search("Johnson")
        )

    await eventually(moved_and_gone)
    assert "R-1002" not in await search("Hopper"), "transferred away from FAC-DEMO"


async def test_staff_list_a_facilitys_residents_and_operators_the_staff_accounts(
    kinlink: Kinlink, token_keys: TokenKeys
) -> None:
    officer = token_keys.token("officer-1", Role.FACILITY_OFFICER, facilities=("FAC-DEMO",))
    first = await kinlink("resident", "list", "--facility=FAC-DEMO", "--page-size=2", token=officer)
    assert first.stdout.splitlines()[:2] == [
        "R-1002  Grace Hopper  in custody",
        "R-1003  Katherine Johnson  in custody",
    ]
    token = first.stdout.splitlines()[2].removeprefix("More: add --page-token=")
    rest = await kinlink(
        "resident", "list", "--facility=FAC-DEMO", "--page-size=2", f"--page-token={token}",
        token=officer,
    )  # fmt: skip
    assert rest.stdout.splitlines() == ["R-1001  Ada Lovelace  in custody"]
    elsewhere = await kinlink("resident", "list", "--facility=FAC-EAST", token=officer)
    assert failed_with(elsewhere, "facility_out_of_scope")

    operator = token_keys.token("operator-1", Role.OPERATOR)
    created = await kinlink(
        "account", "create-staff", "--email=olive@example.com", "--first-name=Olive",
        "--last-name=Officer", "--role=facility_officer", "--facility=FAC-DEMO",
        stdin=f"{PASSWORD}\n{PASSWORD}\n", token=operator,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    listed = await kinlink("account", "list-staff", token=operator)
    (line,) = listed.stdout.splitlines()
    assert line.endswith(
        "Olive Officer <olive@example.com>  facility_officer at FAC-DEMO: active"
    ), line
    assert failed_with(await kinlink("account", "list-staff", token=officer), "role_not_allowed")
