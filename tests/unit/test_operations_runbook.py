"""The runbook (docs/operations.md) names what the code has: each service's console script,
database, consumer group and topics as its settings and the contracts say, and `kinlink`
commands the CLI knows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import pytest
from kinlink_cli.main import cli
from kinlink_commissary.bootstrap import CommissarySettings
from kinlink_contracts import topics
from kinlink_identity.bootstrap import IdentitySettings
from kinlink_kit.settings import ServiceSettings
from kinlink_ledger.bootstrap import LedgerSettings
from kinlink_messaging.bootstrap import MessagingSettings
from kinlink_sms.bootstrap import SmsSettings
from kinlink_visitation.bootstrap import VisitationSettings

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = (ROOT / "docs" / "operations.md").read_text()

# Service -> its settings and its package's folder.
SERVICES: dict[str, tuple[type[ServiceSettings], str]] = {
    "identity": (IdentitySettings, "services/identity"),
    "ledger": (LedgerSettings, "services/ledger"),
    "messaging": (MessagingSettings, "services/messaging"),
    "sms-gateway": (SmsSettings, "services/sms-gateway"),
    "commissary": (CommissarySettings, "services/commissary"),
    "visitation": (VisitationSettings, "services/visitation"),
}
TOPICS = {value for name, value in vars(topics).items() if name.isupper()}


def table_rows() -> dict[str, list[str]]:
    """The runbook's first table: service -> its cells."""
    lines = RUNBOOK[RUNBOOK.index("| service |") :].splitlines()
    rows = {}
    for line in lines[2 : lines.index("")]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def default_of(settings: type[ServiceSettings], field: str) -> object:
    return settings.model_fields[field].default


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_table_names_each_services_script_database_group_and_topics(service: str) -> None:
    settings, folder = SERVICES[service]
    script, database, group, published = table_rows()[service]
    pyproject = tomllib.loads((ROOT / folder / "pyproject.toml").read_text())
    assert ticked(script) == list(pyproject["project"]["scripts"])
    assert ticked(database) == [default_of(settings, "database")]
    assert ticked(group) == [default_of(settings, "consumer_group")]
    assert set(ticked(published)) <= TOPICS


def test_the_table_covers_every_service() -> None:
    assert set(SERVICES) | {"portal"} == set(table_rows())


def kinlink_commands() -> list[list[str]]:
    """The words of each `kinlink ...` line in the runbook's shell blocks, up to its first
    option or argument."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", RUNBOOK, flags=re.DOTALL):
        for line in block.splitlines():
            words = line.strip().split()
            if words[:1] == ["kinlink"]:
                commands.append(words[1:])
    return commands


def test_every_kinlink_command_of_the_runbook_exists() -> None:
    commands = kinlink_commands()
    assert commands
    for words in commands:
        command: click.Command = cli
        for word in words:
            if word.startswith("-") or not isinstance(command, click.Group):
                break
            found = command.get_command(click.Context(command), word)
            assert found is not None, f"`kinlink {' '.join(words)}`: no command {word!r}"
            command = found
        assert not isinstance(command, click.Group), f"`kinlink {' '.join(words)}` is a group"
