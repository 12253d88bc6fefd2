"""The screenshots of the journeys: named after the page's path, indexed by journey with the
phone and computer widths side by side, and only taken when asked to."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.portal.screenshots import SETTING
from tests.browser.portal.screenshots import folder
from tests.browser.portal.screenshots import index
from tests.browser.portal.screenshots import page_name


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "home"),
        ("/help?q=card", "help"),
        ("/console/facilities/FAC-EAST/edit", "console-facilities-fac-east-edit"),
        ("/help/add-a-card", "help-add-a-card"),
        ("/deposits/quotes/bba543b4-1209-4c28-b874-ce820ea4d0dd", "deposits-quotes-id"),
        ("/send/FAC-PORTAL-04b6bd22/R-1001", "send-fac-portal-id-r-1001"),
        ("/receipts/KL-A053C9EF0F85", "receipts-kl-id"),
    ],
)
def test_a_screenshot_is_named_after_its_pages_path(path: str, name: str) -> None:
    assert page_name(f"http://127.0.0.1:8080{path}") == name


def test_screenshots_are_taken_only_when_asked_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SETTING, raising=False)
    assert folder() is None
    monkeypatch.setenv(SETTING, "docs/screenshots")
    assert folder() == Path("docs/screenshots")


def test_the_index_lists_each_journeys_pages_in_order(tmp_path: Path) -> None:
    for name in ("01-log-in-390.png", "01-log-in-1280.png", "02-help-390.png", "02-help-1280.png"):
        (tmp_path / "finding_help").mkdir(exist_ok=True)
        (tmp_path / "finding_help" / name).write_bytes(b"")
    written = index(tmp_path)
    assert "## Finding help" in written
    assert written.index("`log-in`") < written.index("`help`")
    assert (
        "| 2 | `help` | [390 px](finding_help/02-help-390.png) | "
        "[1280 px](finding_help/02-help-1280.png) |"
    ) in written
